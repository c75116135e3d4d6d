package twiliotest_test

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

func TestSendSMSPostsTwiliosInboundWebhook(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.SetMessagingServiceSID("MG0123456789abcdef0123456789abcdef")
	g := newGateway(t, nil, map[string]reply{"/sms": {twiml: `<?xml version="1.0" encoding="UTF-8"?>
<Response><Message>Got it, case 42.</Message><Message><Body>We call back within the hour.</Body></Message></Response>`}})

	r, err := srv.SendSMS(t.Context(), g.URLOf("/sms?tenant=1"), "+14155552671", "STOP calling me")
	if err != nil {
		t.Fatalf("SendSMS() = %v", err)
	}
	if r.Status != http.StatusOK || !slices.Equal(r.Messages, []string{"Got it, case 42.", "We call back within the hour."}) {
		t.Errorf("SendSMS() = %+v; want 200 and the two <Message> texts", r)
	}
	hits := g.got()
	if len(hits) != 1 || !hits[0].valid {
		t.Fatalf("gateway got %+v; want one validly signed request", hits)
	}
	in, err := twilio.ParseInboundSMS(hits[0].form)
	if err != nil {
		t.Fatalf("ParseInboundSMS(sent form) = %v", err)
	}
	if in.MessageSID != r.MessageSID || in.AccountSID != accountSID || in.From != "+14155552671" ||
		in.To != twiliotest.DefaultNumber || in.Body != "STOP calling me" || in.NumMedia != 0 {
		t.Errorf("ParseInboundSMS(sent form) = %+v; want the message to %s", in, twiliotest.DefaultNumber)
	}
	f := hits[0].form
	for key, want := range map[string]string{
		"SmsSid": r.MessageSID, "SmsMessageSid": r.MessageSID, "SmsStatus": "received", "NumSegments": "1",
		"ApiVersion": "2010-04-01", "MessagingServiceSid": "MG0123456789abcdef0123456789abcdef", "FromCountry": "US",
	} {
		if got := f.Get(key); got != want {
			t.Errorf("form %s = %q, want %q", key, got, want)
		}
	}

	// Twilio retries with the same MessageSid: the same request again.
	again, err := srv.SendSMSWithSID(t.Context(), g.URLOf("/sms?tenant=1"), r.MessageSID, "+14155552671", "STOP calling me")
	if err != nil || !maps.EqualFunc(again.Form, r.Form, slices.Equal) {
		t.Errorf("SendSMSWithSID(same) = %+v, %v; want the same form", again, err)
	}
	status, _, err := srv.PostSigned(t.Context(), g.URLOf("/sms?tenant=1"), r.Form)
	if err != nil || status != http.StatusOK {
		t.Errorf("PostSigned(reply form) = %d, %v; want 200", status, err)
	}
	hits = g.got()
	if len(hits) != 3 || !hits[1].valid || !hits[2].valid || !maps.EqualFunc(hits[1].form, hits[2].form, slices.Equal) {
		t.Errorf("gateway got %+v; want the same signed request twice more", hits[1:])
	}
	kinds := []string{}
	for _, h := range srv.Webhooks() {
		kinds = append(kinds, h.Kind)
	}
	if want := []string{twiliotest.KindInboundSMS, twiliotest.KindInboundSMS, twiliotest.KindSigned}; !slices.Equal(kinds, want) {
		t.Errorf("Webhooks() kinds = %q, want %q", kinds, want)
	}
}

func TestSendSMSReportsTheAnswer(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.SetNumber("+16175550100")
	g := newGateway(t, nil, map[string]reply{
		"/refused": {status: http.StatusForbidden, twiml: "bad signature"},
		"/garbled": {twiml: "<Response><Message>unclosed</Response>"},
	})
	r, err := srv.SendSMS(t.Context(), g.URLOf("/refused"), "+14155552671", "hi")
	if err != nil || r.Status != http.StatusForbidden || r.Body != "bad signature" || r.Messages != nil {
		t.Errorf("SendSMS(refused) = %+v, %v; want 403 reported, no error", r, err)
	}
	if _, err := srv.SendSMS(t.Context(), g.URLOf("/garbled"), "+14155552671", "hi"); err == nil {
		t.Errorf("SendSMS(garbled TwiML) = nil error, want the parse failure")
	}
	if got := g.got()[0].form.Get("To"); got != "+16175550100" || srv.Number() != got {
		t.Errorf("To = %q, Number() = %q; want SetNumber's +16175550100", got, srv.Number())
	}
	if _, err := srv.SendSMS(t.Context(), "http://127.0.0.1:9/sms", "+14155552671", "hi"); err == nil {
		t.Errorf("SendSMS(nobody listening) = nil error, want a transport error")
	}
}

func TestPostForgedIsRefusedByTheValidator(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	g := newGateway(t, nil, nil)
	form := url.Values{"CallSid": {"CA0123456789abcdef0123456789abcdef"}, "CallStatus": {"completed"}}
	if _, _, err := srv.PostForged(t.Context(), g.URLOf("/status"), form); err != nil {
		t.Fatalf("PostForged() = %v", err)
	}
	if _, _, err := srv.PostSigned(t.Context(), g.URLOf("/status"), form); err != nil {
		t.Fatalf("PostSigned() = %v", err)
	}
	if hits := g.got(); len(hits) != 2 || hits[0].valid || !hits[1].valid {
		t.Errorf("gateway got %+v; want the forged request invalid, the signed one valid", hits)
	}
}
