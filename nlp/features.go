package nlp

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The learned layer reads a message as a sparse vector: hashed word
// unigrams and bigrams and character n-grams of what the sender wrote now,
// the words of quoted history apart, and the rules' raw signals (lexicon
// hits by kind, deadline distance, amounts, repeat contacts, exclamation
// and capitals, VADER's sentence scores). The rules' final decisions are
// never features: the rules were tuned on some of the training data.

// hashBits is the size of the hashed feature space, 2^hashBits buckets.
const hashBits = 18

// featKind says where a feature came from, for evidence.
type featKind uint8

const (
	featWord featKind = iota
	featBigram
	featChars
	featQuoted
	featRule
)

// feat is one feature occurrence: its bucket, its value and where it came
// from (words [w0, w1] of the document, a character span of word w0, or a
// rule signal's name).
type feat struct {
	h      uint32
	v      float32
	w0, w1 int32 // words; for a rule signal w0 indexes doc.signals
	c0, c1 uint8 // characters of "<word>" for a character gram
	kind   featKind
}

// fnv-1a, 64 bits.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func hashAdd(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

func bucket(h uint64) uint32 { return uint32(h^(h>>32)) & (1<<hashBits - 1) }

// featurize builds the learned layer's vector of a prepared message.
func (a *Analyzer) featurize(d *doc, hits []match, dates []dateExpr, sv []float64, lang langResult) []feat {
	fs := make([]feat, 0, 15*len(d.norms)+48)
	nText := 0
	for si := range d.sents {
		s := &d.sents[si]
		switch s.region {
		case regionBody, regionForwarded:
			prev := int32(-1)
			for w := s.wFirst; w < s.wEnd; w++ {
				n := d.norms[w]
				fs = append(fs, feat{h: bucket(hashAdd(hashAdd(fnvOffset, "w:"), n)), v: 1, kind: featWord, w0: w, w1: w})
				if prev >= 0 {
					h := hashAdd(hashAdd(hashAdd(hashAdd(fnvOffset, "b:"), d.norms[prev]), " "), n)
					fs = append(fs, feat{h: bucket(h), v: 1, kind: featBigram, w0: prev, w1: w})
				}
				prev = w
				fs = appendCharGrams(fs, n, w)
			}
			nText += int(s.wEnd - s.wFirst)
		case regionQuoted:
			for w := s.wFirst; w < s.wEnd; w++ {
				fs = append(fs, feat{h: bucket(hashAdd(hashAdd(fnvOffset, "q:"), d.norms[w])), v: 1, kind: featQuoted, w0: w, w1: w})
			}
		}
	}
	// Text features are scaled to about unit length, so a long message
	// does not outweigh the rule signals.
	if len(fs) > 0 {
		scale := float32(1 / math.Sqrt(float64(len(fs))))
		for i := range fs {
			fs[i].v = scale
		}
	}
	return a.ruleSignals(fs, d, hits, dates, sv, lang, nText)
}

// appendCharGrams adds the 3- and 4-character grams of word n, with its
// boundaries marked ("<ref", "und>"), so inflections and other languages'
// forms of a word share features.
func appendCharGrams(fs []feat, n string, w int32) []feat {
	if len(n) > 40 {
		return fs
	}
	var buf [48]byte
	b := append(append(append(buf[:0], '<'), n...), '>')
	// Rune boundaries, so no gram splits a character.
	var starts [48]uint8
	k := 0
	for i := 0; i < len(b); {
		starts[k] = uint8(i)
		k++
		_, size := utf8.DecodeRune(b[i:])
		i += size
	}
	starts[k] = uint8(len(b))
	for g := 3; g <= 4; g++ {
		for i := 0; i+g <= k; i++ {
			c0, c1 := starts[i], starts[i+g]
			h := hashAdd(fnvOffset, "c:")
			for _, c := range b[c0:c1] {
				h ^= uint64(c)
				h *= fnvPrime
			}
			fs = append(fs, feat{h: bucket(h), v: 1, kind: featChars, w0: w, w1: w, c0: c0, c1: c1})
		}
	}
	return fs
}

