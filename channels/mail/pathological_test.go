package mail

import (
	"strings"
	"testing"
	"time"
)

// TestParsePathological feeds inputs built to trigger quadratic work
// (long folded headers, many separators, deep nesting). Each must parse in
// well under the time a linear parser needs; the bound is loose so a busy
// machine does not fail it, but quadratic behaviour would.
func TestParsePathological(t *testing.T) {
	t.Parallel()
	const n = 256 << 10
	inputs := map[string]string{
		"folded header":      "From: a@b.example\nSubject: x\n" + strings.Repeat(" y\n", n/3) + "\nbody",
		"dash lines":         "From: a@b.example\n\n" + strings.Repeat("--\n", n/3),
		"quote blocks":       "From: a@b.example\n\n" + strings.Repeat(">a\nb\n", n/5),
		"nested blockquotes": "From: a@b.example\nContent-Type: text/html\n\n" + strings.Repeat("<blockquote>", n/12) + strings.Repeat("x<br>", 1000),
		"nested lists":       "From: a@b.example\nContent-Type: text/html\n\n" + strings.Repeat("<ul><li>x", n/10),
		"long line":          "From: a@b.example\n\n" + strings.Repeat("forwarded by ", n/13),
		"attributions":       "From: a@b.example\n\n" + strings.Repeat("On x wrote:\n", n/12),
		"header blocks":      "From: a@b.example\n\n" + strings.Repeat("From: x\nTo: y\n", n/14),
		"forward markers":    "From: a@b.example\n\n" + strings.Repeat("Begin forwarded message:\n", n/25),
		"empty parts":        "From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n" + strings.Repeat("--b\n", n/4),
		"nested multiparts":  "From: a@b.example\nContent-Type: multipart/mixed; boundary=b\n\n" + strings.Repeat("--b\nContent-Type: multipart/mixed; boundary=b\n\n", n/48),
		"nested messages":    "From: a@b.example\nContent-Type: message/rfc822\n\n" + strings.Repeat("Content-Type: message/rfc822\n\n", n/30),
		"encoded words":      "From: a@b.example\nSubject: " + strings.Repeat("=?x-foo?q?a?= ", n/14) + "\n\nb",
		"bad addresses":      "From: a@b.example\nTo: " + strings.Repeat("a. <b@c>, \"", n/11) + "\n\nb",
		"open comments":      "From: a@b.example\nDate: " + strings.Repeat("(", n/2) + "\n\nb",
	}
	for name, in := range inputs {
		start := time.Now()
		m, err := Parse(strings.NewReader(in), Options{})
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Parse(%s, %d bytes) took %v, want well under 2s", name, len(in), d)
		}
		if err != nil || m == nil {
			t.Errorf("Parse(%s) = %v, %v; want a Message", name, m, err)
		}
	}
}
