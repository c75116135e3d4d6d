package twilio

import (
	"net/url"
	"strings"
)

// callStatuses are the values of CallStatus in Twilio's voice requests and
// call status callbacks
// (https://www.twilio.com/docs/voice/api/call-resource#call-status-values).
var callStatuses = []string{
	"queued", "initiated", "ringing", "in-progress",
	"completed", "busy", "no-answer", "failed", "canceled",
}

// dialCallStatuses are the values of DialCallStatus in a <Dial action>
// request (https://www.twilio.com/docs/voice/twiml/dial#dialcallstatus-values).
var dialCallStatuses = []string{"completed", "answered", "busy", "no-answer", "failed", "canceled"}

// CallStatus is Twilio's report of a call's progress, sent to the
// StatusCallback of a call placed with Client.PlaceCall (the agent's leg)
// or to the statusCallback of a <Dial><Number> (the customer's leg, whose
// ParentCallSID is the agent's call)
// (https://www.twilio.com/docs/voice/api/call-resource#statuscallback).
type CallStatus struct {
	CallSID       string // "CA..."
	AccountSID    string
	ParentCallSID string // the call that dialled this leg; "" for a call placed through the API
	// CallStatus is one of queued, initiated, ringing, in-progress,
	// completed, busy, no-answer, failed, canceled. The "answered" event
	// reports in-progress.
	CallStatus   string
	CallDuration int // seconds, on the completed event; else 0
	// AnsweredBy is the answering-machine detection verdict when the
	// leg had detection on and Twilio reports it here: human,
	// machine_start, machine_end_beep, machine_end_silence,
	// machine_end_other, fax or unknown. Usually "": the verdict of a
	// <Number machineDetection> comes to its amdStatusCallback (ParseAMD).
	AnsweredBy     string
	From           string
	To             string
	Direction      string // outbound-api for a placed call, outbound-dial for a <Dial> leg
	SequenceNumber int    // orders the callbacks of one call, from 0
}

// ParseCallStatus reads a call status callback, of either leg, from its
// POST form. CallSid, AccountSid and CallStatus are required. It reports
// every missing or malformed parameter as a *WebhookError.
func ParseCallStatus(form url.Values) (CallStatus, error) {
	r := newFormReader("call status", form)
	s := CallStatus{
		CallSID:        r.sid("CallSid", true, "CA"),
		AccountSID:     r.sid("AccountSid", true, "AC"),
		ParentCallSID:  r.sid("ParentCallSid", false, "CA"),
		CallStatus:     r.oneOf("CallStatus", true, callStatuses...),
		CallDuration:   r.count("CallDuration"),
		AnsweredBy:     r.optional("AnsweredBy"),
		From:           r.optional("From"),
		To:             r.optional("To"),
		Direction:      r.optional("Direction"),
		SequenceNumber: r.count("SequenceNumber"),
	}
	return s, r.done()
}

// Final reports whether the status is one a call does not leave:
// completed, busy, no-answer, failed or canceled.
func (s CallStatus) Final() bool {
	switch s.CallStatus {
	case "completed", "busy", "no-answer", "failed", "canceled":
		return true
	}
	return false
}

// Machine reports whether answering-machine detection found a machine or
// a fax rather than a person.
func (s CallStatus) Machine() bool { return IsMachine(s.AnsweredBy) }

// VoiceRequest is Twilio's request for the TwiML of a call: the URL of a
// call placed with Client.PlaceCall once it is answered, or a number's
// voice webhook when a call comes in
// (https://www.twilio.com/docs/usage/webhooks/voice-webhooks).
type VoiceRequest struct {
	CallSID       string
	AccountSID    string
	CallStatus    string // one of the values of CallStatus.CallStatus
	From          string // the caller; our number for a placed call
	To            string // the called; the agent's phone for a placed call
	Direction     string // inbound or outbound-api
	ParentCallSID string
}

// ParseVoiceRequest reads a voice request from its POST form. CallSid,
// AccountSid, CallStatus, From and To are required. It reports every
// missing or malformed parameter as a *WebhookError.
func ParseVoiceRequest(form url.Values) (VoiceRequest, error) {
	r := newFormReader("voice request", form)
	v := VoiceRequest{
		CallSID:       r.sid("CallSid", true, "CA"),
		AccountSID:    r.sid("AccountSid", true, "AC"),
		CallStatus:    r.oneOf("CallStatus", true, callStatuses...),
		From:          r.required("From"),
		To:            r.required("To"),
		Direction:     r.optional("Direction"),
		ParentCallSID: r.sid("ParentCallSid", false, "CA"),
	}
	return v, r.done()
}

