package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/mail"
	"github.com/triage-gw/triage/gateway/store"
)

// IngestEmail parses one raw RFC 5322 message and ingests it. Mail that
// cannot be parsed is quarantined with the reason, under source (e.g.
// "imap:support@example.com/INBOX:7:42"), and is not an error: intake
// moves on. A message already stored (the same Message-ID and the same
// content) is a duplicate; a different message that reuses a stored
// Message-ID is stored as a message of its own (see emailExternalID).
func (g *Gateway) IngestEmail(ctx context.Context, raw []byte, source string) (IngestResult, error) {
	return g.ingestEmail(ctx, raw, source, time.Time{}, "")
}

// ingestEmail is IngestEmail with the time the mailbox received the
// message (zero when unknown), which stands in for a Date that is missing
// or implausible, and a note ("" for none), a line that is added to the
// end of the message's text and to a quarantine's reason, such as the
// notice that only part of the message was fetched.
func (g *Gateway) ingestEmail(ctx context.Context, raw []byte, source string, arrived time.Time, note string) (IngestResult, error) {
	now := g.now()
	msg, err := mail.Parse(bytes.NewReader(raw), mail.Options{Now: g.now})
	if err != nil {
		reason := parseReason(err)
		if note != "" {
			reason += " " + note
		}
		return g.quarantine(ctx, store.ChannelEmail, source, reason, raw)
	}
	if len(msg.Warnings) > 0 {
		g.log.Info("mail read with warnings", "source", source, "message_id", msg.MessageID, "warnings", msg.Warnings)
	}
	sent := msg.Date
	if sent.IsZero() && !arrived.IsZero() && mail.PlausibleDate(arrived, now) {
		sent = arrived
	}
	text, quoted := msg.NewText, msg.Quoted
	if strings.TrimSpace(text) == "" {
		text, quoted = msg.Text, "" // nothing new: the whole text is read
	}
	text = clipText(text, mail.MaxSplitText)
	if note != "" {
		text = strings.TrimRight(text, "\r\n") + "\n\n" + note
		g.log.Warn("mail ingested with a note", "source", source, "message_id", msg.MessageID, "note", note)
	}
	in := Inbound{
		Channel:  store.ChannelEmail,
		FromAddr: msg.From.Addr, FromName: msg.From.Name, Subject: msg.Subject, Text: text, Quoted: quoted,
		AutoKind: string(msg.Auto), SentAt: sent, Raw: raw,
		InReplyTo: msg.InReplyTo, References: msg.References,
	}
	who, err := g.whoSent(ctx, msg)
	if err != nil {
		return IngestResult{Inbound: in}, err
	}
	switch who.kind {
	case senderForward:
		in.FromAddr, in.FromName, in.ForwardedBy = who.customer.Addr, who.customer.Name, who.forwarder
		g.log.Info("forwarded mail: the customer is its original sender", "source", source, "message_id", msg.MessageID,
			"forwarded_by", who.forwarder, "original_from", who.customer.Addr, "found_in", who.via)
	case senderStaff:
		return g.staffMail(ctx, in, msg, who.staffID, source)
	case senderInternal:
		return g.skip(in, who.reason), nil
	}
	// Two tries: a different message with the same Message-ID may be
	// stored by another poller between the look-up and the insert, which
	// then reports a duplicate; the second look-up sees it.
	for try := 1; ; try++ {
		id, stored, err := g.emailExternalID(ctx, msg, raw)
		if err != nil {
			return IngestResult{Inbound: in}, err
		}
		in.ExternalID = id
		if stored {
			return g.duplicate(in), nil
		}
		res, err := g.Ingest(ctx, in)
		if err != nil || !res.Duplicate || try == 2 || msg.MessageID == "" {
			return res, err
		}
	}
}

