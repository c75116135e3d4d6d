package gateway_test

import (
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/triage-gw/triage/gateway/config"
)

// dovecotMailboxes points b's gateway at the Dovecot of the
// TRIAGE_TEST_IMAP_* variables (.ci/dovecot.sh start prints them), over
// TLS trusted through imap.tls_ca_file alone, with an inbox and a Sent folder
// of the test's own, deleted at the end. It returns a function that
// appends a raw message to one of them. It skips the test when no Dovecot
// is configured, or when it has no TLS and CA file to trust.
func dovecotMailboxes(t *testing.T, b *bundle) func(mailbox, raw string) {
	t.Helper()
	addr, ca := os.Getenv("TRIAGE_TEST_IMAP_ADDR"), os.Getenv("TRIAGE_TEST_IMAP_CA")
	if addr == "" {
		t.Skip("TRIAGE_TEST_IMAP_ADDR is not set, so there is no Dovecot to test against; " +
			`run eval "$(bash .ci/dovecot.sh start)" first`)
	}
	if ca == "" || os.Getenv("TRIAGE_TEST_IMAP_SECURITY") != "tls" {
		t.Skip("TRIAGE_TEST_IMAP_CA is not set, or Dovecot does not speak implicit TLS (TRIAGE_TEST_IMAP_SECURITY=tls)")
	}
	user, password := os.Getenv("TRIAGE_TEST_IMAP_USER"), os.Getenv("TRIAGE_TEST_IMAP_PASSWORD")
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatalf("read TRIAGE_TEST_IMAP_CA: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("TRIAGE_TEST_IMAP_CA %s holds no PEM certificate", ca)
	}
	admin, err := imapclient.DialTLS(addr, &imapclient.Options{TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatalf("imapclient.DialTLS(%s) = %v, want nil", addr, err)
	}
	t.Cleanup(func() { _ = admin.Close() })
	if err := admin.Login(user, password).Wait(); err != nil {
		t.Fatalf("Login(%q) = %v, want nil", user, err)
	}

	var rnd [4]byte
	_, _ = rand.Read(rnd[:])
	inbox := "triage-" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-") + "-" + hex.EncodeToString(rnd[:])
	sent := inbox + "-Sent"
	for _, m := range []string{inbox, sent} {
		if err := admin.Create(m, nil).Wait(); err != nil {
			t.Fatalf("CREATE %q = %v, want nil", m, err)
		}
		t.Cleanup(func() { _ = admin.Delete(m).Wait() }) // before admin's Close: cleanups run last first
	}

	// The gateway's own IMAP TLS configuration (bundle.start) trusts only
	// the in-memory stand-in's throwaway certificate, which Dovecot does not
	// present: Dovecot is trusted through imap.tls_ca_file or not at all.
	b.cfg.IMAP = config.IMAP{Enabled: true, Addr: addr, Username: user, Password: config.NewSecret(password),
		Mailbox: inbox, SentMailbox: sent, Security: "tls", CAFile: ca, PollInterval: time.Second}
	if err := b.cfg.Validate(); err != nil {
		t.Fatalf("config.Validate() = %v", err)
	}
	names := map[string]string{"INBOX": inbox, "Sent": sent}
	return func(mailbox, raw string) {
		t.Helper()
		cmd := admin.Append(names[mailbox], int64(len(raw)), &goimap.AppendOptions{})
		_, werr := cmd.Write([]byte(raw))
		cerr := cmd.Close()
		if _, err := cmd.Wait(); werr != nil || cerr != nil || err != nil {
			t.Fatalf("APPEND to %q = write %v, close %v, wait %v; want nil", names[mailbox], werr, cerr, err)
		}
	}
}

// The P1 audit of the Sent folder against Dovecot, trusted through
// imap.tls_ca_file: a complaint in the inbox opens a case; a staff reply to it
// promising a refund, put in the Sent folder, is a policy violation on the
// case, and the staff member's manager is told by SMS.
func TestStaffReplySentFolderDovecot(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.Metrics.Token = config.NewSecret("p1-metrics-token")
	appendTo := dovecotMailboxes(t, b)

	appendTo("INBOX", fmt.Sprintf("From: %s\r\nTo: support@example.com\r\nSubject: Order #48213 - third time\r\nDate: %s\r\n"+
		"Message-ID: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		janeTo, time.Now().Format(time.RFC1123Z), complaint, angry))
	_, stop := b.start(t)
	defer stop()
	r := b.next(t)
	if r.CaseID == 0 {
		t.Fatalf("ingest = no case (plan %s: %s); want a case", r.Plan.Action, r.Plan.Reason)
	}
	st := openStore(t, b.cfg)

	appendTo("Sent", fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <refund@example>\r\n"+
		"In-Reply-To: <%s>\r\nReferences: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		tomFrom, janeTo, replyTopic, time.Now().Format(time.RFC1123Z), complaint, complaint,
		"Hi Jane,\r\n\r\nI am so sorry. We will refund the full amount of order 48213 today.\r\n\r\nTom"))
	waitFor(t, "the refund reply's policy_violation on the case", func() bool {
		return countKind(eventKinds(t, st, r.CaseID), "policy_violation") == 1
	})
	got := staffEmails(t, st, r.CaseID)
	if len(got) != 1 || got[0].MessageID != "refund@example" || !got[0].Violation {
		t.Errorf("staff_email events = %+v, want one: refund@example, a violation", got)
	}
	waitFor(t, "the manager's P1 SMS", func() bool {
		for _, m := range b.sms.Messages() {
			if m.To == annaPhone && strings.HasPrefix(m.Body, fmt.Sprintf("P1: Tom Baker answered complaint case %d", r.CaseID)) {
				return true
			}
		}
		return false
	})
}
