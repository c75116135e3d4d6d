package twilio_test

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

const (
	agentPhone    = "+14155552671"
	customerPhone = "+14155559876"
	whisper       = "Call-back for case 7: Jane Doe <order 4411> & \"still waiting\" — café"
	hangUpText    = "The call with the customer has ended."
)

// gateway stands in for the triage gateway's voice webhooks, on loopback:
// it checks each request's signature, reads it with the package's parsers,
// keeps what they returned, and answers as the gateway does: BridgeTwiML
// when the agent answers, a hang-up after the <Dial>.
type gateway struct {
	t   *testing.T
	url string

	mu    sync.Mutex
	hooks got
}

// newGateway starts a gateway that bridges the agent to customer.
func newGateway(t *testing.T, customer string) *gateway {
	t.Helper()
	g := &gateway{t: t}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /voice", func(w http.ResponseWriter, r *http.Request) {
		v, ok := parse(g, w, r, twilio.ParseVoiceRequest)
		if !ok {
			return
		}
		g.mu.Lock()
		g.hooks.voice = append(g.hooks.voice, v)
		g.mu.Unlock()
		twiml(g, w)(twilio.BridgeTwiML(twilio.Bridge{
			Whisper: whisper, CustomerNumber: customer, CallerID: sender, Timeout: 20,
			ActionURL:      g.url + "/dial?case=7",
			StatusCallback: g.url + "/status?leg=customer&case=7",
			AMDCallback:    g.url + "/amd?case=7",
		}))
	})
	mux.HandleFunc("POST /status", func(w http.ResponseWriter, r *http.Request) {
		if s, ok := parse(g, w, r, twilio.ParseCallStatus); ok {
			g.mu.Lock()
			g.hooks.status = append(g.hooks.status, s)
			g.mu.Unlock()
		}
	})
	mux.HandleFunc("POST /dial", func(w http.ResponseWriter, r *http.Request) {
		if d, ok := parse(g, w, r, twilio.ParseDialAction); ok {
			g.mu.Lock()
			g.hooks.dial = append(g.hooks.dial, d)
			g.mu.Unlock()
			twiml(g, w)(twilio.SayTwiML(hangUpText))
		}
	})
	mux.HandleFunc("POST /amd", func(w http.ResponseWriter, r *http.Request) {
		if a, ok := parse(g, w, r, twilio.ParseAMD); ok {
			g.mu.Lock()
			g.hooks.amd = append(g.hooks.amd, a)
			g.mu.Unlock()
		}
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	g.url = srv.URL
	return g
}

// parse checks a webhook's signature and reads its form with fn, answering
// 403 or 400 (and failing the test) when either refuses it.
func parse[T any](g *gateway, w http.ResponseWriter, r *http.Request, fn func(url.Values) (T, error)) (T, bool) {
	var zero T
	if err := r.ParseForm(); err != nil {
		g.t.Errorf("%s: read form: %v", r.URL, err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return zero, false
	}
	if !twilio.ValidateSignature(authToken, g.url+r.URL.RequestURI(), r.PostForm, r.Header.Get(twilio.SignatureHeader)) {
		g.t.Errorf("%s: signature refused", r.URL)
		http.Error(w, "bad signature", http.StatusForbidden)
		return zero, false
	}
	v, err := fn(r.PostForm)
	if err != nil {
		g.t.Errorf("%s: %v (form %v)", r.URL, err, r.PostForm)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return zero, false
	}
	return v, true
}

// twiml returns a function that answers with a TwiML document, or with 500
// (failing the test) when it could not be built.
func twiml(g *gateway, w http.ResponseWriter) func(string, error) {
	return func(doc string, err error) {
		if err != nil {
			g.t.Errorf("build twiml: %v", err)
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write([]byte(doc))
	}
}

// got is what a gateway's parsers returned, in the order requests came.
type got struct {
	voice  []twilio.VoiceRequest
	status []twilio.CallStatus
	dial   []twilio.DialAction
	amd    []twilio.AMDResult
}

// got returns what the gateway's parsers returned so far.
func (g *gateway) got() got {
	g.mu.Lock()
	defer g.mu.Unlock()
	h := g.hooks
	return got{slices.Clone(h.voice), slices.Clone(h.status), slices.Clone(h.dial), slices.Clone(h.amd)}
}

// statuses returns the CallStatus values of the status callbacks for the
// leg sid, in order.
func (g got) statuses(sid string) []string {
	var out []string
	for _, s := range g.status {
		if s.CallSID == sid {
			out = append(out, s.CallStatus)
		}
	}
	return out
}

// agentCall is a call to the agent whose TwiML comes from g.
func (g *gateway) agentCall() twilio.Call {
	return twilio.Call{To: "(415) 555-2671", URL: g.url + "/voice?case=7", StatusCallback: g.url + "/status?leg=agent&case=7"}
}

// The whole bridge, against the stand-in: PlaceCall rings the agent,
// Twilio fetches BridgeTwiML, whispers, dials the customer, and every
// callback it sends on the way is signed and parses.
func TestPlaceCallBridgesAgentAndCustomer(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, answer string
		machine      bool
	}{
		{"person answers", "answer", false},
		{"voicemail answers", "machine", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t)
			srv.Script(customerPhone, twiliotest.Answer{Result: tt.answer, Talk: 95 * time.Second})
			gw := newGateway(t, customerPhone)
			call := gw.agentCall()

			res, err := newClient(t, cfg).PlaceCall(t.Context(), call)
			if err != nil {
				t.Fatalf("PlaceCall(%+v) = %v, want nil", call, err)
			}
			if !strings.HasPrefix(res.SID, "CA") || len(res.SID) != 34 || res.Status != "queued" {
				t.Errorf("PlaceCall() = %+v, want a CA sid of 34 characters and status queued", res)
			}
			if _, err := srv.WaitCallsEnded(t.Context(), 1); err != nil {
				t.Fatalf("WaitCallsEnded() = %v", err)
			}

			legs := srv.Calls()
			if len(legs) != 2 {
				t.Fatalf("stand-in has %d legs, want the agent's and the customer's: %+v", len(legs), legs)
			}
			agent, customer := legs[0], legs[1]
			if agent.SID != res.SID || agent.Direction != "outbound-api" || agent.To != agentPhone || agent.From != sender ||
				agent.URL != call.URL || agent.Method != "POST" || agent.StatusCallback != call.StatusCallback ||
				agent.StatusCallbackMethod != "POST" || agent.Timeout != int(twilio.DefaultRingTimeout/time.Second) ||
				agent.Username != accountSID || agent.MachineDetection != "" {
				t.Errorf("agent leg = %+v\nwant sid %s to %s from %s, url %s POST, status callback %s POST, timeout 25, no detection",
					agent, res.SID, agentPhone, sender, call.URL, call.StatusCallback)
			}
			if want := []string{"initiated", "ringing", "answered", "completed"}; !slices.Equal(agent.StatusCallbackEvents, want) {
				t.Errorf("agent leg events = %v, want %v", agent.StatusCallbackEvents, want)
			}
			if want := []string{whisper, hangUpText}; !slices.Equal(agent.Said, want) {
				t.Errorf("agent heard %q, want the whisper and, after the <Dial>, %q", agent.Said, want)
			}
			if customer.ParentSID != res.SID || customer.Direction != "outbound-dial" || customer.To != customerPhone ||
				customer.From != sender || customer.Timeout != 20 || customer.MachineDetection != "Enable" ||
				customer.AMDStatusCallback != gw.url+"/amd?case=7" || customer.StatusCallback != gw.url+"/status?leg=customer&case=7" {
				t.Errorf("customer leg = %+v\nwant a <Dial> leg of %s to %s from %s, timeout 20, detection on", customer, res.SID, customerPhone, sender)
			}

			for _, h := range srv.Webhooks() {
				if !h.OK() {
					t.Errorf("%s %s got %d %q, %v; want it taken", h.Kind, h.URL, h.Status, h.Body, h.Err)
				}
			}
			hooks := gw.got()
			if len(hooks.voice) != 1 || hooks.voice[0].CallSID != res.SID || hooks.voice[0].CallStatus != "in-progress" ||
				hooks.voice[0].To != agentPhone || hooks.voice[0].From != sender {
				t.Errorf("voice requests = %+v, want one for %s, in-progress", hooks.voice, res.SID)
			}
			want := []string{"initiated", "ringing", "in-progress", "completed"}
			for _, sid := range []string{agent.SID, customer.SID} {
				if got := hooks.statuses(sid); !slices.Equal(got, want) {
					t.Errorf("status callbacks of %s = %v, want %v", sid, got, want)
				}
			}
			if last := hooks.status[len(hooks.status)-1]; !last.Final() || last.CallSID != agent.SID {
				t.Errorf("last status callback = %+v, want the agent leg's final one", last)
			}
			if len(hooks.amd) != 1 || hooks.amd[0].CallSID != customer.SID || hooks.amd[0].Machine() != tt.machine {
				t.Errorf("detection results = %+v, want one for %s, machine %v", hooks.amd, customer.SID, tt.machine)
			}
			if len(hooks.dial) != 1 || hooks.dial[0].CallSID != agent.SID || hooks.dial[0].DialCallSID != customer.SID ||
				!hooks.dial[0].Connected() || hooks.dial[0].DialCallDuration != 95 {
				t.Errorf("dial actions = %+v, want one for %s dialling %s, connected for 95 s", hooks.dial, agent.SID, customer.SID)
			}
		})
	}
}

