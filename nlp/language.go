package nlp

import (
	"errors"
	"math"
	"sort"
)

// langProfile is a compiled LanguageProfile.
type langProfile struct {
	code string
	stop set
}

// langResult is the language found.
type langResult struct {
	Language
}

// compileLanguages builds the stopword sets and puts every language's cue
// phrases in the matcher, tagged with their language.
func (a *Analyzer) compileLanguages() error {
	cw := &a.cfg.Language.CueWeights
	var errs []error
	for _, code := range sortedKeys(a.cfg.Language.Languages) {
		p := a.cfg.Language.Languages[code]
		a.langs = append(a.langs, langProfile{code: code, stop: setOf(p.Stopwords)})
		if code == "en" {
			continue
		}
		add := func(list []string, sec section, kind string, w float64) {
			for _, phrase := range list {
				if err := a.match.add(phrase, payload{sec: sec, kind: kind, weight: w, lang: code, ignoreNeg: true}, lowerWord); err != nil {
					errs = append(errs, err)
				}
			}
		}
		add(p.Negative, secTone, "problem", cw.Negative)
		add(p.Frustrated, secTone, "frustration", cw.Frustrated)
		add(p.Angry, secTone, "anger", cw.Angry)
		add(p.Positive, secTone, "praise", cw.Positive)
		add(p.Positive, secCategory, string(CategoryPraise), cw.Category)
		add(p.Urgent, secUrgency, "time_pressure", cw.Urgent)
		add(p.Question, secCategory, string(CategoryGeneralQuestion), cw.Category)
		add(p.Notice, secCategory, string(CategoryNotAComplaint), cw.Category)
		for _, c := range sortedKeys(p.Categories) {
			add(p.Categories[Category(c)], secCategory, c, cw.Category)
		}
	}
	return errors.Join(errs...)
}

// setOf lowercases words into a set without the English normalisation
// (other languages' words must stay as written).
func setOf(words []string) set {
	s := make(set, len(words))
	for _, w := range words {
		s[lowerWord(w)] = struct{}{}
	}
	return s
}

// language counts each language's common words in the body and subject.
// Too few words to tell is "und" and read as English; otherwise the
// language with most common words wins, and its confidence grows with
// its lead over the runner-up.
func (a *Analyzer) language(d *doc) langResult {
	counts := make([]int, len(a.langs))
	words := 0
	for si := range d.sents {
		s := &d.sents[si]
		if s.region != regionBody {
			continue
		}
		for w := s.wFirst; w < s.wEnd; w++ {
			t := d.wordTok(w)
			if t.digit {
				continue
			}
			words++
			low := lowerWord(d.tokText(s.field, t))
			for i := range a.langs {
				if a.langs[i].stop.has(low) {
					counts[i]++
				}
			}
		}
	}
	order := make([]int, len(a.langs))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool { return counts[order[i]] > counts[order[j]] })
	res := langResult{Language: Language{Code: "und", English: true}}
	if len(order) == 0 || words < a.cfg.Language.MinWords || counts[order[0]] == 0 {
		return res
	}
	top := order[0]
	second := 0
	if len(order) > 1 {
		second = counts[order[1]]
	}
	res.Code = a.langs[top].code
	res.Confidence = round3(float64(counts[top]-second) / float64(counts[top]) * math.Min(1, float64(counts[top])/4))
	res.English = res.Code == "en"
	return res
}
