package twilio_test

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// FuzzWebhooks feeds arbitrary POST bodies to every webhook parser and to
// the signature functions: none may panic, a parser that succeeds must
// return its required fields, and Sign must validate
// whenever no parameter repeats.
func FuzzWebhooks(f *testing.F) {
	for _, name := range []string{"inbound_sms.form", "status_callback.form", "recording.form", "transcription.form"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatalf("read seed: %v", err)
		}
		f.Add(string(raw))
	}
	f.Add("MessageSid=SM&AccountSid=AC&From=&To=%ZZ&NumMedia=99999999999999999999")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		if m, err := twilio.ParseInboundSMS(form); err == nil && (m.MessageSID == "" || m.From == "" || m.To == "" || m.NumMedia < 0) {
			t.Errorf("ParseInboundSMS(%q) = %+v, nil; want the required fields", body, m)
		}
		if s, err := twilio.ParseStatusCallback(form); err == nil && (s.MessageSID == "" || s.MessageStatus == "") {
			t.Errorf("ParseStatusCallback(%q) = %+v, nil; want the required fields", body, s)
		}
		if r, err := twilio.ParseRecording(form); err == nil && (r.RecordingURL == "" || r.CallSID == "") {
			t.Errorf("ParseRecording(%q) = %+v, nil; want the required fields", body, r)
		}
		if tr, err := twilio.ParseTranscription(form); err == nil && (tr.TranscriptionSID == "" || tr.RecordingSID == "") {
			t.Errorf("ParseTranscription(%q) = %+v, nil; want the required fields", body, tr)
		}
		const hook = "https://triage.example.com/webhooks/twilio"
		repeated := false
		for _, v := range form {
			repeated = repeated || len(v) > 1
		}
		sig := twiliotest.Sign("token", hook, form)
		if got := twilio.ValidateSignature("token", hook, form, sig); got == repeated {
			t.Errorf("ValidateSignature(Sign(%q)) = %v, want %v (a repeated parameter is refused)", body, got, !repeated)
		}
	})
}
