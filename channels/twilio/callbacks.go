package twilio

import (
	"net/url"
	"strings"
)

// InboundSMS is Twilio's request to a number's messaging webhook when a
// message arrives (https://www.twilio.com/docs/messaging/guides/webhook-request).
type InboundSMS struct {
	MessageSID string // "SM..." or "MM..."
	AccountSID string
	From       string // the sender, E.164 for SMS
	To         string // our number
	Body       string // may be empty when the message only carries media
	NumMedia   int    // how many MediaUrlN parameters came with it
}

// ParseInboundSMS reads an inbound message from a webhook's POST form. It
// reports every missing or malformed parameter as a *WebhookError.
func ParseInboundSMS(form url.Values) (InboundSMS, error) {
	r := newFormReader("inbound sms", form)
	m := InboundSMS{
		MessageSID: r.sid("MessageSid", true, "SM", "MM"),
		AccountSID: r.sid("AccountSid", true, "AC"),
		From:       r.required("From"),
		To:         r.required("To"),
		Body:       r.optional("Body"),
		NumMedia:   r.count("NumMedia"),
	}
	return m, r.done()
}

// StatusCallback is Twilio's report of an outbound message's progress, sent
// to the StatusCallback URL given when it was created.
type StatusCallback struct {
	MessageSID    string
	AccountSID    string
	MessageStatus string // queued, sent, delivered, undelivered, failed, ...
	ErrorCode     int    // set when the message failed, such as 30003; else 0
	To            string
	From          string
}

// ParseStatusCallback reads a message status callback from its POST form.
// It reports every missing or malformed parameter as a *WebhookError.
func ParseStatusCallback(form url.Values) (StatusCallback, error) {
	r := newFormReader("message status", form)
	s := StatusCallback{
		MessageSID:    r.sid("MessageSid", true, "SM", "MM"),
		AccountSID:    r.sid("AccountSid", true, "AC"),
		MessageStatus: r.required("MessageStatus"),
		ErrorCode:     r.count("ErrorCode"),
		To:            r.optional("To"),
		From:          r.optional("From"),
	}
	return s, r.done()
}

// Final reports whether the status is one a message does not leave.
func (s StatusCallback) Final() bool {
	switch s.MessageStatus {
	case "delivered", "undelivered", "failed", "read", "canceled":
		return true
	}
	return false
}

// RecordingCallback is Twilio's request when a voicemail recording is
// ready: the <Record> verb's action URL, or its recordingStatusCallback
// (https://www.twilio.com/docs/voice/twiml/record).
type RecordingCallback struct {
	RecordingSID      string // "RE..."; taken from RecordingURL when absent
	RecordingURL      string
	RecordingStatus   string // completed, absent, failed; "" on the action URL
	RecordingDuration int    // seconds
	CallSID           string
	AccountSID        string
	From              string // the caller
	To                string // our number
	ErrorCode         int
}

// ParseRecording reads a recording callback from its POST form. It reports
// every missing or malformed parameter as a *WebhookError.
func ParseRecording(form url.Values) (RecordingCallback, error) {
	r := newFormReader("recording", form)
	c := RecordingCallback{
		RecordingSID:      r.sid("RecordingSid", false, "RE"),
		RecordingURL:      r.url("RecordingUrl", true),
		RecordingStatus:   r.optional("RecordingStatus"),
		RecordingDuration: r.count("RecordingDuration"),
		CallSID:           r.sid("CallSid", true, "CA"),
		AccountSID:        r.sid("AccountSid", true, "AC"),
		From:              r.optional("From"),
		To:                r.optional("To"),
		ErrorCode:         r.count("ErrorCode"),
	}
	if c.RecordingSID == "" && c.RecordingURL != "" && form.Get("RecordingSid") == "" {
		c.RecordingSID = sidFromURL(c.RecordingURL, "RE")
	}
	return c, r.done()
}

// TranscriptionCallback is Twilio's request to the <Record> verb's
// transcribeCallback URL with a voicemail's text.
type TranscriptionCallback struct {
	TranscriptionSID    string // "TR..."
	TranscriptionText   string // empty when the transcription failed
	TranscriptionStatus string // completed or failed
	TranscriptionURL    string
	RecordingSID        string
	RecordingURL        string
	CallSID             string
	AccountSID          string
	From                string // the caller
	To                  string // our number
}

// ParseTranscription reads a transcription callback from its POST form. It
// reports every missing or malformed parameter as a *WebhookError.
func ParseTranscription(form url.Values) (TranscriptionCallback, error) {
	r := newFormReader("transcription", form)
	c := TranscriptionCallback{
		TranscriptionSID:    r.sid("TranscriptionSid", true, "TR"),
		TranscriptionText:   r.optional("TranscriptionText"),
		TranscriptionStatus: r.required("TranscriptionStatus"),
		TranscriptionURL:    r.url("TranscriptionUrl", false),
		RecordingSID:        r.sid("RecordingSid", true, "RE"),
		RecordingURL:        r.url("RecordingUrl", true),
		CallSID:             r.sid("CallSid", true, "CA"),
		AccountSID:          r.sid("AccountSid", true, "AC"),
		From:                r.optional("From"),
		To:                  r.optional("To"),
	}
	return c, r.done()
}

// sidFromURL returns the last path segment of raw, without an extension,
// if it is a SID with the given prefix.
func sidFromURL(raw, prefix string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	seg := u.Path[strings.LastIndexByte(u.Path, '/')+1:]
	seg, _, _ = strings.Cut(seg, ".")
	if validSID(seg, prefix) {
		return seg
	}
	return ""
}
