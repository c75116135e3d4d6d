package mail

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// readEntity splits b, which has LF line endings, into a header and a body
// and parses the Content-Type; def is the type to assume without one. The
// header is read by go-message's textproto.ReadHeader; one it refuses (a
// header not ended by a blank line, stray or leading continuation lines,
// field names with spaces or 8-bit bytes) or finds empty (leading blank
// lines) is read by the lenient readHeader, with a warning.
func (p *parser) readEntity(b []byte, def string) entity {
	b = skipMboxLine(b)
	r := bytes.NewReader(b)
	br := bufio.NewReader(r)
	th, err := textproto.ReadHeader(br)
	if err == nil && th.Len() > 0 {
		body := b[len(b)-r.Len()-br.Buffered():]
		return p.newEntity(th, body, def)
	}
	n := p.warned
	th, body := readHeader(b, p.warn)
	if th.Len() > 0 {
		reason := "blank lines before the header"
		if err != nil {
			reason = err.Error()
		}
		p.noteFallback(n, fmt.Sprintf("malformed header read leniently (%s)", clip(reason, 60)))
	}
	return p.newEntity(th, body, def)
}

// skipMboxLine drops the "From sender date" envelope line an mbox file puts
// before each message; it is not a header field.
func skipMboxLine(b []byte) []byte {
	if !bytes.HasPrefix(b, []byte("From ")) {
		return b
	}
	line, rest := cutLine(b)
	if isFieldLine(line) {
		return b // "From : ..." is a field with a space before its colon
	}
	return rest
}

// newEntity parses the Content-Type of a part; def is the default type
// (text/plain, or message/rfc822 inside multipart/digest).
func (p *parser) newEntity(th textproto.Header, body []byte, def string) entity {
	h := gomail.Header{Header: message.Header{Header: th}}
	e := entity{h: h, body: body, media: def, params: map[string]string{}}
	v := h.Get("Content-Type")
	if v == "" {
		return e
	}
	t, params := p.fieldParams(h.Header, "Content-Type")
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

// fieldParams parses a Content-Type or Content-Disposition field into a
// lower-cased value and its parameters with go-message (RFC 2045, RFC 2183,
// RFC 2047 encoded words in values). Values it refuses are read by
// lenientMediaType, with a warning; values with RFC 2231 extended
// parameters go to mediaType, since mime.ParseMediaType drops those in
// charsets other than UTF-8.
func (p *parser) fieldParams(h message.Header, key string) (string, map[string]string) {
	v := h.Get(key)
	if v == "" {
		return "", map[string]string{}
	}
	if strings.Contains(v, "*=") {
		return mediaType(v)
	}
	var t string
	var params map[string]string
	var err error
	if key == "Content-Type" {
		t, params, err = h.ContentType()
	} else {
		t, params, err = h.ContentDisposition()
	}
	if err == nil {
		return t, params
	}
	p.warn(fmt.Sprintf("malformed %s %q read leniently", key, clip(v, 40)))
	return lenientMediaType(v)
}
