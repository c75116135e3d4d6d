package twilio_test

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// FuzzWebhooks feeds arbitrary POST bodies to every webhook parser and to
// the signature functions: none may panic, a parser that succeeds must
// return its required fields, and Sign must validate
// whenever no parameter repeats.
func FuzzWebhooks(f *testing.F) {
	for _, name := range []string{
		"inbound_sms.form", "status_callback.form", "recording.form", "transcription.form",
		"call_status_agent.form", "call_status_customer.form", "voice_request.form", "dial_action.form", "amd.form", "gather.form",
	} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatalf("read seed: %v", err)
		}
		f.Add(string(raw))
	}
	f.Add("MessageSid=SM&AccountSid=AC&From=&To=%ZZ&NumMedia=99999999999999999999")
	f.Add("CallSid=CAa1b2c3d4e5f60718293a4b5c6d7e8f90&AccountSid=AC0123456789abcdef0123456789abcdef&Digits=1%00%23&Digits=2")
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
		if s, err := twilio.ParseCallStatus(form); err == nil && (s.CallSID == "" || s.AccountSID == "" || s.CallStatus == "" || s.CallDuration < 0 || s.SequenceNumber < 0) {
			t.Errorf("ParseCallStatus(%q) = %+v, nil; want the required fields", body, s)
		}
		if v, err := twilio.ParseVoiceRequest(form); err == nil && (v.CallSID == "" || v.AccountSID == "" || v.CallStatus == "" || v.From == "" || v.To == "") {
			t.Errorf("ParseVoiceRequest(%q) = %+v, nil; want the required fields", body, v)
		}
		if d, err := twilio.ParseDialAction(form); err == nil && (d.CallSID == "" || d.AccountSID == "" || d.DialCallStatus == "" || d.DialCallDuration < 0) {
			t.Errorf("ParseDialAction(%q) = %+v, nil; want the required fields", body, d)
		}
		if a, err := twilio.ParseAMD(form); err == nil && (a.CallSID == "" || a.AccountSID == "" || a.AnsweredBy == "" || a.MachineDetectionDuration < 0) {
			t.Errorf("ParseAMD(%q) = %+v, nil; want the required fields", body, a)
		}
		if g, err := twilio.ParseGather(form); err == nil && (g.CallSID == "" || g.AccountSID == "" || strings.Trim(g.Digits, "0123456789*#") != "") {
			t.Errorf("ParseGather(%q) = %+v, nil; want the required fields and keypad digits", body, g)
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
