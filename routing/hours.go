package routing

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Hours are a person's weekly business hours in their time zone.
// The zero value means "always open".
type Hours struct {
	loc *time.Location
	// open[d] lists the day's windows as minutes since midnight.
	open [7][]window
	set  bool
}

type window struct{ from, to int } // minutes since midnight, from < to

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

// ParseHours reads business hours such as "Mon-Fri 09:00-17:00" or
// "Mon-Thu 08:00-12:00,13:00-17:00; Fri 08:00-14:00" in loc (nil means
// UTC). An empty spec means always open. Loading the time zone is the
// caller's business: it reads the zone database, and routing does no I/O.
func ParseHours(spec string, loc *time.Location) (Hours, error) {
	if loc == nil {
		loc = time.UTC
	}
	h := Hours{loc: loc}
	spec = strings.TrimSpace(spec)
	if spec == "" {
		return h, nil
	}
	for _, part := range strings.Split(spec, ";") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		days, times, ok := strings.Cut(part, " ")
		if !ok {
			return Hours{}, fmt.Errorf("hours %q: want \"Mon-Fri 09:00-17:00\"", part)
		}
		ds, err := parseDays(days)
		if err != nil {
			return Hours{}, fmt.Errorf("hours %q: %w", part, err)
		}
		for _, tr := range strings.Split(strings.TrimSpace(times), ",") {
			w, err := parseWindow(strings.TrimSpace(tr))
			if err != nil {
				return Hours{}, fmt.Errorf("hours %q: %w", part, err)
			}
			for _, d := range ds {
				h.open[d] = append(h.open[d], w)
			}
		}
		h.set = true
	}
	for d := range h.open {
		slices.SortFunc(h.open[d], func(a, b window) int { return a.from - b.from })
		if err := checkOverlap(h.open[d]); err != nil {
			return Hours{}, fmt.Errorf("hours %q: %s: %w", spec, time.Weekday(d), err)
		}
	}
	return h, nil
}

func parseDays(s string) ([]time.Weekday, error) {
	var out []time.Weekday
	for _, r := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(strings.ToLower(strings.TrimSpace(r)), "-")
		a, ok := dayNames[truncate3(from)]
		if !ok {
			return nil, fmt.Errorf("unknown day %q", from)
		}
		if !isRange {
			out = append(out, a)
			continue
		}
		b, ok := dayNames[truncate3(to)]
		if !ok {
			return nil, fmt.Errorf("unknown day %q", to)
		}
		for d := a; ; d = (d + 1) % 7 {
			out = append(out, d)
			if d == b {
				break
			}
		}
	}
	return out, nil
}

func truncate3(s string) string {
	if len(s) > 3 {
		return s[:3]
	}
	return s
}

func parseWindow(s string) (window, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return window{}, fmt.Errorf("time range %q: want HH:MM-HH:MM", s)
	}
	from, err := parseClock(a)
	if err != nil {
		return window{}, err
	}
	to, err := parseClock(b)
	if err != nil {
		return window{}, err
	}
	if to <= from {
		return window{}, fmt.Errorf("time range %q ends before it starts", s)
	}
	return window{from, to}, nil
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		if strings.TrimSpace(s) == "24:00" {
			return 24 * 60, nil
		}
		return 0, fmt.Errorf("time %q: want HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

func checkOverlap(ws []window) error {
	for i := range ws {
		for j := i + 1; j < len(ws); j++ {
			if ws[i].from < ws[j].to && ws[j].from < ws[i].to {
				return fmt.Errorf("windows overlap")
			}
		}
	}
	return nil
}

// Location returns the time zone of h.
func (h Hours) Location() *time.Location {
	if h.loc == nil {
		return time.UTC
	}
	return h.loc
}

// AlwaysOpen reports whether h has no windows (open around the clock).
func (h Hours) AlwaysOpen() bool { return !h.set }

// IsOpen reports whether t falls within business hours.
func (h Hours) IsOpen(t time.Time) bool {
	if !h.set {
		return true
	}
	lt := t.In(h.Location())
	m := lt.Hour()*60 + lt.Minute()
	for _, w := range h.open[lt.Weekday()] {
		if m >= w.from && m < w.to {
			return true
		}
	}
	return false
}

// Add returns the time at which d of business time has passed after start.
func (h Hours) Add(start time.Time, d time.Duration) time.Time {
	if !h.set {
		return start.Add(d)
	}
	t := start.In(h.Location())
	for day := 0; day < 400 && d > 0; day++ {
		midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
		for _, w := range h.open[t.Weekday()] {
			from := atMinute(midnight, w.from)
			to := atMinute(midnight, w.to)
			if !to.After(t) {
				continue
			}
			if from.After(t) {
				t = from
			}
			if left := to.Sub(t); d <= left {
				return t.Add(d)
			} else {
				d -= left
				t = to
			}
		}
		t = time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
	}
	return t
}

// NextClose returns the end of the business day after the one containing or
// following start: "next business day" in the SLA sense.
func (h Hours) NextClose(start time.Time) time.Time {
	if !h.set {
		return start.Add(24 * time.Hour)
	}
	t := start.In(h.Location())
	day := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
	for i := 0; i < 14; i++ {
		if ws := h.open[day.Weekday()]; len(ws) > 0 {
			return atMinute(day, ws[len(ws)-1].to)
		}
		day = time.Date(day.Year(), day.Month(), day.Day()+1, 0, 0, 0, 0, day.Location())
	}
	return start.Add(24 * time.Hour)
}

// atMinute returns midnight + m minutes, counted on the wall clock so that
// days with a DST change still open at the stated time.
func atMinute(midnight time.Time, m int) time.Time {
	return time.Date(midnight.Year(), midnight.Month(), midnight.Day(), m/60, m%60, 0, 0, midnight.Location())
}
