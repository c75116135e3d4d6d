package twiliotest

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// SendStatus POSTs a message status callback for the message sid to
// callbackURL, signed with the auth token as Twilio signs it, and records the
// status on the message (and the request in Webhooks). It fails if the message is unknown or the callback
// does not answer 2xx.
func (s *Server) SendStatus(ctx context.Context, callbackURL, sid, status string) error {
	return s.SendStatusError(ctx, callbackURL, sid, status, 0)
}

// SendStatusError is SendStatus with an error code (such as 30003,
// unreachable handset), as Twilio sends with "failed" and "undelivered".
func (s *Server) SendStatusError(ctx context.Context, callbackURL, sid, status string, errorCode int) error {
	m, err := s.message(sid)
	if err != nil {
		return fmt.Errorf("send status %s for %s: %w", status, sid, err)
	}
	form := url.Values{
		"AccountSid":    {m.AccountSID},
		"ApiVersion":    {"2010-04-01"},
		"MessageSid":    {m.SID},
		"SmsSid":        {m.SID},
		"MessageStatus": {status},
		"SmsStatus":     {status},
		"To":            {m.To},
	}
	if m.From != "" {
		form.Set("From", m.From)
	}
	if m.MessagingServiceSID != "" {
		form.Set("MessagingServiceSid", m.MessagingServiceSID)
	}
	if errorCode != 0 {
		form.Set("ErrorCode", strconv.Itoa(errorCode))
	}
	h := s.deliver(ctx, KindMessageStatus, "", http.MethodPost, callbackURL, form, s.authToken)
	switch {
	case h.Err != nil:
		return fmt.Errorf("send status %s for %s: %w", status, sid, h.Err)
	case !h.OK():
		return fmt.Errorf("send status %s for %s: callback answered %d: %q", status, sid, h.Status, truncate(h.Body, 512))
	}
	s.setStatus(sid, status)
	return nil
}

// truncate returns s cut to at most n bytes.
func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
