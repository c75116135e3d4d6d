package twilio_test

import (
	"encoding/xml"
	"maps"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/triage-gw/triage/channels/twilio"
)

// element is one TwiML element read back with encoding/xml.
type element struct {
	XMLName  xml.Name
	Attrs    []xml.Attr `xml:",any,attr"`
	Text     string     `xml:",chardata"`
	Children []element  `xml:",any"`
}

// attrs returns e's attributes by name.
func (e element) attrs() map[string]string {
	m := make(map[string]string, len(e.Attrs))
	for _, a := range e.Attrs {
		m[a.Name.Local] = a.Value
	}
	return m
}

// names returns the names of e's children, in order.
func (e element) names() []string {
	var out []string
	for _, c := range e.Children {
		out = append(out, c.XMLName.Local)
	}
	return out
}

// parseTwiML reads a TwiML document with encoding/xml, failing the test
// unless it is well-formed XML declared as UTF-8 with a <Response> root.
func parseTwiML(t *testing.T, doc string) element {
	t.Helper()
	if !strings.HasPrefix(doc, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("TwiML %q does not start with an XML declaration for UTF-8", doc)
	}
	var root element
	if err := xml.Unmarshal([]byte(doc), &root); err != nil {
		t.Fatalf("TwiML %q is not well-formed XML: %v", doc, err)
	}
	if root.XMLName.Local != "Response" {
		t.Fatalf("TwiML %q has root <%s>, want <Response>", doc, root.XMLName.Local)
	}
	return root
}

// nasty holds what XML must escape, non-ASCII text, and bytes no XML
// document can carry: the NUL, the escape and the invalid UTF-8 go, the
// rest arrives as written.
const (
	nasty      = "Case <7> & \"Bob's\" café — 😡\x00\x1b\xff\xfe ok\ttab"
	nastyClean = "Case <7> & \"Bob's\" café — 😡 ok\ttab"
)

func TestBridgeTwiML(t *testing.T) {
	t.Parallel()
	b := twilio.Bridge{
		Whisper:        "Call-back for case 7: " + nasty,
		CustomerNumber: "+14155559876",
		CallerID:       sender,
		Timeout:        20,
		ActionURL:      "https://triage.example.com/webhooks/twilio/dial?case=7&task=12",
		StatusCallback: "https://triage.example.com/webhooks/twilio/call-status?case=7&leg=customer",
		AMDCallback:    "https://triage.example.com/webhooks/twilio/amd?case=7",
	}
	doc, err := twilio.BridgeTwiML(b)
	if err != nil {
		t.Fatalf("BridgeTwiML(%+v) = %v, want nil", b, err)
	}
	if strings.Contains(doc, "<7>") || !strings.Contains(doc, "&lt;7&gt;") || !strings.Contains(doc, "case=7&amp;task=12") {
		t.Errorf("BridgeTwiML() = %s; want <, > and & escaped", doc)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Say", "Dial") {
		t.Fatalf("BridgeTwiML() verbs = %v, want [Say Dial]\n%s", got, doc)
	}
	say, dial := root.Children[0], root.Children[1]
	if want := "Call-back for case 7: " + nastyClean; say.Text != want || len(say.Attrs) != 0 {
		t.Errorf("<Say> = %q %v, want %q and no attributes", say.Text, say.attrs(), want)
	}
	wantDial := map[string]string{"action": b.ActionURL, "method": "POST", "timeout": "20", "callerId": sender}
	if got := dial.attrs(); !maps.Equal(got, wantDial) {
		t.Errorf("<Dial> attributes = %v\nwant %v", got, wantDial)
	}
	if got := dial.names(); !equalStrings(got, "Number") {
		t.Fatalf("<Dial> children = %v, want [Number]", got)
	}
	number := dial.Children[0]
	wantNumber := map[string]string{
		"statusCallback": b.StatusCallback, "statusCallbackMethod": "POST",
		"statusCallbackEvent": "initiated ringing answered completed",
		"machineDetection":    "Enable", "amdStatusCallback": b.AMDCallback, "amdStatusCallbackMethod": "POST",
	}
	if got := number.attrs(); number.Text != b.CustomerNumber || !maps.Equal(got, wantNumber) {
		t.Errorf("<Number> = %q %v\nwant %q %v", number.Text, got, b.CustomerNumber, wantNumber)
	}
}

