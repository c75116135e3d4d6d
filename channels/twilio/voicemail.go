package twilio

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/twilio/twilio-go/twiml"
)

// Limits of <Record> and <Dial> (https://www.twilio.com/docs/voice/twiml/record,
// https://www.twilio.com/docs/voice/twiml/dial).
const (
	// DefaultMaxRecordLength is Record.MaxLength's default, in seconds.
	DefaultMaxRecordLength = 180
	// maxRecordLength is Twilio's limit on <Record maxLength>: four hours.
	maxRecordLength = 14400
	// defaultFinishOnKey is Record.FinishOnKey's default.
	defaultFinishOnKey = "#"
	// DefaultDialFirstTimeout is DialFirst.Timeout's default, in seconds.
	DefaultDialFirstTimeout = 20
	// maxDialNumbers is how many <Number> nouns one <Dial> may hold.
	maxDialNumbers = 10
)

// Greeting is what the caller hears first: <Play> AudioURL when it is set,
// else <Say> Text. With both empty nothing is played.
type Greeting struct {
	// Text is said (<Say>) when AudioURL is empty. It is cleaned as by
	// MessageTwiML.
	Text string
	// AudioURL, an absolute http or https URL of an audio file Twilio can
	// fetch, is played (<Play>) instead of Text.
	AudioURL string
}

// elements returns g's verb, none when g is empty.
func (g Greeting) elements() []twiml.Element {
	if g.AudioURL != "" {
		return []twiml.Element{twiml.VoicePlay{Url: g.AudioURL}}
	}
	if t := cleanText(g.Text); t != "" {
		return []twiml.Element{twiml.VoiceSay{Message: t}}
	}
	return nil
}

// Record is the TwiML of the support line's voicemail: a greeting, then a
// recording of the caller after a beep.
type Record struct {
	// Greeting is played or said before the beep.
	Greeting Greeting
	// MaxLength is the longest recording, in seconds, 1 to 14400; 0 means
	// DefaultMaxRecordLength (180). Twilio transcribes recordings of at
	// most 120 seconds: a longer one's transcription fails.
	MaxLength int
	// FinishOnKey is the keys (0-9, * and #) that end the recording;
	// "" means "#".
	FinishOnKey string
	// ActionURL is the <Record action>, an absolute http or https URL,
	// requested (POST) once the recording ends; see ParseRecording. It is
	// required: without it Twilio requests the current document again
	// and records the caller once more. Its answer replaces the rest of
	// the document (typically SayTwiML's thanks and hang-up).
	ActionURL string
	// RecordingStatusCallback, if set, gets the recording's completed
	// event (POST) once its media is available; see ParseRecording.
	RecordingStatusCallback string
	// TranscribeCallback, if set, turns on Twilio's transcription and gets
	// its text (POST); see ParseTranscription. "" means no transcription.
	TranscribeCallback string
}

// RecordTwiML returns the TwiML for r:
//
//	<Say>Text</Say> or <Play>AudioURL</Play>
//	<Record playBeep="true" maxLength="180" finishOnKey="#"
//	        action="ActionURL" method="POST"
//	        recordingStatusCallback="..." recordingStatusCallbackMethod="POST"
//	        recordingStatusCallbackEvent="completed"
//	        transcribe="true" transcribeCallback="..."/>
//	<Hangup/>
//
// The <Hangup/> is reached only if Twilio does not follow the action. It
// reports every invalid field of r at once.
func RecordTwiML(r Record) (string, error) {
	var problems []string
	if r.Greeting.AudioURL != "" && !absoluteHTTPURL(r.Greeting.AudioURL) {
		problems = append(problems, "Greeting.AudioURL: must be an absolute http or https URL")
	}
	maxLength := r.MaxLength
	switch {
	case maxLength == 0:
		maxLength = DefaultMaxRecordLength
	case maxLength < 1 || maxLength > maxRecordLength:
		problems = append(problems, fmt.Sprintf("MaxLength: %d is not 0 (%d seconds) or 1 to %d seconds",
			r.MaxLength, DefaultMaxRecordLength, maxRecordLength))
	}
	finish := r.FinishOnKey
	if finish == "" {
		finish = defaultFinishOnKey
	} else if strings.Trim(finish, "0123456789*#") != "" {
		problems = append(problems, "FinishOnKey: must be keys of a phone keypad (0-9, * and #)")
	}
	if !absoluteHTTPURL(r.ActionURL) {
		problems = append(problems, "ActionURL: must be an absolute http or https URL")
	}
	for _, u := range []struct{ name, url string }{
		{"RecordingStatusCallback", r.RecordingStatusCallback}, {"TranscribeCallback", r.TranscribeCallback},
	} {
		if u.url != "" && !absoluteHTTPURL(u.url) {
			problems = append(problems, u.name+": must be an absolute http or https URL")
		}
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("record twiml: %s", strings.Join(problems, "; "))
	}

	record := twiml.VoiceRecord{
		PlayBeep:    "true",
		MaxLength:   strconv.Itoa(maxLength),
		FinishOnKey: finish,
		Action:      r.ActionURL,
		Method:      "POST",
	}
	if r.RecordingStatusCallback != "" {
		record.RecordingStatusCallback = r.RecordingStatusCallback
		record.RecordingStatusCallbackMethod = "POST"
		record.RecordingStatusCallbackEvent = "completed"
	}
	if r.TranscribeCallback != "" {
		record.Transcribe = "true"
		record.TranscribeCallback = r.TranscribeCallback
	}
	verbs := append(r.Greeting.elements(), record, twiml.VoiceHangup{})
	doc, err := twiml.Voice(verbs)
	if err != nil {
		return "", fmt.Errorf("record twiml: %w", err)
	}
	return doc, nil
}

