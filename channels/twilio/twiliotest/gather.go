package twiliotest

import (
	"slices"
	"strconv"
	"strings"
)

// defaultDigits is the keys a callee presses at a <Gather> when its Answer
// names none.
const defaultDigits = "1"

// gather plays a <Gather> on the leg (https://www.twilio.com/docs/voice/twiml/gather).
// The <Say>s nested in it are noted in the leg's Said (its <Play>s and
// <Pause>s pass), in full: the stand-in presses keys once they are said.
// Then the callee presses the keys its Answer says (see Answer.keys).
//
// With keys pressed, the Gather's action is requested (its method, POST
// by default; the current document's URL without an action, as Twilio
// does) with Digits and FinishedOnKey besides the call's parameters, and
// its TwiML replaces the rest of the document: handed is true and next is
// that TwiML, nil when the request failed (Twilio's application error
// ends the call's TwiML). With none pressed the timeout passes, and
// handed is false: the verbs after the Gather play, unless
// actionOnEmptyResult="true" asks for the action with Digits "" anyway.
func (p *leg) gather(v verb) (next []verb, handed bool) {
	for _, in := range v.Inner {
		if t := in.text(); in.name() == "Say" && t != "" {
			p.set(func(c *Call) { c.Said = slices.Concat(c.Said, []string{t}) })
		}
	}
	digits, finishedOnKey := p.answer.keys(v)
	if digits == "" && !strings.EqualFold(v.attr("actionOnEmptyResult"), "true") {
		return nil, false
	}
	action := v.attr("action")
	if action == "" {
		action = p.docURL // Twilio requests the current document again
	}
	if action == "" { // inline Twiml has no URL to request
		return nil, true
	}
	form := p.form(p.c.Status)
	form.Set("Digits", digits)
	form.Set("FinishedOnKey", finishedOnKey)
	form.Set("msg", "Gather End")
	next, _ = p.fetch(KindGather, v.attr("method"), action, form)
	return next, true
}

// keys returns the keys a presses at the <Gather> g, as Twilio collects
// them: a.Digits ("1" when empty), none with NoKeys, when a machine
// answered ("machine") or when g takes no dtmf input. Collecting stops
// after numDigits keys, or at g's finishOnKey ("#" unless set; "" for
// none), which is reported in finishedOnKey and not kept in digits.
func (a Answer) keys(g verb) (digits, finishedOnKey string) {
	if a.NoKeys || a.result() == "machine" {
		return "", ""
	}
	if input := g.attr("input"); input != "" && !strings.Contains(strings.ToLower(input), "dtmf") {
		return "", ""
	}
	pressed := a.Digits
	if pressed == "" {
		pressed = defaultDigits
	}
	finish, set := g.attrOK("finishOnKey")
	if !set {
		finish = "#"
	}
	limit, _ := strconv.Atoi(g.attr("numDigits")) // below 1: no limit
	var got []rune
	for _, k := range pressed {
		if finish != "" && strings.ContainsRune(finish, k) {
			return string(got), string(k)
		}
		if got = append(got, k); limit > 0 && len(got) >= limit {
			break
		}
	}
	return string(got), ""
}

// attrOK returns the attribute's value, matching its name without regard
// to case, and whether v has it at all: finishOnKey="" differs from no
// finishOnKey.
func (v verb) attrOK(name string) (string, bool) {
	for _, a := range v.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return a.Value, true
		}
	}
	return "", false
}
