package imap_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/imap/imaptest"
)

// testCommandTimeout is the CommandTimeout of the tests of stalls: short,
// so that they run fast, and long enough for a loaded machine to answer.
const testCommandTimeout = 300 * time.Millisecond

func TestPollTimesOutWhenServerStalls(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{TLS: true})
	appendMsg(t, srv, 1)
	cfg := memConfig(srv, imap.SecurityTLS)
	cfg.CommandTimeout = testCommandTimeout
	sink := newSink()
	p, _ := newPoller(t, cfg, sink)
	poll(t, p, 1)

	srv.Stall()
	appendMsg(t, srv, 2)
	if n, err := p.Poll(t.Context()); n != 0 || !errors.Is(err, imap.ErrTimeout) || !strings.Contains(err.Error(), "examine") {
		t.Fatalf("Poll() on a stalled server = %d, %v; want 0 and ErrTimeout from EXAMINE", n, err)
	}
	srv.Resume()
	poll(t, p, 1) // over a new connection
	if got := sink.messages(); len(got) != 2 || !bytes.Equal(got[1].Body, testMessage(2)) {
		t.Errorf("delivered %d messages after the stall, want messages 1 and 2", len(got))
	}
}

func TestConnectTimesOutWhenServerStalls(t *testing.T) {
	t.Parallel()
	for _, security := range []imap.Security{imap.SecurityTLS, imap.SecurityStartTLS} {
		t.Run(string(security), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, imaptest.ServerOptions{TLS: security == imap.SecurityTLS})
			appendMsg(t, srv, 1)
			cfg := memConfig(srv, security)
			cfg.CommandTimeout = testCommandTimeout
			p, _ := newPoller(t, cfg, newSink())
			srv.Stall()
			if _, err := p.Poll(t.Context()); !errors.Is(err, imap.ErrTimeout) || !strings.Contains(err.Error(), srv.Addr) {
				t.Fatalf("Poll() connecting to a stalled server = %v, want ErrTimeout naming %s", err, srv.Addr)
			}
			srv.Resume()
			poll(t, p, 1)
		})
	}
}

// Run keeps going through a stall, and a successful poll resets its retry
// delay: the failure after the reconnect is counted as the first.
func TestRunRecoversFromStallAndResetsRetryDelay(t *testing.T) {
	t.Parallel()
	srv := startServer(t, imaptest.ServerOptions{TLS: true})
	cfg := memConfig(srv, imap.SecurityTLS)
	cfg.CommandTimeout = testCommandTimeout
	cfg.PollInterval = time.Hour
	sink := newSink()
	p, rec := newPoller(t, cfg, sink)
	srv.Stall()
	startRun(t, p)
	for want := int64(1); want <= 2; want++ {
		attrs := rec.waitForRecord(t, "imap poll failed")
		if got := attrs["failures"].Int64(); got != want || !strings.Contains(attrs["err"].String(), imap.ErrTimeout.Error()) {
			t.Fatalf("failure %d while stalled logged failures=%d err=%s, want failures=%d and ErrTimeout", want, got, attrs["err"], want)
		}
	}
	srv.Resume()
	appendMsg(t, srv, 1)
	if m := sink.next(t); !bytes.Equal(m.Body, testMessage(1)) {
		t.Fatalf("delivery after the stall: Body = %q, want message 1", m.Body)
	}
	rec.waitFor(t, "imap idle started")

	srv.DropConnections()
	attrs := rec.waitForRecord(t, "imap poll failed")
	if got, delay := attrs["failures"].Int64(), attrs["retry_in"].Duration(); got != 1 || delay > time.Second {
		t.Errorf("first failure after a good reconnect logged failures=%d retry_in=%v, want failures=1 and at most 1s", got, delay)
	}
	appendMsg(t, srv, 2)
	if m := sink.next(t); !bytes.Equal(m.Body, testMessage(2)) {
		t.Fatalf("delivery after the reconnect: Body = %q, want message 2", m.Body)
	}
}

func TestPollTrustsCAFile(t *testing.T) {
	t.Parallel()
	for _, security := range []imap.Security{imap.SecurityTLS, imap.SecurityStartTLS} {
		t.Run(string(security), func(t *testing.T) {
			t.Parallel()
			srv := startServer(t, imaptest.ServerOptions{TLS: security == imap.SecurityTLS})
			appendMsg(t, srv, 1)
			cfg := memConfig(srv, security)
			cfg.TLSConfig = nil // the system roots do not know the test certificate
			cfg.CAFile = writeFile(t, "ca.pem", srv.CertPEM())
			p, _ := newPoller(t, cfg, newSink())
			poll(t, p, 1)
		})
	}
}

func TestNewPollerReportsBadCAFile(t *testing.T) {
	t.Parallel()
	cfg := imap.Config{Addr: "imap.example.com:993", Username: "u", Password: "p", CAFile: writeFile(t, "empty.pem", nil)}
	if p, err := imap.NewPoller(cfg, newSink(), nil); p != nil || err == nil || !strings.Contains(err.Error(), "CAFile") {
		t.Fatalf("NewPoller(CAFile without certificates) = %v, %v; want nil and an error naming CAFile", p, err)
	}
}
