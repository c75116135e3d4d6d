package twiliotest

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Reply is what a messaging webhook answered to an inbound message.
type Reply struct {
	Status int // the HTTP status
	// Messages are the texts of the <Message> verbs of the TwiML answer,
	// which Twilio would send back to the sender.
	Messages []string
	Body     string // the answer's body
	// MessageSID and Form are the message's SID and the form posted:
	// PostSigned(ctx, url, Form) or SendSMSWithSID(ctx, url, MessageSID,
	// from, body) sends it again, as Twilio retries.
	MessageSID string
	Form       url.Values
}

// SendSMS POSTs an incoming message from from with body to webhookURL, as
// Twilio does when a message reaches the stand-in's Number
// (https://www.twilio.com/docs/messaging/guides/webhook-request), signed
// with the auth token, with a new MessageSid. It returns the answer. An
// answer that is not 2xx is no error; one that cannot be had, or a 2xx
// answer whose TwiML does not parse, is.
func (s *Server) SendSMS(ctx context.Context, webhookURL, from, body string) (Reply, error) {
	return s.SendSMSWithSID(ctx, webhookURL, newSID("SM"), from, body)
}

// SendSMSWithSID is SendSMS with the MessageSid given: the same sid, from
// and body make the same request again, byte for byte, as Twilio's retries
// are.
func (s *Server) SendSMSWithSID(ctx context.Context, webhookURL, sid, from, body string) (Reply, error) {
	form := s.inboundForm(sid, from, body)
	h := s.send(ctx, KindInboundSMS, "", http.MethodPost, webhookURL, form, s.authToken)
	r := Reply{Status: h.Status, Body: h.Body, MessageSID: sid, Form: maps.Clone(form)}
	if h.Err == nil && h.OK() {
		doc, err := parseTwiML(h.Body)
		if err != nil {
			h.Err = err
		}
		for _, v := range doc {
			if v.name() == "Message" {
				r.Messages = append(r.Messages, v.messageText())
			}
		}
	}
	s.webhooks.Add(h)
	if h.Err != nil {
		return r, fmt.Errorf("send sms %s from %s: %w", sid, from, h.Err)
	}
	return r, nil
}

// inboundForm is the form of Twilio's inbound-message webhook for an SMS
// without media to the stand-in's number.
func (s *Server) inboundForm(sid, from, body string) url.Values {
	s.mu.Lock()
	to, service := s.number, s.serviceSID
	s.mu.Unlock()
	form := url.Values{
		"AccountSid":    {s.accountSID},
		"ApiVersion":    {"2010-04-01"},
		"MessageSid":    {sid},
		"SmsSid":        {sid},
		"SmsMessageSid": {sid},
		"SmsStatus":     {"received"},
		"From":          {from},
		"To":            {to},
		"Body":          {body},
		"NumMedia":      {"0"},
		"NumSegments":   {strconv.Itoa(segments(body))},
	}
	if service != "" {
		form.Set("MessagingServiceSid", service)
	}
	for name, number := range map[string]string{"FromCountry": from, "ToCountry": to} {
		if strings.HasPrefix(number, "+1") {
			form.Set(name, "US")
		}
	}
	return form
}

// segments is how many SMS segments carry body: one up to 160
// characters, else 153 a segment (the rest carries the concatenation
// header). It counts characters, not GSM-7 septets or UCS-2 units.
func segments(body string) int {
	n := utf8.RuneCountInString(body)
	if n <= 160 {
		return 1
	}
	return (n + 152) / 153
}