// emailExternalID returns the external id that msg, whose source is raw,
// is stored under, and whether it is stored already.
//
// The Message-ID is chosen by the sender, so it alone would let a
// different message that reuses it pass for a duplicate and be dropped.
// The first message with a given Message-ID is stored under it, as earlier
// releases stored every message, so that their ids still catch
// redeliveries. When a message is stored under that id, the two are the
// same message if their content is (see contentHash); a different message
// gets the id "<Message-ID> sha256:<16 hex digits of its content hash>",
// which holds a space and so is no real Message-ID. A message without a
// Message-ID is known by the hash of its raw bytes, "sha256:<hex>".
func (g *Gateway) emailExternalID(ctx context.Context, msg *mail.Message, raw []byte) (string, bool, error) {
	if msg.MessageID == "" {
		sum := sha256.Sum256(raw)
		id := "sha256:" + hex.EncodeToString(sum[:])
		return id, false, nil
	}
	hash := contentHash(msg)
	for _, id := range []string{msg.MessageID, msg.MessageID + " sha256:" + hash[:16]} {
		m, err := g.store.MessageGetByExternalID(ctx, store.ChannelEmail, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return id, false, nil
		case err != nil:
			return "", false, fmt.Errorf("look up email %q: %w", id, err)
		case id != msg.MessageID || bytes.Equal(m.Raw, raw) || storedHash(m.Raw) == hash:
			return id, true, nil
		}
	}
	// Not reached: the second id either is stored or is not.
	return "", false, fmt.Errorf("look up email %q: no id left", msg.MessageID)
}

