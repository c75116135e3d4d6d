package twiliotest_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

const (
	agent    = "+16175550101"
	customer = "+14155552671"
	ours     = "+16175550199"
)

// agentTwiML is what the gateway answers when the agent picks up: a
// prompt, then the customer, announced to them by a whisper, with answering
// machine detection; the Dial's action says goodbye.
const agentTwiML = `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <Say voice="Polly.Joanna">You have a call-back for case 42.</Say>
  <Pause length="1"/>
  <Dial callerId="+16175550199" action="/voice/dial-done?case=42" method="POST" timeout="20">
    <Number statusCallback="/voice/customer-status?case=42" statusCallbackEvent="initiated ringing answered completed"
      statusCallbackMethod="POST" machineDetection="Enable" amdStatusCallback="/voice/amd" url="/voice/whisper">+14155552671</Number>
  </Dial>
  <Say>Not reached: the action's answer replaces the rest.</Say>
</Response>`

// bridgedReplies are the gateway's answers for a bridged call-back.
var bridgedReplies = map[string]reply{
	"/voice/agent":     {twiml: agentTwiML},
	"/voice/whisper":   {twiml: `<Response><Say>Connecting you to   support.</Say></Response>`},
	"/voice/dial-done": {twiml: `<Response><Say>Thank you, goodbye.</Say><Hangup/></Response>`},
}

// placeCallBack creates the agent's leg of a call-back with twilio-go,
// asking for every status callback event.
func placeCallBack(t *testing.T, srv *twiliotest.Server, g *gateway) *openapi.ApiV2010Call {
	t.Helper()
	params := &openapi.CreateCallParams{}
	params.SetTo(agent).SetFrom(ours).SetUrl(g.URLOf("/voice/agent?case=42")).
		SetStatusCallback(g.URLOf("/voice/agent-status?case=42")).
		SetStatusCallbackEvent([]string{"initiated", "ringing", "answered", "completed"}).SetTimeout(25)
	call, err := api(t, srv).CreateCall(params)
	if err != nil {
		t.Fatalf("CreateCall() = %v", err)
	}
	return call
}

// waitEnded waits for n calls' plays to end.
func waitEnded(t *testing.T, srv *twiliotest.Server, n int) []twiliotest.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	calls, err := srv.WaitCallsEnded(ctx, n)
	if err != nil {
		t.Fatalf("WaitCallsEnded(%d) = %v; webhooks so far: %+v", n, err, srv.Webhooks())
	}
	return calls
}

// steps names the gateway's hits by path, leg and CallStatus.
func steps(hits []hit, legs map[string]string) []string {
	var out []string
	for _, h := range hits {
		out = append(out, step{h.path, legs[h.form.Get("CallSid")], h.form.Get("CallStatus")}.String())
	}
	return out
}

