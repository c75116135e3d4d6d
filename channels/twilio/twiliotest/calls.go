package twiliotest

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Call is one call leg: a call created through the API (Direction
// "outbound-api"), or a leg a <Dial><Number> in its TwiML dialled
// (Direction "outbound-dial", ParentSID set).
type Call struct {
	SID        string
	AccountSID string
	ParentSID  string // the leg whose <Dial> placed this one; "" for API calls
	Direction  string // "outbound-api" or "outbound-dial"
	To         string
	From       string
	// URL is the TwiML URL requested when the leg is answered, with
	// Method (GET or POST): the create's Url, or the <Number url>.
	URL    string
	Method string
	// TwiML is the create's Twiml parameter, played when there is no URL.
	TwiML          string
	ApplicationSID string // played as an empty document: the stand-in has no applications
	// StatusCallback receives the StatusCallbackEvents (initiated, ringing,
	// answered, completed; none given means completed only), with
	// StatusCallbackMethod.
	StatusCallback       string
	StatusCallbackMethod string
	StatusCallbackEvents []string
	// MachineDetection is "Enable" or "DetectMessageEnd" when answering
	// machine detection was asked for. Its result goes to AMDStatusCallback
	// when AsyncAMD (always for a dialled leg), else with the TwiML
	// request.
	MachineDetection        string
	AsyncAMD                bool
	AMDStatusCallback       string
	AMDStatusCallbackMethod string
	Timeout                 int    // seconds to ring: the create's Timeout or the <Dial timeout>
	Status                  string // queued, ringing, in-progress, then completed, busy, no-answer or failed
	AnsweredBy              string // human, machine_start or machine_end_beep with machine detection
	Duration                time.Duration
	Created                 time.Time // also its start_time once it left the queue: the stand-in dials at once
	Updated                 time.Time
	Ended                   time.Time // Created plus Duration once it ended; zero before
	Username                string    // basic-auth user of the create; "" for dialled legs
	// LostAnswer, when not 0, is the HTTP status the stand-in answered the
	// create with instead of 201 although it placed the call
	// (AcceptThenFailCall).
	LostAnswer int
	// Said holds the texts of the <Say> verbs played on this leg, in order.
	Said []string
}

// Answer is how a number answers the calls the stand-in places to it.
type Answer struct {
	// Result is "answer" (the default: a person answers), "no-answer",
	// "busy", "failed" or "machine" (a voicemail greeting answers). Any
	// other value counts as "failed".
	Result string
	// Talk is how long the callee stays on the line once answered, the
	// leg's CallDuration; 0 means 120 seconds.
	Talk time.Duration
	// Digits is the keys the callee presses at each <Gather>, such as
	// "1"; "" means "1". A Gather keeps up to its numDigits of them and
	// stops at its finishOnKey.
	Digits string
	// NoKeys makes the callee press nothing at a <Gather>, so that its
	// timeout passes and the verbs after it play. A "machine" Result
	// presses nothing either: a voicemail greeting presses no key.
	NoKeys bool
}

// defaultTalk is Answer.Talk's default.
const defaultTalk = 120 * time.Second

// talk is a's Talk, or its default.
func (a Answer) talk() time.Duration {
	if a.Talk <= 0 {
		return defaultTalk
	}
	return a.Talk.Truncate(time.Second)
}

// result is a's Result, with its default and unknown values read.
func (a Answer) result() string {
	switch a.Result {
	case "":
		return "answer"
	case "answer", "no-answer", "busy", "failed", "machine":
		return a.Result
	}
	return "failed"
}

// Script sets how number (E.164, as dialled) answers the calls placed to
// it from now on. Numbers without a script answer as a person and talk for
// 120 seconds.
func (s *Server) Script(number string, a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scripts[number] = a
}

// script returns how number answers.
func (s *Server) script(number string) Answer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scripts[number]
}

// Calls returns every call leg, created through the API or dialled by
// one, oldest first, as they stand now.
func (s *Server) Calls() []Call { return s.legs.All() }

// WaitCalls blocks until at least n calls have been created through the
// API (dialled legs do not count), and returns those calls as they stand
// now, or returns ctx's error with those so far.
func (s *Server) WaitCalls(ctx context.Context, n int) ([]Call, error) {
	sids, err := s.created.Wait(ctx, n)
	return s.callsWith(sids), err
}

// WaitCallsEnded blocks until the play of at least n calls created through
// the API has ended (their last webhook answered, the legs they dialled
// included), and returns those calls in the order they ended, or returns
// ctx's error with those so far.
func (s *Server) WaitCallsEnded(ctx context.Context, n int) ([]Call, error) {
	sids, err := s.ended.Wait(ctx, n)
	return s.callsWith(sids), err
}

// OnCall sets a function called with each call created through the API,
// after it is recorded and before the HTTP answer is written.
func (s *Server) OnCall(fn func(Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onCall = fn
}

// FailNextCalls makes the next n authenticated requests to the Calls
// resource, creates, fetches and lists alike, fail with the HTTP status
// (such as 500 or 429) and Twilio's matching error body. Failed creates are
// neither recorded nor played.
func (s *Server) FailNextCalls(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.callFailures = append(s.callFailures, status)
	}
}

// AcceptThenFailCall makes the next n call creates that Twilio would
// accept be recorded and played, and then answered with the HTTP status
// instead of 201, as when the answer is lost after Twilio placed the call:
// 502 and 504 come with a proxy's HTML page, other statuses with Twilio's
// error body. Such calls have LostAnswer set. Refused creates do not use
// them up.
func (s *Server) AcceptThenFailCall(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.callLost = append(s.callLost, status)
	}
}

// HoldNextCall makes the next call create that Twilio would accept be
// recorded (Calls, WaitCalls and the list see it) and then hang without an
// answer until release is called or the server closes, as when the
// client dies (kill -9) with its request in flight. Once released, the
// create is answered (with 201, or as AcceptThenFailCall says) and the call
// plays; if the server closes first, it never plays. release may be called
// more than once.
func (s *Server) HoldNextCall() (release func()) {
	held := make(chan struct{})
	s.mu.Lock()
	s.holds = append(s.holds, held)
	s.mu.Unlock()
	var once sync.Once
	return func() { once.Do(func() { close(held) }) }
}

// nextHold pops the channel that releases the next held create, nil if
// none is to be held.
func (s *Server) nextHold() chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.holds) == 0 {
		return nil
	}
	held := s.holds[0]
	s.holds = s.holds[1:]
	return held
}

// call returns the leg with sid as it stands now.
func (s *Server) call(sid string) (Call, bool) {
	legs := s.legs.All()
	i := slices.IndexFunc(legs, func(c Call) bool { return c.SID == sid })
	if i < 0 {
		return Call{}, false
	}
	return legs[i], true
}

// callsWith returns the legs with the SIDs in sids, in that order.
func (s *Server) callsWith(sids []string) []Call {
	legs := s.legs.All()
	out := make([]Call, 0, len(sids))
	for _, sid := range sids {
		if i := slices.IndexFunc(legs, func(c Call) bool { return c.SID == sid }); i >= 0 {
			out = append(out, legs[i])
		}
	}
	return out
}

// updateCall changes the leg with sid under the recorder's lock, and
// stamps its Updated.
func (s *Server) updateCall(sid string, fn func(c *Call)) {
	now := time.Now().UTC()
	s.legs.Update(func(legs []Call) {
		for i := range legs {
			if legs[i].SID == sid {
				fn(&legs[i])
				legs[i].Updated = now
			}
		}
	})
}
