package imaptest_test

import (
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/triage-gw/triage/channels/imap/imaptest"
)

// start starts a server for the test, closed at its end.
func start(t *testing.T, opts imaptest.ServerOptions) *imaptest.Server {
	t.Helper()
	opts.Username, opts.Password = "user", "pass"
	srv, err := imaptest.Start(t.Context(), opts)
	if err != nil {
		t.Fatalf("Start(%+v) = %v, want nil", opts, err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("Close() = %v, want nil", err)
		}
	})
	return srv
}

// login connects with implicit TLS or STARTTLS and logs in.
func login(t *testing.T, srv *imaptest.Server, implicitTLS bool) *imapclient.Client {
	t.Helper()
	opts := &imapclient.Options{TLSConfig: srv.ClientTLSConfig()}
	var c *imapclient.Client
	var err error
	if implicitTLS {
		c, err = imapclient.DialTLS(srv.Addr, opts)
	} else {
		c, err = imapclient.DialStartTLS(srv.Addr, opts)
	}
	if err != nil {
		t.Fatalf("dial %s (implicit TLS %v) = %v, want nil", srv.Addr, implicitTLS, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if err := c.Login("user", "pass").Wait(); err != nil {
		t.Fatalf("Login() = %v, want nil", err)
	}
	return c
}

func TestAppendThenFetch(t *testing.T) {
	t.Parallel()
	for _, implicitTLS := range []bool{true, false} {
		srv := start(t, imaptest.ServerOptions{TLS: implicitTLS})
		raw := []byte("Subject: hi\r\n\r\nbody\r\n")
		date := time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
		if err := srv.Append(t.Context(), "INBOX", raw, date, `\Flagged`); err != nil {
			t.Fatalf("Append() = %v, want nil", err)
		}
		c := login(t, srv, implicitTLS)
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatalf("SELECT INBOX = %v, want nil", err)
		}
		body := &imap.FetchItemBodySection{Peek: true}
		msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true, InternalDate: true, BodySection: []*imap.FetchItemBodySection{body}}).Collect()
		if err != nil || len(msgs) != 1 {
			t.Fatalf("FETCH 1 = %d messages, %v, want 1, nil", len(msgs), err)
		}
		m := msgs[0]
		if string(m.FindBodySection(body)) != string(raw) || !m.InternalDate.Equal(date) || len(m.Flags) != 1 || m.Flags[0] != imap.FlagFlagged {
			t.Errorf("fetched {body %q, date %v, flags %v}, want {%q, %v, [\\Flagged]}", m.FindBodySection(body), m.InternalDate, m.Flags, raw, date)
		}
	}
}

func TestNoIdleHidesIdle(t *testing.T) {
	t.Parallel()
	for _, noIdle := range []bool{false, true} {
		srv := start(t, imaptest.ServerOptions{TLS: true, NoIdle: noIdle})
		c := login(t, srv, true)
		if got := c.Caps().Has(imap.CapIdle); got == noIdle {
			t.Errorf("NoIdle %v: Caps().Has(IDLE) = %v, want %v", noIdle, got, !noIdle)
		}
	}
}

func TestDropConnections(t *testing.T) {
	t.Parallel()
	srv := start(t, imaptest.ServerOptions{TLS: true})
	c := login(t, srv, true)
	srv.DropConnections()
	select {
	case <-c.Closed():
	case <-time.After(10 * time.Second):
		t.Fatal("client still connected 10s after DropConnections()")
	}
	login(t, srv, true) // the server still listens
}

func TestStallAndResume(t *testing.T) {
	t.Parallel()
	srv := start(t, imaptest.ServerOptions{TLS: true})
	c := login(t, srv, true)
	srv.Stall()
	done := make(chan error, 1)
	go func() { done <- c.Noop().Wait() }()
	select {
	case err := <-done:
		t.Fatalf("NOOP on a stalled server = %v, want no answer until Resume", err)
	case <-time.After(200 * time.Millisecond):
	}
	srv.Resume()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("NOOP after Resume() = %v, want nil", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("NOOP not answered within 10s of Resume()")
	}
}

func TestCloseWhileStalled(t *testing.T) {
	t.Parallel()
	srv, err := imaptest.Start(t.Context(), imaptest.ServerOptions{Username: "user", Password: "pass"})
	if err != nil {
		t.Fatalf("Start() = %v", err)
	}
	c := login(t, srv, false)
	srv.Stall()
	go func() { _ = c.Noop().Wait() }()
	if err := srv.Close(); err != nil {
		t.Errorf("Close() while stalled = %v, want nil", err)
	}
}
