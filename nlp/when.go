package nlp

import (
	"strconv"
	"strings"
	"time"
)

// dateExpr is a date or time the message mentions.
type dateExpr struct {
	sent        int32
	first, last int32     // words [first, last]
	at          time.Time // resolved against Input.Date; zero if it has none
	past        bool      // refers to the past ("last Wednesday", "since Monday")
	precise     bool      // names a time of day or a span of hours, not just a day
	deadline    bool      // a trigger makes it a deadline ("by Friday")
}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "sun": time.Sunday, "monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday,
	"wednesday": time.Wednesday, "wed": time.Wednesday, "thursday": time.Thursday,
	"thu": time.Thursday, "thurs": time.Thursday, "friday": time.Friday, "fri": time.Friday,
	"saturday": time.Saturday, "sat": time.Saturday,
}

var months = map[string]time.Month{
	"january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
	"may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
	"sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}

var numberWords = map[string]int{
	"a": 1, "an": 1, "one": 1, "two": 2, "couple": 2, "three": 3, "four": 4, "five": 5, "six": 6,
	"seven": 7, "eight": 8, "nine": 9, "ten": 10, "twelve": 12, "fifteen": 15, "twenty": 20,
	"thirty": 30, "forty-eight": 48, "twenty-four": 24, "few": 3,
}

// findDates finds every date expression, resolves it against the
// message's date and marks those that are deadlines.
func (a *Analyzer) findDates(d *doc) []dateExpr {
	var out []dateExpr
	for si := range d.sents {
		s := &d.sents[si]
		for w := s.wFirst; w < s.wEnd; w++ {
			p := dateParser{d: d, a: a, end: s.wEnd}
			e, ok := p.parse(w)
			if !ok {
				continue
			}
			e.sent = int32(si)
			if prev := w - 1; prev >= s.wFirst {
				switch d.norms[prev] {
				case "since", "last", "from", "on":
					if d.norms[prev] != "on" || e.at.Before(d.in.Date) {
						e.past = e.past || d.norms[prev] != "on"
					}
				}
			}
			if e.last+1 < s.wEnd && d.norms[e.last+1] == "ago" {
				e.past = true
			}
			out = append(out, e)
			w = e.last
		}
	}
	return out
}

// dateParser reads one expression from the words of a sentence.
type dateParser struct {
	d   *doc
	a   *Analyzer
	end int32
}

func (p *dateParser) word(w int32) string {
	if w >= p.end || w < 0 {
		return ""
	}
	return p.d.norms[w]
}

// day is midnight of the message's day plus n days, at hour h.
func (p *dateParser) day(n, h int) time.Time {
	t := p.d.in.Date
	if t.IsZero() {
		return time.Time{}
	}
	return time.Date(t.Year(), t.Month(), t.Day()+n, h, 0, 0, 0, t.Location())
}

// parse tries to read a date expression starting at word w.
func (p *dateParser) parse(w int32) (dateExpr, bool) {
	h := &p.a.cfg.Urgency.Deadlines.Hours
	e := dateExpr{first: w, last: w}
	if p.word(w) == "the" && p.word(w+1) == "end" {
		w++
	}
	switch wd := p.word(w); wd {
	case "today":
		e.at = p.day(0, h.EndOfDay)
	case "tonight":
		e.at = p.day(0, h.Evening)
	case "yesterday":
		e.at, e.past = p.day(-1, h.EndOfDay), true
	case "tomorrow":
		e.at = p.day(1, h.EndOfDay)
		if hr, ok := p.dayPart(w + 1); ok {
			e.at, w, e.precise = p.day(1, hr), w+1, true
		}
	case "this":
		hr, ok := p.dayPart(w + 1)
		if !ok {
			return p.weekdayOrWeek(e, w+1, 0)
		}
		e.at, w, e.precise = p.day(0, hr), w+1, true
	case "next":
		if p.word(w+1) == "week" {
			e.at, w = p.day(8-int(p.weekday()), h.EndOfDay), w+1
			break
		}
		return p.weekdayOrWeek(e, w+1, 0)
	case "last":
		if _, ok := weekdays[p.word(w+1)]; ok {
			e, ok = p.weekdayOrWeek(e, w+1, -7)
			e.first, e.past = w, true
			return e, ok
		}
		return e, false
	case "eod", "cob", "eob":
		e.at = p.day(0, h.EndOfDay)
	case "eow":
		e.at = p.day(fridayDelta(p.weekday()), h.EndOfDay)
	case "end", "close":
		return p.endOf(e, w)
	case "noon", "midday":
		e.at, e.precise = p.later(p.day(0, h.Noon)), true
	case "within", "in":
		return p.relative(e, w)
	default:
		if _, ok := weekdays[wd]; ok {
			return p.weekdayOrWeek(e, w, 0)
		}
		if m, ok := months[wd]; ok {
			return p.monthDay(e, w, m)
		}
		return p.numeric(e, w)
	}
	e.last = w
	return p.withTime(e), true
}

func (p *dateParser) weekday() time.Weekday { return p.d.in.Date.Weekday() }

// dayPart reads "morning", "afternoon", "evening", "night" or "noon".
func (p *dateParser) dayPart(w int32) (int, bool) {
	h := &p.a.cfg.Urgency.Deadlines.Hours
	switch p.word(w) {
	case "morning", "am":
		return h.Morning, true
	case "noon", "lunchtime", "lunch":
		return h.Noon, true
	case "afternoon":
		return h.Afternoon, true
	case "evening", "night", "tonight":
		return h.Evening, true
	}
	return 0, false
}

// weekdayOrWeek reads "friday [morning]", "week" or "weekend" at w; shift
// moves past ("last friday") expressions back a week.
func (p *dateParser) weekdayOrWeek(e dateExpr, w int32, shift int) (dateExpr, bool) {
	h := &p.a.cfg.Urgency.Deadlines.Hours
	switch wd := p.word(w); wd {
	case "week":
		e.at = p.day(fridayDelta(p.weekday()), h.EndOfDay)
	case "weekend":
		e.at = p.day((int(time.Saturday)-int(p.weekday())+7)%7, h.Morning)
	default:
		target, ok := weekdays[wd]
		if !ok {
			return e, false
		}
		delta := (int(target) - int(p.weekday()) + 7) % 7
		if shift < 0 {
			delta = -((int(p.weekday()) - int(target) + 7) % 7)
			if delta == 0 {
				delta = -7
			}
		}
		hr := h.EndOfDay
		if part, ok := p.dayPart(w + 1); ok {
			hr, w, e.precise = part, w+1, true
		}
		e.at = p.day(delta, hr)
	}
	e.last = w
	return p.withTime(e), true
}

func fridayDelta(wd time.Weekday) int {
	return (int(time.Friday) - int(wd) + 7) % 7
}

// endOf reads "end of [the] day|week|month|business" and "close of business".
func (p *dateParser) endOf(e dateExpr, w int32) (dateExpr, bool) {
	if p.word(w+1) != "of" {
		return e, false
	}
	n := w + 2
	if p.word(n) == "the" {
		n++
	}
	h := &p.a.cfg.Urgency.Deadlines.Hours
	switch p.word(n) {
	case "day", "business", "today":
		e.at = p.day(0, h.EndOfDay)
		if p.word(n+1) == "day" {
			n++
		}
	case "week":
		e.at = p.day(fridayDelta(p.weekday()), h.EndOfDay)
	case "month":
		t := p.d.in.Date
		if !t.IsZero() {
			e.at = time.Date(t.Year(), t.Month()+1, 0, h.EndOfDay, 0, 0, 0, t.Location())
		}
	default:
		return e, false
	}
	e.last = n
	return e, true
}

// relative reads "within the hour", "in 2 hours", "within 24 hours".
func (p *dateParser) relative(e dateExpr, w int32) (dateExpr, bool) {
	n := w + 1
	for p.word(n) == "the" || p.word(n) == "next" {
		n++
	}
	count := 1
	if v, ok := numberWords[p.word(n)]; ok {
		count, n = v, n+1
	} else if v, err := strconv.Atoi(p.word(n)); err == nil && v > 0 && v < 1000 {
		count, n = v, n+1
	}
	if p.word(n) == "couple" {
		count, n = 2, n+1
	}
	if p.word(n) == "of" {
		n++
	}
	var unit time.Duration
	switch strings.TrimSuffix(p.word(n), "s") {
	case "minute", "min":
		unit = time.Minute
	case "hour", "hr":
		unit = time.Hour
	case "day":
		unit = 24 * time.Hour
	case "week":
		unit = 7 * 24 * time.Hour
	default:
		return e, false
	}
	if !p.d.in.Date.IsZero() {
		e.at = p.d.in.Date.Add(time.Duration(count) * unit)
	}
	e.deadline = p.word(w) == "within"
	e.precise = unit < 24*time.Hour
	e.last = n
	return e, true
}

// later moves a time of day that has passed to the next day.
func (p *dateParser) later(t time.Time) time.Time {
	if !t.IsZero() && t.Before(p.d.in.Date) {
		return t.AddDate(0, 0, 1)
	}
	return t
}
