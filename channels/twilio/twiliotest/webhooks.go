package twiliotest

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/triage-gw/triage/channels/twilio"
)

// The kinds of Webhook the stand-in sends.
const (
	KindCallStatus    = "call-status"    // a call leg's status callback
	KindCallURL       = "call-url"       // the TwiML request when a leg is answered: its Url, or its <Number url>
	KindDialAction    = "dial-action"    // a <Dial action> request, after the dialled leg ended
	KindRedirect      = "redirect"       // a <Redirect> request
	KindGather        = "gather"         // a <Gather action> request, after keys were pressed
	KindAMDStatus     = "amd-status"     // an answering-machine detection result
	KindInboundSMS    = "inbound-sms"    // SendSMS
	KindMessageStatus = "message-status" // SendStatus
	KindSigned        = "signed"         // PostSigned
	KindForged        = "forged"         // PostForged
)

// maxWebhookBody bounds how much of a webhook's answer is read and kept.
const maxWebhookBody = 64 << 10

// Webhook is one request the stand-in made to a webhook URL, and what came
// back.
type Webhook struct {
	Kind    string // one of the Kind constants
	CallSID string // the call leg it is about, if any
	Method  string // POST, or GET when the call asked for it
	// URL is the URL requested, with the form in its query for a GET: the
	// URL the signature covers.
	URL    string
	Form   url.Values
	Status int    // the HTTP status of the answer, 0 if none came
	Body   string // the answer's body, its first 64 KiB
	// Err is the transport error, or the reason the answer was refused
	// (such as TwiML that does not parse, which Twilio reports as an
	// application error and hangs up on), or nil.
	Err error
}

// OK reports whether the webhook got a 2xx answer it could use.
func (h Webhook) OK() bool { return h.Err == nil && h.Status >= 200 && h.Status <= 299 }

// Webhooks returns the requests the stand-in made, in the order they were
// answered (a held create's call plays later), oldest first.
func (s *Server) Webhooks() []Webhook { return s.webhooks.All() }

// WaitWebhooks blocks until at least n requests have been made and
// answered, and returns them, or returns ctx's error with those so far.
func (s *Server) WaitWebhooks(ctx context.Context, n int) ([]Webhook, error) {
	return s.webhooks.Wait(ctx, n)
}

// PostSigned POSTs form to webhookURL signed with the auth token, as Twilio
// signs its webhooks, and returns the answer's status and body. Tests use it
// to repeat a callback or to send one the stand-in has no play for. Only a
// failure to get an answer is an error.
func (s *Server) PostSigned(ctx context.Context, webhookURL string, form url.Values) (status int, body string, err error) {
	h := s.deliver(ctx, KindSigned, "", http.MethodPost, webhookURL, form, s.authToken)
	return h.Status, h.Body, h.Err
}

// PostForged is PostSigned with a signature made with the wrong auth token,
// as an attacker would send: the gateway must refuse it.
func (s *Server) PostForged(ctx context.Context, webhookURL string, form url.Values) (status int, body string, err error) {
	h := s.deliver(ctx, KindForged, "", http.MethodPost, webhookURL, form, "forged"+s.authToken)
	return h.Status, h.Body, h.Err
}

// deliver sends a webhook and records it.
func (s *Server) deliver(ctx context.Context, kind, callSID, method, rawURL string, form url.Values, token string) Webhook {
	h := s.send(ctx, kind, callSID, method, rawURL, form, token)
	s.webhooks.Add(h)
	return h
}

// send makes a webhook request as Twilio does, signed with token (see
// Sign): a POST of form, or a GET with form added to the URL's query. It
// does not record it.
func (s *Server) send(ctx context.Context, kind, callSID, method, rawURL string, form url.Values, token string) Webhook {
	h := Webhook{Kind: kind, CallSID: callSID, Method: method, URL: rawURL, Form: form}
	var body io.Reader
	var signature string
	if method == http.MethodGet {
		u, err := url.Parse(rawURL)
		if err != nil {
			h.Err = fmt.Errorf("%s %s: %w", kind, rawURL, err)
			return h
		}
		q := u.Query()
		for name, values := range form {
			for _, v := range values {
				q.Add(name, v)
			}
		}
		u.RawQuery = q.Encode()
		h.URL = u.String()
		signature = Sign(token, h.URL, nil)
	} else {
		body = strings.NewReader(form.Encode())
		signature = Sign(token, rawURL, form)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.URL, body)
	if err != nil {
		h.Err = fmt.Errorf("%s %s: %w", kind, rawURL, err)
		return h
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("User-Agent", "TwilioProxy/1.1")
	req.Header.Set(twilio.SignatureHeader, signature)
	resp, err := s.client.Do(req)
	if err != nil {
		h.Err = fmt.Errorf("%s %s: %w", kind, rawURL, err)
		return h
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxWebhookBody))
	h.Status, h.Body = resp.StatusCode, string(b)
	if err != nil {
		h.Err = fmt.Errorf("%s %s: read answer: %w", kind, rawURL, err)
	}
	return h
}
