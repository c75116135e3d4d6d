package reply

import "strings"

// TidyText trims trailing whitespace from lines, folds runs of blank lines
// into one and trims blank lines at both ends. It makes one pass and one
// allocation, whatever the number of lines.
func TidyText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	started, blank := false, false // a line was written; blank lines follow it
	for rest, more := s, true; more; {
		var line string
		line, rest, more = strings.Cut(rest, "\n")
		line = trimLineEnd(line)
		switch {
		case line == "":
			blank = started
		case !started:
			started = true
			b.WriteString(line)
		default:
			b.WriteByte('\n')
			if blank {
				b.WriteByte('\n')
				blank = false
			}
			b.WriteString(line)
		}
	}
	return b.String()
}

// trimLineEnd trims the spaces, tabs, no-break spaces, vertical tabs and
// form feeds that end line. Most lines end in none, and are returned at
// once: TrimRight with a non-ASCII cutset is slow.
func trimLineEnd(line string) string {
	if line == "" {
		return line
	}
	switch line[len(line)-1] {
	case ' ', '\t', '\v', '\f', 0xa0: // 0xa0 ends U+00A0 in UTF-8
		return strings.TrimRight(line, " \t\u00a0\v\f")
	}
	return line
}
