package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Plain text scored as email is split like a parsed body: the quoted
// history is context, never the sender's tone or urgency, and the
// signature is not read at all.
func TestScoreSplitsPlainTextEmail(t *testing.T) {
	t.Parallel()
	text := "Thank you, the replacement kettle arrived this morning and works fine.\n\n" +
		"On Mon, Mar 9, 2026 at 10:00 AM Ann Lee <ann@example.com> wrote:\n" +
		"> This is UNACCEPTABLE!!! My order 4521 never arrived and nobody calls me back.\n" +
		"> I want a refund TODAY or I am calling my lawyer.\n" +
		"\n-- \nAnn Lee\nHave a wonderful, fantastic day!\n"
	path := filepath.Join(t.TempDir(), "reply.txt")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCmd(t, t.Context(), "score", "--json", "--channel", "email", "--date", "2026-03-10T09:00:00Z", path)
	if err != nil {
		t.Fatalf("score --channel email = %v\n%s", err, errOut)
	}
	var got struct {
		Channel string
		Tone    struct{ Evidence []map[string]any }
		Urgency struct{ Evidence []map[string]any }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("score --json printed %q: %v", out, err)
	}
	if got.Channel != "email" {
		t.Errorf("channel = %q, want email", got.Channel)
	}
	for _, e := range append(got.Tone.Evidence, got.Urgency.Evidence...) {
		rule, _ := e["rule"].(string)
		phrase, _ := e["phrase"].(string)
		fromHistory := e["field"] == "quoted"
		for _, w := range []string{"UNACCEPTABLE", "lawyer", "TODAY", "nobody calls"} {
			fromHistory = fromHistory || strings.Contains(phrase, w)
		}
		if fromHistory && rule != "learned: quoted words" {
			t.Errorf("tone or urgency evidence %v comes from the quoted history", e)
		}
		if strings.Contains(phrase, "wonderful") || strings.Contains(phrase, "fantastic") {
			t.Errorf("tone or urgency evidence %v comes from the signature", e)
		}
	}
}
