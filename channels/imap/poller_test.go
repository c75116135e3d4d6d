package imap_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/imap/imaptest"
)

func TestPollerMemServer(t *testing.T) {
	t.Parallel()
	runSuite(t, newMemBackend)
}

// memConfig is a Config for srv with the given security.
func memConfig(srv *imaptest.Server, security imap.Security) imap.Config {
	return imap.Config{
		Addr:      srv.Addr,
		Username:  testUser,
		Password:  testPassword,
		Security:  security,
		TLSConfig: srv.ClientTLSConfig(),
	}
}

// appendMsg appends message i to srv's INBOX.
func appendMsg(t *testing.T, srv *imaptest.Server, i int) {
	t.Helper()
	if err := srv.Append(t.Context(), "INBOX", testMessage(i), time.Time{}); err != nil {
		t.Fatalf("Server.Append(INBOX, message %d) = %v, want nil", i, err)
	}
}

func TestPollTLSWithUntrustedCertFails(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{TLS: true})
	other := startServer(t, imaptest.ServerOptions{TLS: true})
	appendMsg(t, srv, 1)
	cfg := memConfig(srv, imap.SecurityTLS)
	cfg.TLSConfig = other.ClientTLSConfig() // trusts another certificate only

	sink := newSink()
	p, _ := newPoller(t, cfg, sink)
	n, err := p.Poll(t.Context())
	var verr *tls.CertificateVerificationError
	if n != 0 || !errors.As(err, &verr) || !strings.Contains(err.Error(), "tls handshake with "+srv.Addr) {
		t.Fatalf("Poll() with an untrusted certificate = %d, %v; want 0 and a certificate verification error naming the TLS handshake", n, err)
	}
	if got := len(sink.messages()); got != 0 {
		t.Errorf("messages delivered over an untrusted connection = %d, want 0", got)
	}
}

func TestPollStartTLS(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{})
	appendMsg(t, srv, 1)
	p, _ := newPoller(t, memConfig(srv, imap.SecurityStartTLS), newSink())
	poll(t, p, 1)
}

func TestPollStartTLSWithUntrustedCertFails(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{})
	cfg := memConfig(srv, imap.SecurityStartTLS)
	cfg.TLSConfig = nil // the system roots do not know the test certificate
	p, _ := newPoller(t, cfg, newSink())
	_, err := p.Poll(t.Context())
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &verr) || !strings.Contains(err.Error(), "starttls with") {
		t.Fatalf("Poll() over STARTTLS with an untrusted certificate = %v, want a certificate verification error naming STARTTLS", err)
	}
}

func TestPollSecurityNoneOnLoopback(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{})
	appendMsg(t, srv, 1)
	p, _ := newPoller(t, memConfig(srv, imap.SecurityNone), newSink())
	poll(t, p, 1)
}

func TestPollTruncatesLargeMessage(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{TLS: true})
	raw := append(testMessage(1), bytes.Repeat([]byte("Lorem ipsum dolor sit amet.\r\n"), 100)...)
	if err := srv.Append(t.Context(), "INBOX", raw, time.Time{}); err != nil {
		t.Fatalf("Server.Append(large message) = %v, want nil", err)
	}
	cfg := memConfig(srv, imap.SecurityTLS)
	cfg.MaxMessageSize = 1000
	sink := newSink()
	p, _ := newPoller(t, cfg, sink)
	poll(t, p, 1)
	m := sink.messages()[0]
	// The header comes whole, then the first 1000 bytes of the text.
	end := bytes.Index(raw, []byte("\r\n\r\n")) + 4
	want := append(raw[:end:end], raw[end:end+1000]...)
	if !m.Truncated || m.Size != int64(len(raw)) || !bytes.Equal(m.Body, want) {
		t.Errorf("large message = {Truncated %v, Size %d, len(Body) %d}, want {true, %d, the header and the first 1000 bytes of the text (%d bytes)}",
			m.Truncated, m.Size, len(m.Body), len(raw), len(want))
	}
}

