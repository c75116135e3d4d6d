package mail

import "strings"

// forwardMarker introduces the text of a forwarded message/rfc822 part in
// Message.Text; it is the marker Gmail uses for inline forwards, so the
// reply splitter treats both kinds alike.
const forwardMarker = "---------- Forwarded message ---------"

// walkForward reads a message/rfc822 part: a forwarded message. Its text
// follows a header block naming its sender, date, subject and recipients;
// its attachments join the outer message's.
func (p *parser) walkForward(e entity, c walkCtx) result {
	inner := p.readEntity(normalizeNewlines(p.transferDecoded(e)), "text/plain")
	if inner.h.Len() == 0 {
		p.warn("forwarded message has no header")
	}
	if c.inner == 0 {
		p.forwarded = true
	}
	r := p.walk(inner, walkCtx{depth: c.depth + 1, inner: c.inner + 1})

	var sb strings.Builder
	sb.WriteString(forwardMarker + "\n")
	for _, k := range []string{"From", "Date", "Subject", "To", "Cc"} {
		if v := inner.h.Get(k); v != "" {
			text := p.fieldText(v, func() (string, error) { return inner.h.Text(k) })
			sb.WriteString(k + ": " + oneLine(text) + "\n")
		}
	}
	sb.WriteString("\n")
	sb.WriteString(r.text)
	return result{text: sb.String(), html: r.html, atts: r.atts}
}

// oneLine collapses runs of whitespace, line breaks included.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
