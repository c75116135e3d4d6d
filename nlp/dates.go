package nlp

import (
	"strconv"
	"strings"
	"time"
)

// monthDay reads "march 5", "mar 5th", "march 5, 2026" at w (month m).
func (p *dateParser) monthDay(e dateExpr, w int32, m time.Month) (dateExpr, bool) {
	day, ok := ordinal(p.word(w + 1))
	if !ok {
		return e, false
	}
	e.last = w + 1
	year := 0
	if y, err := strconv.Atoi(p.word(w + 2)); err == nil && y >= 2000 && y < 2100 {
		year, e.last = y, w+2
	}
	return p.withTime(p.calendar(e, year, m, day)), true
}

// numeric reads "5 march", "5th of march", "3/15", "2026-03-15", "5pm",
// "17:00" at w.
func (p *dateParser) numeric(e dateExpr, w int32) (dateExpr, bool) {
	wd := p.word(w)
	if wd == "" || wd[0] < '0' || wd[0] > '9' {
		return e, false
	}
	if day, ok := ordinal(wd); ok {
		n := w + 1
		if p.word(n) == "of" {
			n++
		}
		if m, ok := months[p.word(n)]; ok && p.word(n) != "may" || p.word(n) == "may" && n == w+2 {
			e.last = n
			return p.withTime(p.calendar(e, 0, m, day)), true
		}
	}
	if y, m, dd, ok := slashDate(wd); ok {
		e.last = w
		return p.withTime(p.calendar(e, y, m, dd)), true
	}
	if hr, mn, n, ok := p.clock(w); ok {
		e.at, e.last, e.precise = p.later(p.atTime(p.day(0, 0), hr, mn)), n, true
		// "10 PM tonight", "9 am tomorrow".
		switch p.word(n + 1) {
		case "today", "tonight":
			e.at, e.last = p.atTime(p.day(0, 0), hr, mn), n+1
		case "tomorrow":
			e.at, e.last = p.atTime(p.day(1, 0), hr, mn), n+1
		}
		return e, true
	}
	return e, false
}

// calendar resolves a day of a month; a year-less date before the
// message is in the past.
func (p *dateParser) calendar(e dateExpr, year int, m time.Month, day int) dateExpr {
	t := p.d.in.Date
	if t.IsZero() {
		return e
	}
	if year == 0 {
		year = t.Year()
	}
	e.at = time.Date(year, m, day, p.a.cfg.Urgency.Deadlines.Hours.EndOfDay, 0, 0, 0, t.Location())
	if e.at.Month() != m {
		e.at = time.Time{}
		return e
	}
	e.past = e.at.Before(p.day(0, 0))
	return e
}

// withTime reads an optional time of day after a date ("at 3pm").
func (p *dateParser) withTime(e dateExpr) dateExpr {
	n := e.last + 1
	if p.word(n) == "at" || p.word(n) == "by" || p.word(n) == "before" {
		n++
	}
	if p.word(n) == "noon" || p.word(n) == "midday" {
		if !e.at.IsZero() {
			e.at = p.atTime(e.at, p.a.cfg.Urgency.Deadlines.Hours.Noon, 0)
		}
		e.last, e.precise = n, true
		return e
	}
	if hr, mn, last, ok := p.clock(n); ok {
		if !e.at.IsZero() {
			e.at = p.atTime(e.at, hr, mn)
		}
		e.last, e.precise = last, true
	}
	return e
}

func (p *dateParser) atTime(t time.Time, hr, mn int) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), hr, mn, 0, 0, t.Location())
}

// clock reads "5pm", "5 pm", "5:30pm", "17:00" at w; it returns the hour,
// minute and last word.
func (p *dateParser) clock(w int32) (hr, mn int, last int32, ok bool) {
	wd := p.word(w)
	suffix := ""
	for _, s := range []string{"am", "pm"} {
		if strings.HasSuffix(wd, s) {
			wd, suffix = strings.TrimSuffix(wd, s), s
		}
	}
	last = w
	if suffix == "" && (p.word(w+1) == "am" || p.word(w+1) == "pm") {
		suffix, last = p.word(w+1), w+1
	}
	h, m, found := strings.Cut(wd, ":")
	hr, err := strconv.Atoi(h)
	if err != nil || hr < 0 || hr > 23 {
		return 0, 0, 0, false
	}
	if found {
		if mn, err = strconv.Atoi(m); err != nil || mn < 0 || mn > 59 || len(m) != 2 {
			return 0, 0, 0, false
		}
	} else if suffix == "" {
		return 0, 0, 0, false
	}
	switch {
	case suffix != "" && (hr == 0 || hr > 12):
		return 0, 0, 0, false
	case suffix == "pm" && hr < 12:
		hr += 12
	case suffix == "am" && hr == 12:
		hr = 0
	}
	return hr, mn, last, true
}

// ordinal reads "5", "5th", "21st" as a day of the month.
func ordinal(w string) (int, bool) {
	for _, s := range []string{"st", "nd", "rd", "th"} {
		w = strings.TrimSuffix(w, s)
	}
	d, err := strconv.Atoi(w)
	return d, err == nil && d >= 1 && d <= 31
}

// slashDate reads "2026-03-15", "3/15" and "3/15/2026" (month first,
// unless the first number cannot be a month).
func slashDate(w string) (y int, m time.Month, d int, ok bool) {
	if parts := strings.Split(w, "-"); len(parts) == 3 && len(parts[0]) == 4 {
		yy, e1 := strconv.Atoi(parts[0])
		mm, e2 := strconv.Atoi(parts[1])
		dd, e3 := strconv.Atoi(parts[2])
		if e1 == nil && e2 == nil && e3 == nil && mm >= 1 && mm <= 12 && dd >= 1 && dd <= 31 {
			return yy, time.Month(mm), dd, true
		}
		return 0, 0, 0, false
	}
	parts := strings.Split(w, "/")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, 0, 0, false
	}
	a, e1 := strconv.Atoi(parts[0])
	b, e2 := strconv.Atoi(parts[1])
	if e1 != nil || e2 != nil {
		return 0, 0, 0, false
	}
	if len(parts) == 3 {
		yy, err := strconv.Atoi(parts[2])
		if err != nil {
			return 0, 0, 0, false
		}
		if yy < 100 {
			yy += 2000
		}
		y = yy
	}
	if a > 12 {
		a, b = b, a
	}
	if a < 1 || a > 12 || b < 1 || b > 31 {
		return 0, 0, 0, false
	}
	return y, time.Month(a), b, true
}
