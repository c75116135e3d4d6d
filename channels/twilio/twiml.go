package twilio

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/twilio/twilio-go/twiml"
)

// callEvents are the call progress events the gateway asks Twilio to
// report, for a placed call and for a dialled leg alike.
var callEvents = []string{"initiated", "ringing", "answered", "completed"}

// Bridge is what BridgeTwiML tells Twilio to do once an agent answers the
// call placed to them: whisper to the agent, then dial the customer and
// connect the two.
type Bridge struct {
	// Whisper is said to the agent first (<Say>), such as the case and
	// the customer's name; "" says nothing.
	Whisper string
	// CustomerNumber is dialled next (<Dial><Number>), in E.164 form.
	CustomerNumber string
	// CallerID is the company's number shown to the customer, in E.164
	// form; "" shows the calling number of the agent's call, which for a
	// call placed with Client.PlaceCall is Config.From.
	CallerID string
	// Timeout is how many seconds the customer's phone rings, 5 to 600;
	// 0 means Twilio's default, 30.
	Timeout int
	// ActionURL, if set, is requested (POST) when the customer's leg
	// ends or was never connected; see ParseDialAction. Its answer is the
	// TwiML for the rest of the agent's call.
	ActionURL string
	// StatusCallback, if set, gets the customer leg's initiated, ringing,
	// answered and completed events (POST); see ParseCallStatus.
	StatusCallback string
	// AMDCallback, if set, turns on answering-machine detection for the
	// customer's leg (<Number machineDetection="Enable">) and gets its
	// verdict (POST); see ParseAMD. "" means no detection.
	AMDCallback string
}

// BridgeTwiML returns the TwiML for b: <Say> the whisper, then <Dial> the
// customer. It reports every invalid field of b at once. Text is cleaned
// as by MessageTwiML.
func BridgeTwiML(b Bridge) (string, error) {
	var problems []string
	if n, err := NormalizeE164(b.CustomerNumber, ""); err != nil || n != b.CustomerNumber {
		problems = append(problems, "CustomerNumber: must be a valid number in E.164 form, like +14155552671")
	}
	if b.CallerID != "" {
		if n, err := NormalizeE164(b.CallerID, ""); err != nil || n != b.CallerID {
			problems = append(problems, "CallerID: must be a valid number in E.164 form, like +14155550100")
		}
	}
	if b.Timeout != 0 && (b.Timeout < 5 || b.Timeout > 600) {
		problems = append(problems, fmt.Sprintf("Timeout: %d is not 0 (Twilio's default) or 5 to 600 seconds", b.Timeout))
	}
	for _, u := range []struct{ name, url string }{
		{"ActionURL", b.ActionURL}, {"StatusCallback", b.StatusCallback}, {"AMDCallback", b.AMDCallback},
	} {
		if u.url != "" && !absoluteHTTPURL(u.url) {
			problems = append(problems, u.name+": must be an absolute http or https URL")
		}
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("bridge twiml: %s", strings.Join(problems, "; "))
	}

	number := twiml.VoiceNumber{PhoneNumber: b.CustomerNumber}
	if b.StatusCallback != "" {
		number.StatusCallback = b.StatusCallback
		number.StatusCallbackMethod = "POST"
		number.StatusCallbackEvent = strings.Join(callEvents, " ")
	}
	if b.AMDCallback != "" {
		number.MachineDetection = "Enable"
		number.AmdStatusCallback = b.AMDCallback
		number.AmdStatusCallbackMethod = "POST"
	}
	dial := twiml.VoiceDial{CallerId: b.CallerID, InnerElements: []twiml.Element{number}}
	if b.Timeout != 0 {
		dial.Timeout = strconv.Itoa(b.Timeout)
	}
	if b.ActionURL != "" {
		dial.Action = b.ActionURL
		dial.Method = "POST"
	}
	var verbs []twiml.Element
	if w := cleanText(b.Whisper); w != "" {
		verbs = append(verbs, twiml.VoiceSay{Message: w})
	}
	verbs = append(verbs, dial)
	doc, err := twiml.Voice(verbs)
	if err != nil {
		return "", fmt.Errorf("bridge twiml: %w", err)
	}
	return doc, nil
}

// defaultScreenTimeout is Screen.Timeout's default, in seconds.
const defaultScreenTimeout = 8

// maxScreenTimeout bounds Screen.Timeout: longer than this, a voicemail
// that answered records the silence.
const maxScreenTimeout = 60

// Screen is the TwiML for a staff member who answered a call-back: the
// whisper, then "press 1" before the customer is dialled. It keeps a
// voicemail that answered the staff member's phone from being connected
// to the customer: a voicemail presses no key, so the call hangs up
// without dialling.
type Screen struct {
	// Whisper is said first, inside the <Gather>, such as the case and
	// the customer's name; "" says nothing.
	Whisper string
	// Prompt is said after it, such as "Press 1 to call the customer
	// now."; it is required.
	Prompt string
	// ActionURL is the <Gather action>, an absolute http or https URL,
	// requested (POST) with the key pressed; see ParseGather. It answers
	// with BridgeTwiML when Digits is "1", with SayTwiML otherwise.
	ActionURL string
	// Timeout is how many seconds Twilio waits for the key once the
	// prompt is said, 1 to 60; 0 means 8.
	Timeout int
	// NoKey is said when no key was pressed before the timeout, before
	// <Hangup/>; "" only hangs up.
	NoKey string
}

