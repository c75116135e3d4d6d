package twiliotest

import (
	"encoding/xml"
	"errors"
	"fmt"
	"strings"
)

// verb is one TwiML element (https://www.twilio.com/docs/voice/twiml,
// https://www.twilio.com/docs/messaging/twiml): its name, attributes, text
// and the elements inside it. The stand-in reads TwiML into this generic
// tree and acts on the verbs it knows (Say, Pause, Dial with its Number,
// Gather, Hangup, Reject, Redirect, Message), skipping the others as it
// must skip what a later TwiML version adds.
type verb struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
	Inner   []verb     `xml:",any"`
}

// parseTwiML reads a TwiML document: a <Response> and its verbs. An empty
// document (blank, as some webhooks answer) has no verbs.
func parseTwiML(doc string) ([]verb, error) {
	if strings.TrimSpace(doc) == "" {
		return nil, nil
	}
	var root verb
	if err := xml.Unmarshal([]byte(doc), &root); err != nil {
		return nil, fmt.Errorf("parse twiml: %w", err)
	}
	if root.XMLName.Local != "Response" {
		return nil, errors.New("parse twiml: root element is <" + root.XMLName.Local + ">, not <Response>")
	}
	return root.Inner, nil
}

// name is the verb's element name.
func (v verb) name() string { return v.XMLName.Local }

// attr returns the attribute's value, matching its name without regard to
// case, "" if absent.
func (v verb) attr(name string) string {
	for _, a := range v.Attrs {
		if strings.EqualFold(a.Name.Local, name) {
			return a.Value
		}
	}
	return ""
}

// text is the verb's own text with its white space collapsed, as it would
// be spoken or sent.
func (v verb) text() string { return strings.Join(strings.Fields(v.Text), " ") }

// child returns the first element named name inside v.
func (v verb) child(name string) (verb, bool) {
	for _, c := range v.Inner {
		if c.name() == name {
			return c, true
		}
	}
	return verb{}, false
}

// messageText is a <Message>'s text: its <Body>, or its own text.
func (v verb) messageText() string {
	if b, ok := v.child("Body"); ok {
		return b.text()
	}
	return v.text()
}

// dialTarget returns the phone number a <Dial> calls and its <Number>
// noun (zero for a number given as the Dial's text), and false when it
// dials no phone number (a <Client>, <Sip> or <Conference>). Of several
// <Number> nouns, which Twilio rings at once, only the first is dialled.
func (v verb) dialTarget() (string, verb, bool) {
	if n, ok := v.child("Number"); ok {
		return n.text(), n, true
	}
	if len(v.Inner) == 0 && v.text() != "" {
		return v.text(), verb{}, true
	}
	return "", verb{}, false
}
