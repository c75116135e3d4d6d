package reply_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/triage-gw/triage/nlp/reply"
)

// BenchmarkSplit splits a reply of a few lines above sixty quoted ones,
// about 4 KB.
func BenchmarkSplit(b *testing.B) {
	var text strings.Builder
	text.WriteString("The replacement part still has not arrived and I am losing money every day.\n\n")
	text.WriteString("On Mon, Mar 3, 2025 at 10:00 AM Acme <support@acme.test> wrote:\n")
	for i := range 60 {
		fmt.Fprintf(&text, "> Line %d of the earlier conversation about order %d.\n", i, 1000+i)
	}
	text.WriteString("\n-- \nAnn Lee\n+1 555 0100\n")
	s := text.String()
	b.SetBytes(int64(len(s)))
	b.ReportAllocs()
	for b.Loop() {
		if p := reply.Split(s, "Re: Replacement part"); p.NewText == "" {
			b.Fatal("Split found no new text")
		}
	}
}
