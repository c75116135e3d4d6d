package twiliotest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// support is the gateway's support line: it greets, rings the team, and
// when nobody answers takes a message.
var support = map[string]reply{
	"/voice": {twiml: `<Response><Say>Thanks for calling support.</Say>
		<Dial action="/voice/dial-done?line=support" timeout="15"><Number>+16175550101</Number></Dial></Response>`},
	"/voice/dial-done": {twiml: `<Response><Say>Please leave a message.</Say><Play>https://example.com/beep.mp3</Play>
		<Record action="/voice/recorded" maxLength="120" recordingStatusCallback="/voice/recording-status"
		  transcribe="true" transcribeCallback="/voice/transcribed"/></Response>`},
	"/voice/recorded": {twiml: `<Response><Say>Goodbye.</Say><Hangup/></Response>`},
}

// callIn plays c's call to g's /voice.
func callIn(t *testing.T, srv *twiliotest.Server, g *gateway, c twiliotest.Caller) twiliotest.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	call, err := srv.CallIn(ctx, g.URLOf("/voice"), c)
	if err != nil {
		t.Fatalf("CallIn(%+v) = %v", c, err)
	}
	return call
}

// paths are the paths of hits.
func paths(hits []hit) []string {
	var out []string
	for _, h := range hits {
		out = append(out, h.path)
	}
	return out
}

// wantForm checks that h's form has each of want.
func wantForm(t *testing.T, h hit, want map[string]string) {
	t.Helper()
	for key, v := range want {
		if got, ok := h.form[key]; !ok || len(got) != 1 || got[0] != v {
			t.Errorf("%s %s = %q, want %q", h.path, key, got, v)
		}
	}
}