func TestBridgedCallPlaysLikeTwilio(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.Script(customer, twiliotest.Answer{Talk: 95 * time.Second})
	gate := make(chan struct{})
	g := newGateway(t, gate, bridgedReplies)

	// The gateway holds every webhook until CreateCall has its answer: a
	// stand-in that played before answering would deadlock here.
	call := placeCallBack(t, srv, g)
	close(gate)
	if *call.Status != "queued" || *call.Direction != "outbound-api" || *call.To != agent || call.ParentCallSid != nil {
		t.Errorf("CreateCall() = status %v, direction %v, to %v, parent %v; want a queued outbound-api call to %s",
			*call.Status, *call.Direction, *call.To, call.ParentCallSid, agent)
	}
	waitEnded(t, srv, 1)

	legs := srv.Calls()
	if len(legs) != 2 {
		t.Fatalf("Calls() = %+v, want the agent's leg and the customer's", legs)
	}
	a, c := legs[0], legs[1]
	names := map[string]string{a.SID: "agent", c.SID: "customer"}
	want := []string{
		"/voice/agent-status agent initiated",
		"/voice/agent-status agent ringing",
		"/voice/agent-status agent in-progress",
		"/voice/agent agent in-progress",
		"/voice/customer-status customer initiated",
		"/voice/customer-status customer ringing",
		"/voice/customer-status customer in-progress",
		"/voice/amd customer",
		"/voice/whisper customer in-progress",
		"/voice/customer-status customer completed",
		"/voice/dial-done agent in-progress",
		"/voice/agent-status agent completed",
	}
	hits := g.got()
	if got := steps(hits, names); !slices.Equal(got, want) {
		t.Fatalf("webhooks =\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for i, h := range hits {
		if !h.valid || h.method != http.MethodPost {
			t.Errorf("webhook %d (%s) = %s, signature valid %v; want a POST signed with the auth token", i, h.path, h.method, h.valid)
		}
		if h.form.Get("AccountSid") != accountSID {
			t.Errorf("webhook %d (%s) AccountSid = %q", i, h.path, h.form.Get("AccountSid"))
		}
	}

	agentSeq, customerSeq := 0, 0
	for _, h := range hits {
		if !strings.HasSuffix(h.path, "-status") {
			continue
		}
		seq := &agentSeq
		if h.path == "/voice/customer-status" {
			seq = &customerSeq
		}
		if got := h.form.Get("SequenceNumber"); got != strconv.Itoa(*seq) || h.form.Get("Timestamp") == "" ||
			h.form.Get("CallbackSource") != "call-progress-events" {
			t.Errorf("%s %s: SequenceNumber %q, Timestamp %q, CallbackSource %q; want %d, a time, call-progress-events",
				h.path, h.form.Get("CallStatus"), got, h.form.Get("Timestamp"), h.form.Get("CallbackSource"), *seq)
		}
		*seq++
	}

	for key, want := range map[string]string{
		"CallSid": c.SID, "ParentCallSid": a.SID, "Direction": "outbound-dial", "From": ours, "Caller": ours,
		"To": customer, "Called": customer, "CallDuration": "95", "ApiVersion": "2010-04-01",
	} {
		if got := hits[9].form.Get(key); got != want {
			t.Errorf("customer's completed callback %s = %q, want %q", key, got, want)
		}
	}
	amd := hits[7].form
	if amd.Get("CallSid") != c.SID || amd.Get("AnsweredBy") != "human" || amd.Get("MachineDetectionDuration") == "" {
		t.Errorf("amd callback = %v; want the customer's leg answered by a human, with MachineDetectionDuration", amd)
	}
	for key, want := range map[string]string{
		"CallSid": a.SID, "CallStatus": "in-progress", "Direction": "outbound-api", "From": ours, "To": agent,
		"DialCallSid": c.SID, "DialCallStatus": "completed", "DialCallDuration": "95", "DialBridged": "true",
	} {
		if got := hits[10].form.Get(key); got != want {
			t.Errorf("dial action %s = %q, want %q", key, got, want)
		}
	}
	if got := hits[11].form.Get("CallDuration"); got != "100" {
		t.Errorf("agent's completed CallDuration = %q, want 100 (95 s talk and 5 s around it)", got)
	}
	if hits[3].form.Get("ParentCallSid") != "" || hits[3].form.Get("AnsweredBy") != "" {
		t.Errorf("agent's Url request = %v; want no ParentCallSid and no AnsweredBy", hits[3].form)
	}

	if !slices.Equal(a.Said, []string{"You have a call-back for case 42.", "Thank you, goodbye."}) ||
		a.Status != "completed" || a.Duration != 100*time.Second || a.ParentSID != "" {
		t.Errorf("agent's leg = %+v; want completed after 100 s, having heard the prompt and the goodbye", a)
	}
	if !slices.Equal(c.Said, []string{"Connecting you to support."}) || c.Status != "completed" ||
		c.Duration != 95*time.Second || c.ParentSID != a.SID || c.From != ours || c.AnsweredBy != "human" || c.Timeout != 20 {
		t.Errorf("customer's leg = %+v; want completed after 95 s, child of %s, from %s, whispered to", c, a.SID, ours)
	}
	if n := len(srv.Webhooks()); n != 12 {
		t.Errorf("Webhooks() has %d, want 12", n)
	}

	fetched, err := api(t, srv).FetchCall(c.SID, nil)
	if err != nil {
		t.Fatalf("FetchCall(%s) = %v", c.SID, err)
	}
	if *fetched.Status != "completed" || *fetched.Duration != "95" || *fetched.ParentCallSid != a.SID ||
		*fetched.Direction != "outbound-dial" || *fetched.AnsweredBy != "human" || fetched.EndTime == nil || fetched.StartTime == nil {
		t.Errorf("FetchCall(customer) = %+v; want completed, 95 s, child of the agent's leg", fetched)
	}
}

func TestUnansweredLegsEndWithTheirStatus(t *testing.T) {
	t.Parallel()
	for _, result := range []string{"busy", "no-answer", "failed"} {
		t.Run(result, func(t *testing.T) {
			t.Parallel()
			srv := setup(t)
			srv.Script(agent, twiliotest.Answer{Result: result})
			g := newGateway(t, nil, bridgedReplies)
			placeCallBack(t, srv, g)
			calls := waitEnded(t, srv, 1)

			want := []string{"/voice/agent-status agent initiated"}
			if result == "no-answer" {
				want = append(want, "/voice/agent-status agent ringing")
			}
			want = append(want, "/voice/agent-status agent "+result)
			hits := g.got()
			if got := steps(hits, map[string]string{calls[0].SID: "agent"}); !slices.Equal(got, want) {
				t.Errorf("webhooks = %q, want %q (no Url request)", got, want)
			}
			if last := hits[len(hits)-1].form; last.Get("CallDuration") != "0" {
				t.Errorf("final callback CallDuration = %q, want 0", last.Get("CallDuration"))
			}
			if c := calls[0]; c.Status != result || c.Duration != 0 || len(srv.Calls()) != 1 {
				t.Errorf("call = %+v (of %d legs); want status %s, no duration, no other leg", c, len(srv.Calls()), result)
			}
		})
	}
}

func TestDialedLegResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		answer       twiliotest.Answer
		dialStatus   string
		dialDuration string
		answeredBy   string
		agentTalk    string
	}{
		{twiliotest.Answer{Result: "no-answer"}, "no-answer", "0", "", "25"}, // 20 s ringing + 5
		{twiliotest.Answer{Result: "busy"}, "busy", "0", "", "5"},
		{twiliotest.Answer{Result: "failed"}, "failed", "0", "", "5"},
		{twiliotest.Answer{Result: "machine", Talk: 30 * time.Second}, "completed", "30", "machine_start", "35"},
	}
	for _, tt := range tests {
		t.Run(tt.answer.Result, func(t *testing.T) {
			t.Parallel()
			srv := setup(t)
			srv.Script(customer, tt.answer)
			g := newGateway(t, nil, bridgedReplies)
			placeCallBack(t, srv, g)
			waitEnded(t, srv, 1)

			var action, amd, agentDone string
			for _, h := range g.got() {
				switch {
				case h.path == "/voice/dial-done":
					action = h.form.Get("DialCallStatus") + " " + h.form.Get("DialCallDuration")
				case h.path == "/voice/amd":
					amd = h.form.Get("AnsweredBy")
				case h.path == "/voice/agent-status" && h.form.Get("CallStatus") == "completed":
					agentDone = h.form.Get("CallDuration")
				}
			}
			if want := tt.dialStatus + " " + tt.dialDuration; action != want || amd != tt.answeredBy || agentDone != tt.agentTalk {
				t.Errorf("dial action %q, amd %q, agent's CallDuration %q; want %q, %q, %q",
					action, amd, agentDone, want, tt.answeredBy, tt.agentTalk)
			}
			if legs := srv.Calls(); len(legs) != 2 || legs[1].Status != tt.dialStatus {
				t.Errorf("Calls() = %+v; want the customer's leg %s", legs, tt.dialStatus)
			}
		})
	}
}

