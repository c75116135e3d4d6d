package nlp

import "strings"

// match is a configured phrase found in the message.
type match struct {
	p           *payload
	sent        int32
	first, last int32 // words [first, last] in doc.words
}

// scan runs the phrase matcher once over every sentence, drops matches a
// negator cancels and matches inside a longer one of the same kind.
func (a *Analyzer) scan(d *doc, lang string) []match {
	var buf []hit
	out := make([]match, 0, 16)
	for si := range d.sents {
		s := &d.sents[si]
		words := d.norms[s.wFirst:s.wEnd]
		buf = a.match.scan(words, buf[:0])
		start := len(out)
		for _, h := range buf {
			p := &a.match.payloads[h.id]
			if p.lang != "" && p.lang != lang {
				continue
			}
			if !p.ignoreNeg && a.negated(words, h.first) {
				continue
			}
			out = append(out, match{p: p, sent: int32(si), first: s.wFirst + int32(h.first), last: s.wFirst + int32(h.last)})
		}
		out = append(out[:start], pruneContained(out[start:], a.match.maxLen)...)
	}
	return out
}

// negated reports whether a negator stands within the negation window
// before word i ("not urgent", "never rude").
func (a *Analyzer) negated(words []string, i int) bool {
	for k := i - 1; k >= 0 && k >= i-a.cfg.Text.NegationWindow; k-- {
		if a.negators.has(words[k]) || strings.HasSuffix(words[k], "n't") {
			return true
		}
	}
	return false
}

// pruneContained drops matches overlapped by a longer match of the same
// section and kind (a weight counts once for "still waiting", not again
// for "waiting"). ms is in order of first word, and a match can only
// overlap one starting at most maxLen words before it.
func pruneContained(ms []match, maxLen int) []match {
	out := ms[:0]
	for i, m := range ms {
		covered := false
		for j := i - 1; j >= 0 && !covered && int(m.first-ms[j].first) < maxLen; j-- {
			covered = covers(ms[j], m, true)
		}
		for j := i + 1; j < len(ms) && !covered && ms[j].first <= m.last; j++ {
			covered = covers(ms[j], m, false)
		}
		if !covered {
			out = append(out, m)
		}
	}
	return out
}

// covers reports whether o overrides m: same section and kind, words
// that overlap, and o is longer (or as long and first), so that "has been
// down since" weighs once, not as "has been down" plus "down since".
func covers(o, m match, before bool) bool {
	if o.p.sec != m.p.sec || o.p.kind != m.p.kind || o.first > m.last || o.last < m.first {
		return false
	}
	lo, lm := o.last-o.first, m.last-m.first
	return lo > lm || (lo == lm && before)
}

// wordTok returns the token of word w.
func (d *doc) wordTok(w int32) *token { return &d.toks[d.words[w]] }

// evidence builds the evidence of words [first, last].
func (d *doc) evidence(rule string, first, last int32, weight float64) Evidence {
	s := &d.sents[d.wordTok(first).sent]
	ft, lt := d.wordTok(first), d.wordTok(last)
	return Evidence{Rule: rule, Phrase: d.src(s.field)[ft.start:lt.end], Start: ft.start, End: lt.end,
		Weight: round3(weight), Field: s.field.String()}
}

// tokEvidence builds the evidence of tokens [first, last] of sentence si.
func (d *doc) tokEvidence(rule string, si int32, first, last int32, weight float64) Evidence {
	s := &d.sents[si]
	ft, lt := &d.toks[first], &d.toks[last]
	return Evidence{Rule: rule, Phrase: d.src(s.field)[ft.start:lt.end], Start: ft.start, End: lt.end,
		Weight: round3(weight), Field: s.field.String()}
}

// ruleEvidence is evidence that no phrase produced (an input, a channel).
func ruleEvidence(rule, what string, weight float64) Evidence {
	return Evidence{Rule: rule, Phrase: what, Start: -1, End: -1, Weight: round3(weight)}
}

func (m *match) region(d *doc) region { return d.sents[m.sent].region }

// counts reports whether a match tells the business something now: in
// the body, the subject or a forwarded message, not in a signature or
// quoted history.
func (m *match) counts(d *doc) bool {
	r := m.region(d)
	return r == regionBody || r == regionForwarded
}

func round3(f float64) float64 {
	if f < 0 {
		return -round3(-f)
	}
	return float64(int64(f*1000+0.5)) / 1000
}

func clamp(f, lo, hi float64) float64 {
	return max(lo, min(hi, f))
}
