package twiliotest_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// The screen a screened call-back plays to the agent.
const (
	screenWhisper = "Call-back for case 42."
	screenPrompt  = "Press 1 to call the customer now."
	screenNoKey   = "No key pressed. Goodbye."
)

// screenedReplies are the gateway's answers for a call-back screened with
// twilio.ScreenTwiML: the agent's Url answers the screen, whose action
// answers twilio.BridgeTwiML when Digits is 1.
func screenedReplies(t *testing.T, g *gateway) {
	t.Helper()
	screen, err := twilio.ScreenTwiML(twilio.Screen{
		Whisper: screenWhisper, Prompt: screenPrompt, NoKey: screenNoKey,
		ActionURL: g.URLOf("/voice/screen?case=42"),
	})
	if err != nil {
		t.Fatalf("ScreenTwiML() = %v", err)
	}
	bridge, err := twilio.BridgeTwiML(twilio.Bridge{
		CustomerNumber: customer, CallerID: ours, ActionURL: g.URLOf("/voice/dial-done?case=42"),
	})
	if err != nil {
		t.Fatalf("BridgeTwiML() = %v", err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.replies = map[string]reply{
		"/voice/agent":     {twiml: screen},
		"/voice/screen":    {twiml: bridge},
		"/voice/dial-done": {twiml: `<Response><Say>Thank you, goodbye.</Say><Hangup/></Response>`},
	}
}

// gatherHooks returns the <Gather action> requests among srv's webhooks.
func gatherHooks(srv *twiliotest.Server) []twiliotest.Webhook {
	var out []twiliotest.Webhook
	for _, h := range srv.Webhooks() {
		if h.Kind == twiliotest.KindGather {
			out = append(out, h)
		}
	}
	return out
}

func TestGatherKeyPressedPlaysTheAction(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.Script(customer, twiliotest.Answer{Talk: 60 * time.Second})
	g := newGateway(t, nil, nil)
	screenedReplies(t, g)
	placeCallBack(t, srv, g)
	waitEnded(t, srv, 1)

	legs := srv.Calls()
	if len(legs) != 2 {
		t.Fatalf("Calls() = %+v; want the agent's leg and the customer's, dialled once 1 was pressed", legs)
	}
	a, c := legs[0], legs[1]
	var screen *hit
	for _, h := range g.got() {
		if h.path == "/voice/screen" {
			screen = &h
		}
	}
	if screen == nil {
		t.Fatalf("gateway got %+v; want the <Gather action> request", g.got())
	}
	for key, want := range map[string]string{
		"CallSid": a.SID, "AccountSid": accountSID, "CallStatus": "in-progress", "Direction": "outbound-api",
		"From": ours, "To": agent, "Digits": "1", "FinishedOnKey": "",
	} {
		if got := screen.form.Get(key); got != want {
			t.Errorf("<Gather action> %s = %q, want %q", key, got, want)
		}
	}
	if !screen.valid || screen.method != http.MethodPost {
		t.Errorf("<Gather action> = %s, signature valid %v; want a signed POST", screen.method, screen.valid)
	}
	gr, err := twilio.ParseGather(screen.form)
	if err != nil || gr.Digits != "1" || gr.CallSID != a.SID {
		t.Errorf("ParseGather(<Gather action>) = %+v, %v; want Digits 1 on the agent's call", gr, err)
	}
	if hooks := gatherHooks(srv); len(hooks) != 1 || hooks[0].CallSID != a.SID || !hooks[0].OK() ||
		hooks[0].URL != g.URLOf("/voice/screen?case=42") {
		t.Errorf("Webhooks() of kind %q = %+v; want the one answered request to the action, about the agent's leg",
			twiliotest.KindGather, hooks)
	}
	if want := []string{screenWhisper, screenPrompt, "Thank you, goodbye."}; !slices.Equal(a.Said, want) {
		t.Errorf("agent's Said = %q, want %q (the action's answer replaces the rest of the screen)", a.Said, want)
	}
	if c.ParentSID != a.SID || c.To != customer || c.Status != "completed" || c.Duration != 60*time.Second {
		t.Errorf("customer's leg = %+v; want a completed 60 s child of the agent's", c)
	}
}

func TestGatherNoKeyPlaysOn(t *testing.T) {
	t.Parallel()
	for name, answer := range map[string]twiliotest.Answer{
		"NoKeys":  {NoKeys: true, Talk: 20 * time.Second},
		"machine": {Result: "machine", Digits: "1", Talk: 20 * time.Second}, // a voicemail presses nothing
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := setup(t)
			srv.Script(agent, answer)
			g := newGateway(t, nil, nil)
			screenedReplies(t, g)
			placeCallBack(t, srv, g)
			calls := waitEnded(t, srv, 1)

			if legs := srv.Calls(); len(legs) != 1 {
				t.Errorf("Calls() = %+v; want the agent's leg alone, nobody dialled", legs)
			}
			for _, h := range g.got() {
				if h.path != "/voice/agent" && h.path != "/voice/agent-status" {
					t.Errorf("gateway got %s %s; want only the agent's Url and status callbacks", h.method, h.path)
				}
			}
			if hooks := gatherHooks(srv); len(hooks) != 0 {
				t.Errorf("Webhooks() of kind %q = %+v, want none", twiliotest.KindGather, hooks)
			}
			a := calls[0]
			if want := []string{screenWhisper, screenPrompt, screenNoKey}; !slices.Equal(a.Said, want) {
				t.Errorf("agent's Said = %q, want %q", a.Said, want)
			}
			if a.Status != "completed" || a.Duration != 20*time.Second {
				t.Errorf("agent's leg = %+v; want completed after its 20 s", a)
			}
		})
	}
}

