package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/triage-gw/triage/nlp/reply"
)

// sentence is a span of one field, with its tokens and words.
type sentence struct {
	field        field
	region       region
	start, end   int   // byte offsets in the field's string
	tFirst, tEnd int32 // tokens [tFirst, tEnd) in doc.toks
	wFirst, wEnd int32 // words [wFirst, wEnd) in doc.words
}

// span is a byte range of the text in one region.
type span struct {
	start, end int
	region     region
}

// line is a line of the text without its newline.
type line struct{ start, end int }

func splitLines(s string) []line {
	var out []line
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, line{start, i})
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, line{start, len(s)})
	}
	return out
}

// regions cuts the text into what the sender wrote and, from a line that
// introduces a forwarded message on ("---------- Forwarded message
// ---------", by reply.IsForwardMarker), the forwarded message. Quoted
// history and signatures are not looked for here: the reply splitter took
// them out of Input.Text before (the mail parser, or SplitReply), and a
// text it found nothing new in is read whole. After the splitter no
// marker is left in a text it split; one stands only in a text handed in
// unsplit.
func regions(s string) []span {
	lines := splitLines(s)
	if len(lines) == 0 {
		return nil
	}
	last := lines[len(lines)-1].end
	for i, ln := range lines {
		if !reply.IsForwardMarker(s[ln.start:ln.end]) {
			continue
		}
		fwd := span{start: ln.start, end: last, region: regionForwarded}
		if i == 0 {
			return []span{fwd}
		}
		return []span{{start: lines[0].start, end: lines[i-1].end, region: regionBody}, fwd}
	}
	return []span{{start: lines[0].start, end: last, region: regionBody}}
}

// sentences splits one region span into sentences, appending them to d.
func (a *Analyzer) sentences(d *doc, f field, s string, sp span) {
	lines := splitLines(s[sp.start:sp.end])
	chunkStart := -1
	prevEnd := 0
	flush := func(end int) {
		if chunkStart >= 0 {
			a.splitChunk(d, f, s, sp.region, chunkStart, end)
		}
		chunkStart = -1
	}
	for _, ln := range lines {
		ls, le := sp.start+ln.start, sp.start+ln.end
		text := strings.TrimSpace(s[ls:le])
		text = strings.TrimSpace(strings.TrimLeft(text, "> "))
		if text == "" {
			flush(prevEnd)
			continue
		}
		if chunkStart >= 0 && breaksBefore(s[chunkStart:prevEnd], text) {
			flush(prevEnd)
		}
		if chunkStart < 0 {
			chunkStart = ls
		}
		prevEnd = le
	}
	flush(prevEnd)
}

// breaksBefore reports whether a new line ends the sentence so far: the
// previous line ended a sentence or was short (a greeting, a list item),
// or the new line starts a list item.
func breaksBefore(chunk, next string) bool {
	last := chunk
	if i := strings.LastIndexByte(chunk, '\n'); i >= 0 {
		last = chunk[i+1:]
	}
	last = strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(last), "> "))
	if last == "" {
		return true
	}
	switch last[len(last)-1] {
	case '.', '!', '?', ':', ';':
		return true
	}
	if utf8.RuneCountInString(last) < 45 {
		return true
	}
	switch next[0] {
	case '-', '*', '#':
		return true
	}
	r, _ := utf8.DecodeRuneInString(next)
	return r == '•' || (unicode.IsDigit(r) && len(next) > 1 && (next[1] == '.' || next[1] == ')'))
}

// splitChunk splits a paragraph at sentence ends, then splits long
// unpunctuated stretches (transcripts) into clauses.
func (a *Analyzer) splitChunk(d *doc, f field, s string, r region, start, end int) {
	i := start
	for i < end {
		c := s[i]
		if c != '.' && c != '!' && c != '?' {
			i++
			continue
		}
		j := i
		for j < end && strings.IndexByte(".!?\"')”’", s[j]) >= 0 {
			j++
		}
		for j < end && s[j] >= utf8.RuneSelf && strings.HasPrefix(s[j:], "”") {
			j += len("”")
		}
		if j < end && !unicode.IsSpace(rune(s[j])) {
			i = j
			continue
		}
		if c == '.' && j-i == 1 && a.noStop(s, start, i, j, end) {
			i = j
			continue
		}
		a.clauses(d, f, s, r, start, j)
		start, i = j, j
	}
	a.clauses(d, f, s, r, start, end)
}

// noStop reports whether the dot at i (followed by j) is not a sentence
// end: after an abbreviation or an initial, or before a lowercase word.
func (a *Analyzer) noStop(s string, start, i, j, end int) bool {
	k := i
	for k > start {
		r, size := utf8.DecodeLastRuneInString(s[start:k])
		if !unicode.IsLetter(r) {
			break
		}
		k -= size
	}
	prev := s[k:i]
	if _, ok := a.abbrevs[strings.ToLower(prev)]; ok {
		return true
	}
	if utf8.RuneCountInString(prev) == 1 && unicode.IsUpper([]rune(prev)[0]) {
		return true
	}
	rest := strings.TrimLeft(s[j:end], " \t\r\n")
	if rest == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(rest)
	return unicode.IsLower(r)
}
