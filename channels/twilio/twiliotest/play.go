package twiliotest

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The play's fixed numbers, where Twilio's depend on the network.
const (
	// dialOverhead is what a leg that dialled another spends besides that
	// leg's ringing and talk: its own prompts, Twilio's connecting.
	dialOverhead = 5 * time.Second
	// defaultDialTimeout is <Dial timeout>'s default.
	defaultDialTimeout = 30
	// maxDocuments bounds the TwiML documents one leg fetches, so that
	// documents that hand the call to each other end.
	maxDocuments = 10
)

// amdDuration is the MachineDetectionDuration reported, in milliseconds,
// for a person and for a machine.
var amdDuration = map[bool]string{false: "1900", true: "3800"}

// startPlay plays the call sid in a goroutine, unless the server is
// closing. Close waits for it.
func (s *Server) startPlay(sid string) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.plays.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.plays.Done()
		defer s.ended.Add(sid)
		s.playCall(sid)
	}()
}

// leg is a call leg being played.
type leg struct {
	s      *Server
	ctx    context.Context
	c      Call   // the leg, with the changes the play made
	seq    int    // the next status callback's SequenceNumber
	docURL string // the URL of the TwiML document being played, for relative URLs
	// dialled is set once a <Dial> ran; connected adds up the ringing and
	// talk of the legs it dialled.
	dialled   bool
	connected time.Duration
	// answer is how the callee answered (see connect): the keys it
	// presses at a <Gather>.
	answer Answer
	// stopped is set once a <Hangup> or <Reject>, or a request that
	// failed (Twilio's application error), ended the leg's TwiML.
	stopped bool
}

// playCall plays a call created through the API, as Twilio runs it: it
// rings the callee as scripted; once answered it plays the call's TwiML (an
// ApplicationSid plays nothing, else its Url, else its Twiml), dialling the
// legs that <Dial> asks for, and then ends the call. A leg that dialled
// another lasts the ringing and talk of the legs it dialled plus
// dialOverhead; one that did not lasts its callee's Talk.
func (s *Server) playCall(sid string) {
	c, ok := s.call(sid)
	if !ok {
		return
	}
	p := &leg{s: s, ctx: s.ctx, c: c}
	a := s.script(c.To)
	if !p.connect(a) {
		return
	}
	var doc []verb
	switch {
	case c.ApplicationSID != "": // it overrides Url and Twiml; its TwiML is unknown here
	case c.URL != "": // it overrides Twiml
		doc, ok = p.fetch(KindCallURL, c.Method, c.URL, p.form("in-progress"))
	case c.TwiML != "":
		doc, _ = parseTwiML(c.TwiML) // checked by newCall
	}
	if ok {
		p.run(doc)
	}
	talk := a.talk()
	if p.dialled {
		talk = p.connected + dialOverhead
	}
	p.end("completed", talk)
}

// connect rings the leg as a says and reports whether it was answered; an
// unanswered leg has ended. It sends the initiated, ringing and answered
// status callbacks (as asked for), and the asynchronous answering-machine
// detection result.
func (p *leg) connect(a Answer) bool {
	p.answer = a
	result := a.result()
	p.event("initiated", p.form("initiated"))
	if result == "busy" || result == "failed" {
		p.end(result, 0)
		return false
	}
	p.set(func(c *Call) { c.Status = "ringing" })
	p.event("ringing", p.form("ringing"))
	if result == "no-answer" {
		p.end("no-answer", 0)
		return false
	}
	by := answeredBy(p.c.MachineDetection, result == "machine")
	p.set(func(c *Call) { c.Status, c.AnsweredBy = "in-progress", by })
	p.event("answered", p.form("in-progress"))
	if by != "" && p.c.AsyncAMD && p.c.AMDStatusCallback != "" {
		form := url.Values{
			"AccountSid": {p.c.AccountSID}, "CallSid": {p.c.SID}, "AnsweredBy": {by},
			"MachineDetectionDuration": {amdDuration[result == "machine"]},
		}
		p.s.deliver(p.ctx, KindAMDStatus, p.c.SID, p.c.AMDStatusCallbackMethod, p.c.AMDStatusCallback, form, p.s.authToken)
	}
	return true
}

// answeredBy is the answering-machine detection result for mode
// (MachineDetection), "" without detection.
func answeredBy(mode string, machine bool) string {
	switch {
	case mode == "":
		return ""
	case !machine:
		return "human"
	case strings.EqualFold(mode, "DetectMessageEnd"):
		return "machine_end_beep"
	}
	return "machine_start"
}

// end ends the leg with status after d on the line, and sends its
// completed status callback with CallDuration (and Duration, in billed
// minutes).
func (p *leg) end(status string, d time.Duration) {
	now := time.Now().UTC()
	p.set(func(c *Call) { c.Status, c.Duration, c.Ended = status, d, now.Add(d) })
	form := p.form(status)
	secs := int(d / time.Second)
	form.Set("CallDuration", strconv.Itoa(secs))
	form.Set("Duration", strconv.Itoa((secs+59)/60))
	p.event("completed", form)
}

