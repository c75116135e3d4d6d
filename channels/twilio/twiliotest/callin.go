package twiliotest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The kinds of Webhook an inbound call (CallIn) sends.
const (
	KindInboundCall     = "inbound-call"     // the number's voice URL, when the call comes in
	KindRecordAction    = "record-action"    // a <Record action> request (or the document's URL again)
	KindRecordingStatus = "recording-status" // a <Record recordingStatusCallback>
	KindTranscription   = "transcription"    // a <Record transcribeCallback>
)

// Caller is someone who dials the stand-in's Number (see CallIn).
type Caller struct {
	From string // E.164, or "anonymous" as Twilio sends for a withheld number
	// Speaks is how long the caller talks at each <Record>, rounded to
	// seconds (at least 1): the recording's length, cut to the Record's
	// maxLength. 0 means 30 seconds.
	Speaks time.Duration
	// Transcript is what Twilio's transcription of the recording returns.
	Transcript string
	// TranscriptionFails makes the transcription end "failed", without
	// text. A recording longer than 120 seconds fails too, as Twilio
	// transcribes no longer ones.
	TranscriptionFails bool
	// NoAnswerAtDial makes every number a <Dial> on this call rings go
	// unanswered (no-answer, after the Dial's timeout), whatever its
	// Script says. By default the dialled number answers as its Script
	// says.
	NoAnswerAtDial bool
	// Offline plays the call as if the gateway were down: no request is
	// made (Webhooks lists none), the voice URL counts as failed and the
	// number's fallback, taken to be a TwiML Bin with <Record
	// transcribe="true"/>, records the caller. The call, the recording and
	// its transcription are created as when online, for reconciliation
	// tests.
	Offline bool
}

// defaultSpeaks is Caller.Speaks' default.
const defaultSpeaks = 30 * time.Second

// speaks is c's Speaks in whole seconds, or its default.
func (c Caller) speaks() time.Duration {
	if c.Speaks <= 0 {
		return defaultSpeaks
	}
	return max(c.Speaks.Round(time.Second), time.Second)
}

// maxTranscribed is the longest recording Twilio transcribes.
const maxTranscribed = 120 * time.Second

// offlineFallback is the TwiML an Offline call plays.
const offlineFallback = `<Response><Record transcribe="true"/></Response>`

// inboundCall is what the play of an inbound call needs besides its leg.
type inboundCall struct {
	caller   Caller
	recorded time.Duration // the length of its recordings so far
	// later holds the recording status and transcription callbacks, sent
	// once the call has ended, as Twilio sends them after the recording is
	// processed.
	later []func()
}

// CallIn plays a call from c.From to the stand-in's Number, whose voice
// URL is voiceURL, as Twilio does (https://www.twilio.com/docs/voice/twiml),
// and returns its leg (Direction "inbound") once the play and its
// callbacks are over. It POSTs voiceURL with the call's parameters
// (CallStatus "ringing") and plays the TwiML answered: <Say> and <Play>
// are noted in the leg's Said ("play:" and the URL for a Play); <Dial>
// rings the number as its Script says (or not at all, see NoAnswerAtDial),
// with its <Dial action> request; <Record> records the caller (see
// Caller.Speaks), creates a Recording, and requests its action (or the
// current document's URL, as Twilio does without one) with RecordingUrl,
// RecordingSid, RecordingDuration and Digits "#", whose TwiML plays on;
// <Redirect> and <Hangup> as for any call. Once the TwiML is done the call
// ends "completed", and then each Record's recordingStatusCallback
// (RecordingStatus completed) and, with transcribe="true" or a
// transcribeCallback, its transcription's transcribeCallback are POSTed.
// Every request is signed and listed in Webhooks.
//
// RecordingUrl and TranscriptionUrl point at the stand-in, so that a
// client with the account's credentials can fetch them. A failed request
// ends the call's TwiML, as Twilio's application error does; it is no
// error of CallIn's. CallIn fails for a bad voiceURL or From, when the
// server is closed, or when ctx ends (with the leg as it stands).
func (s *Server) CallIn(ctx context.Context, voiceURL string, c Caller) (Call, error) {
	switch {
	case !absoluteURL(voiceURL):
		return Call{}, errors.New("call in: voice URL " + strconv.Quote(voiceURL) + " is not an absolute http(s) URL")
	case c.From == "":
		return Call{}, errors.New("call in: no From")
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Call{}, errors.New("call in: server closed")
	}
	s.plays.Add(1)
	number := s.number
	s.mu.Unlock()
	defer s.plays.Done()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel) // Close ends the play
	defer stop()

	now := time.Now().UTC()
	call := Call{
		SID: newSID("CA"), AccountSID: s.accountSID, Direction: "inbound", To: number, From: c.From,
		URL: voiceURL, Method: http.MethodPost, Timeout: defaultTimeout, Status: "ringing",
		Created: now, Updated: now,
	}
	s.legs.Add(call)
	in := &inboundCall{caller: c}
	s.voicemail.setInbound(call.SID, in)
	defer s.voicemail.setInbound(call.SID, nil)

	p := &leg{s: s, ctx: ctx, c: call}
	var doc []verb
	ok := true
	if c.Offline {
		doc, _ = parseTwiML(offlineFallback)
		p.set(func(c *Call) { c.Status = "in-progress" })
	} else {
		doc, ok = p.fetch(KindInboundCall, http.MethodPost, voiceURL, p.form("ringing"))
		p.set(func(c *Call) { c.Status = "in-progress" })
	}
	if ok {
		p.run(doc)
	}
	talk := in.recorded + dialOverhead
	if p.dialled {
		talk += p.connected
	}
	p.end("completed", talk)
	for _, send := range in.later {
		send()
	}
	out, _ := s.call(call.SID)
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("call in from %s: %w", c.From, err)
	}
	return out, nil
}

