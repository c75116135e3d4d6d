package twiliotest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"
	"unicode/utf8"
)

// e164 is the shape Twilio requires of a phone number: "+" and up to 15
// digits, not starting with 0.
var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

var messagingServiceSID = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)

// messageCreate handles POST /2010-04-01/Accounts/{AccountSid}/Messages.json.
func (s *Server) messageCreate(w http.ResponseWriter, r *http.Request) {
	user, ok := s.authorize(w, r)
	if !ok {
		return
	}
	if status := s.pop(&s.failures); status != 0 {
		writeFailure(w, status)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		writeError(w, http.StatusBadRequest, 20001, "Invalid form body: "+err.Error())
		return
	}
	m, status, code, msg := s.newMessage(r.PostForm, user)
	if code != 0 {
		writeError(w, status, code, msg)
		return
	}
	m.LostAnswer = s.pop(&s.lostAnswers)
	s.messages.Add(m)
	if m.LostAnswer != 0 {
		writeLostAnswer(w, m.LostAnswer)
		return
	}
	writeJSON(w, http.StatusCreated, resource(m))
}

// authenticate checks HTTP basic auth: the account SID with the auth token,
// or an API key added with AddAPIKey. It returns the user name.
func (s *Server) authenticate(r *http.Request) (string, bool) {
	user, pass, ok := r.BasicAuth()
	if !ok {
		return "", false
	}
	want := s.authToken
	if user != s.accountSID {
		s.mu.Lock()
		secret, known := s.apiKeys[user]
		s.mu.Unlock()
		if !known {
			return "", false
		}
		want = secret
	}
	return user, subtle.ConstantTimeCompare([]byte(pass), []byte(want)) == 1
}

// newMessage checks a create request's form as Twilio does (the OpenAPI
// description requires To, From or MessagingServiceSid, and Body, MediaUrl
// or ContentSid) and builds the message. On refusal it returns the HTTP
// status, Twilio's error code and message.
func (s *Server) newMessage(form url.Values, user string) (m Message, status, code int, msg string) {
	to, from, service := form.Get("To"), form.Get("From"), form.Get("MessagingServiceSid")
	body, callback := form.Get("Body"), form.Get("StatusCallback")
	bad := http.StatusBadRequest
	switch {
	case to == "":
		return m, bad, 21604, "A 'To' phone number is required."
	case from == "" && service == "":
		return m, bad, 21603, "A 'From' phone number is required."
	case body == "" && form.Get("MediaUrl") == "" && form.Get("ContentSid") == "":
		return m, bad, 21602, "Message body is required."
	case !e164.MatchString(to):
		return m, bad, 21211, "Invalid 'To' Phone Number: " + to
	case from != "" && !e164.MatchString(from):
		return m, bad, 21212, "Invalid From Number (caller ID): " + from
	case service != "" && !messagingServiceSID.MatchString(service):
		return m, bad, 21701, "The Messaging Service Sid " + service + " is invalid."
	case utf8.RuneCountInString(body) > 1600:
		return m, bad, 21617, "The concatenated message body exceeds the 1600 character limit."
	case callback != "" && !absoluteURL(callback):
		return m, bad, 21609, "Invalid StatusCallback url"
	}
	s.mu.Lock()
	unsubscribed := s.unsubscribed[to]
	s.mu.Unlock()
	if unsubscribed {
		return m, bad, 21610, "Attempt to send to unsubscribed recipient"
	}
	m = Message{
		SID: newSID("SM"), AccountSID: s.accountSID, To: to, From: from,
		MessagingServiceSID: service, Body: body, StatusCallback: callback,
		Status: "queued", Created: time.Now().UTC(), Username: user,
	}
	if from == "" {
		m.Status = "accepted" // a Messaging Service picks the sender later
	}
	return m, 0, 0, ""
}

func absoluteURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// messageResource is the JSON Twilio answers with for a message (the
// OpenAPI schema api.v2010.account.message).
type messageResource struct {
	AccountSID          string            `json:"account_sid"`
	APIVersion          string            `json:"api_version"`
	Body                string            `json:"body"`
	DateCreated         string            `json:"date_created"`
	DateUpdated         string            `json:"date_updated"`
	DateSent            *string           `json:"date_sent"`
	Direction           string            `json:"direction"`
	ErrorCode           *int              `json:"error_code"`
	ErrorMessage        *string           `json:"error_message"`
	From                string            `json:"from"`
	MessagingServiceSID *string           `json:"messaging_service_sid"`
	NumMedia            string            `json:"num_media"`
	NumSegments         string            `json:"num_segments"`
	Price               *string           `json:"price"`
	PriceUnit           string            `json:"price_unit"`
	SID                 string            `json:"sid"`
	Status              string            `json:"status"`
	SubresourceURIs     map[string]string `json:"subresource_uris"`
	To                  string            `json:"to"`
	URI                 string            `json:"uri"`
}

// resource renders m as Twilio does. Its date_sent is its creation time:
// the stand-in hands every message on at once, and in the OpenAPI
// description's create examples a message still "queued" already has a
// date_sent, equal to or seconds after its date_created. The DateSent list
// filters read the same time (sentAt).
func resource(m Message) messageResource {
	uri := "/2010-04-01/Accounts/" + m.AccountSID + "/Messages/" + m.SID
	date := m.Created.Format(time.RFC1123Z)
	r := messageResource{
		AccountSID: m.AccountSID, APIVersion: "2010-04-01", Body: m.Body,
		DateCreated: date, DateUpdated: date, DateSent: &date, Direction: "outbound-api",
		From: m.From, NumMedia: "0", NumSegments: "1", PriceUnit: "USD",
		SID: m.SID, Status: m.Status, To: m.To, URI: uri + ".json",
		SubresourceURIs: map[string]string{"media": uri + "/Media.json"},
	}
	if m.MessagingServiceSID != "" {
		r.MessagingServiceSID = &m.MessagingServiceSID
	}
	return r
}

// newSID returns a random SID with the given prefix: two letters and 32
// lower-case hex digits.
func newSID(prefix string) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return prefix + hex.EncodeToString(b)
}

// notFound answers as Twilio does for an unknown resource.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	writeError(w, http.StatusNotFound, 20404, "The requested resource "+r.URL.Path+" was not found")
}

// writeFailure answers a forced failure with Twilio's body for the status.
func writeFailure(w http.ResponseWriter, status int) {
	switch status {
	case http.StatusTooManyRequests:
		w.Header().Set("Retry-After", "1")
		writeError(w, status, 20429, "Too Many Requests")
	case http.StatusServiceUnavailable:
		writeError(w, status, 20503, "Service Unavailable")
	default:
		writeError(w, status, 20500, "Internal Server Error")
	}
}

// writeLostAnswer answers an accepted create as if its answer were lost on
// the way back: a proxy's page for 502 and 504, Twilio's error body
// otherwise.
func writeLostAnswer(w http.ResponseWriter, status int) {
	if status != http.StatusBadGateway && status != http.StatusGatewayTimeout {
		writeFailure(w, status)
		return
	}
	text := strconv.Itoa(status) + " " + http.StatusText(status)
	page := "<html><head><title>" + text + "</title></head><body><h1>" + text + "</h1></body></html>\n"
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.WriteHeader(status)
	_, _ = w.Write([]byte(page))
}

// writeError writes a Twilio JSON error.
func writeError(w http.ResponseWriter, status, code int, message string) {
	writeJSON(w, status, errorResource{
		Code: code, Message: message, Status: status,
		MoreInfo: "https://www.twilio.com/docs/errors/" + strconv.Itoa(code),
	})
}

// writeJSON writes v as a JSON answer with its Content-Length, so that a
// Flush puts the whole answer on the wire.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil { // the stand-in's own types always marshal
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	b = append(b, '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// errorResource is the JSON of a Twilio REST error.
type errorResource struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}
