package twiliotest

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var applicationSID = regexp.MustCompile(`^AP[0-9a-fA-F]{32}$`)

// callEvents are the StatusCallbackEvent values Twilio accepts.
var callEvents = []string{"initiated", "ringing", "answered", "completed"}

// Twilio's ring timeout: the default and the most it allows (larger
// values are cut to it).
const (
	defaultTimeout = 60
	maxTimeout     = 600
)

// callCreate handles POST /2010-04-01/Accounts/{AccountSid}/Calls.json. An
// accepted call is recorded, answered with 201 and its resource, and then
// played (see play).
func (s *Server) callCreate(w http.ResponseWriter, r *http.Request) {
	user, ok := s.authorize(w, r)
	if !ok {
		return
	}
	if status := s.pop(&s.callFailures); status != 0 {
		writeFailure(w, status)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Invalid form body: "+err.Error())
		return
	}
	c, code, msg := s.newCall(r.PostForm, user)
	if code != 0 {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}
	c.LostAnswer = s.pop(&s.callLost)
	s.legs.Add(c)
	s.created.Add(c.SID)
	s.mu.Lock()
	hook := s.onCall
	s.mu.Unlock()
	if hook != nil {
		hook(c)
	}
	if held := s.nextHold(); held != nil {
		select {
		case <-held:
		case <-s.ctx.Done():
			return // closed: the connection is gone, nothing is answered
		}
	}
	if c.LostAnswer != 0 {
		writeLostAnswer(w, c.LostAnswer)
	} else {
		writeJSON(w, http.StatusCreated, callJSON(c))
	}
	// The answer is on the wire before the first webhook leaves.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	s.startPlay(c.SID)
}

// newCall checks a create request's form as Twilio does and builds the
// call. The OpenAPI description requires To and From, and one of Url, Twiml
// and ApplicationSid (its x-twilio conditional). On refusal it returns
// Twilio's error code and message (all with HTTP status 400).
//
// To and From must be E.164 phone numbers: the stand-in places no SIP or
// Client calls. A From that is not one gets 21210, as a From that is not
// the account's number or verified caller ID does. Twiml must parse (else
// 12100, Twilio's code for TwiML that does not). A Timeout above 600 is cut
// to 600.
func (s *Server) newCall(form url.Values, user string) (c Call, code int, msg string) {
	to, from := form.Get("To"), form.Get("From")
	rawURL, twiml, app := form.Get("Url"), form.Get("Twiml"), form.Get("ApplicationSid")
	callback := form.Get("StatusCallback")
	switch {
	case to == "":
		return c, 21201, "No 'To' number is specified"
	case from == "":
		return c, 21213, "No 'From' number is specified"
	case rawURL == "" && twiml == "" && app == "":
		return c, 21205, "Url parameter is required: give Url, Twiml or ApplicationSid"
	case !e164.MatchString(to):
		return c, 21217, "Phone number does not appear to be valid: " + to
	case !e164.MatchString(from):
		return c, 21210, "The source phone number provided, " + from + ", is not yet verified for your account"
	case rawURL != "" && !absoluteURL(rawURL):
		return c, 21205, "Url is not a valid URL: " + rawURL
	case app != "" && !applicationSID.MatchString(app):
		return c, 21218, "Invalid ApplicationSid: " + app
	case callback != "" && !absoluteURL(callback):
		return c, 21609, "Invalid StatusCallback url: " + callback
	case form.Get("AsyncAmdStatusCallback") != "" && !absoluteURL(form.Get("AsyncAmdStatusCallback")):
		return c, 21609, "Invalid AsyncAmdStatusCallback url: " + form.Get("AsyncAmdStatusCallback")
	}
	if rawURL == "" && twiml != "" {
		if _, err := parseTwiML(twiml); err != nil {
			return c, 12100, "Document parse failure: " + err.Error()
		}
	}
	methods := map[string]string{}
	for _, name := range []string{"Method", "StatusCallbackMethod", "FallbackMethod", "AsyncAmdStatusCallbackMethod"} {
		m, ok := httpMethod(form.Get(name))
		if !ok {
			return c, 21209, "Invalid " + name + ": " + form.Get(name) + " (GET or POST)"
		}
		methods[name] = m
	}
	var events []string
	for _, v := range form["StatusCallbackEvent"] {
		for _, e := range strings.Fields(v) { // one parameter each, or space-separated
			if !slices.Contains(callEvents, e) {
				return c, 21626, "Invalid StatusCallbackEvent: " + e
			}
			events = append(events, e)
		}
	}
	timeout := defaultTimeout
	if v := form.Get("Timeout"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return c, 21208, "Invalid Timeout value: " + v + " (a positive whole number of seconds)"
		}
		timeout = min(n, maxTimeout)
	}
	now := time.Now().UTC()
	c = Call{
		SID: newSID("CA"), AccountSID: s.accountSID, Direction: "outbound-api", To: to, From: from,
		URL: rawURL, Method: methods["Method"], TwiML: twiml, ApplicationSID: app,
		StatusCallback: callback, StatusCallbackMethod: methods["StatusCallbackMethod"], StatusCallbackEvents: events,
		MachineDetection: form.Get("MachineDetection"), AsyncAMD: form.Get("AsyncAmd") == "true",
		AMDStatusCallback: form.Get("AsyncAmdStatusCallback"), AMDStatusCallbackMethod: methods["AsyncAmdStatusCallbackMethod"],
		Timeout: timeout, Status: "queued", Created: now, Updated: now, Username: user,
	}
	return c, 0, ""
}

// httpMethod reads a method parameter: GET or POST in any case, POST when
// empty.
func httpMethod(v string) (string, bool) {
	switch strings.ToUpper(v) {
	case "", http.MethodPost:
		return http.MethodPost, true
	case http.MethodGet:
		return http.MethodGet, true
	}
	return "", false
}

// callFetch handles GET /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json.
func (s *Server) callFetch(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	sid, ok := strings.CutSuffix(r.PathValue("Sid"), ".json")
	if !ok {
		s.notFound(w, r)
		return
	}
	if status := s.pop(&s.callFailures); status != 0 {
		writeFailure(w, status)
		return
	}
	c, ok := s.call(sid)
	if !ok {
		s.notFound(w, r)
		return
	}
	writeJSON(w, http.StatusOK, callJSON(c))
}
