// Package twiliotest is a loopback stand-in for Twilio's REST API 2010-04-01
// and for the webhooks Twilio sends, for tests and for the demo.
//
// Messages: it accepts POST /2010-04-01/Accounts/{AccountSid}/Messages.json
// with HTTP basic auth, checks the fields Twilio's OpenAPI description
// requires, records each message, and answers as Twilio does (a message
// resource, or a Twilio JSON error). GET on the same path lists the recorded
// messages, newest first, with Twilio's To, From and DateSent filters and
// paging. It can also fail on purpose, lose the answer to a message it
// accepted, and send signed status callbacks.
//
// Calls: POST .../Calls.json places a call (Twilio's Calls resource, with
// its create, fetch and list), and the stand-in then plays it as Twilio runs
// a bridged call-back (https://www.twilio.com/docs/voice/api/call-resource,
// https://www.twilio.com/docs/voice/twiml/dial): status callbacks for the
// events asked for, the TwiML request when the callee answers, a child leg
// for each <Dial><Number>, answering-machine detection, the <Dial action>
// request, the keys pressed at a <Gather> and its action request, all at
// once, without waiting in real time. Script says how each number answers
// and which keys it presses.
//
// Voicemail: CallIn plays a call to the stand-in's number as Twilio does,
// <Record> and its action, recording status and transcription callbacks
// included, and the Recordings and Transcriptions resources (list, fetch,
// media) serve what it recorded; AddRecordings seeds many at once.
//
// Inbound: SendSMS posts an incoming message to a messaging webhook, and
// PostSigned and PostForged post any form, signed as Twilio signs (see Sign)
// or not. Webhooks lists every request the stand-in made.
package twiliotest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/triage-gw/triage/channels/internal/recorder"
)

// Message is one message the stand-in accepted.
type Message struct {
	SID                 string
	AccountSID          string
	To                  string
	From                string
	MessagingServiceSID string
	Body                string
	StatusCallback      string
	Status              string // "queued" or "accepted", then what SendStatus set
	Created             time.Time
	Username            string // basic-auth user: the account SID or an API key SID
	// LostAnswer, when not 0, is the HTTP status the stand-in answered with
	// instead of 201 although it accepted the message (AcceptThenFail).
	LostAnswer int
}

// DefaultNumber is the stand-in's own phone number until SetNumber: the
// To of the inbound messages it sends.
const DefaultNumber = "+16175550199"

// Server is the stand-in. Its methods are safe for concurrent use.
type Server struct {
	accountSID string
	authToken  string
	url        string
	http       *http.Server
	served     chan struct{} // closed when Serve has returned
	client     *http.Client  // for the webhooks it sends

	ctx    context.Context // ends with Close: stops plays and held creates
	cancel context.CancelFunc
	plays  sync.WaitGroup // the calls being played

	messages recorder.Recorder[Message] // serves Messages, Wait and OnMessage
	legs     recorder.Recorder[Call]    // every call leg, serves Calls
	created  recorder.Recorder[string]  // SIDs of the calls created through the API
	ended    recorder.Recorder[string]  // SIDs of those whose play has ended
	webhooks recorder.Recorder[Webhook] // every request the stand-in made

	voicemail voicemailStore // recordings, transcriptions, inbound calls (recordings.go, callin.go)

	mu           sync.Mutex
	closed       bool
	number       string
	serviceSID   string
	lists        []url.Values // queries of the message list requests answered
	onList       func(url.Values)
	onCall       func(Call)
	apiKeys      map[string]string
	unsubscribed map[string]bool
	scripts      map[string]Answer
	failures     []int // statuses for the next Messages requests to fail with
	lostAnswers  []int // statuses for the next accepted message creates
	callFailures []int // statuses for the next Calls requests to fail with
	callLost     []int // statuses for the next accepted call creates
	holds        []chan struct{}
}

// NewServer starts a stand-in for the account accountSID with authToken on
// 127.0.0.1 and a free port. Like httptest.NewServer it panics if it cannot
// listen. Close it when done.
func NewServer(accountSID, authToken string) *Server {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("twiliotest: listen on 127.0.0.1: %v", err))
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		accountSID:   accountSID,
		authToken:    authToken,
		url:          "http://" + ln.Addr().String(),
		served:       make(chan struct{}),
		client:       &http.Client{Timeout: 10 * time.Second},
		ctx:          ctx,
		cancel:       cancel,
		number:       DefaultNumber,
		apiKeys:      map[string]string{},
		unsubscribed: map[string]bool{},
		scripts:      map[string]Answer{},
	}
	const account = "/2010-04-01/Accounts/{AccountSid}/"
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+account+"Messages.json", s.messageCreate)
	mux.HandleFunc("GET "+account+"Messages.json", s.messageList)
	mux.HandleFunc("POST "+account+"Calls.json", s.callCreate)
	mux.HandleFunc("GET "+account+"Calls.json", s.callList)
	mux.HandleFunc("GET "+account+"Calls/{Sid}", s.callFetch)
	s.routeVoicemail(mux, account)
	mux.HandleFunc("/", s.notFound)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.served)
		_ = s.http.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return s
}

