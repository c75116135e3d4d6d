package mail

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzParse checks that no input makes Parse panic, that an error is a
// *ParseError with a reason (the reader never fails here), and that a
// parsed message holds valid UTF-8 text and a plausible Date. Seeds: testdata/fuzz/FuzzParse
// (generated from the fixtures) and the fixtures themselves.
func FuzzParse(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil {
		f.Fatalf("Glob(testdata) = %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatalf("read %s: %v", name, err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(bytes.NewReader(data), Options{MaxSize: 1 << 20})
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Reason == "" {
				t.Fatalf("Parse(%q) error = %v, want a *ParseError with a Reason", data, err)
			}
			if m != nil {
				t.Fatalf("Parse(%q) = %+v, %v; want a nil Message with an error", data, m, err)
			}
			return
		}
		if m == nil {
			t.Fatalf("Parse(%q) = nil, nil; want a Message", data)
		}
		for name, s := range map[string]string{
			"Text": m.Text, "NewText": m.NewText, "Quoted": m.Quoted, "Signature": m.Signature,
			"Subject": m.Subject, "From.Name": m.From.Name, "From.Addr": m.From.Addr, "MessageID": m.MessageID,
		} {
			if !utf8.ValidString(s) {
				t.Errorf("Parse(%q).%s = %q, want valid UTF-8", data, name, s)
			}
		}
		if len(m.NewText) > len(m.Text)+1 {
			t.Errorf("Parse(%q): NewText (%d bytes) longer than Text (%d bytes)", data, len(m.NewText), len(m.Text))
		}
		// The store writes dates as RFC 3339, years 1 to 9999 in UTC.
		if d := m.Date; !d.IsZero() && (!PlausibleDate(d, time.Now()) || d.UTC().Year() > 9999) {
			t.Errorf("Parse(%q).Date = %v, want zero or a plausible date", data, d)
		}
		if m.Auto == AutoBounce && m.Forwarded {
			t.Errorf("Parse(%q): a bounce marked Forwarded", data)
		}
	})
}
