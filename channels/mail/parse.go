package mail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triage-gw/triage/nlp/reply"
)

// parser holds the state of one Parse call.
type parser struct {
	warnings      []string
	seen          map[string]bool
	warned        int       // calls to warn, repeats included: lets a fallback tell whether it warned
	headerCharset string    // charset guess for raw 8-bit header bytes
	now           time.Time // when the message is read: dates after it are implausible
	parts         int
	bounce        string // bounce reason found in the MIME structure
	forwarded     bool   // a message/rfc822 part was read as a forward
	scratch       []byte // reused to read multipart parts
}

// Parse reads one RFC 5322 message from r and extracts what the gateway
// needs. It reads at most opts.MaxSize bytes.
//
// Problems that leave the message usable are listed in Message.Warnings.
// Input that cannot be used (empty, too large, without header fields, or
// without sender and body) gives a *ParseError whose Reason explains why.
// A failing reader gives its error, wrapped, which is not a *ParseError.
func Parse(r io.Reader, opts Options) (*Message, error) {
	if r == nil {
		return nil, errors.New("parse mail: nil reader")
	}
	limit := opts.maxSize()
	raw, err := readMessage(r, limit+1)
	if err != nil {
		return nil, fmt.Errorf("read message: %w", err)
	}
	if int64(len(raw)) > limit {
		return nil, &ParseError{Reason: fmt.Sprintf("message larger than %d bytes", limit)}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, &ParseError{Reason: "empty message"}
	}
	p := &parser{seen: map[string]bool{}, now: opts.now()}
	// go-message's readers end lines at LF only: bare CR endings would
	// leave it one endless line. With LF throughout, the CRLF, CR-only and
	// LF forms of a message parse alike.
	return p.parse(normalizeNewlines(raw))
}

// readMessage reads at most n bytes of r. When r tells its length, as
// bytes.Reader and strings.Reader do, the buffer is allocated once rather
// than grown by doubling, which halves the memory a large message costs.
func readMessage(r io.Reader, n int64) ([]byte, error) {
	hint := 0
	if l, ok := r.(interface{ Len() int }); ok && int64(l.Len()) < n {
		hint = l.Len()
	}
	return readAll(io.LimitReader(r, n), hint)
}

// parse reads a message whose line endings are LF. go-message reads it
// wherever it can (see readEntity, multipartChildren, textBody and the
// field readers); the package's lenient code reads what go-message cannot.
func (p *parser) parse(b []byte) (*Message, error) {
	root := p.readEntity(b, "text/plain")
	h := root.h
	if h.Len() == 0 {
		return nil, &ParseError{Reason: "no header fields"}
	}
	p.headerCharset = root.params["charset"]

	m := &Message{
		MessageID: p.messageID(h),
		ReplyTo:   p.addresses(h, "Reply-To"),
		To:        p.addresses(h, "To"),
		Cc:        p.addresses(h, "Cc"),
		Subject:   oneLine(p.fieldText(h.Get("Subject"), h.Subject)),
		InReplyTo: first(p.msgIDList(h, "In-Reply-To")),
	}
	if refs := p.msgIDList(h, "References"); len(refs) > 0 {
		m.References = refs
	}
	if from := p.addresses(h, "From"); len(from) > 0 {
		m.From = from[0]
	} else if sender := p.addresses(h, "Sender"); len(sender) > 0 {
		m.From = sender[0]
		p.warn("no From header: used Sender")
	} else {
		p.warn("no From header")
	}
	m.Date = p.date(h)

	res := p.walk(root, walkCtx{})
	m.Text = clean(reply.TidyText(res.text))
	m.Attachments = res.atts
	if m.From.Addr == "" && m.Text == "" && len(m.Attachments) == 0 {
		return nil, &ParseError{Reason: "no sender and no body"}
	}

	m.Auto, m.AutoReason = classify(h, m.From, m.Subject, p.bounce)
	s := reply.Split(p.replyHead(m.Text), m.Subject)
	m.NewText, m.Quoted, m.Signature = s.NewText, s.Quoted, s.Signature
	m.Forwarded = (s.Forwarded || p.forwarded) && m.Auto != AutoBounce
	if m.Auto != AutoBounce {
		m.OriginalFrom, m.OriginalFromVia = p.original(h, m)
	}
	if rf := p.addresses(h, "Resent-From"); len(rf) > 0 && rf[0].Addr != "" {
		m.ResentFrom = &rf[0]
	}
	m.Warnings = p.warnings
	m.cleanStrings()
	return m, nil
}

// replyHead returns the part of text that reply.Split reads: all of it up
// to MaxSplitText bytes, else its first MaxSplitText bytes cut at a line
// end (or a character boundary), with a warning. Splitting costs a few
// microseconds per line, so a mail of millions of short lines would take
// seconds; what a sender wrote now is at the top, and the analysis needs
// far less than the limit.
func (p *parser) replyHead(text string) string {
	if len(text) <= MaxSplitText {
		return text
	}
	n := strings.LastIndexByte(text[:MaxSplitText], '\n')
	if n <= 0 {
		n = MaxSplitText
		for n > 0 && !utf8.RuneStart(text[n]) {
			n--
		}
	}
	p.warn(fmt.Sprintf("text of %d bytes: only its first %d bytes were split into new text, quotes and signature", len(text), n))
	return text[:n]
}

// warn records a non-fatal problem once.
func (p *parser) warn(msg string) {
	p.warned++
	if p.seen[msg] || len(p.warnings) >= maxWarnings {
		return
	}
	p.seen[msg] = true
	p.warnings = append(p.warnings, msg)
}

// noteFallback records msg, which says that the lenient code replaced
// go-message's reading, unless that code warned since p.warned was before.
func (p *parser) noteFallback(before int, msg string) {
	if p.warned == before {
		p.warn(msg)
	}
}

// setBounce records the first structural sign of a bounce.
func (p *parser) setBounce(reason string) {
	if p.bounce == "" {
		p.bounce = reason
	}
}

// cleanStrings makes every string field valid UTF-8 without NUL bytes,
// which databases such as PostgreSQL refuse.
func (m *Message) cleanStrings() {
	m.MessageID, m.Subject, m.InReplyTo = clean(m.MessageID), clean(m.Subject), clean(m.InReplyTo)
	m.NewText, m.Quoted, m.Signature = clean(m.NewText), clean(m.Quoted), clean(m.Signature)
	m.AutoReason = clean(m.AutoReason)
	m.From = cleanAddress(m.From)
	for _, a := range []*Address{m.OriginalFrom, m.ResentFrom} {
		if a != nil {
			*a = cleanAddress(*a)
		}
	}
	for _, l := range [][]Address{m.ReplyTo, m.To, m.Cc} {
		for i := range l {
			l[i] = cleanAddress(l[i])
		}
	}
	for i := range m.References {
		m.References[i] = clean(m.References[i])
	}
	for i := range m.Attachments {
		m.Attachments[i].Filename = clean(m.Attachments[i].Filename)
		m.Attachments[i].ContentType = clean(m.Attachments[i].ContentType)
	}
	for i := range m.Warnings {
		m.Warnings[i] = clean(m.Warnings[i])
	}
}

func cleanAddress(a Address) Address {
	return Address{Name: clean(a.Name), Addr: clean(a.Addr)}
}

func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "")
	}
	return s
}

func first(l []string) string {
	if len(l) == 0 {
		return ""
	}
	return l[0]
}
