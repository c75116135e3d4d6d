// Package smtp sends the gateway's outbound customer email through an SMTP
// relay (RFC 5321): the acknowledgement asking for a time to call, and the
// note after a call reached voicemail. Nothing else may go out by email.
//
// A Sender builds an RFC 5322 message with go-message (text/plain in UTF-8,
// RFC 2047 encoded subject, Date, Message-ID, MIME-Version), connects with
// go-smtp over STARTTLS (the default), implicit TLS, or, to a loopback relay
// only, in clear, and authenticates with AUTH PLAIN (go-sasl) only over TLS.
// Package smtptest is an in-process recording SMTP server for tests.
package smtp
