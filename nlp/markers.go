package nlp

import (
	"strings"
	"unicode/utf8"
)

// shouting scores what the body's typography says: words and runs of
// words in capitals, masked profanity ("f***ing"), runs of "!" and "?!".
func (a *Analyzer) shouting(d *doc, add func(string, Evidence)) {
	cfg := &a.cfg.Tone
	bodyWords := 0
	for i := range d.sents {
		if d.sents[i].region == regionBody {
			bodyWords += int(d.sents[i].wEnd - d.sents[i].wFirst)
		}
	}
	judgeCaps := bodyWords >= cfg.Caps.MinWords
	for si := range d.sents {
		s := &d.sents[si]
		if s.region != regionBody {
			continue
		}
		src := d.src(s.field)
		runStart, run := int32(-1), 0
		flush := func(end int32) {
			if run >= cfg.Caps.MinRun && judgeCaps {
				add("caps", d.tokEvidence("caps", int32(si), runStart, end, cfg.Caps.Weight))
			}
			runStart, run = -1, 0
		}
		for k := s.tFirst; k < s.tEnd; k++ {
			t := &d.toks[k]
			switch {
			case t.word && t.upper && !t.digit && !a.acronyms.has(t.norm):
				if runStart < 0 {
					runStart = k
				}
				run++
				if judgeCaps && utf8.RuneCountInString(t.norm) >= cfg.Caps.MinLetters {
					add("caps", d.tokEvidence("caps", int32(si), k, k, cfg.Caps.WordWeight))
				}
			case t.word:
				flush(k - 1)
				if strings.HasPrefix(src[t.end:], "**") || (t.end-t.start == 1 && strings.HasPrefix(src[t.end:], "*")) {
					add("profanity", d.tokEvidence("masked_profanity", int32(si), k, k, cfg.MaskedProfanity))
				}
			case strings.ContainsAny(t.norm, "!?"):
				bangs := strings.Count(t.norm, "!")
				if bangs >= cfg.Exclamation.MinRun {
					add("exclamation", d.tokEvidence("exclamation", int32(si), k, k, cfg.Exclamation.RunWeight))
				} else if len(t.norm) >= 2 {
					add("interrobang", d.tokEvidence("interrobang", int32(si), k, k, cfg.Exclamation.Interrobang))
				}
			}
		}
		flush(s.tEnd - 1)
	}
}
