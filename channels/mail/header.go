package mail

import (
	"bytes"

	"github.com/emersion/go-message/textproto"
)

// rawField is one header field found by readHeader, unfolded.
type rawField struct {
	key, value string
}

// readHeader splits b, which has LF line endings, into its header fields and
// its body. It is the fallback for headers go-message's textproto.ReadHeader
// refuses, and is lenient: an mbox "From " line at the start is skipped,
// stray lines inside the header are dropped, and a header that runs into
// the body without a blank line ends at the first line that is not a field.
// Problems are reported through warn.
func readHeader(b []byte, warn func(string)) (textproto.Header, []byte) {
	var h []rawField
	var cont []byte // value of the last field, continuation lines included
	rest := b
	first := true
	for len(rest) > 0 {
		line, next := cutLine(rest)
		if isBlank(line) {
			if first && len(h) == 0 && len(next) > 0 && isFieldLine(firstLine(next)) {
				// Leading blank lines before a real header: skip them.
				rest = next
				continue
			}
			return toHeader(flushField(h, cont)), next
		}
		switch {
		case line[0] == ' ' || line[0] == '\t':
			if len(h) == 0 {
				warn("header starts with a continuation line")
			} else {
				cont = append(cont, ' ')
				cont = append(cont, bytes.TrimSpace(line)...)
			}
		case isFieldLine(line):
			h = flushField(h, cont)
			i := bytes.IndexByte(line, ':')
			h = append(h, rawField{key: string(bytes.TrimRight(line[:i], " \t"))})
			cont = append(cont[:0], bytes.TrimSpace(line[i+1:])...)
		case first && bytes.HasPrefix(line, []byte("From ")):
			// mbox envelope line.
		case len(next) > 0 && (isFieldLine(firstLine(next)) || next[0] == ' ' || next[0] == '\t'):
			warn("malformed header line skipped")
		default:
			if len(h) > 0 {
				warn("header not ended by a blank line")
			}
			return toHeader(flushField(h, cont)), rest
		}
		first = false
		rest = next
	}
	return toHeader(flushField(h, cont)), nil
}

// flushField stores the value collected for the last field of h.
func flushField(h []rawField, value []byte) []rawField {
	if len(h) > 0 {
		h[len(h)-1].value = string(bytes.TrimSpace(value))
	}
	return h
}

// toHeader builds a go-message header holding fields in their order.
func toHeader(fields []rawField) textproto.Header {
	var h textproto.Header
	for i := len(fields) - 1; i >= 0; i-- {
		h.Add(fields[i].key, fields[i].value) // Add puts a field on top
	}
	return h
}

// isFieldLine reports whether line starts with a field name and a colon.
func isFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return false
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c <= ' ' || c >= 0x7f {
			return false
		}
	}
	return true
}

// cutLine returns the first line of b without its LF, and the rest.
func cutLine(b []byte) (line, rest []byte) {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i], b[i+1:]
	}
	return b, nil
}

func firstLine(b []byte) []byte {
	line, _ := cutLine(b)
	return line
}

func isBlank(line []byte) bool {
	return len(bytes.TrimSpace(line)) == 0
}

// normalizeNewlines converts CRLF and bare CR line endings to LF. It
// returns b itself when there is no CR.
func normalizeNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\r' {
			if i+1 < len(b) && b[i+1] == '\n' {
				continue
			}
			c = '\n'
		}
		out = append(out, c)
	}
	return out
}