// The keys a Gather collects, and how its action is requested: relative
// to the document, with its method, or not at all.
func TestGatherCollectsKeysAsTwilio(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		gather        string // the <Gather> start tag
		answer        twiliotest.Answer
		requested     bool
		digits        string
		finishedOnKey string
	}{
		{"numDigits keeps the first", `<Gather numDigits="1" action="gather?step=2">`, twiliotest.Answer{Digits: "42"}, true, "4", ""},
		{"finishOnKey # by default", `<Gather action="gather?step=2">`, twiliotest.Answer{Digits: "42#9"}, true, "42", "#"},
		{"finishOnKey set", `<Gather finishOnKey="*" action="gather?step=2">`, twiliotest.Answer{Digits: "1#*"}, true, "1#", "*"},
		{"finishOnKey off", `<Gather finishOnKey="" numDigits="2" action="gather?step=2">`, twiliotest.Answer{Digits: "#5"}, true, "#5", ""},
		{"finishOnKey alone is no input", `<Gather action="gather?step=2">`, twiliotest.Answer{Digits: "#"}, false, "", ""},
		{"speech only takes no keys", `<Gather input="speech" action="gather?step=2">`, twiliotest.Answer{}, false, "", ""},
		{"dtmf and speech", `<Gather input="dtmf speech" action="gather?step=2">`, twiliotest.Answer{}, true, "1", ""},
		{"actionOnEmptyResult", `<Gather actionOnEmptyResult="true" action="gather?step=2">`, twiliotest.Answer{NoKeys: true}, true, "", ""},
		{"no action requests the document", `<Gather numDigits="1">`, twiliotest.Answer{Digits: "7"}, true, "7", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := setup(t)
			srv.Script(agent, tt.answer)
			doc := `<Response>` + tt.gather + `<Say>Press a key.</Say></Gather><Say>Nothing pressed.</Say></Response>`
			g := newGateway(t, nil, map[string]reply{
				"/voice/agent":  {twiml: doc},
				"/voice/gather": {twiml: `<Response><Say>Got it.</Say></Response>`},
			})
			placeCallBack(t, srv, g)
			calls := waitEnded(t, srv, 1)

			hooks := gatherHooks(srv)
			if !tt.requested {
				if len(hooks) != 0 || !slices.Equal(calls[0].Said, []string{"Press a key.", "Nothing pressed."}) {
					t.Errorf("gather requests %+v, Said %q; want none, and the verbs after the Gather played", hooks, calls[0].Said)
				}
				return
			}
			wantURL, wantHooks := g.URLOf("/voice/gather?step=2"), 1
			if tt.gather == `<Gather numDigits="1">` {
				// The document answers itself: Twilio would loop, the
				// stand-in stops after 10 more documents.
				wantURL, wantHooks = g.URLOf("/voice/agent?case=42"), 10
			}
			if len(hooks) != wantHooks {
				t.Fatalf("gather requests = %+v, want %d", hooks, wantHooks)
			}
			h := hooks[0]
			if h.URL != wantURL || h.Method != http.MethodPost || h.Form.Get("Digits") != tt.digits ||
				h.Form.Get("FinishedOnKey") != tt.finishedOnKey || !h.Form.Has("Digits") {
				t.Errorf("gather request = %s %s Digits %q FinishedOnKey %q; want POST %s Digits %q FinishedOnKey %q",
					h.Method, h.URL, h.Form.Get("Digits"), h.Form.Get("FinishedOnKey"), wantURL, tt.digits, tt.finishedOnKey)
			}
			for _, hit := range g.got() {
				if hit.form.Get("Digits") != "" && !hit.valid {
					t.Errorf("gather request to %s: signature invalid", hit.path)
				}
			}
		})
	}
}

