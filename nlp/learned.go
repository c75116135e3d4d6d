package nlp

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// parsed is a message read as far as the rules and the learned layer
// share: sentences, language, phrase hits, dates, sentence sentiment and
// staff named.
type parsed struct {
	d         *doc
	lang      langResult
	hits      []match
	dates     []dateExpr
	sv        []float64
	staff     []staffHit
	truncated bool
}

func (a *Analyzer) parts(in Input) *parsed {
	p := &parsed{truncated: len(in.Text) > MaxTextBytes || len(in.Subject) > maxSubjectBytes}
	in.Text = truncate(in.Text, MaxTextBytes)
	in.Subject = truncate(in.Subject, maxSubjectBytes)
	p.d = a.prepare(&in)
	p.lang = a.language(p.d)
	p.hits = a.scan(p.d, p.lang.Code)
	p.dates = a.findDates(p.d)
	p.sv = a.sentenceSentiment(p.d, p.lang)
	p.staff = a.staffMentions(p.d)
	return p
}

// staffCand is one staff member named in a message, with the features of
// what is said around the name.
type staffCand struct {
	name string
	fs   []feat
}

// staffCandidates builds, for every staff member named in what the sender
// wrote now, the features of the sentences naming them and of the next
// sentences that go on about them through a pronoun ("I spoke to Dana on
// Monday. She hung up on me.").
func (a *Analyzer) staffCandidates(p *parsed) []staffCand {
	d := p.d
	var out []staffCand
	named := map[int32][]string{} // sentence -> staff named in it
	for _, h := range p.staff {
		named[h.sent] = append(named[h.sent], h.name)
	}
	for _, h := range p.staff {
		if d.sents[h.sent].region != regionBody || slices.ContainsFunc(out, func(c staffCand) bool { return c.name == h.name }) {
			continue
		}
		var fs []feat
		text := func(prefix string, si int32) {
			s := &d.sents[si]
			prev := int32(-1)
			for w := s.wFirst; w < s.wEnd; w++ {
				fs = append(fs, feat{h: bucket(hashAdd(hashAdd(fnvOffset, prefix+"w:"), d.norms[w])), v: 1, kind: featWord, w0: w, w1: w})
				if prev >= 0 {
					hh := hashAdd(hashAdd(hashAdd(hashAdd(fnvOffset, prefix+"b:"), d.norms[prev]), " "), d.norms[w])
					fs = append(fs, feat{h: bucket(hh), v: 1, kind: featBigram, w0: prev, w1: w})
				}
				prev = w
			}
		}
		ctx := map[int32]bool{}
		mentions := 0
		greeting := false
		for _, m := range p.staff {
			if m.name != h.name || d.sents[m.sent].region != regionBody {
				continue
			}
			mentions++
			s := &d.sents[m.sent]
			if m.first-s.wFirst <= 1 && s.wEnd-s.wFirst <= 4 {
				greeting = true // "Hi Tom," on its own
			}
			for w := max(s.wFirst, m.first-4); w < min(s.wEnd, m.last+5); w++ {
				if w < m.first || w > m.last {
					fs = append(fs, feat{h: bucket(hashAdd(hashAdd(fnvOffset, "sn:"), d.norms[w])), v: 1, kind: featWord, w0: w, w1: w})
				}
			}
			if !ctx[m.sent] {
				ctx[m.sent] = true
				text("s", m.sent)
			}
			// The next sentences, while they go on through a pronoun and
			// name nobody else.
			for next := m.sent + 1; next < int32(len(d.sents)) && next <= m.sent+3; next++ {
				ns := &d.sents[next]
				if ns.region != regionBody || !a.hasPronoun(d, ns) || slices.ContainsFunc(named[next], func(n string) bool { return n != h.name }) {
					break
				}
				if !ctx[next] {
					ctx[next] = true
					text("sp", next)
				}
			}
		}
		if len(fs) > 0 {
			scale := float32(1 / math.Sqrt(float64(len(fs))))
			for i := range fs {
				fs[i].v = scale
			}
		}
		add := func(name string, v float64) {
			if v != 0 {
				fs = append(fs, feat{h: bucket(hashAdd(hashAdd(fnvOffset, "sr:"), name)), v: float32(v), kind: featRule, w0: int32(len(d.signals))})
				d.signals = append(d.signals, name)
			}
		}
		cues, negMarkers, praise := 0, 0, 0
		minS := 0.0
		for i := range p.hits {
			m := &p.hits[i]
			if !ctx[m.sent] {
				continue
			}
			switch {
			case m.p.sec == secStaffCue:
				cues++
			case m.p.sec == secTone && m.p.weight < 0:
				negMarkers++
			case m.p.sec == secTone && m.p.weight > 0:
				praise++
			}
		}
		for si := range ctx {
			minS = math.Min(minS, p.sv[si])
		}
		add("staff complaint cues near the name", math.Log1p(float64(cues)))
		add("negative tone markers near the name", math.Log1p(float64(negMarkers)))
		add("positive tone markers near the name", math.Log1p(float64(praise)))
		add("most negative sentence about them (VADER)", minS)
		add("named in a greeting", b2f(greeting))
		add("times named", math.Log1p(float64(mentions)))
		add("sentences about them", math.Log1p(float64(len(ctx))))
		add("language "+p.lang.Code, 1)
		out = append(out, staffCand{name: h.name, fs: fs})
	}
	return out
}

