package mail

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// pathologicalCase is an input built to trigger quadratic work (long folded
// headers, many separators, deep nesting) and what a sensible parse of it
// looks like.
type pathologicalCase struct {
	name  string
	input string
	check func(m *Message) string // "" if m is sensible, else what is wrong
}

// pathologicalCases returns inputs of about 256 KiB each. Their speed is
// measured by BenchmarkParsePathological; TestParsePathological checks
// that they parse correctly.
func pathologicalCases() []pathologicalCase {
	const n = 256 << 10
	hasText := func(m *Message) string {
		if m.Text == "" {
			return "empty Text"
		}
		return ""
	}
	tooManyParts := func(m *Message) string {
		if !contains(m.Warnings, "more than 500 body parts: the rest ignored") {
			return "no warning about the part limit"
		}
		return ""
	}
	return []pathologicalCase{
		{"folded_header", "From: a@b.example\nSubject: x\n" + strings.Repeat(" y\n", n/3) + "\nbody", func(m *Message) string {
			if !strings.HasPrefix(m.Subject, "x y y") || m.Text != "body" {
				return "Subject not unfolded or body lost"
			}
			return ""
		}},
		{"dash_lines", "From: a@b.example\n\n" + strings.Repeat("--\n", n/3), nil},
		{"quote_blocks", "From: a@b.example\n\n" + strings.Repeat(">a\nb\n", n/5), hasText},
		{"nested_blockquotes", "From: a@b.example\nContent-Type: text/html\n\n" + strings.Repeat("<blockquote>", n/12) + strings.Repeat("x<br>", 1000), hasText},
		{"nested_lists", "From: a@b.example\nContent-Type: text/html\n\n" + strings.Repeat("<ul><li>x", n/10), hasText},
		{"long_line", "From: a@b.example\n\n" + strings.Repeat("forwarded by ", n/13), hasText},
		{"attributions", "From: a@b.example\n\n" + strings.Repeat("On x wrote:\n", n/12), hasText},
		{"header_blocks", "From: a@b.example\n\n" + strings.Repeat("From: x\nTo: y\n", n/14), hasText},
		{"forward_markers", "From: a@b.example\n\n" + strings.Repeat("Begin forwarded message:\n", n/25), hasText},
		{"empty_parts", "From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n" + strings.Repeat("--b\n", n/4), tooManyParts},
		{"nested_multiparts", "From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n" + strings.Repeat("--b\nContent-Type: multipart/mixed; boundary=b\n\n", n/48), tooManyParts},
		{"nested_messages", "From: a@b.example\nContent-Type: message/rfc822\n\n" + strings.Repeat("Content-Type: message/rfc822\n\n", n/30), func(m *Message) string {
			if !m.Forwarded {
				return "not marked Forwarded"
			}
			return ""
		}},
		{"encoded_words", "From: a@b.example\nSubject: " + strings.Repeat("=?x-foo?q?a?= ", n/14) + "\n\nb", func(m *Message) string {
			if !strings.HasPrefix(m.Subject, "aaaa") || m.Text != "b" {
				return "encoded words not decoded"
			}
			return ""
		}},
		{"bad_addresses", "From: a@b.example\nTo: " + strings.Repeat("a. <b@c>, \"", n/11) + "\n\nb", func(m *Message) string {
			if len(m.To) == 0 || m.To[0].Addr != "b@c" {
				return "no To address recovered"
			}
			return ""
		}},
		{"open_comments", "From: a@b.example\nDate: " + strings.Repeat("(", n/2) + "\n\nb", func(m *Message) string {
			if !m.Date.IsZero() || m.Text != "b" {
				return "Date parsed or body lost"
			}
			return ""
		}},
	}
}

// TestParsePathological checks that each pathological input gives a
// sensible Message (or a *ParseError) without panicking. How fast they
// parse is measured by BenchmarkParsePathological, never asserted here.
func TestParsePathological(t *testing.T) {
	t.Parallel()
	for _, c := range pathologicalCases() {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m, err := Parse(strings.NewReader(c.input), Options{})
			var pe *ParseError
			switch {
			case errors.As(err, &pe):
				t.Fatalf("Parse(%s, %d bytes) error = %v, want a Message", c.name, len(c.input), err)
			case err != nil || m == nil:
				t.Fatalf("Parse(%s) = %v, %v; want a Message", c.name, m, err)
			}
			if m.From.Addr != "a@b.example" {
				t.Errorf("Parse(%s).From = %v, want a@b.example", c.name, m.From)
			}
			for name, s := range map[string]string{"Text": m.Text, "NewText": m.NewText, "Subject": m.Subject} {
				if !utf8.ValidString(s) {
					t.Errorf("Parse(%s).%s is not valid UTF-8", c.name, name)
				}
			}
			if len(m.NewText) > len(m.Text)+1 {
				t.Errorf("Parse(%s): NewText (%d bytes) longer than Text (%d bytes)", c.name, len(m.NewText), len(m.Text))
			}
			if len(m.Warnings) > maxWarnings {
				t.Errorf("Parse(%s): %d warnings, want at most %d", c.name, len(m.Warnings), maxWarnings)
			}
			if c.check != nil {
				if problem := c.check(m); problem != "" {
					t.Errorf("Parse(%s): %s (Subject %q, %d bytes of Text, Warnings %q)",
						c.name, problem, clip(m.Subject, 40), len(m.Text), m.Warnings)
				}
			}
		})
	}
}

// BenchmarkParsePathological measures each pathological input; a parser
// that turned quadratic on one of them shows up here as a jump of orders
// of magnitude in ns/op.
func BenchmarkParsePathological(b *testing.B) {
	for _, c := range pathologicalCases() {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.input)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(strings.NewReader(c.input), Options{}); err != nil {
					b.Fatalf("Parse(%s) error = %v", c.name, err)
				}
			}
		})
	}
}
