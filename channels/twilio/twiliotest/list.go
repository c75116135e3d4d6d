package twiliotest

import (
	"encoding/json"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// Twilio's list page sizes (the OpenAPI description of PageSize).
const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

// messageList handles GET /2010-04-01/Accounts/{AccountSid}/Messages.json:
// the account's messages, newest first, filtered by To, From and DateSent,
// one page at a time.
//
// The DateSent filters compare with each message's date_sent, which the
// stand-in sets to its creation time (see resource). A value may be a day
// ("2026-03-13", in GMT, as Twilio documents) or an instant (RFC 3339 as
// twilio-go sends it, RFC 2822, or "2006-01-02 15:04:05" in GMT, as in the
// OpenAPI examples). The key "DateSent>" arrives as "DateSent%3E=" on the
// wire and means on or after: a day from its midnight, an instant from
// itself. "DateSent<" means on or before: a day up to its end, an instant up
// to itself. "DateSent" alone means on the day (of the instant).
func (s *Server) messageList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authenticate(r); !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="Twilio API"`)
		writeError(w, http.StatusUnauthorized, 20003, "Authenticate")
		return
	}
	if r.PathValue("AccountSid") != s.accountSID {
		s.notFound(w, r)
		return
	}
	query := r.URL.Query()
	if hook := s.listed(query); hook != nil {
		hook(query)
	}
	if status := s.nextFailure(); status != 0 {
		writeFailure(w, status)
		return
	}
	f, msg := parseListQuery(query)
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
	start, ok := f.start(matching)
	if !ok {
		writeError(w, http.StatusBadRequest, 20001, "Invalid PageToken: "+f.token)
		return
	}
	end := min(start+f.pageSize, len(matching))
	page := matching[start:end]

	path := r.URL.Path
	res := listResource{
		Messages: make([]messageResource, 0, len(page)),
		Page:     f.page, PageSize: f.pageSize, Start: start, End: max(end-1, start),
		URI:          f.uri(path, f.page, f.token),
		FirstPageURI: f.uri(path, 0, ""),
	}
	for _, m := range page {
		res.Messages = append(res.Messages, resource(m))
	}
	if end < len(matching) {
		next := f.uri(path, f.page+1, "PA"+page[len(page)-1].SID)
		res.NextPageURI = &next
	}
	if f.page > 0 && len(page) > 0 {
		prev := f.uri(path, f.page-1, "PB"+page[0].SID)
		res.PreviousPageURI = &prev
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(res)
}

// listResource is the JSON of one page of a Twilio list (the OpenAPI schema
// ListMessageResponse).
type listResource struct {
	FirstPageURI    string            `json:"first_page_uri"`
	End             int               `json:"end"`
	PreviousPageURI *string           `json:"previous_page_uri"`
	Messages        []messageResource `json:"messages"`
	URI             string            `json:"uri"`
	PageSize        int               `json:"page_size"`
	Start           int               `json:"start"`
	NextPageURI     *string           `json:"next_page_uri"`
	Page            int               `json:"page"`
}

// listQuery is a list request's filters and paging.
type listQuery struct {
	filters   url.Values // the filters as given, for the page URIs
	to, from  string
	sentFrom  time.Time // inclusive; zero for no lower bound
	sentUntil time.Time // inclusive; zero for no upper bound
	pageSize  int
	page      int
	token     string // "PA" or "PB" and a message SID, "" for none
}

// parseListQuery reads a list request's query. On a bad value it returns
// Twilio's message for it.
func parseListQuery(q url.Values) (listQuery, string) {
	f := listQuery{filters: url.Values{}, to: q.Get("To"), from: q.Get("From"), pageSize: defaultPageSize, token: q.Get("PageToken")}
	for _, key := range []string{"To", "From", "DateSent", "DateSent<", "DateSent>"} {
		if v := q.Get(key); v != "" {
			f.filters.Set(key, v)
		}
	}
	for _, key := range []string{"DateSent", "DateSent<", "DateSent>"} {
		v := q.Get(key)
		if v == "" {
			continue
		}
		t, day, ok := parseDate(v)
		if !ok {
			return f, "Invalid date value for " + key + ": " + v
		}
		first, last := t, t
		if day || key == "DateSent" {
			first = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			last = first.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		switch key {
		case "DateSent":
			f.sentFrom, f.sentUntil = first, last
		case "DateSent>":
			f.sentFrom = first
		case "DateSent<":
			f.sentUntil = last
		}
	}
	if v := q.Get("PageSize"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxPageSize {
			return f, "Invalid PageSize: " + v + " (1 to 1000)"
		}
		f.pageSize = n
	}
	if v := q.Get("Page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return f, "Invalid Page: " + v
		}
		f.page = n
	}
	return f, ""
}

// dateLayouts are the instants a DateSent filter accepts, besides a day.
var dateLayouts = []string{time.RFC3339, time.RFC1123Z, "2006-01-02 15:04:05"}

// parseDate reads a DateSent filter's value: a day in GMT (day is true) or
// an instant.
func parseDate(v string) (t time.Time, day, ok bool) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true, true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), false, true
		}
	}
	return time.Time{}, false, false
}

// sentAt is when m counts as sent for the DateSent filters: its date_sent,
// which the stand-in sets to its creation time (see resource).
func sentAt(m Message) time.Time { return m.Created }

// match reports whether m passes f's filters.
func (f listQuery) match(m Message) bool {
	at := sentAt(m)
	return (f.to == "" || m.To == f.to) && (f.from == "" || m.From == f.from) &&
		(f.sentFrom.IsZero() || !at.Before(f.sentFrom)) &&
		(f.sentUntil.IsZero() || !at.After(f.sentUntil))
}

// start returns the index in matching where f's page begins: after the
// message a "PA" token names, a page before the message a "PB" token names,
// or at Page times PageSize without a token. It reports false for a token
// naming no listed message.
func (f listQuery) start(matching []Message) (int, bool) {
	if f.token == "" {
		return min(f.page*f.pageSize, len(matching)), true
	}
	if len(f.token) < 2 {
		return 0, false
	}
	dir, sid := f.token[:2], f.token[2:]
	i := slices.IndexFunc(matching, func(m Message) bool { return m.SID == sid })
	switch {
	case i < 0:
		return 0, false
	case dir == "PA":
		return i + 1, true
	case dir == "PB":
		return max(i-f.pageSize, 0), true
	}
	return 0, false
}

// uri is the URI of page number page of f's list, with token if not "".
func (f listQuery) uri(path string, page int, token string) string {
	q := maps.Clone(f.filters)
	q.Set("PageSize", strconv.Itoa(f.pageSize))
	q.Set("Page", strconv.Itoa(page))
	if token != "" {
		q.Set("PageToken", token)
	}
	return path + "?" + q.Encode()
}