// DialFirst is the TwiML that rings several phones at once (the support
// line's staff) and connects the caller to the first that answers; Twilio
// hangs up the others.
type DialFirst struct {
	// Numbers are the phones to ring, in E.164 form: at least one, at
	// most 10.
	Numbers []string
	// CallerID is the number shown to the phones rung, in E.164 form; ""
	// shows the caller's number.
	CallerID string
	// Timeout is how many seconds the phones ring, 5 to 600; 0 means
	// DefaultDialFirstTimeout (20).
	Timeout int
	// ActionURL is the <Dial action>, an absolute http or https URL,
	// requested (POST) when the call with the phone that answered ends or
	// when none answered; see ParseDialAction. Its answer (such as
	// RecordTwiML for voicemail when DialCallStatus is no-answer) is the
	// TwiML for the rest of the call. It is required.
	ActionURL string
}

// DialFirstTwiML returns the TwiML for d:
//
//	<Dial timeout="20" action="ActionURL" method="POST" callerId="...">
//	  <Number>+14155552671</Number><Number>...</Number>
//	</Dial>
//
// It reports every invalid field of d at once.
func DialFirstTwiML(d DialFirst) (string, error) {
	var problems []string
	switch n := len(d.Numbers); {
	case n == 0:
		problems = append(problems, "Numbers: at least one number is required")
	case n > maxDialNumbers:
		problems = append(problems, fmt.Sprintf("Numbers: %d numbers, more than the %d a <Dial> rings", n, maxDialNumbers))
	}
	for i, number := range d.Numbers {
		if n, err := NormalizeE164(number, ""); err != nil || n != number {
			problems = append(problems, fmt.Sprintf("Numbers[%d]: must be a valid number in E.164 form, like +14155552671", i))
		}
	}
	if d.CallerID != "" {
		if n, err := NormalizeE164(d.CallerID, ""); err != nil || n != d.CallerID {
			problems = append(problems, "CallerID: must be a valid number in E.164 form, like +14155550100")
		}
	}
	timeout := d.Timeout
	switch {
	case timeout == 0:
		timeout = DefaultDialFirstTimeout
	case timeout < 5 || timeout > 600:
		problems = append(problems, fmt.Sprintf("Timeout: %d is not 0 (%d seconds) or 5 to 600 seconds",
			d.Timeout, DefaultDialFirstTimeout))
	}
	if !absoluteHTTPURL(d.ActionURL) {
		problems = append(problems, "ActionURL: must be an absolute http or https URL")
	}
	if len(problems) > 0 {
		return "", fmt.Errorf("dial first twiml: %s", strings.Join(problems, "; "))
	}

	numbers := make([]twiml.Element, 0, len(d.Numbers))
	for _, number := range d.Numbers {
		numbers = append(numbers, twiml.VoiceNumber{PhoneNumber: number})
	}
	dial := twiml.VoiceDial{
		Timeout:       strconv.Itoa(timeout),
		Action:        d.ActionURL,
		Method:        "POST",
		CallerId:      d.CallerID,
		InnerElements: numbers,
	}
	doc, err := twiml.Voice([]twiml.Element{dial})
	if err != nil {
		return "", fmt.Errorf("dial first twiml: %w", err)
	}
	return doc, nil
}