// contentHash is the hex SHA-256 of what makes a message the message it
// is: the sender's address, the subject, the text and the attachments'
// names, types and sizes. Trace fields that relays add (Received,
// Delivered-To, Authentication-Results) and transfer encodings are left
// out, so a copy that reached the mailbox by another path is the same
// message.
func contentHash(m *mail.Message) string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field(m.From.Addr)
	field(m.Subject)
	field(m.Text)
	for _, a := range m.Attachments {
		field(a.Filename)
		field(a.ContentType)
		field(strconv.Itoa(a.Size))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// storedHash is the contentHash of a stored message's raw source, or ""
// when it no longer parses.
func storedHash(raw []byte) string {
	m, err := mail.Parse(bytes.NewReader(raw), mail.Options{})
	if err != nil {
		return ""
	}
	return contentHash(m)
}

// duplicate reports a message that is stored already, without scoring or
// routing it again.
func (g *Gateway) duplicate(in Inbound) IngestResult {
	g.log.Info("duplicate message ignored", "channel", in.Channel, "external_id", in.ExternalID)
	res := IngestResult{Inbound: in, Duplicate: true}
	if g.opts.OnIngest != nil {
		g.opts.OnIngest(res)
	}
	return res
}

// routedAutoKind is the kind of automatic mail that routing decides on for
// in: "" for bulk list mail when Options.CustomerLists treats it as
// customer mail, so that it is scored and routed like any mail, and
// in.AutoKind otherwise. The stored message keeps in.AutoKind, so list
// mail never gets an acknowledgement (see queueAcknowledgement).
func (g *Gateway) routedAutoKind(in Inbound) string {
	if g.opts.CustomerLists && in.AutoKind == string(mail.AutoList) {
		return ""
	}
	return in.AutoKind
}

// clipText returns s cut to at most n bytes at a character boundary.
func clipText(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

func parseReason(err error) string {
	if pe, ok := errors.AsType[*mail.ParseError](err); ok && pe.Reason != "" {
		return pe.Reason
	}
	return err.Error()
}

// quarantine keeps input that could not be processed, with its reason.
func (g *Gateway) quarantine(ctx context.Context, channel, externalID, reason string, raw []byte) (IngestResult, error) {
	res := IngestResult{Inbound: Inbound{Channel: channel, ExternalID: externalID}, Quarantined: true, Reason: reason}
	_, inserted, err := g.store.QuarantineInsert(ctx, store.QuarantineInsertParams{Channel: channel, ExternalID: externalID, Reason: reason, Raw: raw})
	if err != nil {
		return res, fmt.Errorf("quarantine %s %s: %w", channel, externalID, err)
	}
	if inserted {
		g.log.Warn("input quarantined", "channel", channel, "external_id", externalID, "reason", reason)
	}
	if g.opts.OnIngest != nil && inserted {
		g.opts.OnIngest(res)
	}
	return res, nil
}

// maxIngestAttempts is how many times a mailbox message is tried before it
// is quarantined as a dead letter, so that it cannot hold back the mail
// behind it. The poller waits between tries with its doubling backoff
// (about 15 s for five tries).
const maxIngestAttempts = 5

// maxPanicReason bounds the panic value quoted in a quarantine reason.
const maxPanicReason = 500

// MailboxSink returns the imap.Sink through which a mailbox poller hands
// mail to the gateway; its cursor lives in the store. Call it once per
// poller: it counts the failures of each message.
//
// A message whose ingest fails is delivered again by the poller's next
// polls, with its backoff; after maxIngestAttempts failures in a row it is
// quarantined with the last error as the reason, and the cursor moves on.
// A panic while one message is parsed, scored or stored quarantines that
// message at once, with "internal error: <panic>" as the reason, and logs
// the stack.
func (g *Gateway) MailboxSink() imap.Sink {
	return &mailboxSink{g: g, what: "mail ingest", handle: g.ingestRaw, failures: make(map[string]int)}
}

// mailboxSink hands a mailbox's messages one by one to handle, keeps the
// mailbox's cursor in the store, and dead-letters a message that keeps
// failing or panics. The inbox and the Sent folder differ only in handle.
type mailboxSink struct {
	g      *Gateway
	what   string // for logs and quarantine reasons: "mail ingest"
	handle func(ctx context.Context, m imap.RawMessage, source string) error

	mu       sync.Mutex
	failures map[string]int // by source: failed deliveries in a row
}

func (s *mailboxSink) Cursor(ctx context.Context, mailbox string) (imap.Cursor, error) {
	c, err := s.g.store.MailboxCursorGet(ctx, mailbox)
	if errors.Is(err, store.ErrNotFound) {
		return imap.Cursor{}, nil
	}
	if err != nil {
		return imap.Cursor{}, fmt.Errorf("mailbox cursor %s: %w", mailbox, err)
	}
	return imap.Cursor{UIDValidity: c.UIDValidity, LastUID: c.LastUID}, nil
}

func (s *mailboxSink) SaveCursor(ctx context.Context, mailbox string, c imap.Cursor) error {
	return s.g.store.MailboxCursorSet(ctx, store.MailboxCursor{Mailbox: mailbox, UIDValidity: c.UIDValidity, LastUID: c.LastUID, UpdatedAt: s.g.now().UTC()})
}

// Deliver ingests one message, and quarantines it as a dead letter once it
// has failed maxIngestAttempts times in a row. An error leaves the cursor
// before the message.
func (s *mailboxSink) Deliver(ctx context.Context, m imap.RawMessage) error {
	source := fmt.Sprintf("imap:%s:%d:%d", m.Mailbox, m.UIDValidity, m.UID)
	err := s.deliver(ctx, m, source)
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case err == nil:
		delete(s.failures, source)
		return nil
	case ctx.Err() != nil:
		return err // stopping: not the message's fault
	}
	s.failures[source]++
	n := s.failures[source]
	if n < maxIngestAttempts {
		s.g.log.Warn(s.what+" failed: will retry", "source", source, "attempt", n, "max_attempts", maxIngestAttempts, "err", err)
		return err
	}
	reason := fmt.Sprintf("%s failed %d times; last error: %v", s.what, n, err)
	if _, qerr := s.g.quarantine(ctx, store.ChannelEmail, source, reason, m.Body); qerr != nil {
		return fmt.Errorf("dead-letter %s: %w", source, errors.Join(err, qerr))
	}
	delete(s.failures, source)
	s.g.deadLetters.add(s.g.now(), source, reason)
	s.g.log.Error(s.what+" gave up: message quarantined, intake moves on", "source", source, "attempts", n, "err", err)
	return nil
}

// deliver handles one message. A panic is recovered here, where one
// message is handled: the message is quarantined and intake goes on.
func (s *mailboxSink) deliver(ctx context.Context, m imap.RawMessage, source string) (err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		s.g.log.Error("panic in "+s.what+": message quarantined", "source", source, "panic", p, "stack", string(debug.Stack()))
		reason := clipText(fmt.Sprintf("internal error: %v", p), maxPanicReason)
		if _, err = s.g.quarantine(ctx, store.ChannelEmail, source, reason, m.Body); err == nil {
			s.g.deadLetters.add(s.g.now(), source, reason)
		}
	}()
	return s.handle(ctx, m, source)
}

