package twilio_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/triage-gw/triage/channels/twilio"
)

const (
	agentCallSID    = "CAa1b2c3d4e5f60718293a4b5c6d7e8f90" // the call placed to the agent
	customerCallSID = "CAf0e1d2c3b4a5968778695a4b3c2d1e0f" // the <Dial> leg to the customer
)

// problems returns the names of the missing and invalid parameters of a
// *WebhookError, failing the test if err is not one.
func problems(t *testing.T, call string, err error) (missing, invalid []string) {
	t.Helper()
	we := asWebhookError(t, call, err)
	for _, inv := range we.Invalid {
		name, _, _ := strings.Cut(inv, ":")
		invalid = append(invalid, name)
	}
	return we.Missing, invalid
}

func TestParseCallStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture        string
		want           twilio.CallStatus
		final, machine bool
	}{
		{"call_status_agent.form", twilio.CallStatus{
			CallSID: agentCallSID, AccountSID: accountSID, CallStatus: "completed", CallDuration: 95,
			From: sender, To: "+14155552671", Direction: "outbound-api", SequenceNumber: 3,
		}, true, false},
		{"call_status_customer.form", twilio.CallStatus{
			CallSID: customerCallSID, AccountSID: accountSID, ParentCallSID: agentCallSID, CallStatus: "ringing",
			From: sender, To: "+14155559876", Direction: "outbound-dial", SequenceNumber: 1,
		}, false, false},
	}
	for _, tt := range tests {
		got, err := twilio.ParseCallStatus(readForm(t, tt.fixture))
		if err != nil {
			t.Errorf("ParseCallStatus(%s) = %v, want nil", tt.fixture, err)
			continue
		}
		if got != tt.want || got.Final() != tt.final || got.Machine() != tt.machine {
			t.Errorf("ParseCallStatus(%s) = %+v (final %v, machine %v)\nwant %+v (final %v, machine %v)",
				tt.fixture, got, got.Final(), got.Machine(), tt.want, tt.final, tt.machine)
		}
	}
}

func TestCallStatusFinalAndMachine(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status string
		final  bool
	}{
		{"queued", false}, {"initiated", false}, {"ringing", false}, {"in-progress", false},
		{"completed", true}, {"busy", true}, {"no-answer", true}, {"failed", true}, {"canceled", true},
	} {
		form := url.Values{"CallSid": {agentCallSID}, "AccountSid": {accountSID}, "CallStatus": {tt.status}}
		s, err := twilio.ParseCallStatus(form)
		if err != nil || s.Final() != tt.final {
			t.Errorf("ParseCallStatus(CallStatus=%s) = %+v, %v; want final %v, nil", tt.status, s, err, tt.final)
		}
	}
	for _, tt := range []struct {
		answeredBy string
		machine    bool
	}{
		{"", false}, {"human", false}, {"unknown", false}, {"fax", true},
		{"machine_start", true}, {"machine_end_beep", true}, {"machine_end_silence", true}, {"machine_end_other", true},
	} {
		if got := (twilio.CallStatus{AnsweredBy: tt.answeredBy}).Machine(); got != tt.machine {
			t.Errorf("CallStatus{AnsweredBy: %q}.Machine() = %v, want %v", tt.answeredBy, got, tt.machine)
		}
		if got := (twilio.AMDResult{AnsweredBy: tt.answeredBy}).Machine(); got != tt.machine {
			t.Errorf("AMDResult{AnsweredBy: %q}.Machine() = %v, want %v", tt.answeredBy, got, tt.machine)
		}
	}
}

func TestParseVoiceRequest(t *testing.T) {
	t.Parallel()
	got, err := twilio.ParseVoiceRequest(readForm(t, "voice_request.form"))
	if err != nil {
		t.Fatalf("ParseVoiceRequest(voice_request.form) = %v, want nil", err)
	}
	want := twilio.VoiceRequest{
		CallSID: agentCallSID, AccountSID: accountSID, CallStatus: "in-progress",
		From: sender, To: "+14155552671", Direction: "outbound-api",
	}
	if got != want {
		t.Errorf("ParseVoiceRequest() = %+v\nwant %+v", got, want)
	}
}

func TestParseDialAction(t *testing.T) {
	t.Parallel()
	got, err := twilio.ParseDialAction(readForm(t, "dial_action.form"))
	if err != nil {
		t.Fatalf("ParseDialAction(dial_action.form) = %v, want nil", err)
	}
	want := twilio.DialAction{
		CallSID: agentCallSID, AccountSID: accountSID, DialCallSID: customerCallSID,
		DialCallStatus: "completed", DialCallDuration: 184,
	}
	if got != want || !got.Connected() {
		t.Errorf("ParseDialAction() = %+v (connected %v)\nwant %+v (connected)", got, got.Connected(), want)
	}
	noAnswer := url.Values{"CallSid": {agentCallSID}, "AccountSid": {accountSID}, "DialCallStatus": {"no-answer"}}
	if d, err := twilio.ParseDialAction(noAnswer); err != nil || d.Connected() || d.DialCallSID != "" {
		t.Errorf("ParseDialAction(no-answer without a leg) = %+v, %v; want not connected, no DialCallSID, nil", d, err)
	}
}

