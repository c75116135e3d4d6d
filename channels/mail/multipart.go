package mail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/emersion/go-message/textproto"
)

// walkMultipart splits a multipart entity and combines its parts: the best
// alternative of multipart/alternative, the first part of multipart/report
// (noting a delivery-status report as a bounce), and every part otherwise.
func (p *parser) walkMultipart(e entity, c walkCtx) result {
	children := p.multipartChildren(e)
	if children == nil {
		// Nothing split: read the body as plain text rather than lose it.
		return p.walk(entity{h: e.h, body: e.body, media: "text/plain", params: map[string]string{}}, c)
	}
	sub := strings.TrimPrefix(e.media, "multipart/")
	c.depth++
	switch sub {
	case "alternative":
		// HTML alternatives are only converted when no plain text is found.
		rs := make([]result, len(children))
		var htmlParts []int
		for i, ch := range children {
			if ch.media == "text/html" && !p.isAttachment(ch) {
				htmlParts = append(htmlParts, i)
				continue
			}
			rs[i] = p.walk(ch, c)
		}
		if !hasPlainText(rs) {
			for _, i := range htmlParts {
				rs[i] = p.walk(children[i], c)
			}
		}
		return chooseAlternative(rs)
	case "report":
		rt := strings.ToLower(e.params["report-type"])
		if c.inner == 0 && (rt == "delivery-status" || rt == "global-delivery-status") {
			p.setBounce("multipart/report; report-type=" + rt)
		}
		var out result
		for i, ch := range children {
			rc := c
			rc.report = i > 0
			out = appendResult(out, p.walk(ch, rc))
		}
		return out
	case "encrypted":
		p.warn("encrypted message: no readable text")
		return result{}
	default:
		var out result
		for _, ch := range children {
			out = appendResult(out, p.walk(ch, c))
		}
		return out
	}
}

// multipartChildren splits e into its parts with go-message's multipart
// reader. A body it cannot split (no or wrong boundary, no closing
// delimiter, a malformed part header) is split by lenientParts, with a
// warning. It returns nil when there are no parts.
func (p *parser) multipartChildren(e entity) []entity {
	def := "text/plain"
	if e.media == "multipart/digest" {
		def = "message/rfc822"
	}
	if isBlank(e.body) {
		return nil // nothing to split, nothing lost
	}
	children, err := p.goParts(e, def)
	if err == nil {
		return children
	}
	n := p.warned
	children = p.lenientParts(e, def)
	p.noteFallback(n, fmt.Sprintf("%s split leniently (%s)", e.media, clip(err.Error(), 60)))
	return children
}

// goParts splits e with go-message's textproto.MultipartReader (RFC 2046
// section 5.1). Each part's body is read whole and then found in e.body,
// so that parts share the message's bytes instead of copying them at every
// level of nesting; the bytes are the same wherever they are found. Only
// the first maxParts+1 parts are read: walk ignores the rest.
func (p *parser) goParts(e entity, def string) ([]entity, error) {
	boundary := e.params["boundary"]
	if boundary == "" {
		return nil, errors.New("no boundary")
	}
	mr := textproto.NewMultipartReader(bytes.NewReader(e.body), boundary)
	var children []entity
	pos := 0
	for len(children) <= maxParts {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		buf := bytes.NewBuffer(p.scratch[:0])
		buf.Grow(len(e.body) - pos) // the part is no longer than what is left
		_, err = buf.ReadFrom(part)
		p.scratch = buf.Bytes()
		if err != nil {
			return nil, err
		}
		var body []byte
		if i := bytes.Index(e.body[pos:], p.scratch); i >= 0 {
			end := pos + i + len(p.scratch)
			body, pos = e.body[pos+i:end:end], end
		} else {
			body = bytes.Clone(p.scratch) // cannot happen: the reader does not alter bytes
		}
		children = append(children, p.newEntity(part.Header, body, def))
	}
	if len(children) == 0 {
		return nil, errors.New("no parts")
	}
	return children, nil
}

// lenientParts splits e by hand with splitMultipart, guessing the boundary
// when the declared one is missing or wrong, and reads each part's header
// with readHeader. It returns nil when there are no parts.
func (p *parser) lenientParts(e entity, def string) []entity {
	boundary := e.params["boundary"]
	var parts [][]byte
	closed := false
	if boundary != "" {
		parts, closed = splitMultipart(e.body, boundary)
	}
	if len(parts) == 0 {
		if g := guessBoundary(e.body); g != "" && g != boundary {
			if boundary == "" {
				p.warn(fmt.Sprintf("%s without boundary: guessed %q", e.media, clip(g, 40)))
			} else {
				p.warn(fmt.Sprintf("%s boundary %q not found: guessed %q", e.media, clip(boundary, 40), clip(g, 40)))
			}
			parts, closed = splitMultipart(e.body, g)
		}
	}
	if len(parts) == 0 {
		if !isBlank(e.body) {
			p.warn(fmt.Sprintf("%s has no parts: body read as text", e.media))
		}
		return nil
	}
	if !closed {
		p.warn(fmt.Sprintf("%s not closed: message truncated or bad boundary", e.media))
	}
	children := make([]entity, 0, len(parts))
	for _, part := range parts {
		h, body := readHeader(part, p.warn)
		children = append(children, p.newEntity(h, body, def))
	}
	return children
}

func hasPlainText(rs []result) bool {
	for _, r := range rs {
		if !r.html && strings.TrimSpace(r.text) != "" {
			return true
		}
	}
	return false
}

// chooseAlternative picks the text of a multipart/alternative: the first
// non-blank plain text, else the first non-blank text. Attachments of all
// alternatives are kept (an HTML alternative may carry inline images).
func chooseAlternative(rs []result) result {
	best := -1
	for i, r := range rs {
		if !r.html && strings.TrimSpace(r.text) != "" {
			best = i
			break
		}
	}
	if best < 0 {
		for i, r := range rs {
			if strings.TrimSpace(r.text) != "" {
				best = i
				break
			}
		}
	}
	var out result
	if best >= 0 {
		out.text, out.html = rs[best].text, rs[best].html
	}
	for _, r := range rs {
		out.atts = append(out.atts, r.atts...)
	}
	return out
}

// appendResult joins the texts of consecutive parts with a blank line.
func appendResult(a, b result) result {
	switch {
	case strings.TrimSpace(b.text) == "":
	case strings.TrimSpace(a.text) == "":
		a.text, a.html = b.text, b.html
	default:
		a.text = strings.TrimRight(a.text, "\n") + "\n\n" + b.text
		a.html = a.html && b.html
	}
	a.atts = append(a.atts, b.atts...)
	return a
}
