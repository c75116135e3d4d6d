package smtp

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message/mail"
)

// ErrInvalidEmail is wrapped by every error about an Email that cannot be
// sent as given. Such errors are permanent.
var ErrInvalidEmail = errors.New("invalid email")

// Email is one message to send: plain text, with an optional HTML
// alternative.
type Email struct {
	// To lists the recipients, "ana@example.com" or "Ana <ana@example.com>".
	To []string
	// Subject is the subject line, in any language, at most
	// MaxSubjectChars characters.
	Subject string
	// Text is the plain-text body.
	Text string
	// HTML is an optional HTML rendering of Text. When it is not "", the
	// message is multipart/alternative (RFC 2046 section 5.1.4): Text
	// first, HTML second, so that readers prefer the HTML.
	HTML string
	// Headers adds header fields such as In-Reply-To, References or
	// Auto-Submitted, each value at most MaxHeaderBytes long. Fields the
	// Sender sets itself (From, To, Subject, Date, Message-ID, MIME and
	// content headers) cannot be given here.
	Headers map[string]string
	// MessageID is the Message-ID without angle brackets, set by the caller
	// so that a retried send keeps its identity; generated if empty.
	MessageID string
}

// Limits on what an Email may carry in its header. Folding long header
// fields costs time quadratic in their length, so they are bounded.
const (
	MaxSubjectChars = 1000
	MaxHeaderBytes  = 4000
)

// reservedHeaders are set by the Sender and may not come from Email.Headers.
var reservedHeaders = []string{
	"Bcc", "Cc", "Content-Disposition", "Content-Transfer-Encoding", "Content-Type",
	"Date", "From", "Message-Id", "Mime-Version", "Reply-To", "Return-Path",
	"Sender", "Subject", "To",
}

// message is an Email ready for the wire.
type message struct {
	id         string   // Message-ID without brackets
	recipients []string // envelope addresses
	data       []byte   // RFC 5322 message, CRLF line endings
}

// build checks e and renders it as an RFC 5322 message from from, dated now.
func build(e Email, from *mail.Address, now time.Time) (message, error) {
	var h mail.Header
	if len(e.To) == 0 {
		return message{}, fmt.Errorf("%w: no recipient", ErrInvalidEmail)
	}
	to := make([]*mail.Address, len(e.To))
	recipients := make([]string, len(e.To))
	for i, raw := range e.To {
		addr, err := mail.ParseAddress(raw)
		if err != nil {
			return message{}, fmt.Errorf("%w: recipient %q: %w", ErrInvalidEmail, raw, err)
		}
		to[i], recipients[i] = addr, addr.Address
	}
	if err := checkText("subject", e.Subject); err != nil {
		return message{}, err
	}
	if n := utf8.RuneCountInString(e.Subject); n > MaxSubjectChars {
		return message{}, fmt.Errorf("%w: subject has %d characters, more than %d", ErrInvalidEmail, n, MaxSubjectChars)
	}
	if !utf8.ValidString(e.Text) {
		return message{}, fmt.Errorf("%w: text is not valid UTF-8", ErrInvalidEmail)
	}
	if !utf8.ValidString(e.HTML) {
		return message{}, fmt.Errorf("%w: html is not valid UTF-8", ErrInvalidEmail)
	}
	id, err := messageID(e.MessageID, from.Address)
	if err != nil {
		return message{}, err
	}

	h.SetDate(now)
	h.SetAddressList("From", []*mail.Address{from})
	h.SetAddressList("To", to)
	setText(&h, "Subject", e.Subject)
	h.SetMessageID(id)
	h.Set("MIME-Version", "1.0")
	names := make([]string, 0, len(e.Headers))
	for name := range e.Headers {
		names = append(names, name)
	}
	slices.Sort(names) // a stable order, so that the same Email renders the same
	for _, name := range names {
		if err := addHeader(&h, name, e.Headers[name]); err != nil {
			return message{}, err
		}
	}

	var buf bytes.Buffer
	if err := writeBody(&buf, &h, e); err != nil {
		return message{}, err
	}
	return message{id: id, recipients: recipients, data: buf.Bytes()}, nil
}

