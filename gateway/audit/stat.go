package audit

import (
	"slices"
	"time"
)

// statAcc gathers one interval over a group's cases.
type statAcc struct {
	ds                   []time.Duration
	pending, met, missed int
}

func (a *statAcc) add(m milestone) {
	if m.reached() {
		a.ds = append(a.ds, m.d)
	} else {
		a.pending++
	}
	switch m.verdict {
	case met:
		a.met++
	case missed:
		a.missed++
	}
}

func (a *statAcc) stat() Stat {
	slices.Sort(a.ds)
	return Stat{
		Count:   len(a.ds),
		Pending: a.pending,
		Median:  percentile(a.ds, 50),
		P90:     percentile(a.ds, 90),
		Max:     percentile(a.ds, 100),
		Met:     a.met,
		Missed:  a.missed,
		MetPct:  pct(a.met, a.missed),
	}
}

// percentile is the nearest-rank p-th percentile (0 < p ≤ 100) of sorted
// durations: the value at rank ⌈p·n/100⌉, counting from 1. Zero when there
// are none.
func percentile(sorted []time.Duration, p int) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	rank := (p*n + 99) / 100
	return sorted[min(max(rank, 1), n)-1]
}

// pct is met/(met+missed)*100, or -1 when there is nothing to judge.
func pct(met, missed int) float64 {
	if met+missed <= 0 {
		return -1
	}
	return float64(met) / float64(met+missed) * 100
}

// groupAcc gathers one group.
type groupAcc struct {
	key                                  string
	owner                                int64 // the owner, when grouped by owner
	cases                                int
	notify, call, conversation, resolved statAcc
	lag                                  statAcc
	breaches, escalations, violations    int
	repeats                              int
	followUps, done, onTime              int
}

func (g *groupAcc) add(f caseFacts) {
	g.cases++
	g.notify.add(f.notify)
	g.call.add(f.call)
	g.conversation.add(f.conversation)
	g.resolved.add(f.resolution)
	g.lag.ds = append(g.lag.ds, f.ingestLag)
	if f.breached {
		g.breaches++
	}
	g.escalations += max(f.row.Escalations, 0)
	g.violations += max(f.row.Violations, 0)
	g.repeats += f.repeats
	if f.followUp {
		g.followUps++
	}
	if f.followUpDone {
		g.done++
	}
	if f.followUpOnTime {
		g.onTime++
	}
}

func (g *groupAcc) group() Group {
	return Group{
		Key:             g.key,
		Cases:           g.cases,
		Notify:          g.notify.stat(),
		FirstCall:       g.call.stat(),
		Conversation:    g.conversation.stat(),
		Resolution:      g.resolved.stat(),
		IngestLag:       g.lag.stat(),
		Breaches:        g.breaches,
		Escalations:     g.escalations,
		Violations:      g.violations,
		RepeatContacts:  g.repeats,
		FollowUps:       g.followUps,
		FollowUpsDone:   g.done,
		FollowUpsOnTime: g.onTime,
	}
}
