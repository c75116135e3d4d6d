package mail

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // sets message.CharsetReader: go-message converts most charsets
	"github.com/emersion/go-message/textproto"
)

// textBody decodes the body of a text part to UTF-8. go-message's
// message.New undoes the Content-Transfer-Encoding and converts the charset.
// The package's own decoders take over where go-message cannot cope:
//
//   - an unknown or misspelt transfer encoding, or base64 that does not
//     decode: both steps are redone by decodeTransfer and decodeCharset;
//   - a charset go-message does not know (UTF-7, typos, made-up names),
//     none at all, or us-ascii or utf-8, which go-message passes through
//     unchecked: decodeCharset converts, checks and repairs the bytes;
//   - a conversion that had to replace bytes (a stale ISO-2022-JP label on
//     UTF-8 text, say): decodeCharset redoes it from the undecoded bytes.
//
// Each of these is reported in the warnings.
func (p *parser) textBody(e entity) string {
	converts := goConverts(e.h.Header)
	if !converts && isIdentityEncoding(e.h.Get("Content-Transfer-Encoding")) {
		return p.charsetText(e, e.body) // go-message would pass the bytes through
	}
	ent, err := message.New(e.h.Header, bytes.NewReader(e.body))
	switch {
	case message.IsUnknownCharset(err):
		// The body is left undecoded, and the error hides whether the
		// transfer encoding was known too: undo that on its own.
		return p.charsetText(e, p.transferDecoded(e))
	case message.IsUnknownEncoding(err):
		return p.lenientText(e, err)
	}
	b, err := readAll(ent.Body, len(e.body))
	if err != nil {
		return p.lenientText(e, err)
	}
	if !converts {
		return p.charsetText(e, b)
	}
	if !bytes.ContainsRune(b, utf8.RuneError) {
		return string(b)
	}
	n := p.warned
	s := p.charsetText(e, p.transferDecoded(e))
	p.noteFallback(n, fmt.Sprintf("invalid bytes in %s text replaced", clip(e.params["charset"], 40)))
	return s
}

// lenientText decodes a text part whose transfer encoding go-message could
// not undo (err says why) with decodeTransfer and decodeCharset.
func (p *parser) lenientText(e entity, err error) string {
	n := p.warned
	s := p.charsetText(e, p.lenientTransfer(e, err))
	p.noteFallback(n, fmt.Sprintf("text body decoded leniently (%s)", clip(err.Error(), 60)))
	return s
}

// charsetText converts the transfer-decoded body b of a text part to UTF-8
// with decodeCharset, taking the charset of an HTML part without one from
// its <meta> tag.
func (p *parser) charsetText(e entity, b []byte) string {
	label := e.params["charset"]
	if label == "" && e.media == "text/html" {
		label = metaCharset(b)
	}
	return decodeCharset(label, b, p.warn)
}

// goConverts reports whether message.New converts the charset of a part
// with header h to UTF-8, as opposed to passing its bytes through: only
// text/* parts with a charset other than utf-8 and us-ascii are converted.
func goConverts(h message.Header) bool {
	t, params, err := h.ContentType()
	if err != nil || !strings.HasPrefix(t, "text/") {
		return false
	}
	switch strings.ToLower(params["charset"]) {
	case "", "utf-8", "us-ascii":
		return false
	}
	return true
}

// transferDecoded returns the body of e with its Content-Transfer-Encoding
// undone by go-message and no charset conversion. What go-message refuses
// (unknown or misspelt encodings, broken base64) goes to lenientTransfer.
func (p *parser) transferDecoded(e entity) []byte {
	enc := e.h.Get("Content-Transfer-Encoding")
	if isIdentityEncoding(enc) {
		return e.body // go-message would copy it unchanged
	}
	var th textproto.Header
	th.Add("Content-Transfer-Encoding", enc)
	ent, err := message.New(message.Header{Header: th}, bytes.NewReader(e.body))
	if err == nil {
		var b []byte
		if b, err = readAll(ent.Body, len(e.body)); err == nil {
			return b
		}
	}
	return p.lenientTransfer(e, err)
}

// isIdentityEncoding reports whether go-message passes a body with the
// Content-Transfer-Encoding enc through unchanged (RFC 2045 section 6.2).
func isIdentityEncoding(enc string) bool {
	switch strings.ToLower(enc) {
	case "", "7bit", "8bit", "binary":
		return true
	}
	return false
}

// lenientTransfer undoes the transfer encoding of e with decodeTransfer
// after go-message failed with err, and makes sure a warning says so.
func (p *parser) lenientTransfer(e entity, err error) []byte {
	enc := e.h.Get("Content-Transfer-Encoding")
	n := p.warned
	b := decodeTransfer(enc, e.body, p.warn)
	p.noteFallback(n, fmt.Sprintf("%s body decoded leniently (%s)", clip(enc, 30), clip(err.Error(), 60)))
	return b
}

// readAll reads r to the end into a buffer sized for the size hint n.
func readAll(r io.Reader, n int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(n + bytes.MinRead)
	_, err := buf.ReadFrom(r)
	return buf.Bytes(), err
}