// ScreenTwiML returns the TwiML for s:
//
//	<Gather input="dtmf" numDigits="1" action="ActionURL" method="POST" timeout="8">
//	  <Say>Whisper</Say><Say>Prompt</Say>
//	</Gather>
//	<Say>NoKey</Say><Hangup/>
//
// A key pressed (during the whisper too) ends the <Gather> and Twilio
// requests ActionURL, whose answer replaces the rest of the document;
// without one Twilio goes on after the <Gather>, says NoKey and hangs up.
// It reports every invalid field of s at once. Text is cleaned as by
// MessageTwiML.
func ScreenTwiML(s Screen) (string, error) {
	var problems []string
	prompt := cleanText(s.Prompt)
	if strings.TrimSpace(prompt) == "" {
		problems = append(problems, "Prompt: must say which key to press")
	}
	if !absoluteHTTPURL(s.ActionURL) {
		problems = append(problems, "ActionURL: must be an absolute http or https URL")
	}
	timeout := s.Timeout
	switch {
	case timeout == 0:
		timeout = defaultScreenTimeout
	case timeout < 1 || timeout > maxScreenTimeout:
		problems = append(problems, fmt.Sprintf("Timeout: %d is not 0 (%d seconds) or 1 to %d seconds",
			s.Timeout, defaultScreenTimeout, maxScreenTimeout))
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("screen twiml: %s", strings.Join(problems, "; "))
	}

	var said []twiml.Element
	if w := cleanText(s.Whisper); w != "" {
		said = append(said, twiml.VoiceSay{Message: w})
	}
	said = append(said, twiml.VoiceSay{Message: prompt})
	verbs := []twiml.Element{twiml.VoiceGather{
		Input:         "dtmf",
		NumDigits:     "1",
		Action:        s.ActionURL,
		Method:        "POST",
		Timeout:       strconv.Itoa(timeout),
		InnerElements: said,
	}}
	if t := cleanText(s.NoKey); t != "" {
		verbs = append(verbs, twiml.VoiceSay{Message: t})
	}
	verbs = append(verbs, twiml.VoiceHangup{})
	doc, err := twiml.Voice(verbs)
	if err != nil {
		return "", fmt.Errorf("screen twiml: %w", err)
	}
	return doc, nil
}

// MessageTwiML returns the TwiML answer to an inbound SMS that replies
// with texts, one <Message> each, in order. With no texts it returns an
// empty <Response/>, and Twilio sends nothing.
//
// Each text is cleaned first: bytes that are not UTF-8 and characters XML
// cannot carry (control characters other than tab, newline and carriage
// return; U+FFFE, U+FFFF) are dropped. A text empty after cleaning, or
// longer than Twilio's 1600 characters, is refused.
func MessageTwiML(texts ...string) (string, error) {
	verbs := make([]twiml.Element, 0, len(texts))
	for i, text := range texts {
		body := cleanText(text)
		switch n := utf8.RuneCountInString(body); {
		case n == 0:
			return "", fmt.Errorf("message twiml: text %d is empty", i)
		case n > maxBodyChars:
			return "", fmt.Errorf("message twiml: text %d has %d characters, more than %d", i, n, maxBodyChars)
		}
		verbs = append(verbs, twiml.MessagingMessage{Body: body})
	}
	doc, err := twiml.Messages(verbs)
	if err != nil {
		return "", fmt.Errorf("message twiml: %w", err)
	}
	return doc, nil
}

// SayTwiML returns the TwiML that says text to the caller and hangs up:
// <Say>text</Say><Hangup/>. Text is cleaned as by MessageTwiML; an empty
// text only hangs up.
func SayTwiML(text string) (string, error) {
	var verbs []twiml.Element
	if t := cleanText(text); t != "" {
		verbs = append(verbs, twiml.VoiceSay{Message: t})
	}
	verbs = append(verbs, twiml.VoiceHangup{})
	doc, err := twiml.Voice(verbs)
	if err != nil {
		return "", fmt.Errorf("say twiml: %w", err)
	}
	return doc, nil
}

// cleanText drops from s the bytes that are not UTF-8 and the characters
// that XML 1.0 cannot carry, so that the text reaches Twilio as it was
// meant, less what no XML document can hold.
func cleanText(s string) string {
	return strings.Map(func(r rune) rune {
		if xmlChar(r) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, ""))
}

// xmlChar reports whether r is a Char of XML 1.0
// (https://www.w3.org/TR/xml/#charsets).
func xmlChar(r rune) bool {
	switch {
	case r == '\t', r == '\n', r == '\r':
		return true
	case r < 0x20:
		return false
	case r <= 0xD7FF:
		return true
	case r >= 0xE000 && r <= 0xFFFD:
		return true
	default:
		return r >= 0x10000 && r <= utf8.MaxRune
	}
}