func TestGatherActionMethodGET(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.Script(agent, twiliotest.Answer{Digits: "9"})
	g := newGateway(t, nil, map[string]reply{
		"/voice/agent":  {twiml: `<Response><Gather numDigits="1" action="gather?step=2" method="GET"><Say>Press.</Say></Gather></Response>`},
		"/voice/gather": {twiml: `<Response><Say>Nine.</Say><Hangup/></Response>`},
	})
	placeCallBack(t, srv, g)
	calls := waitEnded(t, srv, 1)
	var got *hit
	for _, h := range g.got() {
		if h.path == "/voice/gather" {
			got = &h
		}
	}
	if got == nil || got.method != http.MethodGet || !got.valid || got.form.Get("Digits") != "9" || got.form.Get("step") != "2" {
		t.Fatalf("gateway's gather request = %+v; want a signed GET with Digits 9 and the action's own query", got)
	}
	if !slices.Equal(calls[0].Said, []string{"Press.", "Nine."}) {
		t.Errorf("Said = %q, want the prompt and the action's answer", calls[0].Said)
	}
}

// A <Gather> in the customer's whisper screens the customer's leg: no key
// refuses the bridge, a key pressed plays the action and bridges.
func TestGatherInWhisper(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		answer  twiliotest.Answer
		bridged string
		said    []string
	}{
		{twiliotest.Answer{Talk: 30 * time.Second}, "true", []string{"Press 1 to accept.", "Connecting."}},
		{twiliotest.Answer{NoKeys: true, Talk: 30 * time.Second}, "false", []string{"Press 1 to accept.", "Goodbye."}},
	} {
		t.Run("bridged "+tt.bridged, func(t *testing.T) {
			t.Parallel()
			srv := setup(t)
			srv.Script(customer, tt.answer)
			g := newGateway(t, nil, map[string]reply{
				"/voice/agent": {twiml: `<Response><Dial action="/voice/dial-done"><Number url="/voice/whisper">` + customer + `</Number></Dial></Response>`},
				"/voice/whisper": {twiml: `<Response><Gather numDigits="1" action="/voice/accept"><Say>Press 1 to accept.</Say></Gather>` +
					`<Say>Goodbye.</Say><Hangup/></Response>`},
				"/voice/accept": {twiml: `<Response><Say>Connecting.</Say></Response>`},
			})
			placeCallBack(t, srv, g)
			waitEnded(t, srv, 1)
			var bridged string
			for _, h := range g.got() {
				if h.path == "/voice/dial-done" {
					bridged = h.form.Get("DialBridged")
				}
			}
			legs := srv.Calls()
			if bridged != tt.bridged || len(legs) != 2 || !slices.Equal(legs[1].Said, tt.said) {
				t.Errorf("DialBridged %q, legs %+v; want %s, the customer's leg having heard %q", bridged, legs, tt.bridged, tt.said)
			}
		})
	}
}
