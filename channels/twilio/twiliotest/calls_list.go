package twiliotest

import (
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"time"
)

var callSID = regexp.MustCompile(`^CA[0-9a-fA-F]{32}$`)

// callStatuses are the values of the OpenAPI enum call_enum_status.
var callStatuses = []string{"queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled"}

// callList handles GET /2010-04-01/Accounts/{AccountSid}/Calls.json: the
// account's call legs, dialled ones included, newest first, filtered by
// To, From, Status, ParentCallSid, StartTime and EndTime (see
// parseDateRange), one page at a time, paged as the Messages list is.
func (s *Server) callList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	if status := s.pop(&s.callFailures); status != 0 {
		writeFailure(w, status)
		return
	}
	query := r.URL.Query()
	keys := slices.Concat([]string{"To", "From", "Status", "ParentCallSid"}, dateKeys("StartTime"), dateKeys("EndTime"))
	lq, msg := parseListQuery(query, keys...)
	if msg != "" {
		writeError(w, http.StatusBadRequest, 20001, msg)
		return
	}
	f, msg := parseCallFilter(query)
	if msg != "" {
		writeError(w, http.StatusBadRequest, 20001, msg)
		return
	}
	var matching []Call
	for _, c := range slices.Backward(s.Calls()) {
		if f.match(c) {
			matching = append(matching, c)
		}
	}
	page, info, ok := pageOf(lq, r.URL.Path, matching, func(c Call) string { return c.SID })
	if !ok {
		writeError(w, http.StatusBadRequest, 20001, "Invalid PageToken: "+lq.token)
		return
	}
	res := callPage{listPage: info, Calls: make([]callResource, 0, len(page))}
	for _, c := range page {
		res.Calls = append(res.Calls, callJSON(c))
	}
	writeJSON(w, http.StatusOK, res)
}

// callPage is the JSON of one page of the Calls list (the OpenAPI schema
// ListCallResponse).
type callPage struct {
	listPage
	Calls []callResource `json:"calls"`
}

// callFilter is what a Calls list request asks for.
type callFilter struct {
	to, from, status, parent string
	start, end               dateRange
}

// parseCallFilter reads a Calls list request's filters. On a bad value it
// returns Twilio's message for it.
func parseCallFilter(q url.Values) (callFilter, string) {
	f := callFilter{to: q.Get("To"), from: q.Get("From"), status: q.Get("Status"), parent: q.Get("ParentCallSid")}
	if f.status != "" && !slices.Contains(callStatuses, f.status) {
		return f, "Invalid Status: " + f.status
	}
	if f.parent != "" && !callSID.MatchString(f.parent) {
		return f, "Invalid ParentCallSid: " + f.parent
	}
	var msg string
	if f.start, msg = parseDateRange(q, "StartTime"); msg != "" {
		return f, msg
	}
	f.end, msg = parseDateRange(q, "EndTime")
	return f, msg
}

// match reports whether c passes f. A call that is still queued matches
// no StartTime filter, one that has not ended no EndTime filter.
func (f callFilter) match(c Call) bool {
	return (f.to == "" || c.To == f.to) && (f.from == "" || c.From == f.from) &&
		(f.status == "" || c.Status == f.status) && (f.parent == "" || c.ParentSID == f.parent) &&
		f.start.contains(startTime(c)) && f.end.contains(c.Ended)
}

// startTime is when c was dialled, zero while it is queued: its creation,
// since the stand-in dials at once.
func startTime(c Call) time.Time {
	if c.Status == "queued" {
		return time.Time{}
	}
	return c.Created
}

// callResource is the JSON Twilio answers with for a call (the OpenAPI
// schema api.v2010.account.call), every property present.
type callResource struct {
	AccountSID      string            `json:"account_sid"`
	AnsweredBy      *string           `json:"answered_by"`
	APIVersion      string            `json:"api_version"`
	CallerName      *string           `json:"caller_name"`
	DateCreated     string            `json:"date_created"`
	DateUpdated     string            `json:"date_updated"`
	Direction       string            `json:"direction"`
	Duration        *string           `json:"duration"`
	EndTime         *string           `json:"end_time"`
	ForwardedFrom   *string           `json:"forwarded_from"`
	From            string            `json:"from"`
	FromFormatted   string            `json:"from_formatted"`
	GroupSID        *string           `json:"group_sid"`
	ParentCallSID   *string           `json:"parent_call_sid"`
	PhoneNumberSID  *string           `json:"phone_number_sid"`
	Price           *string           `json:"price"`
	PriceUnit       string            `json:"price_unit"`
	QueueTime       string            `json:"queue_time"`
	SID             string            `json:"sid"`
	StartTime       *string           `json:"start_time"`
	Status          string            `json:"status"`
	SubresourceURIs map[string]string `json:"subresource_uris"`
	To              string            `json:"to"`
	ToFormatted     string            `json:"to_formatted"`
	TrunkSID        *string           `json:"trunk_sid"`
	URI             string            `json:"uri"`
}

// callSubresources are the keys of a call's subresource_uris, as in the
// OpenAPI description's examples, and their path names.
var callSubresources = map[string]string{
	"notifications": "Notifications", "recordings": "Recordings", "payments": "Payments",
	"events": "Events", "siprec": "Siprec", "streams": "Streams", "transcriptions": "Transcriptions",
	"user_defined_message_subscriptions": "UserDefinedMessageSubscriptions",
	"user_defined_messages":              "UserDefinedMessages",
}

// callJSON renders c as Twilio does. Its start_time is set once it left
// the queue (see startTime), its duration and end_time once it ended, and
// its price is null (Twilio fills it in later).
func callJSON(c Call) callResource {
	uri := "/2010-04-01/Accounts/" + c.AccountSID + "/Calls/" + c.SID
	r := callResource{
		AccountSID: c.AccountSID, APIVersion: "2010-04-01",
		DateCreated: rfc2822(c.Created), DateUpdated: rfc2822(c.Updated), Direction: c.Direction,
		From: c.From, FromFormatted: formatNumber(c.From), To: c.To, ToFormatted: formatNumber(c.To),
		PriceUnit: "USD", QueueTime: "0", SID: c.SID, Status: c.Status, URI: uri + ".json",
		SubresourceURIs: map[string]string{},
	}
	for key, name := range callSubresources {
		r.SubresourceURIs[key] = uri + "/" + name + ".json"
	}
	if start := startTime(c); !start.IsZero() {
		r.StartTime = new(rfc2822(start))
	}
	if c.ParentSID != "" {
		r.ParentCallSID = new(c.ParentSID)
	}
	if c.AnsweredBy != "" {
		r.AnsweredBy = new(c.AnsweredBy)
	}
	if !c.Ended.IsZero() {
		r.Duration = new(strconv.Itoa(int(c.Duration / time.Second)))
		r.EndTime = new(rfc2822(c.Ended))
	}
	return r
}

// rfc2822 formats t as Twilio's resources do.
func rfc2822(t time.Time) string { return t.UTC().Format(time.RFC1123Z) }

// formatNumber formats an E.164 number for display as Twilio does: North
// American numbers as "(415) 867-5309", others unchanged.
func formatNumber(n string) string {
	if len(n) != 12 || n[:2] != "+1" {
		return n
	}
	return "(" + n[2:5] + ") " + n[5:8] + "-" + n[8:]
}