func TestDebugWriterRedactsPassword(t *testing.T) {
	t.Parallel()
	const password = `pa"ss\word-4711`
	srv, err := imaptest.Start(t.Context(), imaptest.ServerOptions{Username: testUser, Password: password})
	if err != nil {
		t.Fatalf("imaptest.Start() = %v, want nil", err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	var trace lockedBuffer
	cfg := memConfig(srv, imap.SecurityNone)
	cfg.Password = password
	cfg.DebugWriter = &trace
	p, _ := newPoller(t, cfg, newSink())
	poll(t, p, 0)
	got := trace.String()
	if !strings.Contains(got, "LOGIN") || !strings.Contains(got, "***") {
		t.Errorf("trace = %q, want the LOGIN command with the password as ***", got)
	}
	for _, secret := range []string{password, `pa\"ss\\word-4711`, "word-4711"} {
		if strings.Contains(got, secret) {
			t.Errorf("trace holds the password as %q:\n%s", secret, got)
		}
	}
}

func TestRunPollsWhenServerHasNoIdle(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{TLS: true, NoIdle: true})
	appendMsg(t, srv, 1)
	cfg := memConfig(srv, imap.SecurityTLS)
	cfg.PollInterval = 20 * time.Millisecond
	sink := newSink()
	p, rec := newPoller(t, cfg, sink)
	stop := startRun(t, p)
	sink.next(t)
	appendMsg(t, srv, 2)
	if m := sink.next(t); !bytes.Equal(m.Body, testMessage(2)) {
		t.Fatalf("second delivery Body = %q, want message 2", m.Body)
	}
	stop()
	for {
		select {
		case msg := <-rec.msgs:
			if msg == "imap idle started" {
				t.Fatalf("Run() started IDLE on a server that does not offer it")
			}
			continue
		default:
		}
		break
	}
}

func TestRunReconnectsAfterConnectionLoss(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{TLS: true})
	appendMsg(t, srv, 1)
	cfg := memConfig(srv, imap.SecurityTLS)
	cfg.PollInterval = time.Hour
	sink := newSink()
	p, rec := newPoller(t, cfg, sink)
	startRun(t, p)
	sink.next(t)
	rec.waitFor(t, "imap idle started")

	srv.DropConnections()
	rec.waitFor(t, "imap poll failed")
	appendMsg(t, srv, 2)
	if m := sink.next(t); !bytes.Equal(m.Body, testMessage(2)) {
		t.Fatalf("delivery after reconnect: Body = %q, want message 2", m.Body)
	}
}

func TestRunReturnsErrClosedWhenClosed(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{TLS: true})
	p, rec := newPoller(t, memConfig(srv, imap.SecurityTLS), newSink())
	done := make(chan error, 1)
	go func() { done <- p.Run(t.Context()) }()
	rec.waitFor(t, "imap idle started")
	if err := p.Close(); err != nil {
		t.Fatalf("Close() = %v, want nil", err)
	}
	select {
	case err := <-done:
		if !errors.Is(err, imap.ErrClosed) {
			t.Errorf("Run() after Close() = %v, want ErrClosed", err)
		}
	case <-time.After(waitTimeout):
		t.Fatalf("Run() did not return within %v of Close()", waitTimeout)
	}
}

func TestCloseTwiceThenPoll(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{TLS: true})
	p, _ := newPoller(t, memConfig(srv, imap.SecurityTLS), newSink())
	poll(t, p, 0)
	for i := range 2 {
		if err := p.Close(); err != nil {
			t.Errorf("Close() #%d = %v, want nil", i+1, err)
		}
	}
	if _, err := p.Poll(t.Context()); !errors.Is(err, imap.ErrClosed) {
		t.Errorf("Poll() after Close() = %v, want ErrClosed", err)
	}
}

func TestPollCancelledContext(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{TLS: true})
	appendMsg(t, srv, 1)
	p, _ := newPoller(t, memConfig(srv, imap.SecurityTLS), newSink())
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if n, err := p.Poll(ctx); n != 0 || !errors.Is(err, context.Canceled) {
		t.Errorf("Poll(cancelled ctx) = %d, %v, want 0, context.Canceled", n, err)
	}
}