// DialAction is Twilio's request to a <Dial action> URL when the dialled
// leg ends or was never connected (https://www.twilio.com/docs/voice/twiml/dial#action).
// Its CallSID is the call that ran the <Dial> (the agent's); DialCallSID
// is the dialled leg (the customer's).
type DialAction struct {
	CallSID     string
	AccountSID  string
	DialCallSID string // "" when no leg was created
	// DialCallStatus is completed, answered, busy, no-answer, failed or
	// canceled.
	DialCallStatus   string
	DialCallDuration int // seconds the legs were connected
}

// ParseDialAction reads a <Dial action> request from its POST form.
// CallSid, AccountSid and DialCallStatus are required. It reports every
// missing or malformed parameter as a *WebhookError.
func ParseDialAction(form url.Values) (DialAction, error) {
	r := newFormReader("dial action", form)
	d := DialAction{
		CallSID:          r.sid("CallSid", true, "CA"),
		AccountSID:       r.sid("AccountSid", true, "AC"),
		DialCallSID:      r.sid("DialCallSid", false, "CA"),
		DialCallStatus:   r.oneOf("DialCallStatus", true, dialCallStatuses...),
		DialCallDuration: r.count("DialCallDuration"),
	}
	return d, r.done()
}

// Connected reports whether the dialled party answered and was bridged.
func (d DialAction) Connected() bool {
	return d.DialCallStatus == "completed" || d.DialCallStatus == "answered"
}

// GatherResult is Twilio's request to a <Gather action> URL, such as
// Screen.ActionURL, once the caller pressed keys
// (https://www.twilio.com/docs/voice/twiml/gather#action). When the
// <Gather> times out without a key Twilio makes no request and goes on
// with the verbs after it.
type GatherResult struct {
	CallSID    string // the call that ran the <Gather>
	AccountSID string
	// Digits is the keys pressed, of 0-9, * and #, without the
	// finishOnKey; "" when none was.
	Digits string
}

// ParseGather reads a <Gather action> request from its POST form. CallSid
// and AccountSid are required; Digits is optional but may hold only 0-9, *
// and #. It reports every missing or malformed parameter as a
// *WebhookError.
func ParseGather(form url.Values) (GatherResult, error) {
	r := newFormReader("gather", form)
	g := GatherResult{
		CallSID:    r.sid("CallSid", true, "CA"),
		AccountSID: r.sid("AccountSid", true, "AC"),
		Digits:     r.optional("Digits"),
	}
	if strings.Trim(g.Digits, "0123456789*#") != "" {
		r.invalid("Digits", "not keys of a phone keypad")
		g.Digits = ""
	}
	return g, r.done()
}

// AMDResult is Twilio's request to the amdStatusCallback of a <Number
// machineDetection="Enable">: who answered the dialled leg
// (https://www.twilio.com/docs/voice/answering-machine-detection). CallSID
// is the dialled leg's; the request carries no ParentCallSid, so a handler
// finds its case through its own URL (a query parameter it put in
// Bridge.AMDCallback) or through the leg's status callbacks.
type AMDResult struct {
	CallSID    string
	AccountSID string
	// AnsweredBy is human, machine_start, machine_end_beep,
	// machine_end_silence, machine_end_other, fax or unknown.
	AnsweredBy string
	// MachineDetectionDuration is how long detection took, in
	// milliseconds.
	MachineDetectionDuration int
}

// ParseAMD reads an answering-machine detection result from its POST form.
// CallSid, AccountSid and AnsweredBy are required; AnsweredBy is not
// checked against a list, since Twilio may add verdicts. It reports every
// missing or malformed parameter as a *WebhookError.
func ParseAMD(form url.Values) (AMDResult, error) {
	r := newFormReader("answering machine detection", form)
	a := AMDResult{
		CallSID:                  r.sid("CallSid", true, "CA"),
		AccountSID:               r.sid("AccountSid", true, "AC"),
		AnsweredBy:               r.required("AnsweredBy"),
		MachineDetectionDuration: r.count("MachineDetectionDuration"),
	}
	return a, r.done()
}

// Machine reports whether a machine or a fax answered rather than a
// person. "unknown" is not a machine.
func (a AMDResult) Machine() bool { return IsMachine(a.AnsweredBy) }

// IsMachine reports whether Twilio's AnsweredBy (answering-machine
// detection's verdict) is a machine or a fax rather than a person.
func IsMachine(answeredBy string) bool {
	return strings.HasPrefix(answeredBy, "machine_") || answeredBy == "fax"
}
