// Package reply cuts the text of an email into what the sender wrote now,
// the quoted history and the signature, and recognises the lines that
// start a forward or quoted history ("Begin forwarded message:",
// "-----Original Message-----", a "From: … Sent: …" header block, an
// attribution such as "On Mon, Mar 3, 2025, Jo <jo@example.com> wrote:").
//
// It is the one place these rules live: channels/mail splits every
// message it parses with Split (RFC 5322 bodies, after MIME decoding), and
// nlp splits raw email text a caller hands it the same way. It is pure:
// no I/O, no clock, no state, and it imports nothing of the project.
package reply

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// shortNote is the longest forwarding note, in characters, for which the
// forwarded text is kept in NewText.
const shortNote = 300

// maxMarkerLine is the longest line examined as a separator, attribution
// or header field; real ones are far shorter.
const maxMarkerLine = 1000

// maxSplitDepth bounds the recursion through nested forwards.
const maxSplitDepth = 4

// Parts is a message's text cut into what the sender wrote now and the
// rest.
type Parts struct {
	// NewText is what the sender wrote now: the text without its quoted
	// history and signature. After a forward with a short note, it holds
	// the note and the forwarded message's own new text.
	NewText string
	// Quoted is the quoted history: ">" lines with their attribution,
	// blocks under "-----Original Message-----" or a reply header block,
	// and the marker and header block of a forward.
	Quoted string
	// Signature is the block after a "-- " separator line (RFC 3676
	// section 4.3) closing the new text.
	Signature string
	// Forwarded is true when the text forwards another message inline.
	Forwarded bool
}

// Split separates the new text of a message from its quoted history
// (">" lines and their attribution, Outlook "Original Message" blocks and
// reply header blocks) and from its signature (after a "-- " line). An
// inline forward sets Forwarded; when the note above it is short, the
// forwarded text counts as new text. The subject tells a forward ("Fwd:",
// "WG:") whose header block would otherwise read as quoted history; it
// may be "".
//
// Lines end in "\n": callers convert "\r\n" first. Split costs a few
// microseconds per line, so callers bound the text they hand it.
func Split(text, subject string) Parts {
	return splitLines(strings.Split(text, "\n"), subject, 0)
}

// boundary kinds found while scanning for where the history starts.
const (
	noBoundary = iota
	cutBoundary
	forwardBoundary
	headerForwardBoundary // a forward shown as a header block without a marker line
)

func splitLines(lines []string, subject string, depth int) Parts {
	at, kind := findBoundary(lines)
	// A header block under a forward subject, or with nothing above it (a
	// forward without a note, or a pasted letter), is a forward: cutting
	// it would lose what the sender sent.
	if kind == cutBoundary && (forwardSubjectRE.MatchString(subject) || nextNonBlank(lines, 0) == at) &&
		!isStrictAttributionAt(lines, at) {
		kind = forwardBoundary
		if fromLabelRE.MatchString(strings.TrimSpace(lines[at])) {
			kind = headerForwardBoundary
		}
	}
	if depth >= maxSplitDepth && kind != noBoundary {
		kind = cutBoundary
	}
	switch kind {
	case forwardBoundary, headerForwardBoundary:
		return splitForward(lines, at, kind == headerForwardBoundary, subject, depth)
	case cutBoundary:
		s := splitQuotes(lines[:at])
		s.Quoted = joinText(s.Quoted, strings.Join(lines[at:], "\n"))
		return s
	}
	return splitQuotes(lines)
}

// findBoundary returns the first line where quoted history or a forward
// starts, skipping lines already quoted with ">".
func findBoundary(lines []string) (int, int) {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t == "" || isQuoted(l) || len(t) > maxMarkerLine || !hasLetter(t) {
			continue
		}
		switch {
		case forwardMarkerRE.MatchString(t):
			return i, forwardBoundary
		case originalMessageRE.MatchString(t):
			return i, cutBoundary
		case headerBlockAt(lines, i):
			if j := prevNonBlank(lines, i-1); j >= 0 && underscoreLineRE.MatchString(lines[j]) {
				return j, cutBoundary // Outlook's rule above the block
			}
			return i, cutBoundary
		}
		if end, ok := attributionEndingAt(lines, i); ok {
			if n := nextNonBlank(lines, end+1); n < len(lines) && !isQuoted(lines[n]) {
				return i, cutBoundary // history follows unquoted
			}
		}
	}
	return len(lines), noBoundary
}

