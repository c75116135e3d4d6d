package mail

import (
	"fmt"
	"strings"

	gomail "github.com/emersion/go-message/mail"
)

// Limits that keep hostile nesting from costing more than the size limit.
const (
	maxDepth    = 30  // nested multiparts
	maxInner    = 3   // nested message/rfc822 parts
	maxParts    = 500 // body parts in one message
	maxWarnings = 40
)

// entity is a message or body part: its header as go-message reads it, its
// still-encoded body and its parsed Content-Type.
type entity struct {
	h      gomail.Header
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
	case (m == "text/plain" || m == "text/html") && !c.report && !p.isAttachment(e):
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
func (p *parser) isAttachment(e entity) bool {
	disp, params := p.fieldParams(e.h.Header, "Content-Disposition")
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
	s := p.textBody(e)
	if strings.IndexByte(s, '\r') >= 0 {
		s = string(normalizeNewlines([]byte(s)))
	}
	html := e.media == "text/html"
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
	size := len(p.transferDecoded(e))
	_, dparams := p.fieldParams(e.h.Header, "Content-Disposition")
	name := dparams["filename"]
	if name == "" {
		name = e.params["name"]
	}
	if name != "" {
		name = p.headerText(name)
	}
	return Attachment{Filename: name, ContentType: e.media, Size: size}
}
