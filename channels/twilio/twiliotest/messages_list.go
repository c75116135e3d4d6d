package twiliotest

import (
	"net/http"
	"net/url"
	"slices"
	"time"
)

// messageList handles GET /2010-04-01/Accounts/{AccountSid}/Messages.json:
// the account's messages, newest first, filtered by To, From and DateSent
// (see parseDateRange), one page at a time.
//
// The DateSent filters compare with each message's date_sent, which the
// stand-in sets to its creation time (see resource).
func (s *Server) messageList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	query := r.URL.Query()
	if hook := s.listed(query); hook != nil {
		hook(query)
	}
	if status := s.pop(&s.failures); status != 0 {
		writeFailure(w, status)
		return
	}
	lq, msg := parseListQuery(query, slices.Concat([]string{"To", "From"}, dateKeys("DateSent"))...)
	if msg != "" {
		writeError(w, http.StatusBadRequest, 20001, msg)
		return
	}
	f, msg := parseMessageFilter(query)
	if msg != "" {
		writeError(w, http.StatusBadRequest, 20001, msg)
		return
	}
	var matching []Message
	for _, m := range slices.Backward(s.Messages()) {
		if f.match(m) {
			matching = append(matching, m)
		}
	}
	page, info, ok := pageOf(lq, r.URL.Path, matching, func(m Message) string { return m.SID })
	if !ok {
		writeError(w, http.StatusBadRequest, 20001, "Invalid PageToken: "+lq.token)
		return
	}
	res := messagePage{listPage: info, Messages: make([]messageResource, 0, len(page))}
	for _, m := range page {
		res.Messages = append(res.Messages, resource(m))
	}
	writeJSON(w, http.StatusOK, res)
}

// messagePage is the JSON of one page of the Messages list (the OpenAPI
// schema ListMessageResponse).
type messagePage struct {
	listPage
	Messages []messageResource `json:"messages"`
}

// messageFilter is what a Messages list request asks for.
type messageFilter struct {
	to, from string
	sent     dateRange
}

// parseMessageFilter reads a Messages list request's filters. On a bad
// value it returns Twilio's message for it.
func parseMessageFilter(q url.Values) (messageFilter, string) {
	sent, msg := parseDateRange(q, "DateSent")
	return messageFilter{to: q.Get("To"), from: q.Get("From"), sent: sent}, msg
}

// sentAt is when m counts as sent for the DateSent filters: its date_sent,
// which the stand-in sets to its creation time (see resource).
func sentAt(m Message) time.Time { return m.Created }

// match reports whether m passes f.
func (f messageFilter) match(m Message) bool {
	return (f.to == "" || m.To == f.to) && (f.from == "" || m.From == f.from) && f.sent.contains(sentAt(m))
}
