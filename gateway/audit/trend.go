package audit

import "time"

const week = 7 * 24 * time.Hour

// weekStart returns the Monday 00:00 UTC that starts t's ISO week.
func weekStart(t time.Time) time.Time {
	t = t.UTC()
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	y, m, d := t.Date()
	return time.Date(y, m, d-back, 0, 0, 0, 0, time.UTC)
}

// weekEntry is what the weekly trend needs of a case.
type weekEntry struct {
	opened time.Time
	call   verdict
}

// weekly counts the cases per ISO week of the period and how many were
// called by their due time. An open side of the period is closed by the
// earliest or latest case; a period longer than MaxWeeks keeps its last
// MaxWeeks weeks.
func weekly(fs []weekEntry, p Params) []Week {
	start, end := p.From, p.To // [start, end)
	if start.IsZero() || end.IsZero() {
		if len(fs) == 0 {
			return nil
		}
		first, last := fs[0].opened, fs[0].opened
		for _, f := range fs[1:] {
			if o := f.opened; o.Before(first) {
				first = o
			} else if o.After(last) {
				last = o
			}
		}
		if start.IsZero() {
			start = first
		}
		if end.IsZero() {
			end = last.Add(time.Nanosecond)
		}
	}
	if !start.Before(end) {
		return nil
	}
	first, last := weekStart(start), weekStart(end.Add(-time.Nanosecond))
	n := int64(last.Sub(first)/week) + 1 // Sub saturates: a huge span only hits the cap
	if n > MaxWeeks || n < 1 {
		n = MaxWeeks
		first = last.AddDate(0, 0, -7*(MaxWeeks-1))
	}
	ws := make([]Week, n)
	for i := range ws {
		ws[i].Start = first.AddDate(0, 0, 7*i)
	}
	for _, f := range fs {
		s := weekStart(f.opened)
		if s.Before(first) || s.After(last) {
			continue
		}
		i := int(s.Sub(first) / week)
		if i < 0 || i >= len(ws) {
			continue
		}
		ws[i].Cases++
		switch f.call {
		case met:
			ws[i].CallMet++
		case missed:
			ws[i].CallMissed++
		}
	}
	for i := range ws {
		ws[i].CallMetPct = pct(ws[i].CallMet, ws[i].CallMissed)
	}
	return ws
}

// histogram is the distribution of time to first call: five bounded
// buckets, an open one, and the cases with no call yet.
type histogram struct{ buckets []Bucket }

// bounded is the number of buckets with an upper bound.
const bounded = 5

func newHistogram() histogram {
	return histogram{buckets: []Bucket{
		{Label: "≤15m", Upper: 15 * time.Minute},
		{Label: "≤1h", Upper: time.Hour},
		{Label: "≤4h", Upper: 4 * time.Hour},
		{Label: "≤1d", Upper: 24 * time.Hour},
		{Label: "≤3d", Upper: 72 * time.Hour},
		{Label: ">3d"},
		{Label: "no call yet"},
	}}
}

func (h histogram) add(m milestone) {
	if !m.reached() {
		h.buckets[bounded+1].Count++
		return
	}
	for i := range bounded {
		if m.d <= h.buckets[i].Upper {
			h.buckets[i].Count++
			return
		}
	}
	h.buckets[bounded].Count++
}
