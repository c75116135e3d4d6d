package twiliotest

import (
	"maps"
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

// listPage is the paging part of one page of a Twilio list, the fields
// that ListMessageResponse and ListCallResponse share; each list adds its
// items under its own key.
type listPage struct {
	FirstPageURI    string  `json:"first_page_uri"`
	End             int     `json:"end"`
	PreviousPageURI *string `json:"previous_page_uri"`
	URI             string  `json:"uri"`
	PageSize        int     `json:"page_size"`
	Start           int     `json:"start"`
	NextPageURI     *string `json:"next_page_uri"`
	Page            int     `json:"page"`
}

// listQuery is a list request's paging, with its filters as given, to
// repeat in the page URIs.
type listQuery struct {
	filters  url.Values
	pageSize int
	page     int
	token    string // "PA" or "PB" and a SID, "" for none
}

// parseListQuery reads a list request's paging and keeps the values of the
// filters named. On a bad value it returns Twilio's message for it.
func parseListQuery(q url.Values, filters ...string) (listQuery, string) {
	f := listQuery{filters: url.Values{}, pageSize: defaultPageSize, token: q.Get("PageToken")}
	for _, key := range filters {
		if v := q.Get(key); v != "" {
			f.filters.Set(key, v)
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

// dateKeys are the three filters Twilio derives from a date field: on the
// day, on or before ("<"), on or after (">").
func dateKeys(name string) []string { return []string{name, name + "<", name + ">"} }

// dateRange is what a date field's filters allow, bounds inclusive; a zero
// bound is no bound.
type dateRange struct{ from, until time.Time }

// parseDateRange reads the filters on the date field name (such as
// "DateSent" or "StartTime"). A value may be a day ("2026-03-13", in GMT,
// as Twilio documents) or an instant (RFC 3339 as twilio-go sends it, RFC
// 2822, or "2006-01-02 15:04:05" in GMT, as in the OpenAPI examples). The
// key name+">" arrives as "Name%3E=" on the wire and means on or after: a
// day from its midnight, an instant from itself. name+"<" means on or
// before: a day up to its end, an instant up to itself. name alone means on
// the day (of the instant). On a bad value it returns Twilio's message.
func parseDateRange(q url.Values, name string) (dateRange, string) {
	var r dateRange
	for _, key := range dateKeys(name) {
		v := q.Get(key)
		if v == "" {
			continue
		}
		t, day, ok := parseDate(v)
		if !ok {
			return r, "Invalid date value for " + key + ": " + v
		}
		first, last := t, t
		if day || key == name {
			first = time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
			last = first.AddDate(0, 0, 1).Add(-time.Nanosecond)
		}
		switch key {
		case name:
			r.from, r.until = first, last
		case name + ">":
			r.from = first
		case name + "<":
			r.until = last
		}
	}
	return r, ""
}

// contains reports whether t is within r. A zero t (a date not set yet)
// is within r only if r has no bounds.
func (r dateRange) contains(t time.Time) bool {
	if t.IsZero() {
		return r.from.IsZero() && r.until.IsZero()
	}
	return (r.from.IsZero() || !t.Before(r.from)) && (r.until.IsZero() || !t.After(r.until))
}

// dateLayouts are the instants a date filter accepts, besides a day.
var dateLayouts = []string{time.RFC3339, time.RFC1123Z, "2006-01-02 15:04:05"}

// parseDate reads a date filter's value: a day in GMT (day is true) or an
// instant.
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

// pageOf returns the page of matching (the filtered list, newest first)
// that f asks for and its paging fields, for the list at path. A page
// starts after the item a "PA" token names, a page before the item a "PB"
// token names, or at Page times PageSize without a token. It reports false
// for a token naming no listed item.
func pageOf[T any](f listQuery, path string, matching []T, sid func(T) string) ([]T, listPage, bool) {
	start, ok := startOf(f, matching, sid)
	if !ok {
		return nil, listPage{}, false
	}
	end := min(start+f.pageSize, len(matching))
	page := matching[start:end]
	info := listPage{
		Page: f.page, PageSize: f.pageSize, Start: start, End: max(end-1, start),
		URI:          f.uri(path, f.page, f.token),
		FirstPageURI: f.uri(path, 0, ""),
	}
	if end < len(matching) {
		next := f.uri(path, f.page+1, "PA"+sid(page[len(page)-1]))
		info.NextPageURI = &next
	}
	if f.page > 0 && len(page) > 0 {
		prev := f.uri(path, f.page-1, "PB"+sid(page[0]))
		info.PreviousPageURI = &prev
	}
	return page, info, true
}

// startOf returns the index in matching where f's page begins.
func startOf[T any](f listQuery, matching []T, sid func(T) string) (int, bool) {
	if f.token == "" {
		return min(f.page*f.pageSize, len(matching)), true
	}
	if len(f.token) < 2 {
		return 0, false
	}
	dir, want := f.token[:2], f.token[2:]
	i := slices.IndexFunc(matching, func(v T) bool { return sid(v) == want })
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

// uri is the URI of page number page of f's list at path, with token if
// not "".
func (f listQuery) uri(path string, page int, token string) string {
	q := maps.Clone(f.filters)
	q.Set("PageSize", strconv.Itoa(f.pageSize))
	q.Set("Page", strconv.Itoa(page))
	if token != "" {
		q.Set("PageToken", token)
	}
	return path + "?" + q.Encode()
}
