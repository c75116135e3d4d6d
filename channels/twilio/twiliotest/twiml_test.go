package twiliotest

import (
	"testing"
)

func TestParseTwiMLReadsWhatItKnowsAndSkipsTheRest(t *testing.T) {
	t.Parallel()
	doc := `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Gather input="dtmf"><Say>Press 1</Say></Gather>
  <Say voice="alice">Hello
     there</Say>
  <Dial CALLERID="+16175550199" action="/done">+14155552671</Dial>
  <Dial><Client>alice</Client></Dial>
  <Message><Body>Two</Body><Media>https://example.com/a.png</Media></Message>
  <Future verb="yes"/>
</Response>`
	verbs, err := parseTwiML(doc)
	if err != nil {
		t.Fatalf("parseTwiML() = %v", err)
	}
	if len(verbs) != 6 || verbs[1].text() != "Hello there" {
		t.Fatalf("parseTwiML() = %+v; want six verbs, the Say's text collapsed", verbs)
	}
	if n, _, ok := verbs[2].dialTarget(); !ok || n != "+14155552671" || verbs[2].attr("callerId") != "+16175550199" {
		t.Errorf("Dial with a number as text = %q, %v, callerId %q", n, ok, verbs[2].attr("callerId"))
	}
	if _, _, ok := verbs[3].dialTarget(); ok {
		t.Errorf("Dial of a <Client> has a phone number, want none")
	}
	if got := verbs[4].messageText(); got != "Two" {
		t.Errorf("Message with a Body = %q, want Two", got)
	}
	for _, bad := range []string{"<Say>hi</Say>", "<Response><Say>hi</Response>", "OK"} {
		if _, err := parseTwiML(bad); err == nil {
			t.Errorf("parseTwiML(%q) = nil error, want one", bad)
		}
	}
	if verbs, err := parseTwiML("  \n"); err != nil || verbs != nil {
		t.Errorf("parseTwiML(blank) = %v, %v; want no verbs", verbs, err)
	}
}

func FuzzParseTwiML(f *testing.F) {
	for _, seed := range []string{
		"<Response/>",
		`<Response><Say>hi</Say><Dial action="/a"><Number url="/w">+14155552671</Number></Dial><Hangup/></Response>`,
		`<Response><Message><Body>x</Body></Message><Redirect method="GET">/next</Redirect></Response>`,
		"<Response><Dial>",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		verbs, err := parseTwiML(doc)
		if err != nil {
			return
		}
		for _, v := range verbs {
			_ = v.text()
			_ = v.messageText()
			_ = v.attr("action")
			if n, number, ok := v.dialTarget(); ok {
				_ = n + number.attr("url")
			}
		}
	})
}
