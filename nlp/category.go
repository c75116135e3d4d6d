package nlp

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
)

// problemCategories are the POLICY P6 kinds of problem, in tie-break order.
var problemCategories = []Category{
	CategoryMissedOrLateShipment, CategoryOverchargeOrBillingError, CategoryWrongItem,
	CategoryMissedOrBouncedPayment, CategoryReturnOrRefund, CategoryIncorrectDeliverable,
	CategoryServiceVisitGoneWrong,
}

// IsProblem reports whether c is one of the POLICY P6 problem categories.
func (c Category) IsProblem() bool {
	for _, p := range problemCategories {
		if c == p {
			return true
		}
	}
	return false
}

// catScores are the points of each category, with their evidence.
type catScores struct {
	points map[Category]float64
	ev     []Evidence
}

// categoryScores adds up each category's phrases, the subject and quoted
// history scaled, signatures ignored.
func (a *Analyzer) categoryScores(d *doc, hits []match) catScores {
	cfg := &a.cfg.Categories
	cs := catScores{points: map[Category]float64{}}
	for i := range hits {
		m := &hits[i]
		if m.p.sec != secCategory {
			continue
		}
		s := &d.sents[m.sent]
		w := m.p.weight
		switch {
		case s.region == regionSignature:
			continue
		case s.region == regionQuoted:
			w *= cfg.QuotedWeight
		case s.field == fieldSubject:
			w *= cfg.SubjectWeight
		}
		if w <= 0 {
			continue
		}
		cs.points[Category(m.p.kind)] += w
		cs.ev = append(cs.ev, d.evidence(m.p.kind, m.first, m.last, w))
	}
	return cs
}

// bestProblem is the problem category with the most points.
func (cs *catScores) bestProblem() (Category, float64) {
	best, score := Category(""), 0.0
	for _, c := range problemCategories {
		if s := cs.points[c]; s > score {
			best, score = c, s
		}
	}
	return best, score
}

// complaint weighs the evidence of a problem (markers, negative
// sentences, problem phrases) against praise, questions and notices, and
// returns the decision with its evidence.
func (a *Analyzer) complaint(d *doc, hits []match, td *toneDraft, cs *catScores, lang langResult) (bool, Evidence) {
	r := &a.cfg.Categories.Complaint
	signals := 0.0
	for i := range hits {
		if m := &hits[i]; m.p.sec == secUrgency && m.counts(d) && slices.Contains(r.SignalKinds, m.p.kind) {
			signals += m.p.weight
		}
	}
	signals = math.Min(signals*r.Signals, r.SignalMax)
	_, best := cs.bestProblem()
	markers := td.sums.problem + td.sums.anger + td.sums.frustration
	neg := math.Max(0, -td.base)
	cat := math.Min(best*r.ProblemCategory, r.CategoryMax)
	praise := cs.points[CategoryPraise]
	if td.sums.kinds["sarcasm"] != 0 {
		praise = 0 // "wonderful service, as usual" is not praise
	}
	against := r.Praise*praise + r.Notice*cs.points[CategoryNotAComplaint] +
		r.Question*cs.points[CategoryGeneralQuestion] + r.PositiveSentiment*math.Max(0, td.base)
	score := r.Markers*markers + r.NegativeSentiment*neg + cat - against +
		r.Forwarded*td.forwarded + r.Channels[string(d.in.Channel)] + signals
	yes := score >= r.Threshold
	if !lang.English {
		// Conservative: without English lexicons, a message is a complaint
		// unless its cues clearly say praise, a question or a notice.
		yes = markers > 0 || against == 0
	}
	why := fmt.Sprintf("markers %.2f, negative sentences %.2f, problem phrases %.2f, signals %.2f, against %.2f: %.2f vs %.2f",
		markers, neg, best, signals, against, score, r.Threshold)
	return yes, ruleEvidence("complaint", why, round3(score))
}

// category picks the primary category: for a complaint, the problem
// category with the most points; otherwise praise, a question or not a
// complaint.
func (a *Analyzer) category(d *doc, cs *catScores, complaint bool) CategoryResult {
	cfg := &a.cfg.Categories
	res := CategoryResult{All: []Category{}, Evidence: cs.ev}
	best, bestScore := cs.bestProblem()
	p := cs.points
	switch {
	case complaint && best != "":
		res.Primary = best
	case complaint:
		res.Primary = CategoryMissedOrLateShipment
		for _, c := range []Category{CategoryGeneralQuestion, CategoryNotAComplaint} {
			if p[c] > 0 {
				res.Primary = c
			}
		}
	case p[CategoryPraise] > 0 && p[CategoryPraise] >= p[CategoryGeneralQuestion]:
		res.Primary = CategoryPraise
	case p[CategoryNotAComplaint] > p[CategoryGeneralQuestion]:
		res.Primary = CategoryNotAComplaint
	case p[CategoryGeneralQuestion] > 0 || a.asks(d):
		res.Primary = CategoryGeneralQuestion
	case bestScore >= cfg.MinScore && p[CategoryNotAComplaint] == 0:
		res.Primary = best
	default:
		res.Primary = CategoryNotAComplaint
	}

	res.All = append(res.All, res.Primary)
	var others []Category
	for c, s := range p {
		if c != res.Primary && s >= cfg.MinScore && s >= cfg.SecondaryRatio*p[res.Primary] && c.IsProblem() == complaint {
			others = append(others, c)
		}
	}
	sort.Slice(others, func(i, j int) bool {
		if p[others[i]] != p[others[j]] {
			return p[others[i]] > p[others[j]]
		}
		return others[i] < others[j]
	})
	res.All = append(res.All, others...)
	return res
}

// asks reports whether the body asks something: a question mark, or (in
// a transcript) a sentence opening with a question word.
func (a *Analyzer) asks(d *doc) bool {
	for i := range d.sents {
		s := &d.sents[i]
		if s.region != regionBody {
			continue
		}
		if strings.ContainsRune(d.src(s.field)[s.start:s.end], '?') {
			return true
		}
		if d.transcript && s.wEnd > s.wFirst {
			switch d.norms[s.wFirst] {
			case "can", "could", "how", "what", "when", "where", "why", "is", "do", "does", "would", "will":
				return true
			}
		}
	}
	return false
}
