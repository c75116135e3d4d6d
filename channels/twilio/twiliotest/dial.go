package twiliotest

import (
	"strconv"
	"strings"
	"time"
)

// dial plays a <Dial> on the leg (https://www.twilio.com/docs/voice/twiml/dial):
// it places a child leg to the number (Direction outbound-dial,
// ParentCallSid the leg, From the Dial's callerId or else the leg's From)
// and plays it as its number's script says, with the <Number>'s status
// callbacks, answering-machine detection and url (a whisper to the callee,
// played before the bridge, with the <Gather action> or <Redirect> it
// hands the call to; a <Hangup> or a failed request refuses the bridge). The
// child's status callbacks use its own SequenceNumber from 0.
//
// A Dial with no phone number, or an invalid number or callerId, places no
// leg and ends "failed", as Twilio's errors 13224 and 13214 do.
func (p *leg) dial(v verb) dialResult {
	p.dialled = true
	number, n, ok := v.dialTarget()
	callerID := v.attr("callerId")
	if callerID == "" {
		callerID = p.c.From
	}
	if !ok || !e164.MatchString(number) || !e164.MatchString(callerID) {
		return dialResult{status: "failed"}
	}
	timeout := defaultDialTimeout
	if t, err := strconv.Atoi(v.attr("timeout")); err == nil && t > 0 {
		timeout = t
	}
	now := time.Now().UTC()
	child := Call{
		SID: newSID("CA"), AccountSID: p.c.AccountSID, ParentSID: p.c.SID, Direction: "outbound-dial",
		To: number, From: callerID, URL: p.resolve(n.attr("url")), Method: methodOr(n.attr("method")),
		StatusCallback:       p.resolve(n.attr("statusCallback")),
		StatusCallbackMethod: methodOr(n.attr("statusCallbackMethod")),
		StatusCallbackEvents: strings.FieldsFunc(n.attr("statusCallbackEvent"), func(r rune) bool { return r == ' ' || r == ',' }),
		MachineDetection:     n.attr("machineDetection"), AsyncAMD: true,
		AMDStatusCallback:       p.resolve(n.attr("amdStatusCallback")),
		AMDStatusCallbackMethod: methodOr(n.attr("amdStatusCallbackMethod")),
		Timeout:                 timeout, Status: "queued", Created: now, Updated: now,
	}
	p.s.legs.Add(child)
	cp := &leg{s: p.s, ctx: p.ctx, c: child, docURL: p.docURL}
	a := p.s.dialAnswer(p.c.SID, number)
	if !cp.connect(a) {
		if cp.c.Status == "no-answer" {
			p.connected += time.Duration(timeout) * time.Second
		}
		return dialResult{sid: child.SID, status: cp.c.Status}
	}
	bridged := true
	if child.URL != "" {
		doc, ok := cp.fetch(KindCallURL, child.Method, child.URL, cp.form("in-progress"))
		if ok {
			cp.run(doc) // its <Say>s, and the <Gather action> or <Redirect> it hands the call to
		}
		bridged = ok && !cp.stopped
	}
	talk := a.talk()
	if !bridged {
		talk = 0
	}
	cp.end("completed", talk)
	p.connected += talk
	return dialResult{sid: child.SID, status: "completed", duration: talk, bridged: bridged}
}