// hasPronoun reports whether sentence s holds a personal pronoun.
func (a *Analyzer) hasPronoun(d *doc, s *sentence) bool {
	for w := s.wFirst; w < s.wEnd; w++ {
		if a.pronouns.has(d.norms[w]) {
			return true
		}
	}
	return false
}

// applyModel replaces the rules' category, tone, urgency level and staff
// decisions with the learned heads', keeping the rules' evidence after
// the features that weighed most. Hard rules stay as overrides: an
// ongoing safety risk is critical.
func (a *Analyzer) applyModel(p *parsed, out *Assessment) {
	m := a.model
	d := p.d
	fs := a.featurize(d, p.hits, p.dates, p.sv, p.lang)
	const topN = 5

	// Category first; whether it is a complaint follows from it.
	cz, tz, uz := m.msgLogits(fs)
	cp := softmax(cz)
	c := argmax(cp)
	alt := runnerUp(cp, c)
	ruleCat := out.Category
	out.Category.Primary = allCategories[c]
	out.Category.All = out.Category.All[:0]
	order := make([]int, len(cp))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int {
		switch {
		case cp[x] > cp[y]:
			return -1
		case cp[x] < cp[y]:
			return 1
		}
		return 0
	})
	for _, i := range order {
		if i == c || cp[i] >= 0.15 {
			out.Category.All = append(out.Category.All, allCategories[i])
		}
	}
	ev := []Evidence{learnedSummary("category", cp, categoryClasses(), c, alt)}
	ev = append(ev, explain(d, fs, m.msg, msgWidth, c, alt, topN)...)
	out.Category.Evidence = append(ev, prefixed("rules", ruleCat.Evidence)...)
	if ruleCat.Primary != out.Category.Primary {
		out.Category.Evidence = append(out.Category.Evidence, ruleEvidence("rules: category", string(ruleCat.Primary), 0))
	}
	out.IsComplaint = out.Category.Primary.IsProblem()

	// Tone on its own: a complaint may be neutral.
	for i := range tz {
		tz[i] += m.ToneOffsets[i]
	}
	tp := softmax(tz)
	t := argmax(tp)
	sarcasm := toneClasses()[t] == string(TonePositive) && a.sarcastic(p)
	if sarcasm {
		// Sarcasm is read for what it means: never positive.
		tp[4] = 0
		t = argmax(tp)
	}
	talt := runnerUp(tp, t)
	ruleTone := out.Tone
	out.Tone.Label = ToneLabel(toneClasses()[t])
	out.Tone.Score = round3(-1*tp[0] - 0.7*tp[1] - 0.35*tp[2] + tp[4])
	ev = []Evidence{learnedSummary("tone", tp, toneClasses(), t, talt)}
	ev = append(ev, explain(d, fs, m.msg[10:], msgWidth, t, talt, topN)...)
	if sarcasm {
		ev = append(ev, ruleEvidence("override: sarcasm", "a sarcastic \"great\" or \"thanks\" is never positive", 0))
	}
	out.Tone.Evidence = append(ev, prefixed("rules", ruleTone.Evidence)...)

	// Urgency from what is said; the channel is a routing policy.
	up := softmax(uz)
	u := urgencyLevel(up, m.UrgentThreshold, m.CriticalShare)
	ualt := runnerUp(up, u)
	ruleUrg := out.Urgency
	out.Urgency.Level = Level(urgencyClasses()[u])
	out.Urgency.Score = round3(up[0] + 0.7*up[1] + 0.35*up[2])
	ev = []Evidence{learnedSummary("urgency", up, urgencyClasses(), u, ualt)}
	ev = append(ev, explain(d, fs, m.msg[15:], msgWidth, u, ualt, topN)...)
	if ruleUrg.Level == LevelCritical && out.Urgency.Level != LevelCritical && hasRule(ruleUrg.Evidence, "safety") {
		out.Urgency.Level = LevelCritical
		ev = append(ev, ruleEvidence("override: safety", "an ongoing safety risk is critical", 0))
	}
	if out.IsComplaint && out.Urgency.Level == LevelLow {
		out.Urgency.Level = LevelNormal
		ev = append(ev, ruleEvidence("override: complaint", "a real problem caused by the company is at least normal", 0))
	}
	if c := out.Category.Primary; c == CategoryNotAComplaint && levelRank[out.Urgency.Level] <= levelRank[LevelHigh] {
		// Mail that is not a customer's request is low by definition: an
		// urgent one is a request or a complaint the category head missed
		// ("Order 48213 has STILL not arrived, I want a call today!"), and
		// dropping it would leave a customer without a call.
		best := -1
		for i, p := range cp {
			if ac := allCategories[i]; ac != CategoryNotAComplaint && ac != CategoryPraise && (best < 0 || p > cp[best]) {
				best = i
			}
		}
		out.Category.Primary = allCategories[best]
		out.IsComplaint = out.Category.Primary.IsProblem()
		out.Category.Evidence = slices.Insert(out.Category.Evidence, 1, ruleEvidence("override: urgent", fmt.Sprintf("%s is never %s: the most likely request instead (%.2f)",
			c, out.Urgency.Level, cp[best]), 0))
	}
	out.Urgency.Evidence = append(ev, prefixed("rules", ruleUrg.Evidence)...)

	// Staff complained about, one decision per person named.
	out.StaffComplainedAbout = out.StaffComplainedAbout[:0]
	out.StaffEvidence = nil
	sh := m.Heads[HeadStaff]
	cands := a.staffCandidates(p)
	switch {
	case len(cands) == 0:
	case !staffOpen(out.Category.Primary):
		// Praise and mail that is not a customer's request name staff
		// without blaming them.
		out.StaffEvidence = append(out.StaffEvidence, ruleEvidence("rules: staff",
			string(out.Category.Primary)+": nobody is complained about", 0))
		cands = nil
	case out.Tone.Label == TonePositive:
		// Complaining about someone is dissatisfaction; a sarcastic thanks
		// is never positive (above).
		out.StaffEvidence = append(out.StaffEvidence, ruleEvidence("rules: staff",
			"positive tone: nobody is complained about", 0))
		cands = nil
	}
	for _, cand := range cands {
		sp := softmax(sh.logits(cand.fs, nil))
		yes := sp[1] >= m.StaffThreshold
		verdict := "not complained about"
		if yes {
			out.StaffComplainedAbout = append(out.StaffComplainedAbout, cand.name)
			verdict = "complained about"
		}
		out.StaffEvidence = append(out.StaffEvidence, ruleEvidence("learned: staff",
			fmt.Sprintf("%s: %s (p=%.2f, threshold %.2f)", cand.name, verdict, sp[1], m.StaffThreshold), sp[1]))
		cls, other := 1, 0
		if !yes {
			cls, other = 0, 1
		}
		out.StaffEvidence = append(out.StaffEvidence, explain(d, cand.fs, sh.w, 2, cls, other, 3)...)
	}
}

