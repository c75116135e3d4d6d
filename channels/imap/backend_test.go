package imap_test

import (
	"cmp"
	"crypto/tls"
	"slices"
	"testing"
	"time"

	goimap "github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/imap/imaptest"
)

// backend is an IMAP server as the shared tests see it: a Config that
// reaches one mailbox of its own, and a way to change that mailbox from
// outside the Poller, as the mail system and people do.
type backend struct {
	// cfg reaches the test's mailbox; tests adjust copies of it.
	cfg imap.Config
	// append adds a message to the mailbox.
	append func(t *testing.T, raw []byte, flags ...string)
	// recreate deletes and creates the mailbox, so that its UIDVALIDITY
	// changes.
	recreate func(t *testing.T)
	// client returns a logged-in client of the test's own, for checks.
	client func(t *testing.T) *imapclient.Client
}

// newMemBackend starts go-imap's in-memory server with implicit TLS.
func newMemBackend(t *testing.T) *backend {
	t.Helper()
	srv := startServer(t, imaptest.ServerOptions{TLS: true})
	return &backend{
		cfg: imap.Config{
			Addr:      srv.Addr,
			Username:  testUser,
			Password:  testPassword,
			TLSConfig: srv.ClientTLSConfig(),
		},
		append: func(t *testing.T, raw []byte, flags ...string) {
			t.Helper()
			if err := srv.Append(t.Context(), "INBOX", raw, time.Time{}, flags...); err != nil {
				t.Fatalf("Server.Append(INBOX) = %v, want nil", err)
			}
		},
		recreate: func(t *testing.T) {
			t.Helper()
			if err := srv.RecreateMailbox("INBOX"); err != nil {
				t.Fatalf("Server.RecreateMailbox(INBOX) = %v, want nil", err)
			}
		},
		client: func(t *testing.T) *imapclient.Client {
			return dialClient(t, srv.Addr, srv.ClientTLSConfig(), testUser, testPassword)
		},
	}
}

const (
	testUser     = "support@example.com"
	testPassword = "correct horse battery staple"
)

// startServer starts an imaptest server with the test user, closed at the
// end of the test.
func startServer(t *testing.T, opts imaptest.ServerOptions) *imaptest.Server {
	t.Helper()
	opts.Username, opts.Password = testUser, testPassword
	srv, err := imaptest.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("imaptest.Start(%+v) = %v, want nil", opts, err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Server.Close() = %v, want nil", err)
		}
	})
	return srv
}

// dialClient connects with implicit TLS and logs in.
func dialClient(t *testing.T, addr string, tlsConfig *tls.Config, user, password string) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialTLS(addr, &imapclient.Options{TLSConfig: tlsConfig})
	if err != nil {
		t.Fatalf("imapclient.DialTLS(%s) = %v, want nil", addr, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Login(user, password).Wait(); err != nil {
		t.Fatalf("Login(%q) = %v, want nil", user, err)
	}
	return c
}

// flagsOf returns the flags of the message uid in mailbox, read with a
// client of the test's own.
func flagsOf(t *testing.T, b *backend, uid uint32) []goimap.Flag {
	t.Helper()
	c := b.client(t)
	mailbox := cmp.Or(b.cfg.Mailbox, imap.DefaultMailbox)
	if _, err := c.Select(mailbox, &goimap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatalf("EXAMINE %q = %v, want nil", mailbox, err)
	}
	msgs, err := c.Fetch(goimap.UIDSetNum(goimap.UID(uid)), &goimap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("UID FETCH %d (FLAGS) = %d messages, %v, want 1, nil", uid, len(msgs), err)
	}
	return msgs[0].Flags
}

// hasFlag reports whether flags holds f.
func hasFlag(flags []goimap.Flag, f goimap.Flag) bool {
	return slices.Contains(flags, f)
}
