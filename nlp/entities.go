package nlp

import (
	"strings"

	"github.com/jdkato/prose/v2"
)

// maxNameWords bounds a span of capitalised words read as a name; longer
// ones are headings or title case, not names.
const maxNameWords = 6

// staffHit is a staff member named in the message.
type staffHit struct {
	name        string // StaffName.Name
	sent        int32
	first, last int32 // words
}

// staffMentions finds staff names, their first names, aliases and
// surnames after a title ("Ms. Grant") in the subject and body; in a
// transcript, a first name misheard by one letter ("dereck") too.
// Where the text has capitals, a name must be capitalised ("Will", not
// "will"); transcripts have none, so any case matches there.
func (a *Analyzer) staffMentions(d *doc) []staffHit {
	if len(d.in.Staff) == 0 {
		return nil
	}
	type alias struct {
		name  string
		words []string
	}
	byFirst := map[string][]alias{}
	surnames := map[string]string{} // last name -> staff name, matched after a title
	var firsts [][2]string          // first name, staff name: for misheard names in transcripts
	for _, st := range d.in.Staff {
		if f := splitWords(st.Name, a.normalize); len(f) > 1 {
			surnames[f[len(f)-1]] = st.Name
			firsts = append(firsts, [2]string{f[0], st.Name})
		}
		names := append([]string{st.Name}, st.Aliases...)
		if f := strings.Fields(st.Name); len(f) > 1 {
			// A first name alone names the staff member too ("I spoke to
			// Dana", with Dana Reyes in the directory).
			names = append(names, f[0])
		}
		for _, n := range names {
			w := splitWords(n, a.normalize)
			if len(w) == 0 || len(w) > 8 {
				continue
			}
			byFirst[w[0]] = append(byFirst[w[0]], alias{name: st.Name, words: w})
		}
	}
	var out []staffHit
	for si := range d.sents {
		s := &d.sents[si]
		if s.region == regionQuoted || s.region == regionForwarded {
			continue
		}
		for w := s.wFirst; w < s.wEnd; w++ {
			bestLen := 0
			var best alias
			for _, al := range byFirst[d.norms[w]] {
				n := int32(len(al.words))
				if n <= int32(bestLen) || w+n > s.wEnd {
					continue
				}
				ok := d.transcript || d.wordTok(w).title
				for k := int32(1); ok && k < n; k++ {
					ok = d.norms[w+k] == al.words[k]
				}
				if ok {
					best, bestLen = al, int(n)
				}
			}
			if bestLen == 0 && w > s.wFirst && a.titles.has(d.norms[w-1]) && (d.transcript || d.wordTok(w).title) {
				// "Ms. Grant", "Herr Brandt", "Officer Pruitt".
				if name, ok := surnames[d.norms[w]]; ok {
					best, bestLen = alias{name: name}, 1
				}
			}
			if bestLen == 0 && d.transcript && len(d.norms[w]) >= 4 {
				// A transcript spells a name as it heard it ("dereck").
				for _, fn := range firsts {
					if len(fn[0]) >= 4 && editDistance1(d.norms[w], fn[0]) {
						best, bestLen = alias{name: fn[1]}, 1
						break
					}
				}
			}
			if bestLen > 0 {
				out = append(out, staffHit{name: best.name, sent: int32(si), first: w, last: w + int32(bestLen) - 1})
				w += int32(bestLen) - 1
			}
		}
	}
	return out
}

// staffComplaints returns the staff the message complains about (POLICY
// P4): named in a sentence that is negative, carries a complaint cue
// ("rude", "took over") or an anger or problem marker.
func (a *Analyzer) staffComplaints(d *doc, hits []match, sv []float64, staff []staffHit) []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range staff {
		if seen[h.name] || d.sents[h.sent].region != regionBody {
			continue
		}
		bad := sv[h.sent] <= -0.05
		for i := range hits {
			m := &hits[i]
			if m.sent != h.sent {
				continue
			}
			switch {
			case m.p.sec == secStaffCue:
				bad = true
			case m.p.sec == secTone && m.p.weight < 0 && m.p.kind != "problem":
				bad = true
			}
		}
		if bad {
			seen[h.name] = true
			out = append(out, h.name)
		}
	}
	return out
}