// ruleSignals appends the rules' raw signals, each a named feature.
func (a *Analyzer) ruleSignals(fs []feat, d *doc, hits []match, dates []dateExpr, sv []float64, lang langResult, nText int) []feat {
	add := func(name string, v float64) {
		if v == 0 {
			return
		}
		fs = append(fs, feat{h: bucket(hashAdd(hashAdd(fnvOffset, "r:"), name)), v: float32(v), kind: featRule, w0: int32(len(d.signals))})
		d.signals = append(d.signals, name)
	}
	counts := map[string]float64{}
	for i := range hits {
		m := &hits[i]
		if !m.counts(d) {
			continue
		}
		var sec string
		switch m.p.sec {
		case secTone:
			sec = "tone"
		case secUrgency:
			sec = "urgency"
		case secCategory:
			sec = "category"
		case secStaffCue:
			sec = "staff_cue"
		default:
			continue
		}
		counts[sec+" "+m.p.kind]++
	}
	for k, n := range counts {
		add(k+" phrases", math.Log1p(n))
	}

	// The nearest deadline, by the hours left.
	best := math.Inf(1)
	unresolved := false
	for i := range dates {
		e := &dates[i]
		if !a.isDeadline(d, hits, e) {
			continue
		}
		if e.at.IsZero() || d.in.Date.IsZero() {
			unresolved = true
			continue
		}
		best = math.Min(best, e.at.Sub(d.in.Date).Hours())
	}
	switch {
	case best <= 12:
		add("deadline within 12h", 1)
	case best <= 36:
		add("deadline within 36h", 1)
	case best <= 24*7:
		add("deadline within a week", 1)
	case !math.IsInf(best, 1):
		add("deadline later", 1)
	case unresolved:
		add("deadline unresolved", 1)
	}

	// Any date still ahead, deadline or not: an event at a time ("the
	// trade show opens Thursday at 9") is a deadline said another way.
	ahead := math.Inf(1)
	for i := range dates {
		e := &dates[i]
		if r := d.sents[e.sent].region; e.past || e.at.IsZero() || d.in.Date.IsZero() || (r != regionBody && r != regionForwarded) {
			continue
		}
		if h := e.at.Sub(d.in.Date).Hours(); h >= -1 {
			ahead = math.Min(ahead, h)
		}
	}
	switch {
	case ahead <= 12:
		add("a date within 12h", 1)
	case ahead <= 36:
		add("a date within 36h", 1)
	case ahead <= 24*7:
		add("a date within a week", 1)
	}

	maxAmount := 0.0
	for _, am := range a.amounts(d) {
		maxAmount = math.Max(maxAmount, am.Value)
	}
	for _, th := range []float64{100, 1000, 5000, 20000} {
		if maxAmount >= th {
			add("amount >= "+strconv.FormatFloat(th, 'f', -1, 64), 1)
		}
	}
	if n := d.in.RecentContacts; n > 0 {
		add("recent contacts", math.Min(float64(n), 5)/2)
	}
	if n := d.in.CopiedExecutives; n > 0 {
		add("executives copied", 1)
	}

	var excl, quest, caps, capsWords int
	for si := range d.sents {
		s := &d.sents[si]
		if s.region != regionBody {
			continue
		}
		src := d.src(s.field)[s.start:s.end]
		excl += strings.Count(src, "!")
		quest += strings.Count(src, "?")
		for w := s.wFirst; w < s.wEnd; w++ {
			if t := d.wordTok(w); t.upper && len(d.norms[w]) >= 3 && !a.acronyms.has(d.norms[w]) {
				caps++
			}
			capsWords++
		}
	}
	add("exclamation marks", math.Log1p(float64(excl)))
	add("question marks", math.Log1p(float64(quest)))
	if capsWords > 0 {
		add("words in capitals", math.Log1p(float64(caps)))
		add("share of words in capitals", math.Min(1, 5*float64(caps)/float64(capsWords)))
	}
	minS, maxS, sum, n := 0.0, 0.0, 0.0, 0
	for i, v := range sv {
		if d.sents[i].region != regionBody || v == 0 {
			continue
		}
		minS, maxS, sum, n = math.Min(minS, v), math.Max(maxS, v), sum+v, n+1
	}
	add("most negative sentence (VADER)", minS)
	add("most positive sentence (VADER)", maxS)
	if n > 0 {
		add("mean sentence sentiment (VADER)", sum/float64(n))
	}
	add("channel "+string(d.in.Channel), 1)
	add("language "+lang.Code, 1)
	add("length (log words)", math.Log1p(float64(nText))/5)
	add("transcript", b2f(d.transcript))
	return fs
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// describe names a feature for evidence: the words or characters it came
// from, or the rule signal.
func (d *doc) describe(f *feat) (rule, phrase string, start, end int, fld string) {
	switch f.kind {
	case featRule:
		name := d.signals[f.w0]
		return "learned: signal", name, -1, -1, ""
	case featChars:
		e := d.evidence("", f.w0, f.w1, 0)
		n := d.norms[f.w0]
		g := "<" + n + ">"
		return "learned: characters", strings.Trim(g[f.c0:f.c1], "<>") + " (in " + e.Phrase + ")", e.Start, e.End, e.Field
	}
	e := d.evidence("", f.w0, f.w1, 0)
	rule = "learned: words"
	if f.kind == featQuoted {
		rule = "learned: quoted words"
	}
	return rule, e.Phrase, e.Start, e.End, e.Field
}
