package mail

import (
	"bytes"
	"mime"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// mediaType parses a Content-Type or Content-Disposition value into a
// lower-cased type and its parameters (RFC 2045, RFC 2183, RFC 2231). It
// serves the values fieldParams does not leave to go-message: where the
// standard library refuses the value, a forgiving parser takes over, and
// RFC 2231 values in charsets other than UTF-8 are added.
func mediaType(v string) (string, map[string]string) {
	if v == "" {
		return "", map[string]string{}
	}
	t, params, err := mime.ParseMediaType(v)
	if err != nil {
		return lenientMediaType(v)
	}
	if strings.Contains(v, "*=") {
		// mime drops RFC 2231 values in charsets other than UTF-8.
		_, more := lenientMediaType(v)
		for k, val := range more {
			if _, ok := params[k]; !ok {
				params[k] = val
			}
		}
	}
	return t, params
}

// lenientMediaType splits `type; k=v; k="v"` by hand, accepting duplicate,
// unquoted or stray parameters and RFC 2231 forms mime rejects.
func lenientMediaType(v string) (string, map[string]string) {
	items := splitUnquoted(v, ';')
	t := strings.ToLower(strings.TrimSpace(items[0]))
	params := map[string]string{}
	continued := map[string]map[int]string{}
	for _, it := range items[1:] {
		k, val, ok := strings.Cut(it, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = strings.ReplaceAll(val[1:len(val)-1], `\"`, `"`)
		}
		if k == "" {
			continue
		}
		extended := strings.HasSuffix(k, "*")
		k = strings.TrimSuffix(k, "*")
		if extended {
			val = decode2231(val)
		}
		if base, idx, ok := strings.Cut(k, "*"); ok {
			n := 0
			for _, c := range idx {
				if c < '0' || c > '9' {
					n = -1
					break
				}
				n = n*10 + int(c-'0')
			}
			if n >= 0 && n < 1000 {
				if continued[base] == nil {
					continued[base] = map[int]string{}
				}
				continued[base][n] = val
				continue
			}
		}
		if _, dup := params[k]; !dup {
			params[k] = val
		}
	}
	for base, segs := range continued {
		idx := make([]int, 0, len(segs))
		for i := range segs {
			idx = append(idx, i)
		}
		sort.Ints(idx)
		var sb strings.Builder
		for _, i := range idx {
			sb.WriteString(segs[i])
		}
		if _, ok := params[base]; !ok {
			params[base] = sb.String()
		}
	}
	return t, params
}

// decode2231 decodes an RFC 2231 extended value, charset'lang'%XX...
func decode2231(v string) string {
	parts := strings.SplitN(v, "'", 3)
	if len(parts) != 3 {
		if s, err := url.PathUnescape(v); err == nil {
			return s
		}
		return v
	}
	s, err := url.PathUnescape(parts[2])
	if err != nil {
		return parts[2]
	}
	return decodeCharset(parts[0], []byte(s), func(string) {})
}

// splitUnquoted splits s at sep outside double quotes.
func splitUnquoted(s string, sep byte) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			if inQuote {
				i++
			}
		case '"':
			inQuote = !inQuote
		case sep:
			if !inQuote {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

var mediaTypeRE = regexp.MustCompile(`^[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+$`)

// splitMultipart returns the parts of a multipart body (RFC 2046 section
// 5.1.1) delimited by boundary, for bodies go-message's multipart reader
// refuses. closed is false if the closing delimiter
// is missing, in which case the last part runs to the end of body.
func splitMultipart(body []byte, boundary string) (parts [][]byte, closed bool) {
	delim := []byte("--" + boundary)
	start, pos := -1, 0
	for {
		i := bytes.Index(body[pos:], delim)
		if i < 0 {
			break
		}
		i += pos
		pos = i + len(delim)
		if i > 0 && body[i-1] != '\n' {
			continue
		}
		line, _ := cutLine(body[pos:])
		last := bytes.HasPrefix(line, []byte("--"))
		if last {
			line = line[2:]
		}
		if len(bytes.TrimSpace(line)) != 0 {
			continue // a longer boundary that starts with this one
		}
		if start >= 0 {
			end := i
			if end > start && body[end-1] == '\n' {
				end--
			}
			parts = append(parts, body[start:end])
		}
		if last {
			return parts, true
		}
		start = min(pos+len(line)+1, len(body))
		pos = start
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts, false
}

var guessBoundaryRE = regexp.MustCompile(`(?m)^--([^\s]{1,200})[ \t]*$`)

// guessBoundary finds the boundary of a multipart body whose Content-Type
// lacks one (or names the wrong one): the first "--token" line.
func guessBoundary(body []byte) string {
	m := guessBoundaryRE.FindSubmatch(body)
	if m == nil {
		return ""
	}
	return strings.TrimSuffix(string(m[1]), "--")
}