// entities adds people and organisations: staff named in the message,
// then what prose's entity extractor finds in the few spans of
// capitalised words that are not at the start of a sentence.
func (a *Analyzer) entities(d *doc, staff []staffHit, f *Facts) {
	seen := map[string]bool{}
	add := func(list *[]string, v string) {
		v = strings.TrimSpace(v)
		if v == "" || seen[strings.ToLower(v)] {
			return
		}
		seen[strings.ToLower(v)] = true
		*list = append(*list, v)
	}
	for _, h := range staff {
		add(&f.People, h.name)
	}
	inStaff := func(w int32) bool {
		for _, h := range staff {
			if w >= h.first && w <= h.last {
				return true
			}
		}
		return false
	}
	budget := a.cfg.Facts.MaxEntitySpans
	done := map[string]bool{}
	signatureName := false
	for si := range d.sents {
		s := &d.sents[si]
		if s.region == regionQuoted || s.field != fieldText || d.transcript {
			continue
		}
		for w := s.wFirst; w < s.wEnd && budget > 0; w++ {
			first := w
			for w < s.wEnd && a.nameWord(d, w) && !inStaff(w) {
				w++
			}
			last := w - 1
			for first <= last && a.notNames.has(d.norms[first]) {
				first++
			}
			if first > last || (first == s.wFirst && first == last) || last-first >= maxNameWords {
				continue
			}
			span := d.text[d.wordTok(first).start:d.wordTok(last).end]
			if done[strings.ToLower(span)] {
				continue
			}
			done[strings.ToLower(span)] = true
			switch {
			case last > first && a.orgSuffixes.has(d.norms[last]):
				// "Doyle & Daughters Gifts", "Acme Widgets Inc": no model needed.
				add(&f.Organizations, span)
			case s.region == regionSignature && !signatureName && first == s.wFirst && last == s.wEnd-1 && last > first:
				// The first line of a signature that is only a name.
				signatureName = true
				add(&f.People, span)
			case budget > 0:
				budget--
				a.classify(d, s, first, last, add, f)
			}
		}
	}
}

// nameWord reports whether word w can be part of a name.
func (a *Analyzer) nameWord(d *doc, w int32) bool {
	t := d.wordTok(w)
	return t.title && !t.upper && !t.digit && len(t.norm) > 1
}

// classify runs the entity extractor on words [first, last] and one word
// either side.
func (a *Analyzer) classify(d *doc, s *sentence, first, last int32, add func(*[]string, string), f *Facts) {
	lo, hi := max(first-1, s.wFirst), min(last+1, s.wEnd-1)
	start, end := d.wordTok(lo).start, d.wordTok(hi).end
	spanText := d.text[d.wordTok(first).start:d.wordTok(last).end]
	for _, e := range a.extract(d.text[start:end]) {
		if !strings.Contains(spanText, e.Text) && !strings.Contains(e.Text, spanText) {
			continue
		}
		switch e.Label {
		case "PERSON":
			add(&f.People, e.Text)
		case "ORGANIZATION":
			add(&f.Organizations, e.Text)
		}
	}
}

// extract runs prose's tokenizer and tagger, with the model New loaded,
// on a short text, then prose's entity model (see nerModel); nothing if
// prose fails.
func (a *Analyzer) extract(text string) (ents []nerEntity) {
	defer func() {
		if recover() != nil {
			ents = nil
		}
	}()
	doc, err := prose.NewDocument(text, prose.UsingModel(a.prose), prose.WithSegmentation(false), prose.WithExtraction(false))
	if err != nil {
		return nil
	}
	return a.ner.entities(doc.Tokens())
}

// editDistance1 reports whether a and b differ by at most one inserted,
// deleted or replaced byte (names in transcripts: "dereck", "derek").
func editDistance1(a, b string) bool {
	if a == b {
		return true
	}
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && a[i] == b[i] {
		i++
	}
	if len(a) == len(b) {
		return a[i+1:] == b[i+1:]
	}
	return a[i:] == b[i+1:]
}
