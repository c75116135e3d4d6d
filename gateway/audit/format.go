package audit

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// none stands for a value that does not exist (no cases, nothing to judge).
const none = "—"

// FormatDuration writes a duration the way the audit shows it to people,
// rounded down to its two largest units: 45s, 14m, 3h, 3h05m, 2d, 2d4h.
// Negative durations read as 0s.
func FormatDuration(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(d, 0)/time.Second)
	case d < time.Hour:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d < day:
		h, m := d/time.Hour, d%time.Hour/time.Minute
		if m == 0 {
			return fmt.Sprintf("%dh", h)
		}
		return fmt.Sprintf("%dh%02dm", h, m)
	}
	days, h := d/day, d%day/time.Hour
	if h == 0 {
		return fmt.Sprintf("%dd", days)
	}
	return fmt.Sprintf("%dd%dh", days, h)
}

// formatPct writes a percentage with one decimal, or "—" for -1.
func formatPct(p float64) string {
	if p < 0 {
		return none
	}
	return fmt.Sprintf("%.1f%%", p)
}

// formatSpread writes a Stat's median, P90 and maximum, or "—" when no case
// reached the milestone.
func formatSpread(s Stat) string {
	if s.Count == 0 {
		return none
	}
	return FormatDuration(s.Median) + " / " + FormatDuration(s.P90) + " / " + FormatDuration(s.Max)
}

// formatMet writes how many were judged met, e.g. "83.3% (5/6)", with the
// pending cases when there are some.
func formatMet(s Stat) string {
	out := none
	if s.MetPct >= 0 {
		out = fmt.Sprintf("%s (%d/%d)", formatPct(s.MetPct), s.Met, s.Met+s.Missed)
	}
	if s.Pending > 0 {
		out += fmt.Sprintf(", %d pending", s.Pending)
	}
	return out
}

// plain makes text safe for a terminal table: control characters (tabs
// would break the columns, escapes would drive the terminal) become spaces.
func plain(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
}

// cell makes text safe for a spreadsheet: a value that starts like a
// formula (=, +, -, @, tab, carriage return) is prefixed with a quote so
// that no spreadsheet runs it (OWASP "CSV injection").
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// groupLabel names a group in the outputs.
func groupLabel(g Group) string {
	if g.Key == "" {
		return "all cases"
	}
	return g.Key
}