// setInbound notes the state of the inbound call sid being played, or
// forgets it when in is nil.
func (v *voicemailStore) setInbound(sid string, in *inboundCall) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if in == nil {
		delete(v.inbound, sid)
		return
	}
	if v.inbound == nil {
		v.inbound = map[string]*inboundCall{}
	}
	v.inbound[sid] = in
}

// inboundOf returns the state of the inbound call sid, nil if it is no
// call being played by CallIn.
func (v *voicemailStore) inboundOf(sid string) *inboundCall {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.inbound[sid]
}

// dialAnswer is how number answers a <Dial> on the leg parentSID: as its
// Script says, unless that leg is a CallIn whose Caller has
// NoAnswerAtDial.
func (s *Server) dialAnswer(parentSID, number string) Answer {
	if in := s.voicemail.inboundOf(parentSID); in != nil && in.caller.NoAnswerAtDial {
		return Answer{Result: "no-answer"}
	}
	return s.script(number)
}

// media plays a <Play> (noted in Said) or a <Record> (see record) on the
// leg. handed reports whether the verb handed the call to next (nil: the
// call ends), as a <Record> always does.
func (p *leg) media(v verb) (next []verb, handed bool) {
	switch v.name() {
	case "Play":
		if u := v.text(); u != "" {
			p.set(func(c *Call) { c.Said = slices.Concat(c.Said, []string{"play:" + u}) })
		}
		return nil, false
	case "Record":
		return p.record(v), true
	}
	return nil, false
}

// record plays a <Record> (https://www.twilio.com/docs/voice/twiml/record)
// on the leg: the caller speaks (Caller.Speaks; 30 seconds on a call that
// is no CallIn), a Recording is created, and the action is requested, or
// the current document's URL without one; its TwiML is returned, to play
// on. The recording status and transcription callbacks wait for the end
// of a CallIn, and are sent at once on other calls.
func (p *leg) record(v verb) []verb {
	in := p.s.voicemail.inboundOf(p.c.SID)
	deferred := in != nil
	if in == nil {
		in = &inboundCall{}
	}
	d := in.caller.speaks()
	if n, err := strconv.Atoi(v.attr("maxLength")); err == nil && n > 0 && time.Duration(n)*time.Second < d {
		d = time.Duration(n) * time.Second
	}
	in.recorded += d
	rec := p.s.voicemail.addRecording(p.c.AccountSID, p.c.SID, d, time.Now().UTC())
	recURL := p.s.url + recordingPath(rec.AccountSID, rec.SID)
	transcribe := strings.EqualFold(v.attr("transcribe"), "true") || v.attr("transcribeCallback") != ""
	var tr Transcription
	if transcribe {
		tr = p.s.voicemail.addTranscription(rec, rec.Created)
	}

	// The callbacks that follow the recording's processing.
	statusCallback := p.resolve(v.attr("recordingStatusCallback"))
	statusMethod := methodOr(v.attr("recordingStatusCallbackMethod"))
	events := strings.FieldsFunc(v.attr("recordingStatusCallbackEvent"), func(r rune) bool { return r == ' ' || r == ',' })
	transcribeCallback := p.resolve(v.attr("transcribeCallback"))
	offline := in.caller.Offline
	after := func() {
		if statusCallback != "" && !offline && (len(events) == 0 || slices.Contains(events, "completed")) {
			form := url.Values{
				"AccountSid": {rec.AccountSID}, "CallSid": {rec.CallSID}, "RecordingSid": {rec.SID},
				"RecordingUrl": {recURL}, "RecordingStatus": {"completed"},
				"RecordingDuration": {strconv.Itoa(int(d / time.Second))}, "RecordingChannels": {"1"},
				"RecordingSource": {"RecordVerb"}, "RecordingStartTime": {rfc2822(rec.Created)},
			}
			p.s.deliver(p.ctx, KindRecordingStatus, p.c.SID, statusMethod, statusCallback, form, p.s.authToken)
		}
		if !transcribe {
			return
		}
		status, text := "completed", in.caller.Transcript
		if in.caller.TranscriptionFails || d > maxTranscribed {
			status, text = "failed", ""
		}
		tr = p.s.voicemail.finishTranscription(tr.SID, status, text, time.Now().UTC())
		if transcribeCallback == "" || offline {
			return
		}
		form := p.form(p.c.Status) // completed, on a CallIn
		form.Set("TranscriptionSid", tr.SID)
		form.Set("TranscriptionText", text)
		form.Set("TranscriptionStatus", status)
		form.Set("TranscriptionUrl", p.s.url+transcriptionPath(tr.AccountSID, tr.SID))
		form.Set("TranscriptionType", "fast")
		form.Set("RecordingSid", rec.SID)
		form.Set("RecordingUrl", recURL)
		form.Set("ForwardedFrom", "")
		p.s.deliver(p.ctx, KindTranscription, p.c.SID, http.MethodPost, transcribeCallback, form, p.s.authToken)
	}
	if deferred {
		in.later = append(in.later, after)
	}

	var next []verb
	action := v.attr("action")
	if action == "" {
		action = p.docURL // Twilio requests the current document again
	}
	if action != "" && !offline {
		form := p.form(p.c.Status)
		form.Set("RecordingUrl", recURL)
		form.Set("RecordingSid", rec.SID)
		form.Set("RecordingDuration", strconv.Itoa(int(d/time.Second)))
		form.Set("Digits", "#")
		next, _ = p.fetch(KindRecordAction, v.attr("method"), action, form)
	}
	if !deferred {
		after()
	}
	return next
}
