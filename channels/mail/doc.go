// Package mail parses inbound e-mail into what the triage gateway needs: the
// sender and recipients, the readable text, the part of it the sender wrote
// now (quoted history, signatures and forwarded headers set apart), the
// attachments, and whether the message is a bounce, an auto-reply or list
// traffic.
//
// It reads Internet messages as defined by RFC 5322 with MIME bodies
// (RFC 2045, RFC 2046, RFC 2047, RFC 2049 and RFC 2231 parameters). It
// recognises delivery status notifications (RFC 3464, RFC 6522 reports) and
// automatic responses (RFC 3834 Auto-Submitted, RFC 2369/2919 list headers).
//
// The MIME parsing is github.com/emersion/go-message's: textproto.ReadHeader
// and its multipart reader split the message, message.New undoes transfer
// encodings and converts charsets, and mail.Header reads addresses, dates,
// message ids and RFC 2047 encoded words.
//
// Parsing is lenient: mail from the wild is often malformed. Where
// go-message refuses a header, a multipart, a transfer encoding, a charset
// or a field, or would lose content, the package's own lenient code reads
// that part instead: unknown charsets, broken base64, truncated multiparts,
// wrong boundaries and raw 8-bit headers are decoded as well as possible and
// each fallback is reported in Message.Warnings. Only input from which
// nothing useful can be taken gives a *ParseError. Parse never panics on
// bad input.
//
// The cut of the text into new text, quoted history and signature, and
// the patterns of forward markers and quoted header blocks, are
// github.com/triage-gw/triage/nlp/reply's: a leaf package of pure rules,
// shared with the NLP stage so that they live in one place.
//
// The package knows nothing else of the rest of the gateway.
package mail
