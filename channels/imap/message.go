package imap

import (
	"context"
	"time"
)

// RawMessage is one message as the server stores it.
type RawMessage struct {
	// Mailbox is Config.Username + "/" + Config.Mailbox: the cursor key.
	Mailbox string
	// UIDValidity is the mailbox's UIDVALIDITY when the message was fetched;
	// (Mailbox, UIDValidity, UID) names the message for good.
	UIDValidity uint32
	// UID is the message's unique identifier within UIDValidity.
	UID uint32
	// InternalDate is when the server received the message.
	InternalDate time.Time
	// Size is the message's full size in bytes (RFC822.SIZE), which is
	// larger than len(Body) when Truncated is set.
	Size int64
	// Body is the RFC 5322 source, fetched with BODY.PEEK[] so that the
	// message is not marked \Seen.
	Body []byte
	// Truncated says that the message is larger than Config.MaxMessageSize
	// and was not downloaded whole: Body holds its header (up to
	// MaxMessageSize bytes) followed by the first MaxMessageSize bytes of
	// its text, so a multipart body is cut short. Such a message is
	// delivered all the same, so that the caller can still act on it.
	Truncated bool
}

// Cursor is how far a mailbox has been delivered: every message with a UID
// up to LastUID under UIDValidity. The zero Cursor means nothing yet.
type Cursor struct {
	UIDValidity uint32
	LastUID     uint32
}

// Sink receives the messages of a mailbox, in UID order, and keeps the
// cursor. It is implemented by the caller.
//
// The Poller calls SaveCursor after each delivered message, so a restart
// resumes after it. A message can still be delivered twice (a crash between
// Deliver and SaveCursor, or a UIDVALIDITY change, which restarts from UID
// 1), so Deliver must be idempotent.
type Sink interface {
	// Cursor returns the saved cursor of mailbox, or the zero Cursor when
	// there is none.
	Cursor(ctx context.Context, mailbox string) (Cursor, error)
	// Deliver takes one message. An error stops the poll before the cursor
	// passes the message, so the next poll delivers it again.
	Deliver(ctx context.Context, m RawMessage) error
	// SaveCursor records that mailbox is delivered up to c.
	SaveCursor(ctx context.Context, mailbox string, c Cursor) error
}
