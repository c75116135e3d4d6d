package smtp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
)

// FuzzBuild renders arbitrary subjects, texts and header values: build
// either refuses them with ErrInvalidEmail or writes a message that reads
// back to the same subject, header and text.
func FuzzBuild(f *testing.F) {
	f.Add("When may we call you?", "Hello,\nwhen may we call?\n", "auto-generated")
	f.Add("Rückruf — 折り返し ✔", ".\n..\r\nfrom the start\n", "naïve")
	f.Add(strings.Repeat("long subject ", 40), strings.Repeat("x", 2000), "")
	f.Add("=?utf-8?q?already_encoded?=", "=3D\t \n", "a\x00b")
	from := &mail.Address{Name: "Acme Support", Address: "support@acme.example"}
	f.Fuzz(func(t *testing.T, subject, text, note string) {
		e := Email{To: []string{"a@example.com"}, Subject: subject, Text: text, Headers: map[string]string{"X-Note": note}}
		msg, err := build(e, from, time.Unix(1e9, 0))
		if err != nil {
			if !errors.Is(err, ErrInvalidEmail) {
				t.Fatalf("build(%q, %q, %q) = %v, want nil or ErrInvalidEmail", subject, text, note, err)
			}
			return
		}
		r, err := mail.CreateReader(bytes.NewReader(msg.data))
		if err != nil {
			t.Fatalf("read back built message: %v\n%s", err, msg.data)
		}
		if got, err := r.Header.Subject(); err != nil || got != strings.TrimSpace(subject) {
			t.Errorf("subject read back = %q, %v; want %q", got, err, strings.TrimSpace(subject))
		}
		if got, err := r.Header.Text("X-Note"); err != nil || got != strings.TrimSpace(note) {
			t.Errorf("X-Note read back = %q, %v; want %q", got, err, strings.TrimSpace(note))
		}
		part, err := r.NextPart()
		if err != nil {
			t.Fatalf("read back body: %v", err)
		}
		body, err := io.ReadAll(part.Body)
		if err != nil {
			t.Fatalf("decode body: %v", err)
		}
		want := strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
		want = strings.ReplaceAll(want, "\n", "\r\n")
		if !strings.HasSuffix(want, "\r\n") {
			want += "\r\n"
		}
		if string(body) != want {
			t.Errorf("body read back = %q, want %q", body, want)
		}
	})
}