// writeBody writes the message with header h and e's body to buf: one
// text/plain part, or with e.HTML a multipart/alternative of text/plain and
// text/html. Every part is UTF-8, quoted-printable.
func writeBody(buf *bytes.Buffer, h *mail.Header, e Email) error {
	if e.HTML == "" {
		h.SetContentType("text/plain", map[string]string{"charset": "utf-8"})
		h.Set("Content-Transfer-Encoding", "quoted-printable")
		w, err := mail.CreateSingleInlineWriter(buf, *h)
		if err != nil {
			return fmt.Errorf("write header: %w", err)
		}
		return writePart(w, e.Text)
	}
	mw, err := mail.CreateInlineWriter(buf, *h)
	if err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	for _, p := range []struct{ typ, body string }{{"text/plain", e.Text}, {"text/html", e.HTML}} {
		var ph mail.InlineHeader
		ph.SetContentType(p.typ, map[string]string{"charset": "utf-8"})
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		w, err := mw.CreatePart(ph)
		if err != nil {
			return fmt.Errorf("write %s part: %w", p.typ, err)
		}
		if err := writePart(w, p.body); err != nil {
			return fmt.Errorf("%s part: %w", p.typ, err)
		}
	}
	if err := mw.Close(); err != nil {
		return fmt.Errorf("write body: %w", err)
	}
	return nil
}

// writePart writes text to w, which encodes it, and closes w.
func writePart(w io.WriteCloser, text string) error {
	// Line breaks become CRLF on the wire: accept CRLF, LF or a lone CR.
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	if !strings.HasSuffix(text, "\n") {
		text += "\n" // SMTP ends the data with a line break anyway; say so here
	}
	if _, err := io.WriteString(w, text); err != nil {
		return fmt.Errorf("write body: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("write body: %w", err)
	}
	return nil
}

// addHeader adds a caller's header field, encoding a non-ASCII value.
func addHeader(h *mail.Header, name, value string) error {
	key := textproto.CanonicalMIMEHeaderKey(name)
	if name == "" || strings.IndexFunc(name, func(r rune) bool { return r <= ' ' || r > '~' || r == ':' }) >= 0 {
		return fmt.Errorf("%w: header name %q", ErrInvalidEmail, name)
	}
	if slices.Contains(reservedHeaders, key) {
		return fmt.Errorf("%w: header %s is set by the sender", ErrInvalidEmail, key)
	}
	if err := checkText("header "+key, value); err != nil {
		return err
	}
	if len(value) > MaxHeaderBytes {
		return fmt.Errorf("%w: header %s is %d bytes long, more than %d", ErrInvalidEmail, key, len(value), MaxHeaderBytes)
	}
	setText(h, key, value)
	return nil
}

// setText sets an unstructured header field (RFC 5322 section 3.2.5),
// RFC 2047 encoding it when it is not plain ASCII. Surrounding white space
// is dropped, as readers drop it anyway.
func setText(h *mail.Header, key, value string) {
	value = strings.TrimSpace(value)
	if !strings.Contains(value, "=?") {
		h.SetText(key, value) // mime.QEncoding, only if needed
		return
	}
	// Plain ASCII that looks like an encoded word would be decoded by
	// readers; mime's encoders leave ASCII alone, so encode it here.
	var words []string
	for len(value) > 0 {
		n := 0
		for n < len(value) && n < 45 {
			_, size := utf8.DecodeRuneInString(value[n:])
			if n+size > 45 && n > 0 {
				break
			}
			n += size
		}
		words = append(words, "=?utf-8?b?"+base64.StdEncoding.EncodeToString([]byte(value[:n]))+"?=")
		value = value[n:]
	}
	h.Set(key, strings.Join(words, " "))
}

// checkText refuses text that could break out of its header line.
func checkText(what, s string) error {
	if strings.ContainsAny(s, "\r\n") {
		return fmt.Errorf("%w: %s contains a line break", ErrInvalidEmail, what)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("%w: %s is not valid UTF-8", ErrInvalidEmail, what)
	}
	return nil
}

// messageID returns id without angle brackets after checking its shape
// (RFC 5322 msg-id: left@right, no spaces), or generates one on the
// sender's domain.
func messageID(id, sender string) (string, error) {
	if id == "" {
		var h mail.Header
		domain := sender[strings.LastIndexByte(sender, '@')+1:]
		if err := h.GenerateMessageIDWithHostname(domain); err != nil {
			return "", fmt.Errorf("generate message id: %w", err)
		}
		return h.MessageID()
	}
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.ContainsAny(id, " \t\r\n<>()[]\\\",;:") ||
		strings.Contains(right, "@") || !isASCII(id) {
		return "", fmt.Errorf("%w: message id %q is not of the form left@right", ErrInvalidEmail, id)
	}
	return id, nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