func TestParseAMD(t *testing.T) {
	t.Parallel()
	got, err := twilio.ParseAMD(readForm(t, "amd.form"))
	if err != nil {
		t.Fatalf("ParseAMD(amd.form) = %v, want nil", err)
	}
	want := twilio.AMDResult{CallSID: customerCallSID, AccountSID: accountSID, AnsweredBy: "machine_end_beep", MachineDetectionDuration: 4210}
	if got != want || !got.Machine() {
		t.Errorf("ParseAMD() = %+v (machine %v)\nwant %+v (machine)", got, got.Machine(), want)
	}
}

func TestParseGather(t *testing.T) {
	t.Parallel()
	got, err := twilio.ParseGather(readForm(t, "gather.form"))
	if err != nil {
		t.Fatalf("ParseGather(gather.form) = %v, want nil", err)
	}
	if want := (twilio.GatherResult{CallSID: agentCallSID, AccountSID: accountSID, Digits: "1"}); got != want {
		t.Errorf("ParseGather() = %+v\nwant %+v", got, want)
	}
	for _, digits := range []string{"", "0123456789*#"} {
		form := url.Values{"CallSid": {agentCallSID}, "AccountSid": {accountSID}, "Digits": {digits}}
		if g, err := twilio.ParseGather(form); err != nil || g.Digits != digits {
			t.Errorf("ParseGather(Digits=%q) = %+v, %v; want those digits, nil", digits, g, err)
		}
	}
}

// Every voice parser names each missing and each malformed parameter.
func TestVoiceParsersReportEveryProblem(t *testing.T) {
	t.Parallel()
	parsers := map[string]func(url.Values) error{
		"ParseCallStatus":   func(f url.Values) error { _, err := twilio.ParseCallStatus(f); return err },
		"ParseVoiceRequest": func(f url.Values) error { _, err := twilio.ParseVoiceRequest(f); return err },
		"ParseDialAction":   func(f url.Values) error { _, err := twilio.ParseDialAction(f); return err },
		"ParseAMD":          func(f url.Values) error { _, err := twilio.ParseAMD(f); return err },
		"ParseGather":       func(f url.Values) error { _, err := twilio.ParseGather(f); return err },
	}
	tests := []struct {
		parser           string
		form             url.Values
		missing, invalid []string
		kind             string
	}{
		{"ParseCallStatus", url.Values{}, []string{"CallSid", "AccountSid", "CallStatus"}, nil, "call status"},
		{"ParseCallStatus", url.Values{
			"CallSid": {"SM0123456789abcdef0123456789abcdef"}, "AccountSid": {accountSID}, "ParentCallSid": {"CA1"},
			"CallStatus": {"answered"}, "CallDuration": {"-1"}, "SequenceNumber": {"x"},
		}, nil, []string{"CallSid", "ParentCallSid", "CallStatus", "CallDuration", "SequenceNumber"}, "call status"},
		{"ParseVoiceRequest", url.Values{}, []string{"CallSid", "AccountSid", "CallStatus", "From", "To"}, nil, "voice request"},
		{"ParseVoiceRequest", url.Values{
			"CallSid": {agentCallSID}, "AccountSid": {"AC123"}, "CallStatus": {"In-Progress"}, "From": {sender}, "To": {"+14155552671"},
		}, nil, []string{"AccountSid", "CallStatus"}, "voice request"},
		{"ParseDialAction", url.Values{"DialCallDuration": {"1.5"}}, []string{"CallSid", "AccountSid", "DialCallStatus"},
			[]string{"DialCallDuration"}, "dial action"},
		{"ParseDialAction", url.Values{
			"CallSid": {agentCallSID}, "AccountSid": {accountSID}, "DialCallSid": {"RE0123456789abcdef0123456789abcdef"},
			"DialCallStatus": {"in-progress"},
		}, nil, []string{"DialCallSid", "DialCallStatus"}, "dial action"},
		{"ParseAMD", url.Values{"MachineDetectionDuration": {"99999999999999999999"}}, []string{"CallSid", "AccountSid", "AnsweredBy"},
			[]string{"MachineDetectionDuration"}, "answering machine detection"},
		{"ParseGather", url.Values{"Digits": {"1"}}, []string{"CallSid", "AccountSid"}, nil, "gather"},
		{"ParseGather", url.Values{
			"CallSid": {"CA1"}, "AccountSid": {accountSID}, "Digits": {"1a"},
		}, nil, []string{"CallSid", "Digits"}, "gather"},
	}
	for _, tt := range tests {
		err := parsers[tt.parser](tt.form)
		call := tt.parser + "(" + tt.form.Encode() + ")"
		missing, invalid := problems(t, call, err)
		if !slices.Equal(missing, tt.missing) || !slices.Equal(invalid, tt.invalid) {
			t.Errorf("%s = %v; want missing %v, invalid %v", call, err, tt.missing, tt.invalid)
		}
		if !strings.Contains(err.Error(), tt.kind) {
			t.Errorf("%s error = %q, want it to name the webhook %q", call, err, tt.kind)
		}
	}
}