// attributionEndingAt reports whether a strict attribution starts at line
// i, spanning up to three lines, and where it ends.
func attributionEndingAt(lines []string, i int) (int, bool) {
	joined := ""
	for j := i; j < len(lines) && j < i+3; j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" || isQuoted(lines[j]) {
			break
		}
		joined = strings.TrimSpace(joined + " " + t)
		if isStrictAttribution(joined) {
			return j, true
		}
	}
	return 0, false
}

func isStrictAttributionAt(lines []string, i int) bool {
	_, ok := attributionEndingAt(lines, i)
	return ok
}

// headerBlockAt reports whether a reply header block starts at line i:
// at least three fields (From:, Sent:, To:, Subject: ...) close together,
// one of them From.
func headerBlockAt(lines []string, i int) bool {
	// Every field label ends in a colon: most lines are no field.
	if i >= len(lines) || !strings.Contains(lines[i], ":") {
		return false
	}
	n, from := 0, false
	for j := i; j < len(lines) && j <= i+8; j++ {
		t := strings.TrimSpace(lines[j])
		switch {
		case fromLabelRE.MatchString(t):
			n, from = n+1, true
		case headerLabelRE.MatchString(t):
			n++
		case j == i:
			return false
		}
		if n >= 3 && from {
			return true
		}
	}
	return false
}

// splitForward handles a forward starting at line at: the marker line (if
// any) and the forwarded header block are set apart, the note above and
// the forwarded text are split in turn.
func splitForward(lines []string, at int, noMarker bool, subject string, depth int) Parts {
	top := splitQuotes(lines[:at])
	start := at + 1
	if noMarker {
		start = at
	}
	rest := unquoteForward(lines[start:])
	hdr := forwardHeaderEnd(rest)
	inner := splitLines(rest[hdr:], "", depth+1)

	out := Parts{Forwarded: true, Signature: top.Signature}
	fwdHeader := strings.Join(lines[at:start], "\n") + "\n" + strings.Join(rest[:hdr], "\n")
	if utf8.RuneCountInString(top.NewText) <= shortNote {
		out.NewText = joinText(top.NewText, inner.NewText)
		out.Quoted = joinText(top.Quoted, joinText(fwdHeader, inner.Quoted))
		out.Signature = joinText(top.Signature, inner.Signature)
		return out
	}
	out.NewText = top.NewText
	out.Quoted = joinText(top.Quoted, strings.Join(lines[at:], "\n"))
	return out
}

// unquoteForward removes one level of ">" quoting from a forwarded block
// that is quoted throughout, as Apple Mail sends it.
func unquoteForward(lines []string) []string {
	for _, l := range lines {
		if strings.TrimSpace(l) != "" && !isQuoted(l) {
			return lines
		}
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		l = strings.TrimLeft(l, " \t")
		l = strings.TrimPrefix(l, ">")
		out[i] = strings.TrimPrefix(l, " ")
	}
	return out
}

// forwardHeaderEnd returns the index just past the header block at the top
// of forwarded lines (From:, Date:, Subject:, To: ...), or 0 if none.
func forwardHeaderEnd(lines []string) int {
	i := nextNonBlank(lines, 0)
	if i >= len(lines) {
		return 0
	}
	t := strings.TrimSpace(lines[i])
	if !fromLabelRE.MatchString(t) && !headerLabelRE.MatchString(t) {
		return 0
	}
	for i < len(lines) && strings.TrimSpace(lines[i]) != "" {
		i++
	}
	return i
}

func nextNonBlank(lines []string, i int) int {
	for i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	return i
}

func prevNonBlank(lines []string, i int) int {
	for i >= 0 && strings.TrimSpace(lines[i]) == "" {
		i--
	}
	return i
}

// hasLetter reports whether s holds a letter; separators, attributions and
// header fields all do, so other lines need no closer look.
func hasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

func isQuoted(l string) bool {
	return strings.HasPrefix(strings.TrimLeft(l, " \t"), ">")
}

func joinText(a, b string) string {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}