func TestBridgeTwiMLMinimal(t *testing.T) {
	t.Parallel()
	doc, err := twilio.BridgeTwiML(twilio.Bridge{CustomerNumber: "+442071838750"})
	if err != nil {
		t.Fatalf("BridgeTwiML(number only) = %v, want nil", err)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Dial") {
		t.Fatalf("BridgeTwiML(number only) verbs = %v, want [Dial] (no whisper, no <Say>)", got)
	}
	dial := root.Children[0]
	if len(dial.Attrs) != 0 || len(dial.Children) != 1 || len(dial.Children[0].Attrs) != 0 ||
		dial.Children[0].Text != "+442071838750" {
		t.Errorf("BridgeTwiML(number only) = %s; want a bare <Dial><Number>+442071838750</Number></Dial>", doc)
	}
}

func TestBridgeTwiMLRefusesBadFields(t *testing.T) {
	t.Parallel()
	_, err := twilio.BridgeTwiML(twilio.Bridge{
		CustomerNumber: "(415) 555-9876", CallerID: "+1 555", Timeout: 601,
		ActionURL: "/dial", StatusCallback: "ftp://x", AMDCallback: "amd",
	})
	if err == nil {
		t.Fatal("BridgeTwiML(bad fields) = nil, want an error")
	}
	for _, field := range []string{"CustomerNumber", "CallerID", "Timeout", "ActionURL", "StatusCallback", "AMDCallback"} {
		if !strings.Contains(err.Error(), field+":") {
			t.Errorf("BridgeTwiML(bad fields) = %q, want it to name %s", err, field)
		}
	}
	for _, timeout := range []int{-1, 4} {
		if _, err := twilio.BridgeTwiML(twilio.Bridge{CustomerNumber: "+14155559876", Timeout: timeout}); err == nil {
			t.Errorf("BridgeTwiML(Timeout: %d) = nil, want an error", timeout)
		}
	}
}

func TestScreenTwiML(t *testing.T) {
	t.Parallel()
	s := twilio.Screen{
		Whisper:   "Call-back for case 7: " + nasty,
		Prompt:    "Press 1 to call <the> customer now.",
		ActionURL: "https://triage.example.com/webhooks/twilio/screen?case=7&task=12",
		Timeout:   12,
		NoKey:     "No key pressed & nobody called.",
	}
	doc, err := twilio.ScreenTwiML(s)
	if err != nil {
		t.Fatalf("ScreenTwiML(%+v) = %v, want nil", s, err)
	}
	if strings.Contains(doc, "<7>") || strings.Contains(doc, "<the>") || !strings.Contains(doc, "case=7&amp;task=12") {
		t.Errorf("ScreenTwiML() = %s; want <, > and & escaped", doc)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Gather", "Say", "Hangup") {
		t.Fatalf("ScreenTwiML() verbs = %v, want [Gather Say Hangup]\n%s", got, doc)
	}
	gather, noKey := root.Children[0], root.Children[1]
	wantGather := map[string]string{"input": "dtmf", "numDigits": "1", "action": s.ActionURL, "method": "POST", "timeout": "12"}
	if got := gather.attrs(); !maps.Equal(got, wantGather) {
		t.Errorf("<Gather> attributes = %v\nwant %v", got, wantGather)
	}
	if got := gather.names(); !equalStrings(got, "Say", "Say") {
		t.Fatalf("<Gather> children = %v, want [Say Say]", got)
	}
	for i, want := range []string{"Call-back for case 7: " + nastyClean, "Press 1 to call <the> customer now."} {
		if say := gather.Children[i]; say.Text != want || len(say.Attrs) != 0 {
			t.Errorf("<Gather><Say> %d = %q %v, want %q and no attributes", i, say.Text, say.attrs(), want)
		}
	}
	if noKey.Text != s.NoKey || len(noKey.Attrs) != 0 {
		t.Errorf("<Say> after <Gather> = %q %v, want %q", noKey.Text, noKey.attrs(), s.NoKey)
	}
}

