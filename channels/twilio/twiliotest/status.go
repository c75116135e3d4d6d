package twiliotest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/triage-gw/triage/channels/twilio"
)

// SendStatus POSTs a message status callback for the message sid to
// callbackURL, signed with the auth token as Twilio signs it, and records the
// status on the message. It fails if the message is unknown or the callback
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
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, callbackURL, strings.NewReader(form.Encode()))
	if err != nil {
		return fmt.Errorf("send status %s for %s: %w", status, sid, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	req.Header.Set(twilio.SignatureHeader, Sign(s.authToken, callbackURL, form))
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("send status %s for %s: %w", status, sid, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("send status %s for %s: callback answered %s: %q", status, sid, resp.Status, body)
	}
	s.setStatus(sid, status)
	return nil
}
