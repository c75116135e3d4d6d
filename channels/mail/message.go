package mail

import (
	"fmt"
	"time"
)

// Address is a mailbox: an optional display name and an address.
type Address struct {
	Name string // display name, RFC 2047 decoded; "" if absent
	Addr string // addr-spec, lower-cased; may lack a domain ("mailer-daemon") or be "" when only a name was given
}

// String formats the address for logs and display, e.g. `Ann <ann@example.com>`.
func (a Address) String() string {
	switch {
	case a.Name == "":
		return a.Addr
	case a.Addr == "":
		return a.Name
	default:
		return a.Name + " <" + a.Addr + ">"
	}
}

// AutoKind says whether a message was sent by a machine rather than a person.
type AutoKind string

// Kinds of automatic messages. The empty kind is a message from a person.
const (
	AutoNone   AutoKind = ""
	AutoReply  AutoKind = "auto_reply" // out-of-office, vacation and other RFC 3834 responses
	AutoBounce AutoKind = "bounce"     // delivery status notifications and MTA bounces
	AutoList   AutoKind = "list"       // mailing list or bulk mail
)

// Attachment describes a body part that is not part of the readable text.
type Attachment struct {
	Filename    string // RFC 2231/2047 decoded; "" if the part has none
	ContentType string // media type, lower-cased, without parameters
	Size        int    // decoded size in bytes
}

// Message is what the gateway needs from one e-mail.
type Message struct {
	MessageID  string    // without the angle brackets; "" if absent
	From       Address   // first From address (Sender when From is missing)
	ReplyTo    []Address // Reply-To addresses
	To, Cc     []Address // recipients
	Subject    string    // RFC 2047 decoded
	Date       time.Time // zero if absent, unparseable or implausible (Warnings then says so)
	InReplyTo  string    // first In-Reply-To message id, without angle brackets
	References []string  // References message ids, oldest first, without angle brackets

	// Text is the whole readable body: text/plain preferred, else HTML
	// converted to text; charset-decoded to UTF-8 with LF line endings.
	// The text of a forwarded message/rfc822 part follows the text of its
	// carrier, introduced by a "Forwarded message" header block.
	Text string
	// NewText is the part of Text the sender wrote now: Text without quoted
	// history, attribution lines, reply header blocks and the signature.
	// Only the first MaxSplitText bytes of Text are looked at.
	// For a forward whose own note is short, it also holds the forwarded
	// text (without its header block), since that is usually the point.
	NewText string
	// Quoted is what was removed from Text as quoted history.
	Quoted string
	// Signature is the block after a "-- " signature separator in the new
	// text; it is kept out of NewText but often holds contact details.
	Signature string
	// Forwarded reports that the message forwards another one, inline
	// ("Forwarded message" block) or as a message/rfc822 part.
	Forwarded bool
	// OriginalFrom is who wrote the message this one forwards, nil when
	// unknown: the From of the innermost forwarded message (a
	// message/rfc822 part or an inline forward, see OriginalSender), else
	// X-Original-From, X-Original-Sender, and for a forward Reply-To.
	// OriginalFromVia says which (OriginalFromForward, …). It is read for
	// every message; whether the sender really forwards mail is the
	// caller's to decide.
	OriginalFrom    *Address
	OriginalFromVia string
	// ResentFrom is the first Resent-From address, nil when absent: who
	// resent (redirected) the message. From is then its author.
	ResentFrom *Address

	Auto       AutoKind // bounce beats auto_reply beats list
	AutoReason string   // why Auto was set, e.g. "Auto-Submitted: auto-replied"

	Attachments []Attachment
	// Warnings lists non-fatal problems met while parsing, e.g. an unknown
	// charset decoded as Latin-1, a missing Date or a truncated multipart.
	Warnings []string
}

// Options tunes Parse. The zero value is ready to use.
type Options struct {
	// MaxSize is the largest message accepted, in bytes; 0 means 25 MiB.
	MaxSize int64
	// Now is the clock a Date is checked against: a Date before 1970 or
	// more than a day after Now() is implausible, and Message.Date is then
	// zero. nil means time.Now.
	Now func() time.Time
}

// DefaultMaxSize is the size limit used when Options.MaxSize is 0.
const DefaultMaxSize = 25 << 20

// MaxSplitText is the most bytes of Message.Text that are split into
// NewText, Quoted and Signature. Text past it stays in Text only, and
// Warnings says so: the new text is at the top of a message, and what the
// gateway analyses needs far less. It keeps the cost of a huge mail of
// short lines to tens of milliseconds.
const MaxSplitText = 256 << 10

func (o Options) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

func (o Options) maxSize() int64 {
	if o.MaxSize <= 0 {
		return DefaultMaxSize
	}
	return o.MaxSize
}

// ParseError is returned by Parse for input that cannot be used at all.
// The caller should quarantine the raw message with Reason.
type ParseError struct {
	Reason string // short and human-readable, e.g. "no header fields"
	Err    error  // underlying cause, if any
}

func (e *ParseError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("parse mail: %s: %v", e.Reason, e.Err)
	}
	return "parse mail: " + e.Reason
}

// Unwrap returns the underlying cause.
func (e *ParseError) Unwrap() error { return e.Err }
