package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"
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

// regions cuts the text into body, signature, quoted history and
// forwarded messages, line by line: "> " lines and everything after a
// quote header are quoted; a signature starts at "-- ", "sent from my
// ..." or a lone sign-off line, or is a short block of name lines closing
// the body.
func (a *Analyzer) regions(s string) []span {
	lines := splitLines(s)
	regs := make([]region, len(lines))
	state := regionBody
	for i, ln := range lines {
		raw := strings.TrimSpace(s[ln.start:ln.end])
		low := strings.ToLower(raw)
		r := state
		switch {
		case state == regionQuoted || state == regionForwarded:
		case hasAnyPrefix(low, a.cfg.Text.ForwardHeaders):
			state, r = regionForwarded, regionForwarded
		case a.isQuoteHeader(low, s, lines[i+1:]):
			state, r = regionQuoted, regionQuoted
		case strings.HasPrefix(raw, ">"):
			r = regionQuoted
		case state == regionSignature:
		case raw == "--" || strings.HasPrefix(low, "sent from my ") || a.isSignoff(low):
			state, r = regionSignature, regionSignature
		}
		regs[i] = r
	}
	markNameBlock(s, lines, regs)
	var out []span
	for i, ln := range lines {
		if n := len(out); n > 0 && out[n-1].region == regs[i] {
			out[n-1].end = ln.end
			continue
		}
		out = append(out, span{start: ln.start, end: ln.end, region: regs[i]})
	}
	return out
}

// markNameBlock marks as signature the block of at most four short name
// lines ("Megan Doyle", "Doyle & Daughters Gifts") that closes the body
// after a blank line, when no sign-off line did.
func markNameBlock(s string, lines []line, regs []region) {
	last := -1
	for i := range lines {
		if regs[i] == regionBody {
			last = i
		} else if regs[i] != regionSignature || last >= 0 {
			break
		}
	}
	for last >= 0 && strings.TrimSpace(s[lines[last].start:lines[last].end]) == "" {
		last--
	}
	first := last
	for first >= 0 && last-first < 4 && looksLikeNameLine(strings.TrimSpace(s[lines[first].start:lines[first].end])) {
		first--
	}
	// first is now the line before the block: it must be blank, and
	// something must stand above it.
	if first == last || first < 1 || strings.TrimSpace(s[lines[first].start:lines[first].end]) != "" {
		return
	}
	for i := first + 1; i <= last; i++ {
		regs[i] = regionSignature
	}
}

// looksLikeNameLine reports whether a line reads as part of a signature:
// short, not a sentence, its words mostly capitalised.
func looksLikeNameLine(l string) bool {
	if l == "" || utf8.RuneCountInString(l) > 45 || strings.ContainsAny(l[len(l)-1:], ".!?:") {
		return false
	}
	words, caps := 0, 0
	for _, w := range strings.Fields(l) {
		r, _ := utf8.DecodeRuneInString(w)
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			continue
		}
		words++
		if unicode.IsUpper(r) || unicode.IsDigit(r) {
			caps++
		}
	}
	return words > 0 && words <= 7 && caps*5 >= words*4
}

// isQuoteHeader reports whether a lowercased line starts quoted or
// forwarded history.
func (a *Analyzer) isQuoteHeader(low, s string, rest []line) bool {
	if hasAnyPrefix(low, a.cfg.Text.QuoteHeaders) {
		return true
	}
	if strings.HasPrefix(low, "on ") && strings.HasSuffix(low, "wrote:") {
		return true
	}
	// An Outlook header block: "From:" followed by "Sent:" or "Date:".
	if strings.HasPrefix(low, "from:") {
		for k := 0; k < len(rest) && k < 4; k++ {
			l := strings.ToLower(strings.TrimSpace(s[rest[k].start:rest[k].end]))
			if strings.HasPrefix(l, "sent:") || strings.HasPrefix(l, "date:") {
				return true
			}
		}
	}
	return false
}

// isSignoff reports whether a lowercased line is only a sign-off.
func (a *Analyzer) isSignoff(low string) bool {
	low = strings.TrimRight(low, ",.!- ")
	if len(low) > 30 {
		return false
	}
	_, ok := a.signoffs[low]
	return ok
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

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