func TestScreenTwiMLMinimal(t *testing.T) {
	t.Parallel()
	const action = "https://triage.example.com/screen"
	doc, err := twilio.ScreenTwiML(twilio.Screen{Prompt: "Press 1.", ActionURL: action, Whisper: "\x00", NoKey: "\xff"})
	if err != nil {
		t.Fatalf("ScreenTwiML(prompt and action only) = %v, want nil", err)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Gather", "Hangup") {
		t.Fatalf("ScreenTwiML(prompt and action only) verbs = %v, want [Gather Hangup] (no <Say> for NoKey)\n%s", got, doc)
	}
	gather := root.Children[0]
	if got := gather.attrs()["timeout"]; got != "8" {
		t.Errorf("<Gather timeout> = %q, want the default 8", got)
	}
	if got := gather.names(); !equalStrings(got, "Say") || gather.Children[0].Text != "Press 1." {
		t.Errorf("<Gather> = %s; want only the prompt's <Say>, no whisper", doc)
	}
}

func TestScreenTwiMLRefusesBadFields(t *testing.T) {
	t.Parallel()
	_, err := twilio.ScreenTwiML(twilio.Screen{Whisper: "Case 7", Prompt: " \x00 ", ActionURL: "/screen", Timeout: 61})
	if err == nil {
		t.Fatal("ScreenTwiML(bad fields) = nil, want an error")
	}
	for _, field := range []string{"Prompt", "ActionURL", "Timeout"} {
		if !strings.Contains(err.Error(), field+":") {
			t.Errorf("ScreenTwiML(bad fields) = %q, want it to name %s", err, field)
		}
	}
	for _, s := range []twilio.Screen{
		{Prompt: "Press 1.", ActionURL: "https://triage.example.com/screen", Timeout: -1},
		{Prompt: "Press 1.", ActionURL: "mailto:ops@example.com"},
		{Prompt: "Press 1."},
	} {
		if doc, err := twilio.ScreenTwiML(s); err == nil {
			t.Errorf("ScreenTwiML(%+v) = %q, nil; want an error", s, doc)
		}
	}
}

// A screened call-back's bridge says nothing before dialling: the whisper
// was said in the screen.
func TestBridgeTwiMLAfterScreen(t *testing.T) {
	t.Parallel()
	doc, err := twilio.BridgeTwiML(twilio.Bridge{CustomerNumber: "+14155559876", CallerID: sender, Whisper: ""})
	if err != nil {
		t.Fatalf("BridgeTwiML(no whisper) = %v, want nil", err)
	}
	if root := parseTwiML(t, doc); !equalStrings(root.names(), "Dial") {
		t.Errorf("BridgeTwiML(no whisper) = %s; want only the <Dial>", doc)
	}
}

func TestMessageTwiML(t *testing.T) {
	t.Parallel()
	doc, err := twilio.MessageTwiML("Case 7 is yours: "+nasty, "Reply DONE when called back.")
	if err != nil {
		t.Fatalf("MessageTwiML() = %v, want nil", err)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Message", "Message") {
		t.Fatalf("MessageTwiML() verbs = %v, want two <Message>\n%s", got, doc)
	}
	for i, want := range []string{"Case 7 is yours: " + nastyClean, "Reply DONE when called back."} {
		if m := root.Children[i]; m.Text != want || len(m.Attrs) != 0 {
			t.Errorf("<Message> %d = %q %v, want %q and no attributes", i, m.Text, m.attrs(), want)
		}
	}

	doc, err = twilio.MessageTwiML()
	if root := parseTwiML(t, doc); err != nil || len(root.Children) != 0 || strings.TrimSpace(root.Text) != "" {
		t.Errorf("MessageTwiML() with no texts = %q, %v; want an empty <Response/>", doc, err)
	}
	for _, bad := range []string{"", "\xff\x00", strings.Repeat("é", 1601)} {
		if doc, err := twilio.MessageTwiML("fine", bad); err == nil {
			t.Errorf("MessageTwiML(%q) = %q, nil; want an error (empty or over 1600 characters)", bad, doc)
		}
	}
}

