package nlp

import (
	"math"
	"slices"
	"strconv"
	"time"
)

// levelRank orders levels from most urgent.
var levelRank = map[Level]int{LevelCritical: 0, LevelHigh: 1, LevelNormal: 2, LevelLow: 3}

// urgency adds up the points of every signal, caps each kind, and maps
// 1-exp(-points) to a level. Tone adds points; it never removes any.
func (a *Analyzer) urgency(d *doc, hits []match, dates []dateExpr, as Assessment, lang langResult) Urgency {
	cfg := &a.cfg.Urgency
	var u Urgency
	kinds := map[string]float64{}
	points := 0.0
	allowed := func(kind string) bool { return true }
	scale := 1.0
	if !as.IsComplaint {
		// Questions may be pressing; praise and notices are not.
		scale = cfg.NonComplaint.Scale
		if p := as.Category.Primary; p == CategoryPraise || p == CategoryNotAComplaint {
			scale = 0
		}
		allowed = func(kind string) bool { return slices.Contains(cfg.NonComplaint.Kinds, kind) }
	}
	add := func(kind string, e Evidence) {
		if !allowed(kind) || scale == 0 {
			return
		}
		w := e.Weight * scale
		if lim, ok := cfg.KindCaps[kind]; ok && w > 0 {
			w = math.Min(w, lim-kinds[kind])
			if w <= 0 {
				return
			}
		}
		kinds[kind] += w
		points += w
		e.Weight = round3(w)
		u.Evidence = append(u.Evidence, e)
	}

	for i := range hits {
		m := &hits[i]
		if m.p.sec == secUrgency && m.counts(d) {
			add(m.p.kind, d.evidence(m.p.kind, m.first, m.last, m.p.weight))
		}
	}

	// The nearest deadline counts, weighed by the hours left; it is
	// imminent when it names an hour within the first window ("by 5 PM
	// today", "within the hour"), not just a day.
	best, bestW := -1, 0.0
	for i := range dates {
		e := &dates[i]
		if !a.isDeadline(d, hits, e) {
			continue
		}
		w := cfg.Deadlines.Unresolved
		if !e.at.IsZero() {
			w = a.deadlineWeight(e.at.Sub(d.in.Date))
			if u.Deadline.IsZero() || e.at.Before(u.Deadline) {
				u.Deadline = e.at
			}
		}
		if best < 0 || w > bestW {
			best, bestW = i, w
		}
	}
	if best >= 0 && bestW > 0 {
		e := &dates[best]
		kind := "deadline"
		if w := cfg.Deadlines.Windows; e.precise && !e.at.IsZero() && e.at.Sub(d.in.Date).Hours() <= w[0].Hours {
			kind = "imminent_deadline"
		}
		ev := d.evidence(kind, e.first, e.last, bestW)
		if !e.at.IsZero() {
			ev.Phrase += " (" + e.at.Format("Mon 2006-01-02 15:04") + ")"
		}
		add(kind, ev)
	}

	if n := d.in.RecentContacts; n > 0 {
		add("recent_contacts", ruleEvidence("recent_contacts", strconv.Itoa(n)+" recent contacts",
			math.Min(cfg.RecentContacts.Per*float64(n), cfg.RecentContacts.Max)))
	}
	if n := d.in.CopiedExecutives; n > 0 {
		add("escalation", ruleEvidence("copied_executives", strconv.Itoa(n)+" executives copied",
			math.Min(cfg.CopiedExecutives.Per*float64(n), cfg.CopiedExecutives.Max)))
	}
	if w := cfg.Tone[string(as.Tone.Label)]; w > 0 {
		add("tone", ruleEvidence("tone", string(as.Tone.Label), w))
	}

	points = math.Max(points, 0)
	u.Score = round3(1 - math.Exp(-points))
	u.Level = a.level(u.Score)
	if u.Level == LevelCritical && !a.anyCritical(kinds) {
		u.Level = LevelHigh
		u.Evidence = append(u.Evidence, ruleEvidence("not_critical", "no outage, safety, imminent deadline or threat with a deadline: at most high", 0))
	}
	floor := func(l Level, why string) {
		if levelRank[l] < levelRank[u.Level] {
			u.Level = l
			u.Evidence = append(u.Evidence, ruleEvidence("floor", why+": at least "+string(l), 0))
		}
	}
	if as.IsComplaint && kinds["calm"] == 0 {
		floor(cfg.ComplaintFloor, "complaint")
	}
	if !lang.English {
		floor(cfg.NonEnglishFloor, "not in English ("+lang.Code+")")
	}
	return u
}

// level maps a score to a level.
func (a *Analyzer) level(score float64) Level {
	l := &a.cfg.Urgency.Levels
	switch {
	case score >= l.Critical:
		return LevelCritical
	case score >= l.High:
		return LevelHigh
	case score >= l.Normal:
		return LevelNormal
	}
	return LevelLow
}

// deadlineWeight weighs a deadline by the time left; one already passed
// weighs as the nearest window.
func (a *Analyzer) deadlineWeight(left time.Duration) float64 {
	hours := left.Hours()
	for _, w := range a.cfg.Urgency.Deadlines.Windows {
		if hours <= w.Hours {
			return w.Weight
		}
	}
	return 0
}

// pastMarkerReach is how many words before a date a past marker reaches
// ("was supposed to arrive by Monday").
const pastMarkerReach = 4

// isDeadline reports whether a date in the body is a deadline: a trigger
// stands right before it ("by", "no later than"), or a soft trigger
// ("need", "must") earlier in its sentence, and no past marker stands
// just before it.
func (a *Analyzer) isDeadline(d *doc, hits []match, e *dateExpr) bool {
	if r := d.sents[e.sent].region; e.past || (r != regionBody && r != regionForwarded) {
		return false
	}
	trig := e.deadline
	for i := range hits {
		m := &hits[i]
		if m.sent != e.sent || m.first > e.first {
			continue
		}
		switch m.p.sec {
		case secPastMarker:
			if e.first-m.last <= pastMarkerReach {
				return false
			}
		case secTrigger:
			trig = trig || (m.last < e.first && e.first-m.last <= 2)
		case secSoftTrigger:
			trig = true
		}
	}
	return trig
}

// anyCritical reports whether one of the critical kinds added points.
func (a *Analyzer) anyCritical(kinds map[string]float64) bool {
	for _, k := range a.cfg.Urgency.CriticalKinds {
		if kinds[k] > 0 {
			return true
		}
	}
	if kinds["deadline"] > 0 || kinds["imminent_deadline"] > 0 {
		for _, k := range a.cfg.Urgency.CriticalWithDeadline {
			if kinds[k] > 0 {
				return true
			}
		}
	}
	return false
}
