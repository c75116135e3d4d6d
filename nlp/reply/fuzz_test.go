package reply_test

import (
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/nlp/reply"
)

// FuzzSplit checks that Split never panics or hangs, and that without a
// forward (whose lines it unquotes) every line it returns is a line of the
// text it was given.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"",
		"No.\n\nOn Mon, Mar 3, 2025 at 10:00 AM Acme <s@acme.test> wrote:\n> Did it arrive?",
		"Fix it.\n\n________________________________\nFrom: Acme <s@acme.test>\nSent: 03 March 2025\nTo: Me\nSubject: Bill\n\nYour bill.",
		"See below.\n\nBegin forwarded message:\n\n> From: Jo <jo@example.com>\n> Subject: Late\n>\n> Where is my order?",
		"Call me.\n-- \nAnn Lee\n555-0100",
		"-----Original Message-----\nFrom: x\n\n\xff\xfe broken",
	} {
		f.Add(s, "Re: order")
	}
	f.Fuzz(func(t *testing.T, text, subject string) {
		done := make(chan reply.Parts, 1)
		go func() { done <- reply.Split(text, subject) }()
		var p reply.Parts
		select {
		case p = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Split(%q, %q) did not return within 10s", text, subject)
		}
		if len(p.NewText) > len(text) {
			t.Errorf("Split(%q).NewText has %d bytes, more than the text's %d", text, len(p.NewText), len(text))
		}
		if p.Forwarded {
			return
		}
		lines := map[string]bool{}
		for _, l := range strings.Split(text, "\n") {
			lines[strings.TrimRight(l, " \t\u00a0\v\f")] = true
		}
		for name, part := range map[string]string{"NewText": p.NewText, "Quoted": p.Quoted, "Signature": p.Signature} {
			for _, l := range strings.Split(part, "\n") {
				if l != "" && !lines[l] {
					t.Errorf("Split(%q).%s holds line %q, which is not in the text", text, name, l)
				}
			}
		}
	})
}