func TestApplicationErrorEndsTheLegsTwiML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		rep  reply
	}{
		{"500", reply{status: http.StatusInternalServerError, twiml: "An application error has occurred"}},
		{"not TwiML", reply{twiml: `{"ok": true}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := setup(t)
			g := newGateway(t, nil, map[string]reply{"/voice/agent": tt.rep})
			placeCallBack(t, srv, g)
			calls := waitEnded(t, srv, 1)

			hooks := srv.Webhooks()
			var kinds []string
			for _, h := range hooks {
				kinds = append(kinds, h.Kind)
			}
			want := []string{twiliotest.KindCallStatus, twiliotest.KindCallStatus, twiliotest.KindCallStatus,
				twiliotest.KindCallURL, twiliotest.KindCallStatus}
			if !slices.Equal(kinds, want) {
				t.Fatalf("webhook kinds = %q, want %q", kinds, want)
			}
			if h := hooks[3]; h.OK() || h.Body != tt.rep.twiml || (tt.rep.status == 0 && h.Err == nil) {
				t.Errorf("Url webhook = %+v; want it recorded as failed, with the answer's body", h)
			}
			if c := calls[0]; c.Status != "completed" || c.Duration != 120*time.Second || len(srv.Calls()) != 1 {
				t.Errorf("call = %+v; want it completed after the default 120 s talk, no dialled leg", c)
			}
		})
	}
}

func TestGETWebhooksAreSignedWithTheirQuery(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	g := newGateway(t, nil, map[string]reply{"/voice/agent": {twiml: `<Response><Say>Hi</Say></Response>`}})
	params := &openapi.CreateCallParams{}
	params.SetTo(agent).SetFrom(ours).SetUrl(g.URLOf("/voice/agent?case=7")).SetMethod("GET").
		SetStatusCallback(g.URLOf("/voice/status")).SetStatusCallbackMethod("GET")
	if _, err := api(t, srv).CreateCall(params); err != nil {
		t.Fatalf("CreateCall() = %v", err)
	}
	waitEnded(t, srv, 1)
	hits := g.got()
	if len(hits) != 2 {
		t.Fatalf("gateway got %+v; want the Url request and the completed callback alone", hits)
	}
	for _, h := range hits {
		if h.method != http.MethodGet || !h.valid || h.form.Get("CallSid") == "" {
			t.Errorf("%s %s: valid %v, form %v; want a signed GET carrying the parameters", h.method, h.path, h.valid, h.form)
		}
	}
	if hits[0].form.Get("case") != "7" || hits[1].form.Get("CallStatus") != "completed" {
		t.Errorf("hits = %+v; want the Url's own query kept, then completed", hits)
	}
}

func TestInlineTwiMLAndDefaultCallbackEvents(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.Script(agent, twiliotest.Answer{Talk: 42 * time.Second})
	g := newGateway(t, nil, nil)
	params := &openapi.CreateCallParams{}
	params.SetTo(agent).SetFrom(ours).SetTwiml(`<Response><Say>Case 9 was closed.</Say></Response>`).
		SetStatusCallback(g.URLOf("/status"))
	if _, err := api(t, srv).CreateCall(params); err != nil {
		t.Fatalf("CreateCall() = %v", err)
	}
	calls := waitEnded(t, srv, 1)
	hits := g.got()
	if len(hits) != 1 || hits[0].form.Get("CallStatus") != "completed" || hits[0].form.Get("CallDuration") != "42" {
		t.Errorf("gateway got %+v; want one completed callback with CallDuration 42", hits)
	}
	if !slices.Equal(calls[0].Said, []string{"Case 9 was closed."}) {
		t.Errorf("Said = %q, want the inline TwiML's text", calls[0].Said)
	}
}