// maxDeadLetterReason bounds the reason GET /readyz quotes for the last
// dead letter.
const maxDeadLetterReason = 200

// deadLetters counts the mailbox messages quarantined as dead letters
// (after maxIngestAttempts failures, or a panic) since the gateway
// started, and keeps the last one, for GET /readyz. Its zero value is
// ready to use.
type deadLetters struct {
	mu     sync.Mutex
	count  int
	at     time.Time
	source string
	reason string
}

// add records a dead letter quarantined at at under source, for reason.
func (d *deadLetters) add(at time.Time, source, reason string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.count++
	d.at, d.source, d.reason = at, source, reason
}

// summary is the line that GET /readyz shows, such as "dead letters since
// start: 2 (last: 2026-12-07T23:50:00Z imap:INBOX:1:7: mail ingest failed
// 5 times; last error: …)", or "" when there were none. The reason is an
// error's text; it is put on one line, stripped of credentials that a
// connection string in it could carry, and clipped.
func (d *deadLetters) summary() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.count == 0 {
		return ""
	}
	return fmt.Sprintf("dead letters since start: %d (last: %s %s: %s)",
		d.count, d.at.UTC().Format(time.RFC3339), oneLine(d.source, maxDeadLetterReason), oneLine(redact(d.reason), maxDeadLetterReason))
}

// oneLine returns s with its control characters (line breaks among them)
// made spaces, clipped to n bytes with "…" when longer.
func oneLine(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	if len(s) > n {
		s = clipText(s, n) + "…"
	}
	return s
}

// passwordRE and userinfoRE find what a connection string in an error
// text may hold of a secret: "password=…" (the libpq key/value form) and
// the password of a URL's userinfo ("postgres://user:secret@host").
var (
	passwordRE = regexp.MustCompile(`(?i)\b(password|passwd|pwd)=[^\s&]*`)
	userinfoRE = regexp.MustCompile(`(://[^/\s:@]*:)[^@\s]*@`)
)

// redact hides the credentials that passwordRE and userinfoRE find in s.
func redact(s string) string {
	s = passwordRE.ReplaceAllString(s, "${1}=REDACTED")
	return userinfoRE.ReplaceAllString(s, "${1}REDACTED@")
}

// ingestRaw ingests one message of the inbox. A message over the size
// limit, fetched only in part, is ingested from what was fetched like any
// other, and its text ends with truncatedNote so that whoever reads the
// case knows that the rest is missing; it is quarantined only when what was
// fetched does not parse at all.
func (g *Gateway) ingestRaw(ctx context.Context, m imap.RawMessage, source string) error {
	note := ""
	if m.Truncated {
		note = truncatedNote(len(m.Body), m.Size)
	}
	_, err := g.ingestEmail(ctx, m.Body, source, m.InternalDate, note)
	return err
}

// truncatedNote is the line that flags a message of size bytes of which
// only the first fetched bytes were fetched.
func truncatedNote(fetched int, size int64) string {
	return fmt.Sprintf("[message truncated: %d of %d bytes fetched]", fetched, size)
}