func TestPlaceCallRefusesBadInputLocally(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	c := newClient(t, cfg)
	viaService := cfg
	viaService.From, viaService.MessagingServiceSID = "", serviceSID
	const twimlURL = "https://triage.example.com/voice"
	tests := []struct {
		name string
		c    *twilio.Client
		call twilio.Call
	}{
		{"no From number", newClient(t, viaService), twilio.Call{To: agentPhone, URL: twimlURL}},
		{"unreadable number", c, twilio.Call{To: "call me", URL: twimlURL}},
		{"no TwiML URL", c, twilio.Call{To: agentPhone}},
		{"relative TwiML URL", c, twilio.Call{To: agentPhone, URL: "/voice"}},
		{"bad status callback", c, twilio.Call{To: agentPhone, URL: twimlURL, StatusCallback: "status"}},
		{"negative timeout", c, twilio.Call{To: agentPhone, URL: twimlURL, Timeout: -1}},
		{"timeout over 600", c, twilio.Call{To: agentPhone, URL: twimlURL, Timeout: 601}},
		{"timeout that overflows a Duration", c, twilio.Call{To: agentPhone, URL: twimlURL, Timeout: 1 << 62}},
	}
	for _, tt := range tests {
		_, err := tt.c.PlaceCall(t.Context(), tt.call)
		if asError(t, err); !twilio.IsPermanent(err) {
			t.Errorf("%s: PlaceCall(%+v) = %v, want a permanent error", tt.name, tt.call, err)
		}
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("stand-in has %d calls, want 0", n)
	}
}

func TestPlaceCallErrorsAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		prepare      func(*twiliotest.Server, *twilio.Config)
		status, code int
		retryAfter   time.Duration
		permanent    bool
	}{
		{"wrong auth token", func(_ *twiliotest.Server, c *twilio.Config) { c.AuthToken = "wrongtoken" }, 401, 20003, 0, true},
		{"other account", func(_ *twiliotest.Server, c *twilio.Config) {
			c.AccountSID = "ACffffffffffffffffffffffffffffffff"
		}, 401, 20003, 0, true},
		{"server error", func(s *twiliotest.Server, _ *twilio.Config) { s.FailNextCalls(1, 500) }, 500, 20500, 0, false},
		{"unavailable", func(s *twiliotest.Server, _ *twilio.Config) { s.FailNextCalls(1, 503) }, 503, 20503, 0, false},
		{"rate limited", func(s *twiliotest.Server, _ *twilio.Config) { s.FailNextCalls(1, 429) }, 429, 20429, time.Second, false},
		{"closed port", func(s *twiliotest.Server, _ *twilio.Config) { s.Close() }, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t)
			tt.prepare(srv, &cfg)
			gw := newGateway(t, customerPhone)
			_, err := newClient(t, cfg).PlaceCall(t.Context(), gw.agentCall())
			e := asError(t, err)
			if e.Status != tt.status || e.Code != tt.code || e.RetryAfter != tt.retryAfter || e.Permanent != tt.permanent {
				t.Errorf("PlaceCall() = %v (retry after %v); want status %d, code %d, retry after %v, permanent %v",
					err, e.RetryAfter, tt.status, tt.code, tt.retryAfter, tt.permanent)
			}
			if n := len(srv.Calls()); n != 0 {
				t.Errorf("stand-in has %d calls, want 0", n)
			}
			if tt.permanent || tt.status == 0 {
				return
			}
			if _, err := newClient(t, cfg).PlaceCall(t.Context(), gw.agentCall()); err != nil {
				t.Fatalf("second PlaceCall() = %v, want nil once the failure has passed", err)
			}
			if _, err := srv.WaitCallsEnded(t.Context(), 1); err != nil {
				t.Errorf("WaitCallsEnded() = %v", err)
			}
		})
	}
}

func TestPlaceCallUnreadableAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		permanent bool
	}{
		{"gateway error page", http.StatusBadGateway, "<html>bad gateway</html>", false},
		{"client error page", http.StatusBadRequest, "<html>bad request</html>", true},
		{"created but garbled", http.StatusCreated, "{not json", true}, // may have been placed: never again
		{"created without a sid", http.StatusCreated, `{"status": "queued"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := setupAPI(t, func(w http.ResponseWriter, _ *http.Request) {
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			})
			call := twilio.Call{To: agentPhone, URL: "https://triage.example.com/voice"}
			_, err := newClient(t, cfg).PlaceCall(t.Context(), call)
			if e := asError(t, err); e.Status != tt.status || e.Permanent != tt.permanent {
				t.Errorf("PlaceCall() answered %d %q = %v; want status %d, permanent %v",
					tt.status, tt.body, err, tt.status, tt.permanent)
			}
		})
	}
}

// The lost answer: Twilio places the call, the answer does not come back,
// and FindCall finds the call that PlaceCall could not confirm, so that a
// retrying job does not ring the agent twice.
func TestFindCallFindsCallWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusInternalServerError, http.StatusGatewayTimeout} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t)
			srv.AcceptThenFailCall(1, status)
			gw := newGateway(t, customerPhone)
			c := newClient(t, cfg)
			since := time.Now()

			_, err := c.PlaceCall(t.Context(), gw.agentCall())
			if e := asError(t, err); e.Status != status || twilio.IsPermanent(err) {
				t.Fatalf("PlaceCall() whose answer is lost = %v; want status %d, retryable", err, status)
			}
			calls, err := srv.WaitCalls(t.Context(), 1)
			if err != nil || calls[0].LostAnswer != status {
				t.Fatalf("WaitCalls() = %+v, %v; want one call with LostAnswer %d", calls, err, status)
			}
			res, found, err := c.FindCall(t.Context(), "(415) 555-2671", since)
			if err != nil || !found || res.SID != calls[0].SID || res.Status == "" {
				t.Errorf("FindCall() = %+v, %v, %v; want %s with its status, true, nil", res, found, err, calls[0].SID)
			}
			if _, err := srv.WaitCallsEnded(t.Context(), 1); err != nil {
				t.Errorf("WaitCallsEnded() = %v", err)
			}
		})
	}
}

// A job that died with its request in flight (the request left, no answer
// came) asks FindCall on its next run, and finds the call Twilio placed.
func TestFindCallAfterCrashInFlight(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	_ = srv.HoldNextCall() // never released: Close ends it, and the call never plays
	gw := newGateway(t, customerPhone)
	c := newClient(t, cfg)
	since := time.Now()

	ctx, cancel := context.WithCancel(t.Context())
	srv.OnCall(func(twiliotest.Call) { cancel() }) // the process dies once Twilio has the call
	_, err := c.PlaceCall(ctx, gw.agentCall())
	if !errors.Is(err, context.Canceled) || twilio.IsPermanent(err) {
		t.Fatalf("PlaceCall() cut off in flight = %v; want context.Canceled, retryable", err)
	}
	res, found, err := c.FindCall(t.Context(), agentPhone, since)
	if calls := srv.Calls(); err != nil || !found || len(calls) != 1 || res.SID != calls[0].SID || res.Status != "queued" {
		t.Errorf("FindCall() = %+v, %v, %v; want the one call, queued, found", res, found, err)
	}
}

// FindCall takes only a call PlaceCall would have placed: through the API,
// to the same number, from the same number, not older than since minus
// ClockSkew; of several, the newest.
func TestFindCallIgnoresOtherCalls(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	gw := newGateway(t, customerPhone)
	c := newClient(t, cfg)
	otherSender := cfg
	otherSender.From = "+14155550101"
	since := time.Now()

	other := gw.agentCall()
	other.To = "+14155552672"
	for _, p := range []struct {
		c    *twilio.Client
		call twilio.Call
	}{
		{c, other}, // another agent
		{newClient(t, otherSender), gw.agentCall()}, // another sender
	} {
		if _, err := p.c.PlaceCall(t.Context(), p.call); err != nil {
			t.Fatalf("PlaceCall(%+v) = %v, want nil", p.call, err)
		}
	}
	if _, err := srv.WaitCallsEnded(t.Context(), 2); err != nil {
		t.Fatalf("WaitCallsEnded() = %v", err)
	}
	// The bridges dialled customerPhone from sender: <Dial> legs, not ours.
	for _, to := range []string{agentPhone, customerPhone} {
		if res, found, err := c.FindCall(t.Context(), to, since); err != nil || found {
			t.Errorf("FindCall(%s) with only other agents', senders' and dialled calls = %+v, %v, %v; want not found", to, res, found, err)
		}
	}

	placed, err := c.PlaceCall(t.Context(), gw.agentCall())
	if err != nil {
		t.Fatalf("PlaceCall() = %v, want nil", err)
	}
	if _, err := srv.WaitCallsEnded(t.Context(), 3); err != nil {
		t.Fatalf("WaitCallsEnded() = %v", err)
	}
	tests := []struct {
		name    string
		since   time.Time
		wantSID string // "" for not found
	}{
		{"since before it", since, placed.SID},
		{"since within the clock skew after it", time.Now().Add(twilio.ClockSkew / 2), placed.SID},
		{"since past the clock skew after it (an older call)", time.Now().Add(2 * twilio.ClockSkew), ""},
	}
	for _, tt := range tests {
		res, found, err := c.FindCall(t.Context(), agentPhone, tt.since)
		if err != nil || found != (tt.wantSID != "") || res.SID != tt.wantSID {
			t.Errorf("%s: FindCall() = %+v, %v, %v; want sid %q, found %v", tt.name, res, found, err, tt.wantSID, tt.wantSID != "")
		}
		if found && res.Status != "completed" {
			t.Errorf("%s: FindCall() status = %q, want completed (the call has ended)", tt.name, res.Status)
		}
	}
}

// FindCall asks for one page filtered by To and From, without StartTime
// (a queued call has none), and picks the newest of the calls that match
// by date_created, whatever order the page has.
func TestFindCallQueryAndNewest(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC1123Z) }
	call := func(sid, direction, to, from, created, status string) map[string]any {
		return map[string]any{"sid": sid, "direction": direction, "to": to, "from": from, "date_created": created, "status": status}
	}
	sid := func(n byte) string { return "CA" + strings.Repeat(string('0'+n), 32) }
	page := map[string]any{"calls": []map[string]any{
		call(sid(1), "outbound-api", agentPhone, sender, at(-time.Minute), "completed"),    // ours, older
		call(sid(2), "outbound-dial", agentPhone, sender, at(0), "in-progress"),            // a <Dial> leg
		call(sid(3), "inbound", agentPhone, sender, at(0), "completed"),                    // a call in
		call(sid(4), "outbound-api", agentPhone, "+14155550101", at(0), "completed"),       // other sender
		call(sid(5), "outbound-api", "+14155552672", sender, at(0), "completed"),           // other agent
		call(sid(6), "outbound-api", agentPhone, sender, "yesterday", "queued"),            // unreadable date
		call(sid(7), "outbound-api", agentPhone, sender, at(-time.Hour), "completed"),      // before since
		call(sid(8), "outbound-api", agentPhone, sender, at(-30*time.Second), "queued"),    // ours, newest
		call("", "outbound-api", agentPhone, sender, at(0), "queued"),                      // no sid
		call(sid(9), "outbound-api", agentPhone, sender, at(-90*time.Second), "no-answer"), // ours, oldest
	}}
	queries := make(chan url.Values, 1)
	cfg := setupAPI(t, func(w http.ResponseWriter, r *http.Request) {
		queries <- r.URL.Query()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(page)
	})
	res, found, err := newClient(t, cfg).FindCall(t.Context(), "(415) 555-2671", now.Add(-5*time.Minute))
	if err != nil || !found || res.SID != sid(8) || res.Status != "queued" {
		t.Errorf("FindCall() = %+v, %v, %v; want %s queued, the newest of ours", res, found, err, sid(8))
	}
	q := <-queries
	want := url.Values{"To": {agentPhone}, "From": {sender}, "PageSize": {"50"}}
	if !maps.EqualFunc(q, want, slices.Equal) {
		t.Errorf("list query = %v, want %v (no StartTime: a queued call has none)", q, want)
	}
}

func TestFindCallErrorsAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		prepare      func(*twiliotest.Server, *twilio.Config)
		to           string
		status, code int
		permanent    bool
	}{
		{"server error", func(s *twiliotest.Server, _ *twilio.Config) { s.FailNextCalls(1, 500) }, agentPhone, 500, 20500, false},
		{"unavailable", func(s *twiliotest.Server, _ *twilio.Config) { s.FailNextCalls(1, 503) }, agentPhone, 503, 20503, false},
		{"rate limited", func(s *twiliotest.Server, _ *twilio.Config) { s.FailNextCalls(1, 429) }, agentPhone, 429, 20429, false},
		{"wrong auth token", func(_ *twiliotest.Server, c *twilio.Config) { c.AuthToken = "wrongtoken" }, agentPhone, 401, 20003, true},
		{"closed port", func(s *twiliotest.Server, _ *twilio.Config) { s.Close() }, agentPhone, 0, 0, false},
		{"no From number", func(_ *twiliotest.Server, c *twilio.Config) {
			c.From, c.MessagingServiceSID = "", serviceSID
		}, agentPhone, 0, 0, true},
		{"unreadable number", func(*twiliotest.Server, *twilio.Config) {}, "call me", 0, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t)
			tt.prepare(srv, &cfg)
			res, found, err := newClient(t, cfg).FindCall(t.Context(), tt.to, time.Now())
			e := asError(t, err)
			if found || e.Status != tt.status || e.Code != tt.code || e.Permanent != tt.permanent {
				t.Errorf("FindCall(%s) = %+v, %v, %v; want not found, status %d, code %d, permanent %v",
					tt.to, res, found, err, tt.status, tt.code, tt.permanent)
			}
		})
	}

	cfg := setupAPI(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{not json")) })
	c := newClient(t, cfg)
	if _, _, err := c.FindCall(t.Context(), agentPhone, time.Now()); !twilio.IsPermanent(err) || asError(t, err).Status != 200 {
		t.Errorf("FindCall() answered 200 garbled = %v; want status 200, permanent (the same list reads the same)", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, _, err := c.FindCall(ctx, agentPhone, time.Now()); !errors.Is(err, context.Canceled) || twilio.IsPermanent(err) {
		t.Errorf("FindCall() with a cancelled context = %v; want context.Canceled, retryable", err)
	}
}
