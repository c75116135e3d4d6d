package reply

import "strings"

// maxSignatureLines is the longest block after "-- " taken as a signature.
const maxSignatureLines = 20

// splitQuotes removes ">" quoted lines, with the attribution line above
// each quote block, and the signature; unquoted lines between quote blocks
// (inline replies) stay.
func splitQuotes(lines []string) Parts {
	var kept, quoted []string
	for i := 0; i < len(lines); {
		if !isQuoted(lines[i]) {
			kept = append(kept, lines[i])
			i++
			continue
		}
		j := i
		for j < len(lines) && (isQuoted(lines[j]) || strings.TrimSpace(lines[j]) == "") {
			j++
		}
		for j > i && strings.TrimSpace(lines[j-1]) == "" {
			j--
		}
		var attr []string
		kept, attr = cutAttribution(kept)
		quoted = append(quoted, attr...)
		quoted = append(quoted, lines[i:j]...)
		quoted = append(quoted, "")
		i = j
	}
	newText, sig := cutSignature(kept)
	return Parts{
		NewText:   TidyText(strings.Join(newText, "\n")),
		Quoted:    TidyText(strings.Join(quoted, "\n")),
		Signature: TidyText(strings.Join(sig, "\n")),
	}
}

// cutAttribution removes the attribution ("On ... wrote:") at the end of
// kept, if there is one, and returns it. Clients wrap attributions, so up
// to three lines are tried, longest first; a loosely matching multi-line
// tail must start like an attribution (with a date, an address or a
// lead-in word such as "On"), so the reply line above it stays.
func cutAttribution(kept []string) ([]string, []string) {
	end := len(kept)
	for end > 0 && strings.TrimSpace(kept[end-1]) == "" {
		end--
	}
	start := end
	for start > 0 && end-start < 3 && strings.TrimSpace(kept[start-1]) != "" {
		start--
	}
	for k := end - start; k >= 1; k-- {
		tail := joinTrimmed(kept[end-k : end])
		if isStrictAttribution(tail) ||
			isLooseAttribution(tail) && (k == 1 || attributionStartRE.MatchString(strings.TrimSpace(kept[end-k]))) {
			return kept[:end-k], kept[end-k:]
		}
	}
	return kept, nil
}

func joinTrimmed(lines []string) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = strings.TrimSpace(l)
	}
	return strings.Join(parts, " ")
}

// cutSignature splits lines at the last "-- " signature separator when a
// short block follows it.
func cutSignature(lines []string) (body, sig []string) {
	n := 0 // non-blank lines below i
	for i := len(lines) - 1; i >= 0 && n <= maxSignatureLines; i-- {
		if strings.TrimRight(lines[i], " \t") == "--" {
			return lines[:i], lines[i+1:]
		}
		if strings.TrimSpace(lines[i]) != "" {
			n++
		}
	}
	return lines, nil
}
