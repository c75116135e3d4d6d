package gateway_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/store"
)

// readyz returns GET /readyz's status and body from h.
func readyz(t *testing.T, h http.Handler) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	return rec.Code, rec.Body.String()
}

// A dead letter (a message given up on after five failed tries, or one
// that panics) leaves the gateway ready, and GET /readyz says how many
// there were since start and which was the last, with its reason.
func TestReadyzShowsDeadLetters(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cfg := b.cfg
	cfg.IMAP.Enabled = false // the test polls with a poller of its own
	st := faultyStore{Store: openStore(t, cfg), fault: func(p store.MessageInsertParams) error {
		switch p.Subject {
		case "fails":
			return errors.New("disk on fire:\n" + strings.Repeat("x", 400) + " postgres://triage:hunter2@db/triage")
		case "panics":
			panic("boom")
		}
		return nil
	}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	g, err := gateway.BuildWithStore(t.Context(), cfg, gateway.SetupOptions{Logger: log, Now: b.clock.now,
		OnIngest: func(r gateway.IngestResult) { b.results <- r }}, st)
	if err != nil {
		t.Fatalf("BuildWithStore() = %v", err)
	}
	t.Cleanup(func() { g.Close() })

	if code, body := readyz(t, g.Handler()); code != http.StatusOK || body != "ready\n" {
		t.Fatalf("GET /readyz before any dead letter = %d %q, want 200 \"ready\\n\"", code, body)
	}

	date := time.Now().Format(time.RFC1123Z)
	b.appendRaw(t, rawMail("bad1", "Jane Doe <jane@acme.example>", "panics", date, "This one makes ingest panic."), time.Now())
	b.appendRaw(t, rawMail("bad2", "Jane Doe <jane@acme.example>", "fails", date, "This one cannot be stored."), time.Now())
	b.appendRaw(t, rawMail("good", "Jane Doe <jane@acme.example>", "Question", date, "What are your opening hours on Saturday?"), time.Now())
	p, err := imap.NewPoller(imap.Config{Addr: b.mailbox.Addr, Username: cfg.IMAP.Username, Password: cfg.IMAP.Password.Value(),
		TLSConfig: b.mailbox.ClientTLSConfig()}, g.MailboxSink(), log)
	if err != nil {
		t.Fatalf("NewPoller() = %v", err)
	}
	t.Cleanup(func() { p.Close() })
	for poll := 1; poll <= 5; poll++ {
		if n, err := p.Poll(t.Context()); (err == nil) != (poll == 5) {
			t.Fatalf("Poll() #%d = %d, %v; want an error until the fifth poll gives up on the failing message", poll, n, err)
		}
	}
	for range 3 {
		b.next(t)
	}

	code, body := readyz(t, g.Handler())
	if code != http.StatusOK {
		t.Errorf("GET /readyz = %d, want 200: dead letters do not make the gateway unready", code)
	}
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	if len(lines) != 2 || lines[0] != "ready" {
		t.Fatalf("GET /readyz body = %q, want \"ready\" and one line on dead letters", body)
	}
	at := b.clock.now().UTC().Format("2006-01-02T")
	want := "dead letters since start: 2 (last: " + at
	line := lines[1]
	if !strings.HasPrefix(line, want) || !strings.Contains(line, " imap:support@example.com/INBOX:") ||
		!strings.Contains(line, ":2: mail ingest failed 5 times; last error: ") || !strings.Contains(line, "disk on fire: xxx") {
		t.Errorf("dead letter line = %q, want %q… naming the failing message (uid 2) and its reason", line, want)
	}
	reason := line[strings.Index(line, "mail ingest failed"):]
	if len(reason) > 200+len("…)") || !strings.HasSuffix(reason, "…)") {
		t.Errorf("dead letter reason is %d bytes (%q), want clipped to 200 and marked", len(reason), reason)
	}
	if strings.Contains(body, "hunter2") {
		t.Errorf("GET /readyz body %q shows a password", body)
	}
}