func TestCallInTakesAVoicemailLikeTwilio(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	g := newGateway(t, nil, support)
	call := callIn(t, srv, g, twiliotest.Caller{
		From: customer, Speaks: 42400 * time.Millisecond, Transcript: "My printer is on fire.", NoAnswerAtDial: true,
	})

	hits := g.got()
	want := []string{"/voice", "/voice/dial-done", "/voice/recorded", "/voice/recording-status", "/voice/transcribed"}
	if !slices.Equal(paths(hits), want) {
		t.Fatalf("gateway got %q, want %q", paths(hits), want)
	}
	for _, h := range hits {
		if !h.valid {
			t.Errorf("%s: signature does not validate", h.path)
		}
		if h.method != http.MethodPost {
			t.Errorf("%s: method %s, want POST", h.path, h.method)
		}
	}
	var kinds []string
	for _, w := range srv.Webhooks() {
		kinds = append(kinds, w.Kind)
		if w.CallSID != call.SID {
			t.Errorf("webhook %s is about %s, want %s", w.Kind, w.CallSID, call.SID)
		}
	}
	wantKinds := []string{twiliotest.KindInboundCall, twiliotest.KindDialAction, twiliotest.KindRecordAction,
		twiliotest.KindRecordingStatus, twiliotest.KindTranscription}
	if !slices.Equal(kinds, wantKinds) {
		t.Errorf("Webhooks() kinds = %q, want %q", kinds, wantKinds)
	}

	common := map[string]string{
		"AccountSid": accountSID, "CallSid": call.SID, "From": customer, "To": srv.Number(),
		"Caller": customer, "Called": srv.Number(), "Direction": "inbound", "ApiVersion": "2010-04-01",
	}
	wantForm(t, hits[0], common)
	wantForm(t, hits[0], map[string]string{"CallStatus": "ringing"})
	wantForm(t, hits[1], map[string]string{"DialCallStatus": "no-answer", "CallStatus": "in-progress"})

	recs := srv.Recordings()
	if len(recs) != 1 {
		t.Fatalf("Recordings() = %+v, want one", recs)
	}
	rec := recs[0]
	if rec.CallSID != call.SID || rec.Duration != 42*time.Second || rec.Status != "completed" || rec.Source != "RecordVerb" {
		t.Errorf("recording = %+v, want 42s, completed, RecordVerb, on %s", rec, call.SID)
	}
	recURL := srv.URL() + "/2010-04-01/Accounts/" + accountSID + "/Recordings/" + rec.SID
	wantForm(t, hits[2], common)
	wantForm(t, hits[2], map[string]string{
		"CallStatus": "in-progress", "RecordingUrl": recURL, "RecordingSid": rec.SID,
		"RecordingDuration": "42", "Digits": "#",
	})
	wantForm(t, hits[3], map[string]string{
		"AccountSid": accountSID, "CallSid": call.SID, "RecordingSid": rec.SID, "RecordingUrl": recURL,
		"RecordingStatus": "completed", "RecordingDuration": "42", "RecordingChannels": "1",
		"RecordingSource": "RecordVerb",
	})
	if _, err := time.Parse(time.RFC1123Z, hits[3].form.Get("RecordingStartTime")); err != nil {
		t.Errorf("RecordingStartTime = %q, want RFC 2822: %v", hits[3].form.Get("RecordingStartTime"), err)
	}

	trs := srv.Transcriptions()
	if len(trs) != 1 || trs[0].Status != "completed" || trs[0].Text != "My printer is on fire." || trs[0].RecordingSID != rec.SID {
		t.Fatalf("Transcriptions() = %+v, want one completed with the transcript", trs)
	}
	wantForm(t, hits[4], common)
	wantForm(t, hits[4], map[string]string{
		"CallStatus": "completed", "TranscriptionSid": trs[0].SID, "TranscriptionText": "My printer is on fire.",
		"TranscriptionStatus": "completed", "TranscriptionType": "fast", "ForwardedFrom": "",
		"RecordingSid": rec.SID, "RecordingUrl": recURL,
		"TranscriptionUrl": srv.URL() + "/2010-04-01/Accounts/" + accountSID + "/Transcriptions/" + trs[0].SID,
	})

	wantSaid := []string{"Thanks for calling support.", "Please leave a message.", "play:https://example.com/beep.mp3", "Goodbye."}
	if call.Direction != "inbound" || call.Status != "completed" || !slices.Equal(call.Said, wantSaid) {
		t.Errorf("call = %s %s, said %q; want inbound completed, said %q", call.Direction, call.Status, call.Said, wantSaid)
	}
	if want := (42 + 15 + 5) * time.Second; call.Duration != want {
		t.Errorf("call lasted %v, want %v (the message, the Dial's ringing, the prompts)", call.Duration, want)
	}
	legs := srv.Calls()
	if len(legs) != 2 || legs[1].ParentSID != call.SID || legs[1].Status != "no-answer" || legs[1].To != agent {
		t.Errorf("Calls() = %+v, want the inbound leg and the unanswered dialled one", legs)
	}

	// The recording URL is the media, behind the account's credentials.
	media := func(rawURL, user, pass string) (int, string, []byte) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, rawURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("GET %s: %v", rawURL, err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("GET %s: %v", rawURL, err)
		}
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	for _, tt := range []struct{ url, ctype, magic string }{
		{recURL, "audio/x-wav", "RIFF"}, {recURL + ".wav", "audio/x-wav", "RIFF"}, {recURL + ".mp3", "audio/mpeg", "\xff\xfb"},
	} {
		status, ctype, body := media(tt.url, accountSID, authToken)
		if status != 200 || ctype != tt.ctype || !strings.HasPrefix(string(body), tt.magic) {
			t.Errorf("GET %s = %d %s %q..., want 200 %s %q...", tt.url, status, ctype, body[:min(len(body), 8)], tt.ctype, tt.magic)
		}
		if status, _, _ := media(tt.url, "", ""); status != http.StatusUnauthorized {
			t.Errorf("GET %s without credentials = %d, want 401", tt.url, status)
		}
		if status, _, _ := media(tt.url, accountSID, "wrong"); status != http.StatusUnauthorized {
			t.Errorf("GET %s with a wrong token = %d, want 401", tt.url, status)
		}
	}
	if _, _, wav := media(recURL, accountSID, authToken); len(wav) != 44+8000*42 {
		t.Errorf("WAV of 42 s is %d bytes, want %d", len(wav), 44+8000*42)
	}
	txt := srv.URL() + "/2010-04-01/Accounts/" + accountSID + "/Transcriptions/" + trs[0].SID + ".txt"
	if status, _, body := media(txt, accountSID, authToken); status != 200 || string(body) != "My printer is on fire." {
		t.Errorf("GET %s = %d %q, want the transcript", txt, status, body)
	}
}

func TestCallInDialResults(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		script *twiliotest.Answer
		caller twiliotest.Caller
		want   string
	}{
		{"answered by default", nil, twiliotest.Caller{From: customer}, "completed"},
		{"busy per script", &twiliotest.Answer{Result: "busy"}, twiliotest.Caller{From: customer}, "busy"},
		{"NoAnswerAtDial beats the script", &twiliotest.Answer{Result: "answer"}, twiliotest.Caller{From: customer, NoAnswerAtDial: true}, "no-answer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := setup(t)
			if tt.script != nil {
				srv.Script(agent, *tt.script)
			}
			g := newGateway(t, nil, support)
			call := callIn(t, srv, g, tt.caller)
			hits := g.got()
			if len(hits) < 2 || hits[1].path != "/voice/dial-done" {
				t.Fatalf("gateway got %q, want /voice then /voice/dial-done", paths(hits))
			}
			wantForm(t, hits[1], map[string]string{"DialCallStatus": tt.want, "CallSid": call.SID})
		})
	}
}

