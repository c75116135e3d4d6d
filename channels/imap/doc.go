// Package imap pulls new mail from one IMAP mailbox (RFC 9051, and RFC 3501
// servers) and hands each message's raw RFC 5322 source, in UID order, to a
// Sink that the caller implements.
//
// The package owns the mailbox side only: connecting with implicit TLS or
// STARTTLS, logging in, opening the mailbox read-only (EXAMINE), finding the
// messages past the caller's cursor, fetching their sizes and then their
// bodies with BODY.PEEK[] so that \Seen is never set (people read the same
// inbox), and waiting for new mail
// with IDLE (RFC 2177) or by polling. It knows nothing of parsing, scoring or
// storage: the Sink stores the cursor and must make Deliver idempotent, since
// a message is delivered again after a crash between Deliver and SaveCursor,
// and every message is delivered again after a UIDVALIDITY change.
//
// Memory is bounded: a batch is streamed, each message handed to the Sink as
// it arrives, and a message over Config.MaxMessageSize is fetched as its
// header and the start of its text, delivered with RawMessage.Truncated set.
//
// Poller.Poll does one pass; Poller.Run polls until its context ends,
// reconnecting with backoff that starts afresh after each successful poll.
// go-imap has no contexts, so the connection is closed when a context ends
// to unblock whatever is waiting on it. For the same reason every command
// but the wait inside IDLE runs under a watchdog: when the server sends
// nothing for Config.CommandTimeout, the connection is closed, the poll
// fails with ErrTimeout and the next one reconnects, so that a stalled
// server cannot stop intake. A server with a private CA is trusted through
// Config.CAFile.
package imap