func TestSayTwiML(t *testing.T) {
	t.Parallel()
	doc, err := twilio.SayTwiML("Thank you. " + nasty)
	if err != nil {
		t.Fatalf("SayTwiML() = %v, want nil", err)
	}
	root := parseTwiML(t, doc)
	if got := root.names(); !equalStrings(got, "Say", "Hangup") || root.Children[0].Text != "Thank you. "+nastyClean {
		t.Errorf("SayTwiML() = %s; want <Say>%s</Say><Hangup/>", doc, "Thank you. "+nastyClean)
	}
	doc, err = twilio.SayTwiML("\x00")
	if root := parseTwiML(t, doc); err != nil || !equalStrings(root.names(), "Hangup") {
		t.Errorf("SayTwiML(nothing to say) = %q, %v; want only <Hangup/>", doc, err)
	}
}

// equalStrings reports whether got holds exactly want, in order.
func equalStrings(got []string, want ...string) bool { return slices.Equal(got, want) }

// FuzzTwiML feeds arbitrary text to the TwiML builders: what they return
// must be well-formed XML that carries the text, less what XML cannot hold.
func FuzzTwiML(f *testing.F) {
	for _, seed := range []string{nasty, "", "]]><![CDATA[", "line\r\nbreak\rcr", "\ufffe\uffff\U0010ffff", "&amp; &#0; &#x1F;"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		lineEnds := strings.NewReplacer("\r\n", "\n", "\r", "\n") // XML parsers normalise line ends
		doc, err := twilio.SayTwiML(text)
		if err != nil {
			t.Fatalf("SayTwiML(%q) = %v, want nil", text, err)
		}
		root := parseTwiML(t, doc)
		said := ""
		if len(root.Children) == 2 {
			said = root.Children[0].Text
		}
		if !subsequence(said, lineEnds.Replace(strings.ToValidUTF8(text, ""))) {
			t.Errorf("SayTwiML(%q) said %q, want the text less what XML cannot carry", text, said)
		}
		if plainText(text) && said != text {
			t.Errorf("SayTwiML(%q) said %q, want the text unchanged", text, said)
		}
		doc, err = twilio.ScreenTwiML(twilio.Screen{Whisper: text, Prompt: "Press 1.", ActionURL: "https://triage.example.com/screen", NoKey: text})
		if err != nil {
			t.Fatalf("ScreenTwiML(Whisper, NoKey: %q) = %v, want nil", text, err)
		}
		if root := parseTwiML(t, doc); root.Children[0].XMLName.Local != "Gather" ||
			root.Children[0].Children[len(root.Children[0].Children)-1].Text != "Press 1." {
			t.Errorf("ScreenTwiML(Whisper, NoKey: %q) = %s, want a <Gather> ending with the prompt", text, doc)
		}
		if doc, err := twilio.MessageTwiML(text); err == nil {
			if root := parseTwiML(t, doc); len(root.Children) != 1 || root.Children[0].Text == "" {
				t.Errorf("MessageTwiML(%q) = %s, want one non-empty <Message>", text, doc)
			}
		}
	})
}

// subsequence reports whether every rune of sub appears in s in order.
func subsequence(sub, s string) bool {
	for _, r := range sub {
		i := strings.IndexRune(s, r)
		if i < 0 {
			return false
		}
		s = s[i+utf8.RuneLen(r):]
	}
	return true
}

// plainText reports whether s is UTF-8 that XML carries unchanged: no
// control characters but tab and newline, no U+FFFE or U+FFFF.
func plainText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if (r < 0x20 && r != '\t' && r != '\n') || r == 0xFFFE || r == 0xFFFF {
			return false
		}
	}
	return true
}
