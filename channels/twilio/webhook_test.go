package twilio_test

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/triage-gw/triage/channels/twilio"
)

// readForm reads a URL-encoded webhook body from testdata.
func readForm(t *testing.T, name string) url.Values {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	form, err := url.ParseQuery(strings.TrimSpace(string(raw)))
	if err != nil {
		t.Fatalf("parse fixture %s: %v", name, err)
	}
	return form
}

// asWebhookError returns err's *twilio.WebhookError, failing the test if
// there is none.
func asWebhookError(t *testing.T, call string, err error) *twilio.WebhookError {
	t.Helper()
	var we *twilio.WebhookError
	if !errors.As(err, &we) {
		t.Fatalf("%s = %v (%T), want a *twilio.WebhookError", call, err, err)
	}
	return we
}

func TestParseInboundSMS(t *testing.T) {
	t.Parallel()
	got, err := twilio.ParseInboundSMS(readForm(t, "inbound_sms.form"))
	if err != nil {
		t.Fatalf("ParseInboundSMS(inbound_sms.form) = %v, want nil", err)
	}
	want := twilio.InboundSMS{
		MessageSID: "SM1f0e8ae6ade43cb3c0ce4525424e404f", AccountSID: accountSID,
		From: "+14155552671", To: "+14155550100", NumMedia: 1,
		Body: "My order 4411 never arrived and nobody calls back!",
	}
	if got != want {
		t.Errorf("ParseInboundSMS() = %+v\nwant %+v", got, want)
	}
}

func TestParseInboundSMSReportsEveryProblem(t *testing.T) {
	t.Parallel()
	form := url.Values{"MessageSid": {"XX123"}, "NumMedia": {"-1"}, "Body": {"hi"}}
	_, err := twilio.ParseInboundSMS(form)
	we := asWebhookError(t, "ParseInboundSMS()", err)
	if want := []string{"AccountSid", "From", "To"}; !slices.Equal(we.Missing, want) {
		t.Errorf("ParseInboundSMS() missing = %v, want %v", we.Missing, want)
	}
	if len(we.Invalid) != 2 || !strings.HasPrefix(we.Invalid[0], "MessageSid") || !strings.HasPrefix(we.Invalid[1], "NumMedia") {
		t.Errorf("ParseInboundSMS() invalid = %q, want MessageSid and NumMedia", we.Invalid)
	}
	if msg := err.Error(); !strings.Contains(msg, "inbound sms") || !strings.Contains(msg, "missing AccountSid, From, To") {
		t.Errorf("ParseInboundSMS() error = %q, want the webhook kind and the missing fields", msg)
	}
}

func TestParseStatusCallback(t *testing.T) {
	t.Parallel()
	got, err := twilio.ParseStatusCallback(readForm(t, "status_callback.form"))
	if err != nil {
		t.Fatalf("ParseStatusCallback(status_callback.form) = %v, want nil", err)
	}
	want := twilio.StatusCallback{
		MessageSID: "SM2a0e8ae6ade43cb3c0ce4525424e4077", AccountSID: accountSID,
		MessageStatus: "undelivered", ErrorCode: 30003, To: "+14155552671", From: "+14155550100",
	}
	if got != want || !got.Final() {
		t.Errorf("ParseStatusCallback() = %+v (final %v)\nwant %+v (final)", got, got.Final(), want)
	}
	if (twilio.StatusCallback{MessageStatus: "sent"}).Final() {
		t.Errorf("StatusCallback{sent}.Final() = true, want false")
	}

	_, err = twilio.ParseStatusCallback(url.Values{"MessageSid": {want.MessageSID}, "ErrorCode": {"x"}})
	we := asWebhookError(t, "ParseStatusCallback(incomplete)", err)
	if !slices.Equal(we.Missing, []string{"AccountSid", "MessageStatus"}) || len(we.Invalid) != 1 {
		t.Errorf("ParseStatusCallback(incomplete) = %v, want AccountSid and MessageStatus missing, ErrorCode invalid", err)
	}
}

func TestParseRecording(t *testing.T) {
	t.Parallel()
	got, err := twilio.ParseRecording(readForm(t, "recording.form"))
	if err != nil {
		t.Fatalf("ParseRecording(recording.form) = %v, want nil", err)
	}
	want := twilio.RecordingCallback{
		RecordingSID:      "RE0123456789abcdef0123456789abcdef", // read from RecordingUrl
		RecordingURL:      "https://api.twilio.com/2010-04-01/Accounts/" + accountSID + "/Recordings/RE0123456789abcdef0123456789abcdef",
		RecordingDuration: 42, CallSID: "CA0123456789abcdef0123456789abcdef", AccountSID: accountSID,
		From: "+14155552671", To: "+14155550100",
	}
	if got != want {
		t.Errorf("ParseRecording() = %+v\nwant %+v", got, want)
	}

	_, err = twilio.ParseRecording(url.Values{"RecordingUrl": {"/relative.mp3"}, "RecordingSid": {"RE1"}})
	we := asWebhookError(t, "ParseRecording(bad)", err)
	if !slices.Equal(we.Missing, []string{"CallSid", "AccountSid"}) || len(we.Invalid) != 2 {
		t.Errorf("ParseRecording(bad) = %v, want CallSid and AccountSid missing, RecordingSid and RecordingUrl invalid", err)
	}
}

func TestParseTranscription(t *testing.T) {
	t.Parallel()
	got, err := twilio.ParseTranscription(readForm(t, "transcription.form"))
	if err != nil {
		t.Fatalf("ParseTranscription(transcription.form) = %v, want nil", err)
	}
	base := "https://api.twilio.com/2010-04-01/Accounts/" + accountSID
	want := twilio.TranscriptionCallback{
		TranscriptionSID: "TR0123456789abcdef0123456789abcdef",
		TranscriptionText: "Hi, this is Dana from Brightside Bakery. The invoice charged us twice " +
			"for the March order. Please call me back at this number.",
		TranscriptionStatus: "completed",
		TranscriptionURL:    base + "/Transcriptions/TR0123456789abcdef0123456789abcdef",
		RecordingSID:        "RE0123456789abcdef0123456789abcdef",
		RecordingURL:        base + "/Recordings/RE0123456789abcdef0123456789abcdef",
		CallSID:             "CA0123456789abcdef0123456789abcdef",
		AccountSID:          accountSID, From: "+14155552671", To: "+14155550100",
	}
	if got != want {
		t.Errorf("ParseTranscription() = %+v\nwant %+v", got, want)
	}

	_, err = twilio.ParseTranscription(url.Values{})
	we := asWebhookError(t, "ParseTranscription(empty)", err)
	wantMissing := []string{"TranscriptionSid", "TranscriptionStatus", "RecordingSid", "RecordingUrl", "CallSid", "AccountSid"}
	if !slices.Equal(we.Missing, wantMissing) {
		t.Errorf("ParseTranscription(empty) missing = %v, want %v", we.Missing, wantMissing)
	}
}
