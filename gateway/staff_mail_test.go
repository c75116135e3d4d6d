package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// The P1 audit through the shared mailbox's Sent folder, on SQLite and
// PostgreSQL: a complaint opens a case; a short scheduling reply is
// recorded as staff correspondence only; a reply promising a refund before
// any call is a policy violation, counted for the audit, and the staff
// member's manager is told by SMS; the same mail seen again, mail from
// outside the staff and mail among staff record nothing; after a call
// attempt a resolution email is no violation.
func TestStaffReplySentFolderP1(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testStaffReplySentFolderP1(t, setup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.cfg.Database.URL = storetest.PostgresSchemaURL(t)
		testStaffReplySentFolderP1(t, b)
	})
}

const (
	tomFrom    = "Tom Baker <tom@example.com>"
	janeTo     = "Jane Doe <jane@acme.example>"
	complaint  = "m1@example"
	replyTopic = "Re: Order #48213 - third time"
)

func testStaffReplySentFolderP1(t *testing.T, b *bundle) {
	ctx := t.Context()
	b.cfg.IMAP.SentMailbox = "Sent"
	b.cfg.Metrics.Token = config.NewSecret("p1-metrics-token")
	createMailbox(t, b, "Sent")
	b.appendMail(t, "m1", janeTo, "Order #48213 - third time", angry)
	g, stop := b.start(t)
	r := b.next(t)
	if r.CaseID == 0 {
		t.Fatalf("ingest = no case (plan %s: %s); want a case", r.Plan.Action, r.Plan.Reason)
	}
	waitCtx, cancel := context.WithTimeout(ctx, waitLonger)
	defer cancel()
	before, err := b.sms.Wait(waitCtx, len(r.Notifications))
	if err != nil {
		t.Fatalf("sms.Wait(%d) = %v", len(r.Notifications), err)
	}
	st := openStore(t, b.cfg)
	tom, err := st.StaffGetByEmail(ctx, "tom@example.com")
	if err != nil {
		t.Fatalf("StaffGetByEmail(tom) = %v", err)
	}

	// A short scheduling reply: recorded, no violation.
	b.appendSent(t, sentMail{id: "s1", from: tomFrom, to: janeTo, inReplyTo: complaint,
		body: "Hi Jane,\n\nwhen is a good time to call you today, and on which number?\n\nTom"})
	waitFor(t, "the scheduling reply on the timeline", func() bool { return len(staffEmails(t, st, r.CaseID)) == 1 })
	if n := countKind(eventKinds(t, st, r.CaseID), "policy_violation"); n != 0 {
		t.Fatalf("after a scheduling reply: %d policy_violation events, want 0", n)
	}

	// A refund promised by email before any call: a violation, and Anna,
	// Tom's manager, is told.
	refund := sentMail{id: "s2", from: tomFrom, to: janeTo, inReplyTo: complaint,
		body: "Hi Jane,\n\nI am so sorry about this. We will refund the full amount of order 48213 today.\n\nTom\n\n> This is the THIRD time I write"}
	b.appendSent(t, refund)
	msgs, err := b.sms.Wait(waitCtx, len(before)+1)
	if err != nil {
		t.Fatalf("sms.Wait(%d) = %v; want the manager's P1 SMS", len(before)+1, err)
	}
	p1 := msgs[len(before)]
	wantBody := fmt.Sprintf("P1: Tom Baker answered complaint case %d by email before any call: offers a refund", r.CaseID)
	if p1.To != annaPhone || !strings.HasPrefix(p1.Body, wantBody) {
		t.Errorf("P1 SMS = to %s: %q; want to Anna (%s): %q", p1.To, p1.Body, annaPhone, wantBody)
	}

	// Seen again, from a stranger, among staff only: nothing is recorded.
	b.appendSent(t, refund)
	b.appendSent(t, sentMail{id: "s3", from: "Bob <bob@elsewhere.example>", to: janeTo, inReplyTo: complaint, body: "We will refund you."})
	b.appendSent(t, sentMail{id: "s4", from: tomFrom, to: "Anna <anna@example.com>", inReplyTo: complaint, body: "Shall we refund her?"})

	// After a call attempt, a resolution email is allowed.
	reply, refused, err := g.Dashboard().RecordCall(ctx, tom.ID, r.CaseID, "no_answer", 0, "")
	if err != nil || refused {
		t.Fatalf("RecordCall(no_answer) = %q, refused %t, %v; want it recorded", reply, refused, err)
	}
	b.appendSent(t, sentMail{id: "s5", from: tomFrom, to: janeTo, inReplyTo: complaint, date: time.Now().Add(time.Minute),
		body: "Hi Jane, as I said on your voicemail: we have refunded order 48213 in full."})
	waitFor(t, "the reply after the call on the timeline", func() bool { return len(staffEmails(t, st, r.CaseID)) == 3 })
	if got := metricValue(t, scrape(t, "http://"+b.cfg.HTTP.Addr+"/metrics", "p1-metrics-token"), "triage_policy_violations_total"); got != 1 {
		t.Errorf("triage_policy_violations_total = %v, want 1 (the refund before the call; not the one after)", got)
	}
	stop()

	got := staffEmails(t, st, r.CaseID)
	var ids, kinds []string
	for _, e := range got {
		ids, kinds = append(ids, e.MessageID), append(kinds, e.Kind)
		if utf8.RuneCountInString(e.Excerpt) > 300 || e.Excerpt == "" {
			t.Errorf("staff_email %s excerpt = %q (%d characters), want 1 to 300", e.MessageID, e.Excerpt, utf8.RuneCountInString(e.Excerpt))
		}
		if strings.Contains(e.Excerpt, "THIRD time") {
			t.Errorf("staff_email %s excerpt = %q, want the quote left out", e.MessageID, e.Excerpt)
		}
	}
	if want := []string{"s1@example", "s2@example", "s5@example"}; !slices.Equal(ids, want) {
		t.Errorf("staff_email message ids = %v, want %v", ids, want)
	}
	if want := []string{"scheduling", "resolution", "after_call"}; !slices.Equal(kinds, want) {
		t.Errorf("staff_email kinds = %v, want %v", kinds, want)
	}

	violations, err := st.CaseEventListKind(ctx, r.CaseID, "policy_violation")
	if err != nil || len(violations) != 1 {
		t.Fatalf("policy_violation events = %d, %v; want 1", len(violations), err)
	}
	v := violations[0]
	var data struct {
		StaffID   int64  `json:"staff_id"`
		Reason    string `json:"reason"`
		MessageID string `json:"message_id"`
	}
	if err := json.Unmarshal(v.Data, &data); err != nil {
		t.Fatalf("policy_violation data %s: %v", v.Data, err)
	}
	if wantActor := fmt.Sprintf("staff:%d", tom.ID); v.Actor != wantActor || data.StaffID != tom.ID ||
		data.Reason != "offers a refund" || data.MessageID != "s2@example" {
		t.Errorf("policy_violation = actor %s, data %s; want actor %s, staff_id %d, reason %q, message_id s2@example",
			v.Actor, v.Data, wantActor, tom.ID, "offers a refund")
	}

	rows, err := st.CaseAuditList(ctx, store.CaseAuditParams{From: time.Now().Add(-time.Hour), To: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatalf("CaseAuditList() = %v", err)
	}
	i := slices.IndexFunc(rows, func(a store.CaseAudit) bool { return a.CaseID == r.CaseID })
	if i < 0 || rows[i].Violations != 1 {
		t.Errorf("CaseAuditList() = %+v; want case %d with 1 violation", rows, r.CaseID)
	}

	toAnna := 0
	for _, m := range b.sms.Messages() {
		if strings.HasPrefix(m.Body, "P1:") {
			toAnna++
		}
	}
	if toAnna != 1 {
		t.Errorf("%d P1 SMS sent, want 1; messages: %+v", toAnna, b.sms.Messages())
	}
}

// policy.p1.notify_manager is on unless turned off, and the Sent folder
// must not be the mailbox read for customer mail.
func TestP1Config(t *testing.T) {
	t.Parallel()
	parse := func(yaml string) (config.Config, error) {
		return config.Parse(strings.NewReader(yaml))
	}
	c, err := parse("policy: {p1: {}}\n")
	if err != nil || !c.Policy.P1.ManagerSMS() {
		t.Errorf("Parse(no notify_manager) = ManagerSMS %t, %v; want true, nil", c.Policy.P1.ManagerSMS(), err)
	}
	c, err = parse("policy: {p1: {notify_manager: false}}\n")
	if err != nil || c.Policy.P1.ManagerSMS() {
		t.Errorf("Parse(notify_manager: false) = ManagerSMS %t, %v; want false, nil", c.Policy.P1.ManagerSMS(), err)
	}
	pw := filepath.Join(t.TempDir(), "imap-password")
	if err := os.WriteFile(pw, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = parse(fmt.Sprintf("imap: {enabled: true, addr: 'mail.example.com:993', username: u, password_file: %q, mailbox: INBOX, sent_mailbox: inbox}\n", pw))
	if err == nil || !strings.Contains(err.Error(), "imap.sent_mailbox") {
		t.Errorf("Parse(sent_mailbox = mailbox) = %v; want an error naming imap.sent_mailbox", err)
	}
}

// sentMail is a staff member's mail as the Sent folder holds it.
type sentMail struct {
	id, from, to, inReplyTo, body string
	date                          time.Time // now when zero
}

// appendSent adds m to the Sent folder, threaded to m.inReplyTo.
func (b *bundle) appendSent(t *testing.T, m sentMail) {
	t.Helper()
	date := m.date
	if date.IsZero() {
		date = time.Now()
	}
	raw := fmt.Sprintf("From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@example>\r\n"+
		"In-Reply-To: <%s>\r\nReferences: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		m.from, m.to, replyTopic, date.Format(time.RFC1123Z), m.id, m.inReplyTo, m.inReplyTo,
		strings.ReplaceAll(m.body, "\n", "\r\n"))
	if err := b.mailbox.Append(t.Context(), b.cfg.IMAP.SentMailbox, []byte(raw), time.Now()); err != nil {
		t.Fatalf("Append(%s to %s) = %v", m.id, b.cfg.IMAP.SentMailbox, err)
	}
}

// createMailbox creates name on b's IMAP server, as a mail client does.
func createMailbox(t *testing.T, b *bundle, name string) {
	t.Helper()
	c, err := imapclient.DialTLS(b.mailbox.Addr, &imapclient.Options{TLSConfig: b.mailbox.ClientTLSConfig()})
	if err != nil {
		t.Fatalf("DialTLS(%s) = %v", b.mailbox.Addr, err)
	}
	defer c.Close()
	if err := c.Login(b.cfg.IMAP.Username, b.cfg.IMAP.Password.Value()).Wait(); err != nil {
		t.Fatalf("Login() = %v", err)
	}
	if err := c.Create(name, nil).Wait(); err != nil {
		t.Fatalf("CREATE %s = %v", name, err)
	}
}

// staffEmail is the part of a staff_email event the tests read.
type staffEmail struct {
	MessageID string `json:"message_id"`
	Kind      string `json:"kind"`
	Excerpt   string `json:"excerpt"`
	Violation bool   `json:"violation"`
}

// staffEmails returns the staff_email events of a case, oldest first.
func staffEmails(t *testing.T, st store.Store, caseID int64) []staffEmail {
	t.Helper()
	events, err := st.CaseEventListKind(t.Context(), caseID, "staff_email")
	if err != nil {
		t.Fatalf("CaseEventListKind(%d, staff_email) = %v", caseID, err)
	}
	out := make([]staffEmail, len(events))
	for i, e := range events {
		if err := json.Unmarshal(e.Data, &out[i]); err != nil {
			t.Fatalf("staff_email %d data %s: %v", e.ID, e.Data, err)
		}
	}
	return out
}

func countKind(kinds []string, kind string) int {
	n := 0
	for _, k := range kinds {
		if k == kind {
			n++
		}
	}
	return n
}