// learnedSummary is the first evidence of a learned decision: the chosen
// class's probability and the runner-up's.
func learnedSummary(head string, p []float64, classes []string, c, alt int) Evidence {
	return ruleEvidence("learned", fmt.Sprintf("%s head: %s %s, next %s %s", head, classes[c], strconv.FormatFloat(p[c], 'f', 2, 64),
		classes[alt], strconv.FormatFloat(p[alt], 'f', 2, 64)), p[c])
}

// prefixed marks evidence as the rules' (they fired; the learned layer
// weighed them with everything else).
func prefixed(prefix string, ev []Evidence) []Evidence {
	out := make([]Evidence, len(ev))
	for i, e := range ev {
		if !strings.HasPrefix(e.Rule, prefix+": ") {
			e.Rule = prefix + ": " + e.Rule
		}
		out[i] = e
	}
	return out
}

// hasRule reports whether a rule fired, as the rules or (prefixed) under
// a learned decision.
func hasRule(ev []Evidence, rule string) bool {
	return slices.ContainsFunc(ev, func(e Evidence) bool { return e.Rule == rule || e.Rule == "rules: "+rule })
}

// sarcastic reports whether a sarcasm marker ("great, another", "thanks
// a lot for nothing") fired in what the sender wrote now.
func (a *Analyzer) sarcastic(p *parsed) bool {
	for i := range p.hits {
		m := &p.hits[i]
		if m.p.sec == secTone && m.p.kind == "sarcasm" && m.region(p.d) == regionBody {
			return true
		}
	}
	return false
}

// staffOpen reports whether a message of category c can complain about a
// staff member: any but praise and mail that is not a customer's request
// (a complaint about someone's conduct alone may come with a question).
func staffOpen(c Category) bool { return c != CategoryPraise && c != CategoryNotAComplaint }
