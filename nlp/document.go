package nlp

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// doc is one message cut into sentences, tokens and words.
type doc struct {
	in         *Input
	subject    string // Input.Subject
	text       string // Input.Text
	quoted     string // Input.Quoted, at most maxQuotedBytes of it
	toks       []token
	words      []int32  // indexes in toks of the word tokens
	norms      []string // normalised form of each word, parallel to words
	sents      []sentence
	transcript bool     // unpunctuated speech (voicemail) rather than writing
	signals    []string // names of the learned layer's rule signals (feat.w0)
}

// src returns the string a field's offsets point into.
func (d *doc) src(f field) string {
	switch f {
	case fieldSubject:
		return d.subject
	case fieldQuoted:
		return d.quoted
	}
	return d.text
}

// maxQuotedBytes is how much of Input.Quoted Analyze reads: the nearest
// history, which comes first. Older history tells little more and would
// cost as much to read as a long message.
const maxQuotedBytes = 8 << 10

// head returns s whole when it has at most n bytes, else its first lines
// that fit in n (its first n bytes, to a character, when one line is
// longer).
func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if i := strings.LastIndexByte(s[:n], '\n'); i > 0 {
		return s[:i]
	}
	return truncate(s, n)
}

// tokText returns the original text of a token.
func (d *doc) tokText(f field, t *token) string { return d.src(f)[t.start:t.end] }

// prepare cuts the subject, the text and the quoted history into
// sentences and tokens.
func (a *Analyzer) prepare(in *Input) *doc {
	d := &doc{in: in, subject: in.Subject, text: in.Text, quoted: head(in.Quoted, maxQuotedBytes)}
	d.transcript = in.Channel == ChannelVoicemail || looksTranscribed(in.Text)
	n := len(in.Text)/5 + len(in.Subject)/5 + len(d.quoted)/5 + 8
	d.toks = make([]token, 0, n)
	d.words = make([]int32, 0, n)
	d.norms = make([]string, 0, n)

	spans := regions(in.Text)
	body := 0
	for _, sp := range spans {
		if sp.region == regionBody {
			body += len(strings.Fields(in.Text[sp.start:sp.end]))
		}
	}
	if start := subjectStart(in.Subject); start < len(in.Subject) {
		// A reply's subject was written for an earlier message ("Re: Re:
		// STILL NOTHING" over "All good now"): when the reply says
		// something of its own, the subject is history, like quoted text.
		r := regionBody
		if isReplySubject(in.Subject) && body >= 3 {
			r = regionQuoted
		}
		a.addSentence(d, fieldSubject, r, start, len(in.Subject))
	}
	for _, sp := range spans {
		a.sentences(d, fieldText, in.Text, sp)
	}
	// The quoted history is context (its words are features of their own,
	// its category phrases count for less), never the sender's tone.
	if d.quoted != "" {
		a.sentences(d, fieldQuoted, d.quoted, span{start: 0, end: len(d.quoted), region: regionQuoted})
	}
	return d
}

// isReplySubject reports whether s starts with a reply prefix (not a
// forward: a forwarded subject belongs to the forwarded content).
func isReplySubject(s string) bool {
	low := strings.ToLower(strings.TrimSpace(s))
	for _, p := range []string{"re:", "aw:", "sv:", "antw:", "r:"} {
		if strings.HasPrefix(low, p) {
			return true
		}
	}
	return false
}

// subjectStart skips reply and forward prefixes ("Re: Fwd: ").
func subjectStart(s string) int {
	i := 0
	for {
		rest := strings.TrimLeft(s[i:], " \t")
		skip := len(s[i:]) - len(rest)
		low := strings.ToLower(rest)
		found := false
		for _, p := range []string{"re:", "fwd:", "fw:", "aw:", "sv:", "tr:", "wg:"} {
			if strings.HasPrefix(low, p) {
				i += skip + len(p)
				found = true
				break
			}
		}
		if !found {
			return i + skip
		}
	}
}

// looksTranscribed reports whether text reads like machine transcription:
// many words, no sentence punctuation and no capitals.
func looksTranscribed(s string) bool {
	if len(s) < 80 {
		return false
	}
	for _, r := range s {
		if r == '.' || r == '!' || r == '?' || unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

// clauses adds s[start:end] as one sentence, or as several clauses when it
// is a long unpunctuated stretch of speech.
func (a *Analyzer) clauses(d *doc, f field, s string, r region, start, end int) {
	for start < end && unicode.IsSpace(rune(s[start])) {
		start++
	}
	for end > start && unicode.IsSpace(rune(s[end-1])) {
		end--
	}
	if start >= end {
		return
	}
	min := a.cfg.Text.ClauseMinWords
	if !d.transcript || len(a.clauseBreaks) == 0 || end-start < 8*min {
		a.addSentence(d, f, r, start, end)
		return
	}
	words, from := 0, start
	i := start
	for i < end {
		if c, size := utf8.DecodeRuneInString(s[i:end]); !isWordRune(c) {
			i += size
			continue
		}
		j := wordEnd(s, i, end)
		if words >= min {
			if _, ok := a.clauseBreaks[lowerWord(s[i:j])]; ok {
				a.addSentence(d, f, r, from, strings.LastIndexFunc(s[:i], func(r rune) bool { return !unicode.IsSpace(r) })+1)
				from, words = i, 0
			}
		}
		words++
		i = j
	}
	a.addSentence(d, f, r, from, end)
}

// addSentence tokenizes s[start:end] of field f as a new sentence.
func (a *Analyzer) addSentence(d *doc, f field, r region, start, end int) {
	if start >= end {
		return
	}
	s := d.src(f)
	idx := int32(len(d.sents))
	sn := sentence{field: f, region: r, start: start, end: end,
		tFirst: int32(len(d.toks)), wFirst: int32(len(d.words))}
	d.toks = tokenize(d.toks, s, start, end, idx, a.normalize)
	sn.tEnd = int32(len(d.toks))
	for k := sn.tFirst; k < sn.tEnd; k++ {
		if d.toks[k].word {
			d.words = append(d.words, k)
			d.norms = append(d.norms, d.toks[k].norm)
		}
	}
	sn.wEnd = int32(len(d.words))
	if sn.tEnd == sn.tFirst {
		return
	}
	d.sents = append(d.sents, sn)
}
