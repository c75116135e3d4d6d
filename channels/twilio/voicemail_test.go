package twilio_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/triage-gw/triage/channels/twilio"
)

const (
	recordAction       = "https://triage.example.com/webhooks/twilio/recorded?line=support&x=1"
	recordingStatusURL = "https://triage.example.com/webhooks/twilio/recording-status"
	transcribeURL      = "https://triage.example.com/webhooks/twilio/transcription"
)

func TestRecordTwiML(t *testing.T) {
	t.Parallel()
	r := twilio.Record{
		Greeting:                twilio.Greeting{Text: "Support for " + nasty},
		MaxLength:               120,
		FinishOnKey:             "*#",
		ActionURL:               recordAction,
		RecordingStatusCallback: recordingStatusURL,
		TranscribeCallback:      transcribeURL,
	}
	doc, err := twilio.RecordTwiML(r)
	if err != nil {
		t.Fatalf("RecordTwiML(%+v) = %v, want nil", r, err)
	}
	if strings.Contains(doc, "<7>") || !strings.Contains(doc, "&lt;7&gt;") || !strings.Contains(doc, "support&amp;x=1") {
		t.Errorf("RecordTwiML() = %s; want <, > and & escaped", doc)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Say", "Record", "Hangup") {
		t.Fatalf("RecordTwiML() verbs = %v, want [Say Record Hangup]\n%s", got, doc)
	}
	say, record := root.Children[0], root.Children[1]
	if want := "Support for " + nastyClean; say.Text != want || len(say.Attrs) != 0 {
		t.Errorf("<Say> = %q %v, want %q and no attributes", say.Text, say.attrs(), want)
	}
	want := map[string]string{
		"playBeep": "true", "maxLength": "120", "finishOnKey": "*#",
		"action": r.ActionURL, "method": "POST",
		"recordingStatusCallback": r.RecordingStatusCallback, "recordingStatusCallbackMethod": "POST",
		"recordingStatusCallbackEvent": "completed",
		"transcribe":                   "true", "transcribeCallback": r.TranscribeCallback,
	}
	if got := record.attrs(); !maps.Equal(got, want) || len(record.Children) != 0 || strings.TrimSpace(record.Text) != "" {
		t.Errorf("<Record> = %v %v %q\nwant %v, empty", got, record.names(), record.Text, want)
	}
	if hangup := root.Children[2]; len(hangup.Attrs) != 0 || len(hangup.Children) != 0 {
		t.Errorf("<Hangup> = %+v, want it bare", hangup)
	}
}

func TestRecordTwiMLMinimal(t *testing.T) {
	t.Parallel()
	doc, err := twilio.RecordTwiML(twilio.Record{ActionURL: recordAction})
	if err != nil {
		t.Fatalf("RecordTwiML(action only) = %v, want nil", err)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Record", "Hangup") {
		t.Fatalf("RecordTwiML(action only) verbs = %v, want [Record Hangup] (no greeting)\n%s", got, doc)
	}
	want := map[string]string{"playBeep": "true", "maxLength": "180", "finishOnKey": "#", "action": recordAction, "method": "POST"}
	if got := root.Children[0].attrs(); !maps.Equal(got, want) {
		t.Errorf("<Record> attributes = %v\nwant %v (defaults, no transcription, no status callback)", got, want)
	}

	// A greeting that is only what XML cannot carry says nothing.
	doc, err = twilio.RecordTwiML(twilio.Record{Greeting: twilio.Greeting{Text: "\x00\x1b"}, ActionURL: recordAction})
	if err != nil {
		t.Fatalf("RecordTwiML(unsayable greeting) = %v, want nil", err)
	}
	if got := parseTwiML(t, doc).names(); !equalStrings(got, "Record", "Hangup") {
		t.Errorf("RecordTwiML(unsayable greeting) verbs = %v, want [Record Hangup]", got)
	}
}

func TestRecordTwiMLPlaysAudioGreeting(t *testing.T) {
	t.Parallel()
	audio := "https://cdn.example.com/greetings/support.mp3?v=2&lang=en"
	doc, err := twilio.RecordTwiML(twilio.Record{
		Greeting:  twilio.Greeting{Text: "not said", AudioURL: audio},
		ActionURL: recordAction, MaxLength: 14400,
	})
	if err != nil {
		t.Fatalf("RecordTwiML(audio greeting) = %v, want nil", err)
	}
	if !strings.Contains(doc, "v=2&amp;lang=en") || strings.Contains(doc, "not said") {
		t.Errorf("RecordTwiML(audio greeting) = %s; want the URL escaped and the text left out", doc)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Play", "Record", "Hangup") {
		t.Fatalf("RecordTwiML(audio greeting) verbs = %v, want [Play Record Hangup]", got)
	}
	if play := root.Children[0]; play.Text != audio || len(play.Attrs) != 0 {
		t.Errorf("<Play> = %q %v, want %q and no attributes", play.Text, play.attrs(), audio)
	}
	if got := root.Children[1].attrs()["maxLength"]; got != "14400" {
		t.Errorf("<Record maxLength> = %q, want 14400", got)
	}
}

