package mail

import (
	"fmt"
	"strings"
)

// Limits that keep hostile nesting from costing more than the size limit.
const (
	maxDepth    = 30  // nested multiparts
	maxInner    = 3   // nested message/rfc822 parts
	maxParts    = 500 // body parts in one message
	maxWarnings = 40
)

// entity is a message or body part: its header, its still-encoded body and
// its parsed Content-Type.
type entity struct {
	h      header
	body   []byte
	media  string
	params map[string]string
}

// result is what walking an entity yields: its readable text and the
// attachments found in it.
type result struct {
	text string
	html bool // the text came from HTML only
	atts []Attachment
}

// walkCtx says where in the tree an entity sits.
type walkCtx struct {
	depth  int  // multipart nesting
	inner  int  // message/rfc822 nesting
	report bool // a non-first part of a multipart/report
}

// newEntity parses the Content-Type of a part; def is the default type
// (text/plain, or message/rfc822 inside multipart/digest).
func (p *parser) newEntity(h header, body []byte, def string) entity {
	e := entity{h: h, body: body, media: def, params: map[string]string{}}
	v := h.get("content-type")
	if v == "" {
		return e
	}
	t, params := mediaType(v)
	switch {
	case mediaTypeRE.MatchString(t):
		e.media, e.params = t, params
	case t == "text" || t == "plain" || t == "text/":
		e.params = params
	default:
		p.warn(fmt.Sprintf("invalid Content-Type %q: read as %s", clip(v, 40), def))
		e.params = params
	}
	return e
}

// walk collects the readable text and the attachments of e.
func (p *parser) walk(e entity, c walkCtx) result {
	p.parts++
	if p.parts == maxParts+1 {
		p.warn(fmt.Sprintf("more than %d body parts: the rest ignored", maxParts))
	}
	if p.parts > maxParts {
		return result{}
	}
	switch m := e.media; {
	case strings.HasPrefix(m, "multipart/"):
		if c.depth >= maxDepth {
			p.warn("multipart nested too deep: inner parts ignored")
			return result{}
		}
		return p.walkMultipart(e, c)
	case m == "message/rfc822" || m == "message/global":
		if c.report || c.inner >= maxInner {
			return result{atts: []Attachment{p.attachment(e)}}
		}
		return p.walkForward(e, c)
	case m == "message/delivery-status" || m == "message/global-delivery-status":
		if c.inner == 0 {
			p.setBounce(m + " part")
		}
		return result{}
	case (m == "text/plain" || m == "text/html") && !c.report && !isAttachment(e):
		return p.textPart(e)
	case m == "application/pgp-signature" || m == "application/pkcs7-signature" ||
		m == "application/x-pkcs7-signature" || m == "application/pgp-encrypted":
		return result{}
	default:
		return result{atts: []Attachment{p.attachment(e)}}
	}
}

// isAttachment reports whether a text part is meant as a file rather than
// as the message text: disposition attachment, or a file name without an
// inline disposition.
func isAttachment(e entity) bool {
	disp, params := mediaType(e.h.get("content-disposition"))
	switch disp {
	case "attachment":
		return true
	case "inline":
		return false
	}
	return params["filename"] != "" || e.params["name"] != ""
}

// textPart decodes a text/plain or text/html part to UTF-8 text.
func (p *parser) textPart(e entity) result {
	raw := decodeTransfer(e.h.get("content-transfer-encoding"), e.body, p.warn)
	label := e.params["charset"]
	html := e.media == "text/html"
	if html && label == "" {
		label = metaCharset(raw)
	}
	s := string(normalizeNewlines([]byte(decodeCharset(label, raw, p.warn))))
	switch {
	case html:
		s = htmlToText(s)
	case strings.EqualFold(e.params["format"], "flowed"):
		s = unflow(s, strings.EqualFold(e.params["delsp"], "yes"))
	}
	return result{text: s, html: html}
}

// attachment describes e as an attachment, decoding it to learn its size.
func (p *parser) attachment(e entity) Attachment {
	raw := decodeTransfer(e.h.get("content-transfer-encoding"), e.body, p.warn)
	_, dparams := mediaType(e.h.get("content-disposition"))
	name := dparams["filename"]
	if name == "" {
		name = e.params["name"]
	}
	if name != "" {
		name = p.headerText(name)
	}
	return Attachment{Filename: name, ContentType: e.media, Size: len(raw)}
}
