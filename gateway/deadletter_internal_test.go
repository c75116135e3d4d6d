package gateway

import (
	"strings"
	"testing"
	"time"
)

func TestDeadLettersSummary(t *testing.T) {
	t.Parallel()
	var d deadLetters
	if got := d.summary(); got != "" {
		t.Errorf("summary() with no dead letters = %q, want \"\"", got)
	}
	at := time.Date(2026, 12, 7, 23, 50, 0, 0, time.FixedZone("EST", -5*3600))
	d.add(at.Add(-time.Hour), "imap:INBOX:1:6", "internal error: boom")
	d.add(at, "imap:INBOX:1:7", "mail ingest failed 5 times; last error: store:\nconnect password=hunter2 to postgres://triage:s3cret@db:5432/triage")
	got := d.summary()
	want := "dead letters since start: 2 (last: 2026-12-08T04:50:00Z imap:INBOX:1:7: mail ingest failed 5 times; last error: store: " +
		"connect password=REDACTED to postgres://triage:REDACTED@db:5432/triage)"
	if got != want {
		t.Errorf("summary() =\n%q\nwant\n%q", got, want)
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"dial tcp 10.0.0.1:5432: connection refused":        "dial tcp 10.0.0.1:5432: connection refused",
		"host=db user=triage PASSWORD=pw dbname=x":          "host=db user=triage PASSWORD=REDACTED dbname=x",
		"parse postgres://u:p%40ss@db/x?sslmode=disable":    "parse postgres://u:REDACTED@db/x?sslmode=disable",
		"get https://api.example.com/x?pwd=abc&user=u: EOF": "get https://api.example.com/x?pwd=REDACTED&user=u: EOF",
		"imap://support@example.com: login failed":          "imap://support@example.com: login failed",
	} {
		if got := redact(in); got != want {
			t.Errorf("redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestOneLineClips(t *testing.T) {
	t.Parallel()
	s := strings.Repeat("é", 150) // 300 bytes
	got := oneLine(s, 201)
	if want := strings.Repeat("é", 100) + "…"; got != want {
		t.Errorf("oneLine(300 bytes, 201) = %q, want 200 bytes at a character boundary and …", got)
	}
}
