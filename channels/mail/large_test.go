package mail

import (
	"bytes"
	"runtime"
	"strings"
	"testing"

	"github.com/triage-gw/triage/nlp/reply"
)

// shortLinesMessage is a message of size bytes whose body is short lines
// only: the shape that once made reply splitting take 18 s and 1.4 GB for
// 24 MB.
func shortLinesMessage(size int) []byte {
	var b bytes.Buffer
	b.Grow(size + 64)
	b.WriteString("From: a@b.example\r\nSubject: log\r\nDate: Mon, 3 Mar 2025 09:14:58 +0000\r\n\r\n")
	for i := 0; b.Len() < size; i++ {
		switch i % 4 {
		case 0:
			b.WriteString("ok\r\n")
		case 1:
			b.WriteString("> a\r\n")
		case 2:
			b.WriteString("\r\n")
		default:
			b.WriteString("To: x\r\n")
		}
	}
	return b.Bytes()
}

// TestParseLargeMailOfShortLines parses 24 MB of short lines and bounds
// what it allocates: a parser whose cost grows faster than the input
// would allocate gigabytes. It does not run in parallel, so that the
// process-wide MemStats count this parse alone.
func TestParseLargeMailOfShortLines(t *testing.T) {
	if testing.Short() {
		t.Skip("24 MB input")
	}
	raw := shortLinesMessage(24 << 20)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	m, err := Parse(bytes.NewReader(raw), Options{})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatalf("Parse(24 MB of short lines) = %v, want a message", err)
	}
	// The raw bytes, their decoded text and the tidied Text, with room.
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(6*len(raw)); got > limit {
		t.Errorf("Parse(%d bytes) allocated %d bytes, want at most %d (6 times the input)", len(raw), got, limit)
	}
	if got, limit := after.Mallocs-before.Mallocs, uint64(1_000_000); got > limit {
		t.Errorf("Parse(%d bytes) made %d allocations, want at most %d", len(raw), got, limit)
	}
	if len(m.Text) < 12<<20 {
		t.Errorf("Parse(%d bytes).Text is %d bytes, want the whole text", len(raw), len(m.Text))
	}
	if len(m.NewText) > MaxSplitText || len(m.Quoted) > 2*MaxSplitText || m.NewText == "" {
		t.Errorf("Parse(%d bytes): NewText %d bytes, Quoted %d bytes; want some new text, at most MaxSplitText (%d) of it, and Quoted of the same order",
			len(raw), len(m.NewText), len(m.Quoted), MaxSplitText)
	}
	warned := false
	for _, w := range m.Warnings {
		warned = warned || strings.Contains(w, "were split into new text")
	}
	if !warned {
		t.Errorf("Parse(%d bytes).Warnings = %q, want one saying only the head was split", len(raw), m.Warnings)
	}
}

// TestReplyHeadCutsAtLineEnd checks where text past MaxSplitText is cut.
func TestReplyHeadCutsAtLineEnd(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("x", 99) + "\n"
	text := strings.Repeat(line, MaxSplitText/len(line)+10)
	p := &parser{seen: map[string]bool{}}
	head := p.replyHead(text)
	if len(head) > MaxSplitText || !strings.HasSuffix(head, "x") || !strings.HasPrefix(text[len(head):], "\n") {
		t.Errorf("replyHead(%d bytes of 100-byte lines) = %d bytes ending %q, want a cut at a line end within %d bytes",
			len(text), len(head), head[max(0, len(head)-3):], MaxSplitText)
	}
	// One endless line of multi-byte characters is cut at a character.
	text = strings.Repeat("é", MaxSplitText)
	if head := p.replyHead(text); len(head) > MaxSplitText || !strings.HasSuffix(head, "é") {
		t.Errorf("replyHead(one line of é) ends %q, want a whole character", head[len(head)-3:])
	}
	if short := "a\nb"; p.replyHead(short) != short {
		t.Errorf("replyHead(%q) = %q, want it unchanged", short, p.replyHead(short))
	}
}

func TestTidyText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"\n\n", ""},
		{"a", "a"},
		{"\n \na  \n\n\n b\t\n\n", "a\n\n b"},
		{"a\u00a0\nb\v\f\n\nc", "a\nb\n\nc"},
		{"é \n  \n\u00a0\nx", "é\n\nx"},
	}
	for _, tt := range tests {
		if got := reply.TidyText(tt.in); got != tt.want {
			t.Errorf("TidyText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// BenchmarkParseManyShortLines parses 24 MB of short lines, the input of
// issue 7 (18 s and 1.4 GB before reply splitting was bounded).
func BenchmarkParseManyShortLines(b *testing.B) {
	raw := shortLinesMessage(24 << 20)
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(bytes.NewReader(raw), Options{}); err != nil {
			b.Fatalf("Parse(24 MB) = %v", err)
		}
	}
}
