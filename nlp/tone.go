package nlp

import (
	"math"
	"strconv"
	"strings"
)

// toneRank orders tone labels from most negative.
var toneRank = map[ToneLabel]int{ToneAngry: 0, ToneFrustrated: 1, ToneNegative: 2, ToneNeutral: 3, TonePositive: 4}

// sentenceSentiment returns VADER's compound score of every body sentence
// (0 for the others and for text not in English).
func (a *Analyzer) sentenceSentiment(d *doc, lang langResult) []float64 {
	out := make([]float64, len(d.sents))
	if !lang.English {
		return out
	}
	for i := range d.sents {
		s := &d.sents[i]
		if s.region != regionBody || s.wEnd == s.wFirst || !a.hasValence(d, s) {
			continue
		}
		out[i] = a.polarity(strings.Join(strings.Fields(d.src(s.field)[s.start:s.end]), " "))
	}
	return out
}

// hasValence reports whether VADER could score sentence s: a word of its
// lexicon, or a character outside ASCII (an emoji). Sentences without
// either score 0 and are skipped.
func (a *Analyzer) hasValence(d *doc, s *sentence) bool {
	for w := s.wFirst; w < s.wEnd; w++ {
		if _, ok := a.vader.Lexicon[d.norms[w]]; ok {
			return true
		}
	}
	src := d.src(s.field)[s.start:s.end]
	for i := 0; i < len(src); i++ {
		if src[i] >= 0x80 {
			return true
		}
	}
	return false
}

// polarity is VADER's compound score, 0 if VADER fails on the text.
func (a *Analyzer) polarity(text string) (c float64) {
	defer func() {
		if recover() != nil {
			c = 0
		}
	}()
	c = a.vader.PolarityScores(text).Compound
	if math.IsNaN(c) {
		return 0
	}
	return c
}

// toneSums are the marker totals by family.
type toneSums struct {
	anger, frustration, problem, praise float64
	kinds                               map[string]float64
}

// toneDraft is the tone before the complaint decision picks its label.
type toneDraft struct {
	score float64 // -1..1
	base  float64 // weighted mean of sentence scores
	sums  toneSums
	ev    []Evidence
	// forwarded is the weight of negative markers in a forwarded message:
	// evidence of a complaint, not of the sender's tone.
	forwarded float64
}

// tone scores the sender's feeling: the weighted mean of sentence scores,
// moved by markers, capitals, exclamation runs and repeated contact.
func (a *Analyzer) tone(d *doc, hits []match, sv []float64, lang langResult) toneDraft {
	cfg := &a.cfg.Tone
	var td toneDraft
	num, den := 0.0, 0.0
	for i, c := range sv {
		if math.Abs(c) < 0.05 {
			continue
		}
		w := 1.0
		if c < 0 {
			w = cfg.NegativeSentenceWeight
		}
		num += w * c
		den += w
		s := &d.sents[i]
		td.ev = append(td.ev, Evidence{Rule: "sentiment", Phrase: clip(d.src(s.field)[s.start:s.end], 120),
			Start: s.start, End: s.end, Weight: round3(c), Field: s.field.String()})
	}
	if den > 0 {
		td.base = num / den
	}

	td.sums = toneSums{kinds: map[string]float64{}}
	add := func(kind string, e Evidence) {
		w := e.Weight
		if lim, ok := cfg.KindCaps[kind]; ok {
			left := lim - math.Abs(td.sums.kinds[kind])
			if left <= 0 {
				return
			}
			if math.Abs(w) > left {
				w = math.Copysign(left, w)
			}
		}
		td.sums.kinds[kind] += w
		e.Weight = round3(w)
		td.ev = append(td.ev, e)
		switch kind {
		case "anger", "profanity", "caps", "exclamation":
			td.sums.anger += math.Abs(w)
		case "frustration", "sarcasm", "repeat_contact", "interrobang":
			td.sums.frustration += math.Abs(w)
		case "problem":
			td.sums.problem += math.Abs(w)
		case "praise":
			td.sums.praise += math.Abs(w)
		}
	}
	for i := range hits {
		m := &hits[i]
		if m.p.sec != secTone {
			continue
		}
		switch m.region(d) {
		case regionBody:
			add(m.p.kind, d.evidence(m.p.kind, m.first, m.last, m.p.weight))
		case regionForwarded:
			if m.p.weight < 0 {
				td.forwarded += math.Abs(m.p.weight)
			}
		}
	}
	a.shouting(d, add)
	if n := d.in.RecentContacts; n > 0 {
		add("repeat_contact", ruleEvidence("repeat_contact", "recent contacts: "+strconv.Itoa(n),
			-math.Min(cfg.RecentContacts.Per*float64(n), cfg.RecentContacts.Max)))
	}
	if !lang.English {
		td.ev = append(td.ev, ruleEvidence("non_english", "language "+lang.Code+": no sentiment model, tone read from a short list of cue words", 0))
	}

	td.score = td.base
	for _, w := range td.sums.kinds {
		td.score += w
	}
	td.score = round3(clamp(td.score, -1, 1))
	return td
}

// toneLabel names the tone. A complaint is angry, frustrated or negative
// by its markers; praise is positive unless its score says otherwise;
// anything else is neutral.
func (a *Analyzer) toneLabel(td *toneDraft, primary Category, complaint bool) ToneLabel {
	l := &a.cfg.Tone.Labels
	s := td.sums
	switch {
	case !complaint && primary == CategoryPraise && td.score >= l.PositiveMinScore:
		return TonePositive
	case !complaint:
		return ToneNeutral
	case s.anger >= l.AngryMarkers && td.score <= l.AngryMaxScore:
		return ToneAngry
	case s.frustration+s.anger >= l.FrustratedMarkers && td.score <= l.FrustratedMaxScore:
		return ToneFrustrated
	}
	return ToneNegative
}

// clip shortens s to at most n bytes at a word boundary, on one line.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n], ' ')
	if cut < n/2 {
		cut = n
		for cut > 0 && !isRuneStart(s[cut]) {
			cut--
		}
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
