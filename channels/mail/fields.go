package mail

import (
	"fmt"
	"io"
	"mime"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"
)

// The header fields of a message are read by go-message's mail.Header
// (RFC 5322 addresses, dates and message ids, RFC 2047 encoded words).
// Values it refuses, or cannot read right, go to the package's lenient
// parsers, and Warnings says so.

// needsRawDecoding reports whether a header value holds raw bytes that
// go-message passes through undecoded: 8-bit bytes that are not UTF-8, or
// ISO-2022-JP escape sequences.
func needsRawDecoding(v string) bool {
	return !utf8.ValidString(v) || strings.Contains(v, "\x1b$") || strings.Contains(v, "\x1b(")
}

// fieldText decodes the unstructured field value raw with decode, a
// go-message method (mail.Header.Subject or message.Header.Text). Raw 8-bit
// values, encoded words in charsets go-message does not know and decodings
// that had to replace bytes are redone by headerText.
func (p *parser) fieldText(raw string, decode func() (string, error)) string {
	if raw == "" {
		return ""
	}
	if needsRawDecoding(raw) {
		return p.headerText(raw) // warns about the raw bytes
	}
	s, err := decode()
	switch {
	case err == nil && (!strings.ContainsRune(s, utf8.RuneError) || strings.ContainsRune(raw, utf8.RuneError)):
		return s
	case message.IsUnknownCharset(err):
		// UTF-7 or an unknown charset: decodeCharset knows the one and
		// warns about the other.
		return p.headerText(raw)
	}
	n := p.warned
	s = p.headerText(raw)
	p.noteFallback(n, fmt.Sprintf("header %q decoded leniently", clip(raw, 40)))
	return s
}

// addresses reads the address-list field key (From, To, Cc, Reply-To,
// Sender) with mail.Header.AddressList. Raw 8-bit values and lists it
// refuses go to addressList.
func (p *parser) addresses(h gomail.Header, key string) []Address {
	raw := h.Get(key)
	if raw == "" {
		return nil
	}
	if needsRawDecoding(raw) {
		return p.addressList(key, raw) // warns about the raw bytes
	}
	list, err := h.AddressList(key)
	if err == nil {
		return p.toAddresses(list)
	}
	if !strings.Contains(raw, "=?") {
		// Broken syntax: parsing it again with another word decoder would
		// fail the same way.
		return p.splitAddresses(key, raw)
	}
	// net/mail flattens errors to text, so a name in a charset go-message
	// lacks (UTF-7 included) cannot be told apart from broken syntax.
	n := p.warned
	addrs := p.addressList(key, raw)
	p.noteFallback(n, fmt.Sprintf("%s header read leniently", key))
	return addrs
}

// messageID reads the Message-ID field with mail.Header.MessageID, and
// with msgIDs when go-message refuses it.
func (p *parser) messageID(h gomail.Header) string {
	raw := h.Get("Message-Id")
	if raw == "" {
		return ""
	}
	if id, err := h.MessageID(); err == nil {
		return id
	}
	p.warn(fmt.Sprintf("malformed Message-ID %q read leniently", clip(raw, 60)))
	return first(msgIDs(raw))
}

// msgIDList reads an In-Reply-To or References field with
// mail.Header.MsgIDList, and with msgIDs when go-message refuses it.
func (p *parser) msgIDList(h gomail.Header, key string) []string {
	raw := h.Get(key)
	if raw == "" {
		return nil
	}
	if ids, err := h.MsgIDList(key); err == nil {
		return ids
	}
	p.warn(fmt.Sprintf("malformed %s header read leniently", key))
	return msgIDs(raw)
}

// date reads the Date field with mail.Header.Date, and with parseDate when
// go-message refuses it. A date outside the plausible range (see
// PlausibleDate) is dropped with a warning, as if absent.
func (p *parser) date(h gomail.Header) time.Time {
	v := h.Get("Date")
	if v == "" {
		p.warn("no Date header")
		return time.Time{}
	}
	t, err := h.Date()
	if err != nil {
		var ok bool
		if t, ok = parseDate(v); !ok {
			p.warn(fmt.Sprintf("unparseable Date header %q", clip(v, 60)))
			return time.Time{}
		}
		p.warn(fmt.Sprintf("nonstandard Date header %q read leniently", clip(v, 60)))
	}
	if !PlausibleDate(t, p.now) {
		p.warn(fmt.Sprintf("implausible Date header %q ignored: before 1970 or more than a day after %s",
			clip(v, 60), p.now.UTC().Format(time.RFC3339)))
		return time.Time{}
	}
	return t
}

// Bounds of a plausible Date: no mail was sent before earliestDate, and a
// sender's clock may run ahead by at most maxDateSkew.
var earliestDate = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)

const maxDateSkew = 24 * time.Hour

// PlausibleDate reports whether t can be the date a message was sent, read
// at now: from 1970 to a day after now. Parse drops a Date outside that
// range. Far-future dates (year 9999 in a zone west of UTC is year 10000 in
// UTC) cannot even be stored as RFC 3339 text, which ends at year 9999.
func PlausibleDate(t, now time.Time) bool {
	return !t.Before(earliestDate) && !t.After(now.Add(maxDateSkew))
}

// headerText is the lenient decoder of unstructured header values, for
// what go-message cannot decode: raw 8-bit or ISO-2022-JP bytes first, then
// RFC 2047 encoded words in any charset decodeCharset can guess.
func (p *parser) headerText(raw string) string {
	s := p.rawHeaderBytes(raw)
	if !strings.Contains(s, "=?") {
		return s
	}
	d := mime.WordDecoder{CharsetReader: p.wordCharsetReader}
	out, err := d.DecodeHeader(s)
	if err != nil {
		p.warn(fmt.Sprintf("decode header %q: %v", clip(s, 40), err))
		return s
	}
	return out
}

// rawHeaderBytes turns a header value that is not valid UTF-8 (RFC 6532
// allows UTF-8; older mail sends raw Latin-1, Shift_JIS or ISO-2022-JP)
// into UTF-8, guessing the charset from the message's own Content-Type.
func (p *parser) rawHeaderBytes(raw string) string {
	if strings.Contains(raw, "\x1b$") || strings.Contains(raw, "\x1b(") {
		p.warn("raw ISO-2022-JP header decoded")
		return decodeCharset("iso-2022-jp", []byte(raw), p.warn)
	}
	if utf8.ValidString(raw) {
		return raw
	}
	label := p.headerCharset
	if label == "" || isUTF8Label(label) {
		p.warn("raw 8-bit header decoded as Latin-1")
		return latin1([]byte(raw))
	}
	p.warn(fmt.Sprintf("raw 8-bit header decoded with the body charset %q", clip(label, 40)))
	return decodeCharset(label, []byte(raw), p.warn)
}

func isUTF8Label(label string) bool {
	switch strings.ToLower(label) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return true
	}
	return false
}

// wordCharsetReader decodes the text of an RFC 2047 encoded word; it never
// fails, so one odd charset does not leave the whole header undecoded.
func (p *parser) wordCharsetReader(label string, input io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(input)
	if err != nil {
		return nil, fmt.Errorf("read encoded word: %w", err)
	}
	return strings.NewReader(decodeCharset(label, b, p.warn)), nil
}