// form is the parameters Twilio sends with every request about the leg.
func (p *leg) form(callStatus string) url.Values {
	f := url.Values{
		"AccountSid": {p.c.AccountSID}, "ApiVersion": {"2010-04-01"}, "CallSid": {p.c.SID},
		"CallStatus": {callStatus}, "Direction": {p.c.Direction},
		"From": {p.c.From}, "To": {p.c.To}, "Caller": {p.c.From}, "Called": {p.c.To},
	}
	if p.c.ParentSID != "" {
		f.Set("ParentCallSid", p.c.ParentSID)
	}
	if p.c.AnsweredBy != "" && !p.c.AsyncAMD {
		f.Set("AnsweredBy", p.c.AnsweredBy)
	}
	return f
}

// event sends the status callback for event with form, if the leg asked
// for it: a StatusCallback and the event among its events (none means
// completed only).
func (p *leg) event(event string, form url.Values) {
	events := p.c.StatusCallbackEvents
	if len(events) == 0 {
		events = []string{"completed"}
	}
	if p.c.StatusCallback == "" || !slices.Contains(events, event) {
		return
	}
	form.Set("CallbackSource", "call-progress-events")
	form.Set("SequenceNumber", strconv.Itoa(p.seq))
	form.Set("Timestamp", rfc2822(time.Now()))
	p.seq++
	p.s.deliver(p.ctx, KindCallStatus, p.c.SID, p.c.StatusCallbackMethod, p.c.StatusCallback, form, p.s.authToken)
}

// set changes the leg, in the play's copy and in the record.
func (p *leg) set(fn func(c *Call)) {
	fn(&p.c)
	p.s.updateCall(p.c.SID, fn)
}

// fetch requests a TwiML document for the leg and records the request. It
// reports false, as Twilio's application error that ends the leg's TwiML,
// when the request fails, is not answered 2xx or its answer does not
// parse. A relative rawURL is resolved against the current document's.
func (p *leg) fetch(kind, method, rawURL string, form url.Values) ([]verb, bool) {
	target := p.resolve(rawURL)
	h := p.s.send(p.ctx, kind, p.c.SID, methodOr(method), target, form, p.s.authToken)
	var doc []verb
	if h.OK() {
		var err error
		if doc, err = parseTwiML(h.Body); err != nil {
			h.Err = err
		}
	}
	p.s.webhooks.Add(h)
	if !h.OK() {
		p.stopped = true
		return nil, false
	}
	p.docURL = target
	return doc, true
}

// resolve returns ref resolved against the current document's URL.
func (p *leg) resolve(ref string) string {
	if ref == "" || p.docURL == "" {
		return ref
	}
	base, err := url.Parse(p.docURL)
	if err != nil {
		return ref
	}
	r, err := url.Parse(ref)
	if err != nil {
		return ref
	}
	return base.ResolveReference(r).String()
}

// methodOr is a TwiML method attribute's value: GET or POST, POST when
// absent or invalid (Twilio warns and posts).
func methodOr(v string) string {
	if m, ok := httpMethod(v); ok {
		return m
	}
	return http.MethodPost
}

// run plays doc on the leg, and the documents its verbs hand the call to.
func (p *leg) run(doc []verb) {
	for range maxDocuments {
		if doc = p.runDoc(doc); doc == nil {
			return
		}
	}
}

// runDoc plays one document's verbs in order and returns the next
// document, when a <Dial action>, <Gather action> or <Redirect> handed the
// call to one; nil when the call is to end.
func (p *leg) runDoc(doc []verb) []verb {
	for _, v := range doc {
		switch v.name() {
		case "Say":
			if t := v.text(); t != "" {
				p.set(func(c *Call) { c.Said = slices.Concat(c.Said, []string{t}) })
			}
		case "Hangup", "Reject":
			p.stopped = true
			return nil
		case "Gather":
			if next, handed := p.gather(v); handed {
				return next
			}
		case "Play", "Record":
			if next, handed := p.media(v); handed {
				return next
			}
		case "Dial":
			r := p.dial(v)
			if action := v.attr("action"); action != "" {
				next, _ := p.fetch(KindDialAction, v.attr("method"), action, p.dialForm(r))
				return next
			}
		case "Redirect":
			next, _ := p.fetch(KindRedirect, v.attr("method"), v.text(), p.form(p.c.Status))
			return next
		}
	}
	return nil
}

// dialResult is how a <Dial> ended, for its action.
type dialResult struct {
	sid      string // the dialled leg, "" if none was placed
	status   string // completed, busy, no-answer or failed
	duration time.Duration
	bridged  bool
}

// dialForm is the parameters of a <Dial action> request.
func (p *leg) dialForm(r dialResult) url.Values {
	f := p.form(p.c.Status)
	if r.sid != "" {
		f.Set("DialCallSid", r.sid)
	}
	f.Set("DialCallStatus", r.status)
	f.Set("DialCallDuration", strconv.Itoa(int(r.duration/time.Second)))
	f.Set("DialBridged", strconv.FormatBool(r.bridged))
	return f
}
