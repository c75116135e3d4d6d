package mail

import "strings"

// unflow joins the soft line breaks of format=flowed text (RFC 3676):
// a line ending in a space continues on the next line at the same quote
// depth. Space-stuffing is undone; delsp drops the space at each join.
func unflow(s string, delsp bool) string {
	var out []string
	var cur strings.Builder
	depth, open := 0, false
	emit := func() {
		line := cur.String()
		if depth > 0 {
			line = strings.Repeat(">", depth) + " " + line
		}
		out = append(out, line)
		cur.Reset()
		open = false
	}
	for _, l := range strings.Split(s, "\n") {
		d := 0
		for d < len(l) && l[d] == '>' {
			d++
		}
		content := strings.TrimPrefix(l[d:], " ")
		if open && d != depth {
			emit()
		}
		depth = d
		flowed := strings.HasSuffix(content, " ") && content != "-- "
		if flowed && delsp {
			content = content[:len(content)-1]
		}
		cur.WriteString(content)
		if flowed {
			open = true
			continue
		}
		emit()
	}
	if open {
		emit()
	}
	return strings.Join(out, "\n")
}
