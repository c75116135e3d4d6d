package mail

import (
	"errors"
	"io"
	"strings"
	"testing"
)

func TestParseErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		input  string
		opts   Options
		reason string
	}{
		{"empty", "", Options{}, "empty message"},
		{"whitespace", " \r\n\n\t\n", Options{}, "empty message"},
		{"no header", "just some text\nwithout any header\n", Options{}, "no header fields"},
		{"too large", "From: a@example.com\n\n" + strings.Repeat("x", 100), Options{MaxSize: 50}, "message larger than 50 bytes"},
		{"no sender, no body", "Subject: hello\nDate: Mon, 3 Mar 2025 09:14:58 +0000\n\n\n", Options{}, "no sender and no body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(strings.NewReader(tt.input), tt.opts)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) = %v, %v; want a *ParseError", tt.input, m, err)
			}
			if pe.Reason != tt.reason {
				t.Errorf("Parse(%q) Reason = %q, want %q", tt.input, pe.Reason, tt.reason)
			}
			if m != nil {
				t.Errorf("Parse(%q) Message = %+v, want nil with an error", tt.input, m)
			}
		})
	}
}

func TestParseAcceptsUsableInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input string
		wantText    string
		wantWarning string
	}{
		{"body without From", "Subject: hi\n\nCall me.\n", "Call me.", "no From header"},
		{"From without body", "From: a@example.com\nDate: Mon, 3 Mar 2025 09:14:58 +0000\n\n", "", ""},
		{"header not ended by blank line", "From: a@example.com\nDate: Mon, 3 Mar 2025 09:14:58 +0000\nhello there\n", "hello there", "header not ended by a blank line"},
		{"mbox From line", "From a@example.com Mon Mar  3 09:14:58 2025\nFrom: a@example.com\nDate: Mon, 3 Mar 2025 09:14:58 +0000\n\nbody\n", "body", ""},
		{"bad date", "From: a@example.com\nDate: yesterday\n\nbody\n", "body", `unparseable Date header "yesterday"`},
		{"exactly MaxSize", "From: a@example.com\n\nbody", "body", "no Date header"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(strings.NewReader(tt.input), Options{MaxSize: int64(len(tt.input))})
			if err != nil {
				t.Fatalf("Parse(%q) error = %v, want nil", tt.input, err)
			}
			if m.Text != tt.wantText {
				t.Errorf("Parse(%q).Text = %q, want %q", tt.input, m.Text, tt.wantText)
			}
			if tt.wantWarning != "" && !contains(m.Warnings, tt.wantWarning) {
				t.Errorf("Parse(%q).Warnings = %q, want it to hold %q", tt.input, m.Warnings, tt.wantWarning)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

func TestParseReaderErrorIsNotParseError(t *testing.T) {
	t.Parallel()
	_, err := Parse(io.MultiReader(strings.NewReader("From: a@example.com\n"), failingReader{}), Options{})
	var pe *ParseError
	if err == nil || errors.As(err, &pe) {
		t.Fatalf("Parse(failing reader) error = %v, want a plain read error", err)
	}
	if !strings.Contains(err.Error(), "connection reset") {
		t.Errorf("Parse(failing reader) error = %q, want it to wrap the reader's error", err)
	}
	if _, err := Parse(nil, Options{}); err == nil {
		t.Errorf("Parse(nil reader) error = nil, want an error")
	}
}

func TestParseErrorMessage(t *testing.T) {
	t.Parallel()
	cause := errors.New("boom")
	err := error(&ParseError{Reason: "no header fields", Err: cause})
	if got, want := err.Error(), "parse mail: no header fields: boom"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, cause) {
		t.Errorf("errors.Is(%v, cause) = false, want true", err)
	}
}
