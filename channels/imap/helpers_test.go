package imap_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap"
)

// waitTimeout bounds every wait for something the code under test should
// do; it is reached only when a test fails.
const waitTimeout = 15 * time.Second

// errDeliver is what memSink.Deliver returns when told to fail.
var errDeliver = errors.New("sink refused the message")

// msgKey names a message for good: what an idempotent Sink keys on.
type msgKey struct {
	mailbox     string
	uidValidity uint32
	uid         uint32
}

// memSink is an idempotent imap.Sink in memory, like the gateway's store.
type memSink struct {
	mu        sync.Mutex
	cursors   map[string]imap.Cursor
	delivered []imap.RawMessage
	seen      map[msgKey]bool
	failUID   uint32 // Deliver of this UID fails while failures > 0
	failures  int
	got       chan imap.RawMessage // every first delivery, for waiting
}

func newSink() *memSink {
	return &memSink{
		cursors: make(map[string]imap.Cursor),
		seen:    make(map[msgKey]bool),
		got:     make(chan imap.RawMessage, 1000),
	}
}

func (s *memSink) Cursor(_ context.Context, mailbox string) (imap.Cursor, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursors[mailbox], nil
}

func (s *memSink) SaveCursor(_ context.Context, mailbox string, c imap.Cursor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursors[mailbox] = c
	return nil
}

func (s *memSink) Deliver(_ context.Context, m imap.RawMessage) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.UID == s.failUID && s.failures > 0 {
		s.failures--
		return errDeliver
	}
	k := msgKey{m.Mailbox, m.UIDValidity, m.UID}
	if s.seen[k] {
		return nil
	}
	s.seen[k] = true
	s.delivered = append(s.delivered, m)
	select {
	case s.got <- m:
	default:
	}
	return nil
}

// failNext makes the next n deliveries of uid fail.
func (s *memSink) failNext(uid uint32, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failUID, s.failures = uid, n
}

func (s *memSink) messages() []imap.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]imap.RawMessage(nil), s.delivered...)
}

func (s *memSink) cursor(mailbox string) imap.Cursor {
	c, _ := s.Cursor(context.Background(), mailbox)
	return c
}

// next waits for the next first delivery.
func (s *memSink) next(t *testing.T) imap.RawMessage {
	t.Helper()
	select {
	case m := <-s.got:
		return m
	case <-time.After(waitTimeout):
		t.Fatalf("no message delivered within %v; delivered so far: %d", waitTimeout, len(s.messages()))
		return imap.RawMessage{}
	}
}

// logRecorder is a slog.Handler that writes to the test log and passes
// each record's message on, so that a test can wait for a logged event.
type logRecorder struct {
	t     *testing.T
	attrs []slog.Attr
	msgs  chan string
	recs  chan slog.Record // the same records, for their attributes
	ended *recorderEnd
}

// recorderEnd stops a logRecorder writing to t once the test is over, since
// a goroutine may log a last line as it unwinds.
type recorderEnd struct {
	mu    sync.Mutex
	ended bool
}

func newLogRecorder(t *testing.T) *logRecorder {
	end := &recorderEnd{}
	t.Cleanup(func() {
		end.mu.Lock()
		end.ended = true
		end.mu.Unlock()
	})
	return &logRecorder{t: t, msgs: make(chan string, 1000), recs: make(chan slog.Record, 1000), ended: end}
}

func (h *logRecorder) Enabled(context.Context, slog.Level) bool { return true }

func (h *logRecorder) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", r.Level, r.Message)
	for _, a := range h.attrs {
		fmt.Fprintf(&b, " %s", a)
	}
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s", a)
		return true
	})
	h.ended.mu.Lock()
	if !h.ended.ended {
		h.t.Log(b.String())
	}
	h.ended.mu.Unlock()
	select {
	case h.msgs <- r.Message:
	default:
	}
	select {
	case h.recs <- r.Clone():
	default:
	}
	return nil
}

func (h *logRecorder) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), attrs...)
	return &c
}

func (h *logRecorder) WithGroup(string) slog.Handler { return h }

// waitFor waits until a record with message msg is logged.
func (h *logRecorder) waitFor(t *testing.T, msg string) {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case got := <-h.msgs:
			if got == msg {
				return
			}
		case <-timeout:
			t.Fatalf("log %q not seen within %v", msg, waitTimeout)
		}
	}
}

// waitForRecord waits until a record with message msg is logged, and
// returns its attributes by key. It reads recs, which waitFor leaves
// alone.
func (h *logRecorder) waitForRecord(t *testing.T, msg string) map[string]slog.Value {
	t.Helper()
	timeout := time.After(waitTimeout)
	for {
		select {
		case r := <-h.recs:
			if r.Message != msg {
				continue
			}
			attrs := make(map[string]slog.Value)
			r.Attrs(func(a slog.Attr) bool {
				attrs[a.Key] = a.Value
				return true
			})
			return attrs
		case <-timeout:
			t.Fatalf("log %q not seen within %v", msg, waitTimeout)
			return nil
		}
	}
}

// testMessage returns a small RFC 5322 message with CRLF line ends.
func testMessage(i int) []byte {
	return fmt.Appendf(nil, "From: Customer %d <customer%d@example.com>\r\n"+
		"To: support@example.com\r\n"+
		"Subject: Complaint number %d\r\n"+
		"Message-ID: <msg-%d@example.com>\r\n"+
		"Date: Mon, 02 Jan 2006 15:04:05 +0000\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n"+
		"\r\n"+
		"My parcel %d has not arrived.\r\n", i, i, i, i, i)
}

// newPoller returns a Poller that logs to the test log, closed at the end.
func newPoller(t *testing.T, cfg imap.Config, sink imap.Sink) (*imap.Poller, *logRecorder) {
	t.Helper()
	rec := newLogRecorder(t)
	p, err := imap.NewPoller(cfg, sink, slog.New(rec))
	if err != nil {
		t.Fatalf("NewPoller(%+v) = %v, want nil", cfg, err)
	}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Errorf("Close() = %v, want nil", err)
		}
	})
	return p, rec
}

// poll polls once and fails the test unless it delivers want messages.
func poll(t *testing.T, p *imap.Poller, want int) {
	t.Helper()
	n, err := p.Poll(t.Context())
	if err != nil || n != want {
		t.Fatalf("Poll() = %d, %v, want %d, nil", n, err, want)
	}
}

// startRun runs p.Run in a goroutine; the returned stop cancels it and
// checks that Run returned nil. stop also runs at cleanup.
func startRun(t *testing.T, p *imap.Poller) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx) }()
	var once sync.Once
	stop = func() {
		once.Do(func() {
			cancel()
			select {
			case err := <-done:
				if err != nil {
					t.Errorf("Run() after cancel = %v, want nil", err)
				}
			case <-time.After(waitTimeout):
				t.Errorf("Run() did not return within %v of cancel", waitTimeout)
			}
		})
	}
	t.Cleanup(stop)
	return stop
}

// lockedBuffer is a bytes.Buffer safe for the client's two goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