func TestCallInTranscriptionFailures(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		caller twiliotest.Caller
	}{
		{"transcription fails", twiliotest.Caller{From: customer, Transcript: "lost", TranscriptionFails: true}},
		{"too long to transcribe", twiliotest.Caller{From: customer, Speaks: 3 * time.Minute, Transcript: "long"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := setup(t)
			g := newGateway(t, nil, map[string]reply{"/voice": {twiml: `<Response><Record maxLength="600"
				action="/voice/recorded" transcribeCallback="/voice/transcribed"/></Response>`}})
			callIn(t, srv, g, tt.caller)
			hits := g.got()
			if got := paths(hits); !slices.Equal(got, []string{"/voice", "/voice/recorded", "/voice/transcribed"}) {
				t.Fatalf("gateway got %q, want voice, action, transcription (no status callback asked for)", got)
			}
			wantForm(t, hits[2], map[string]string{"TranscriptionStatus": "failed", "TranscriptionText": ""})
			trs := srv.Transcriptions()
			if len(trs) != 1 || trs[0].Status != "failed" || trs[0].Text != "" {
				t.Errorf("Transcriptions() = %+v, want one failed without text", trs)
			}
		})
	}
}

func TestCallInOfflineCreatesResourcesWithoutWebhooks(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	g := newGateway(t, nil, support)
	call := callIn(t, srv, g, twiliotest.Caller{From: "anonymous", Speaks: 12 * time.Second, Transcript: "Call me back.", Offline: true})
	if hits := g.got(); len(hits) != 0 {
		t.Errorf("gateway got %q, want nothing while offline", paths(hits))
	}
	if w := srv.Webhooks(); len(w) != 0 {
		t.Errorf("Webhooks() = %+v, want none", w)
	}
	if call.Status != "completed" || call.From != "anonymous" || call.Direction != "inbound" {
		t.Errorf("call = %+v, want a completed inbound call from anonymous", call)
	}
	recs, err := api(t, srv).ListRecording(nil)
	if err != nil || len(recs) != 1 || *recs[0].CallSid != call.SID || *recs[0].Duration != "12" {
		t.Fatalf("ListRecording() = %+v, %v; want the call's 12 s recording", recs, err)
	}
	trs, err := api(t, srv).ListRecordingTranscription(*recs[0].Sid, nil)
	if err != nil || len(trs) != 1 || *trs[0].Status != "completed" || *trs[0].TranscriptionText != "Call me back." {
		t.Fatalf("ListRecordingTranscription() = %+v, %v; want the completed transcript", trs, err)
	}
}

func TestCallInAnonymousAndUnansweredVoiceURL(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	g := newGateway(t, nil, map[string]reply{"/voice": {status: 500}})
	call := callIn(t, srv, g, twiliotest.Caller{From: "anonymous"})
	hits := g.got()
	if len(hits) != 1 {
		t.Fatalf("gateway got %q, want only the voice URL", paths(hits))
	}
	wantForm(t, hits[0], map[string]string{"From": "anonymous", "Caller": "anonymous", "CallStatus": "ringing"})
	if call.Status != "completed" || len(srv.Recordings()) != 0 {
		t.Errorf("call %s with %d recordings, want completed with none (the TwiML failed)", call.Status, len(srv.Recordings()))
	}
}

func TestCallInRefusesBadArguments(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	if _, err := srv.CallIn(t.Context(), "not a url", twiliotest.Caller{From: customer}); err == nil {
		t.Error("CallIn with a bad voice URL succeeded")
	}
	if _, err := srv.CallIn(t.Context(), "http://127.0.0.1/voice", twiliotest.Caller{}); err == nil {
		t.Error("CallIn without From succeeded")
	}
	srv.Close()
	if _, err := srv.CallIn(t.Context(), "http://127.0.0.1/voice", twiliotest.Caller{From: customer}); err == nil {
		t.Error("CallIn on a closed server succeeded")
	}
}

func TestCloseEndsACallIn(t *testing.T) {
	t.Parallel()
	srv := twiliotest.NewServer(accountSID, authToken)
	arrived := make(chan struct{})
	g := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm() // once the body is read, the server notices the client leave
		close(arrived)
		<-r.Context().Done()
	}))
	defer g.Close()
	done := make(chan error, 1)
	go func() {
		_, err := srv.CallIn(context.Background(), g.URL+"/voice", twiliotest.Caller{From: customer})
		done <- err
	}()
	<-arrived
	srv.Close()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("CallIn after Close = %v, want context.Canceled", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("CallIn did not return after Close")
	}
}