// URL is the stand-in's base URL, for Config.APIBaseURL.
func (s *Server) URL() string { return s.url }

// Close stops the server: it closes its connections, ends the calls being
// played (their pending webhooks fail with the context's error), returns
// from held creates without answering, and waits for all of it. It is safe
// to call twice.
func (s *Server) Close() {
	s.mu.Lock()
	s.closed = true
	s.mu.Unlock()
	_ = s.http.Close()
	<-s.served
	s.cancel()
	s.plays.Wait()
}

// SetNumber sets the stand-in's own phone number (E.164), the To of the
// inbound messages it sends; DefaultNumber until then.
func (s *Server) SetNumber(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.number = number
}

// Number is the stand-in's own phone number.
func (s *Server) Number() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.number
}

// SetMessagingServiceSID makes the inbound messages the stand-in sends
// carry MessagingServiceSid, as when its number belongs to that Messaging
// Service; "" (the default) leaves it out.
func (s *Server) SetMessagingServiceSID(sid string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.serviceSID = sid
}

// AddAPIKey lets keySID:secret authenticate as the account, as an API key
// does.
func (s *Server) AddAPIKey(keySID, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.apiKeys[keySID] = secret
}

// Unsubscribe makes messages to the E.164 number fail with Twilio's error
// 21610, as after the recipient texted STOP.
func (s *Server) Unsubscribe(number string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unsubscribed[number] = true
}

// FailNext makes the next n authenticated requests to the Messages
// resource, creates and lists alike, fail with the HTTP status (such as 500
// or 429) and Twilio's matching error body. Failed creates are not recorded.
func (s *Server) FailNext(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.failures = append(s.failures, status)
	}
}

// AcceptThenFail makes the next n message creates that Twilio would accept
// be recorded, as sent, and then answered with the HTTP status instead of
// 201, as when the answer is lost after Twilio took the request: 502 and 504
// come with a proxy's HTML page, other statuses with Twilio's error body.
// Such messages have LostAnswer set. Creates that are refused (a missing
// field, an unsubscribed number) do not use them up.
func (s *Server) AcceptThenFail(n, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.lostAnswers = append(s.lostAnswers, status)
	}
}

// OnList sets a function called with the query of each Messages list
// request that passed authentication, before its answer is written.
func (s *Server) OnList(fn func(query url.Values)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.onList = fn
}

// Lists returns the queries of the Messages list requests answered so far
// (with 200 or with an error after authentication), oldest first.
func (s *Server) Lists() []url.Values {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]url.Values, len(s.lists))
	for i, q := range s.lists {
		out[i] = maps.Clone(q)
	}
	return out
}

// OnMessage sets a function called with each accepted message, after it is
// recorded and before the HTTP answer is written.
func (s *Server) OnMessage(fn func(Message)) { s.messages.OnAdd(fn) }

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message { return s.messages.All() }

// Wait blocks until at least n messages have been accepted, and returns
// them, or returns ctx's error with the messages so far.
func (s *Server) Wait(ctx context.Context, n int) ([]Message, error) {
	return s.messages.Wait(ctx, n)
}

// message returns the recorded message with sid.
func (s *Server) message(sid string) (Message, error) {
	for _, m := range s.messages.All() {
		if m.SID == sid {
			return m, nil
		}
	}
	return Message{}, errors.New("no message " + sid)
}

// setStatus records a new status for the message with sid.
func (s *Server) setStatus(sid, status string) {
	s.messages.Update(func(msgs []Message) {
		for i := range msgs {
			if msgs[i].SID == sid {
				msgs[i].Status = status
			}
		}
	})
}

// listed notes a list request's query and returns the OnList hook.
func (s *Server) listed(query url.Values) func(url.Values) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lists = append(s.lists, maps.Clone(query))
	return s.onList
}

// pop removes and returns the first status of the queue q (one of the
// Server's failure queues), 0 if it is empty.
func (s *Server) pop(q *[]int) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(*q) == 0 {
		return 0
	}
	status := (*q)[0]
	*q = (*q)[1:]
	return status
}

// authorize checks a request's basic auth and account. On failure it
// writes Twilio's error and reports false; on success it returns the user
// name.
func (s *Server) authorize(w http.ResponseWriter, r *http.Request) (string, bool) {
	user, ok := s.authenticate(r)
	if !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return "", false
	}
	if r.PathValue("AccountSid") != s.accountSID {
		s.notFound(w, r)
		return "", false
	}
	return user, true
}