func TestRecordTwiMLRefusesBadFields(t *testing.T) {
	t.Parallel()
	_, err := twilio.RecordTwiML(twilio.Record{
		Greeting:  twilio.Greeting{AudioURL: "greeting.mp3"},
		MaxLength: 14401, FinishOnKey: "1a", ActionURL: "",
		RecordingStatusCallback: "ftp://triage.example.com/s", TranscribeCallback: "//triage.example.com/t",
	})
	if err == nil {
		t.Fatal("RecordTwiML(bad fields) = nil, want an error")
	}
	for _, field := range []string{"Greeting.AudioURL", "MaxLength", "FinishOnKey", "ActionURL", "RecordingStatusCallback", "TranscribeCallback"} {
		if !strings.Contains(err.Error(), field+":") {
			t.Errorf("RecordTwiML(bad fields) = %q, want it to name %s", err, field)
		}
	}
	for _, maxLength := range []int{-1, 14401} {
		if _, err := twilio.RecordTwiML(twilio.Record{ActionURL: recordAction, MaxLength: maxLength}); err == nil {
			t.Errorf("RecordTwiML(MaxLength: %d) = nil, want an error", maxLength)
		}
	}
}

func TestDialFirstTwiML(t *testing.T) {
	t.Parallel()
	d := twilio.DialFirst{
		Numbers:   []string{agentPhone, "+442071838750", "+14155550199"},
		CallerID:  sender,
		Timeout:   15,
		ActionURL: "https://triage.example.com/webhooks/twilio/dial?line=support&step=1",
	}
	doc, err := twilio.DialFirstTwiML(d)
	if err != nil {
		t.Fatalf("DialFirstTwiML(%+v) = %v, want nil", d, err)
	}
	if !strings.Contains(doc, "line=support&amp;step=1") {
		t.Errorf("DialFirstTwiML() = %s; want & escaped", doc)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Dial") {
		t.Fatalf("DialFirstTwiML() verbs = %v, want [Dial]\n%s", got, doc)
	}
	dial := root.Children[0]
	want := map[string]string{"timeout": "15", "action": d.ActionURL, "method": "POST", "callerId": sender}
	if got := dial.attrs(); !maps.Equal(got, want) {
		t.Errorf("<Dial> attributes = %v\nwant %v", got, want)
	}
	if got := dial.names(); !equalStrings(got, "Number", "Number", "Number") {
		t.Fatalf("<Dial> children = %v, want three <Number>", got)
	}
	for i, n := range dial.Children {
		if n.Text != d.Numbers[i] || len(n.Attrs) != 0 {
			t.Errorf("<Number> %d = %q %v, want %q and no attributes", i, n.Text, n.attrs(), d.Numbers[i])
		}
	}
}

func TestDialFirstTwiMLMinimal(t *testing.T) {
	t.Parallel()
	doc, err := twilio.DialFirstTwiML(twilio.DialFirst{Numbers: []string{agentPhone}, ActionURL: recordAction})
	if err != nil {
		t.Fatalf("DialFirstTwiML(one number) = %v, want nil", err)
	}
	dial := parseTwiML(t, doc).Children[0]
	want := map[string]string{"timeout": "20", "action": recordAction, "method": "POST"}
	if got := dial.attrs(); !maps.Equal(got, want) || len(dial.Children) != 1 || dial.Children[0].Text != agentPhone {
		t.Errorf("DialFirstTwiML(one number) = %s; want <Dial %v> with one <Number>", doc, want)
	}
}

func TestDialFirstTwiMLRefusesBadFields(t *testing.T) {
	t.Parallel()
	_, err := twilio.DialFirstTwiML(twilio.DialFirst{
		Numbers: []string{agentPhone, "(415) 555-9876"}, CallerID: "+1 555", Timeout: 4, ActionURL: "/dial",
	})
	if err == nil {
		t.Fatal("DialFirstTwiML(bad fields) = nil, want an error")
	}
	for _, field := range []string{"Numbers[1]", "CallerID", "Timeout", "ActionURL"} {
		if !strings.Contains(err.Error(), field+":") {
			t.Errorf("DialFirstTwiML(bad fields) = %q, want it to name %s", err, field)
		}
	}
	if strings.Contains(err.Error(), "Numbers[0]") {
		t.Errorf("DialFirstTwiML(bad fields) = %q, want Numbers[0] (valid) not named", err)
	}
	eleven := make([]string, 11)
	for i := range eleven {
		eleven[i] = fmt.Sprintf("+1415555%04d", 100+i)
	}
	for name, d := range map[string]twilio.DialFirst{
		"no numbers":  {ActionURL: recordAction},
		"11 numbers":  {Numbers: eleven, ActionURL: recordAction},
		"no action":   {Numbers: []string{agentPhone}},
		"timeout 601": {Numbers: []string{agentPhone}, ActionURL: recordAction, Timeout: 601},
	} {
		if _, err := twilio.DialFirstTwiML(d); err == nil {
			t.Errorf("DialFirstTwiML(%s) = nil, want an error", name)
		}
	}
}

// FuzzRecordTwiML feeds arbitrary greetings to RecordTwiML: it must return
// well-formed TwiML with exactly one <Record>, whatever the text.
func FuzzRecordTwiML(f *testing.F) {
	for _, seed := range []string{nasty, "", "]]><![CDATA[", "\ufffe\uffff", "&amp; &#0;"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		doc, err := twilio.RecordTwiML(twilio.Record{Greeting: twilio.Greeting{Text: text}, ActionURL: recordAction})
		if err != nil {
			t.Fatalf("RecordTwiML(Greeting: %q) = %v, want nil", text, err)
		}
		names := parseTwiML(t, doc).names()
		if !equalStrings(names, "Say", "Record", "Hangup") && !equalStrings(names, "Record", "Hangup") {
			t.Errorf("RecordTwiML(Greeting: %q) verbs = %v, want [Say Record Hangup] or [Record Hangup]", text, names)
		}
	})
}
