package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAsEmail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		email    bool
	}{
		{"headers", "From: a@example.com\nSubject: late\n\nWhere is it?\n", true},
		{"CRLF", "Subject: late\r\nFrom: a@example.com\r\n\r\nWhere is it?\r\n", true},
		{"Date only", "Date: Mon, 3 Mar 2025 09:14:58 +0000\n\nhi\n", true},
		{"leading blank lines", "\n  \r\n\nFrom: a@example.com\n\nWhere is it?\n", true},
		{"mbox From line", "From a@example.com Mon Mar  3 09:14:58 2025\nFrom: a@example.com\nSubject: late\n\nWhere is it?\n", true},
		{"byte order mark", "\ufeffFrom: a@example.com\n\nWhere is it?\n", true},
		{"folded field", "Subject: a long\n subject\nFrom: a@example.com\n\nbody\n", true},
		{"field name case", "SUBJECT: late\n\nbody\n", true},
		{"transcript with a colon", "Caller: Jane Doe\nHi, this is Jane, my order: it never came.\n", false},
		{"transcript with a labelled block", "Caller: Jane Doe\nNumber: +1 617 555 0100\n\nHi, this is Jane.\n", false},
		{"no blank line after the fields", "From: a@example.com\nSubject: late", false},
		{"prose", "hi um this is ken from okafor logistics\n", false},
		{"prose starting with From", "From the moment I called, nobody helped.\nPlease call back.\n", false},
		{"continuation first", " From: a@example.com\n\nbody\n", false},
		{"empty", "", false},
		{"blank lines only", "\n\n\n", false},
	}
	for _, tt := range tests {
		if _, got := asEmail([]byte(tt.in)); got != tt.email {
			t.Errorf("%s: asEmail(%q) = %v, want %v", tt.name, tt.in, got, tt.email)
		}
	}
}

// An email saved from an mbox, with blank lines above it, is scored as an
// email (its subject read, its headers not scored), and a transcript whose
// first line has a colon as a voicemail.
func TestScoreDecidesByParsing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	mbox := filepath.Join(dir, "saved.mbox")
	if err := os.WriteFile(mbox, []byte("\n\nFrom jane@acme.example Mon Mar  3 09:14:58 2025\n"+
		"From: Jane Doe <jane@acme.example>\nSubject: Order 48213 never arrived\nDate: Mon, 3 Mar 2025 09:14:58 +0000\n\n"+
		"My order 48213 has still not arrived and I am furious.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	transcript := filepath.Join(dir, "call.txt")
	if err := os.WriteFile(transcript, []byte("Caller: Jane Doe\nHi, this is Jane about order 48213, it never arrived, please call me back.\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, errOut, err := runCmd(t, t.Context(), "score", "--json", mbox, transcript)
	if err != nil {
		t.Fatalf("score = %v\n%s", err, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("score printed %d lines, want 2:\n%s", len(lines), out)
	}
	var email, text scored
	if err := json.Unmarshal([]byte(lines[0]), &email); err != nil {
		t.Fatalf("line 1: %v", err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &text); err != nil {
		t.Fatalf("line 2: %v", err)
	}
	if email.Channel != "email" || email.Subject != "Order 48213 never arrived" || strings.Contains(email.Summary, "From:") {
		t.Errorf("mbox file scored as channel %q, subject %q, summary %q; want an email with its subject and no headers in the summary",
			email.Channel, email.Subject, email.Summary)
	}
	if text.Channel != "voicemail" || text.Subject != "" {
		t.Errorf("transcript scored as channel %q, subject %q; want a voicemail without a subject", text.Channel, text.Subject)
	}

	// --channel still decides when given.
	out, errOut, err = runCmd(t, t.Context(), "score", "--json", "--channel", "voicemail", mbox)
	if err != nil {
		t.Fatalf("score --channel voicemail = %v\n%s", err, errOut)
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(out)), &text); err != nil || text.Channel != "voicemail" {
		t.Errorf("score --channel voicemail of an email = %v, channel %q; want voicemail", err, text.Channel)
	}
}

// FuzzAsEmail checks that asEmail never panics, and that what it hands the
// parser is the end of its input, starting with a header field. Seeds:
// testdata/fuzz/FuzzAsEmail.
func FuzzAsEmail(f *testing.F) {
	for _, s := range []string{"From: a@example.com\n\nbody\n", "Caller: Jane\nhello\n", "\n\nFrom x\nDate: y\n\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		msg, ok := asEmail(data)
		if !ok {
			return
		}
		if !bytes.HasSuffix(data, msg) || !headerField.Match(msg) {
			t.Errorf("asEmail(%q) = %q, true; want a suffix of the input that starts with a header field", data, msg)
		}
	})
}
