package twiliotest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// listPage is the JSON of one page of the Messages list.
type listPage struct {
	FirstPageURI    string           `json:"first_page_uri"`
	NextPageURI     *string          `json:"next_page_uri"`
	PreviousPageURI *string          `json:"previous_page_uri"`
	URI             string           `json:"uri"`
	Page            int              `json:"page"`
	PageSize        int              `json:"page_size"`
	Start           int              `json:"start"`
	End             int              `json:"end"`
	Messages        []map[string]any `json:"messages"`
}

// list GETs uri (a path with its query) as the account and decodes the
// answer into out, returning the status.
func list(t *testing.T, srv *twiliotest.Server, uri, pass string, out any) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL()+uri, nil)
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.SetBasicAuth(accountSID, pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", uri, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s answered %s with undecodable JSON: %v", uri, resp.Status, err)
	}
	return resp.StatusCode
}

func listURI(q url.Values) string {
	return "/2010-04-01/Accounts/" + accountSID + "/Messages.json?" + q.Encode()
}

// send creates a message and returns its SID.
func send(t *testing.T, srv *twiliotest.Server, to, body string) string {
	t.Helper()
	var got map[string]any
	form := url.Values{"To": {to}, "From": {"+14155550100"}, "Body": {body}}
	if status := post(t, srv, accountSID, accountSID, authToken, form, &got); status != http.StatusCreated {
		t.Fatalf("POST Messages.json %v = %d %v, want 201", form, status, got)
	}
	return got["sid"].(string)
}

func TestListMessagesFiltersAndPagesLikeTwilio(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	seen := make(chan url.Values, 3)
	srv.OnList(func(q url.Values) { seen <- q })
	first := send(t, srv, "+14155552671", "one")
	send(t, srv, "+14155552672", "other recipient")
	second := send(t, srv, "+14155552671", "two")
	third := send(t, srv, "+14155552671", "three")

	var p1 listPage
	q := url.Values{"To": {"+14155552671"}, "From": {"+14155550100"}, "PageSize": {"2"}}
	if status := list(t, srv, listURI(q), authToken, &p1); status != http.StatusOK {
		t.Fatalf("GET Messages.json?%s = %d, want 200", q.Encode(), status)
	}
	if got := sids(p1); got != third+" "+second || p1.Page != 0 || p1.PageSize != 2 || p1.Start != 0 || p1.End != 1 ||
		p1.PreviousPageURI != nil || p1.NextPageURI == nil || !strings.Contains(p1.FirstPageURI, "To=%2B14155552671") {
		t.Fatalf("first page = %+v (sids %s); want %s %s newest first, a next page and no previous one", p1, got, third, second)
	}
	if m := p1.Messages[0]; m["body"] != "three" || m["date_sent"] != m["date_created"] || m["direction"] != "outbound-api" {
		t.Errorf("first message = %v; want body three, date_sent equal to date_created, outbound-api", m)
	}

	var p2 listPage
	if status := list(t, srv, *p1.NextPageURI, authToken, &p2); status != http.StatusOK {
		t.Fatalf("GET next_page_uri %s = %d, want 200", *p1.NextPageURI, status)
	}
	if got := sids(p2); got != first || p2.Page != 1 || p2.Start != 2 || p2.End != 2 || p2.NextPageURI != nil || p2.PreviousPageURI == nil {
		t.Errorf("second page = %+v (sids %s); want %s alone, a previous page and no next one", p2, got, first)
	}
	var back listPage
	if status := list(t, srv, *p2.PreviousPageURI, authToken, &back); status != http.StatusOK || sids(back) != sids(p1) {
		t.Errorf("GET previous_page_uri %s = %d with %s, want 200 with %s", *p2.PreviousPageURI, status, sids(back), sids(p1))
	}
	if q := <-seen; q.Get("To") != "+14155552671" || q.Get("PageSize") != "2" {
		t.Errorf("OnList first saw %v, want To +14155552671 and PageSize 2", q)
	}
	if n := len(srv.Lists()); n != 3 || len(seen) != 2 {
		t.Errorf("Lists() has %d and OnList saw %d more; want 3 and 2", n, len(seen))
	}
}

func sids(p listPage) string {
	var out []string
	for _, m := range p.Messages {
		out = append(out, m["sid"].(string))
	}
	return strings.Join(out, " ")
}

func TestListMessagesDateSentFilters(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	send(t, srv, "+14155552671", "one")
	created := srv.Messages()[0].Created
	day := func(d time.Time) string { return d.UTC().Format(time.DateOnly) }
	tests := []struct {
		key, value string
		want       int
	}{
		{"DateSent>", created.Add(-time.Minute).Format(time.RFC3339), 1},
		{"DateSent>", created.Add(time.Minute).Format(time.RFC3339), 0},
		{"DateSent>", day(created), 1},
		{"DateSent>", day(created.AddDate(0, 0, 1)), 0},
		{"DateSent>", created.Add(-time.Minute).UTC().Format(time.RFC1123Z), 1},
		{"DateSent>", created.Add(-time.Minute).UTC().Format("2006-01-02 15:04:05.000"), 1},
		{"DateSent<", day(created), 1},
		{"DateSent<", day(created.AddDate(0, 0, -1)), 0},
		{"DateSent<", created.Add(-time.Minute).Format(time.RFC3339), 0},
		{"DateSent", day(created), 1},
		{"DateSent", day(created.AddDate(0, 0, -1)), 0},
	}
	for _, tt := range tests {
		var p listPage
		q := url.Values{tt.key: {tt.value}}
		if status := list(t, srv, listURI(q), authToken, &p); status != http.StatusOK || len(p.Messages) != tt.want {
			t.Errorf("GET Messages.json?%s=%s = %d with %d messages, want 200 with %d", tt.key, tt.value, status, len(p.Messages), tt.want)
		}
	}
}

func TestListMessagesRefusals(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	tests := []struct {
		name         string
		uri, pass    string
		status, code int
	}{
		{"wrong token", listURI(nil), "nope", 401, 20003},
		{"other account", "/2010-04-01/Accounts/ACffffffffffffffffffffffffffffffff/Messages.json", authToken, 404, 20404},
		{"bad date", listURI(url.Values{"DateSent>": {"next tuesday"}}), authToken, 400, 20001},
		{"page size too big", listURI(url.Values{"PageSize": {"1001"}}), authToken, 400, 20001},
		{"unknown page token", listURI(url.Values{"PageToken": {"PAnope"}}), authToken, 400, 20001},
	}
	for _, tt := range tests {
		var got twilioError
		if status := list(t, srv, tt.uri, tt.pass, &got); status != tt.status || got.Code != tt.code || got.Message == "" {
			t.Errorf("%s: GET %s = %d %+v, want %d with code %d", tt.name, tt.uri, status, got, tt.status, tt.code)
		}
	}
}

func TestAcceptThenFailRecordsButLosesTheAnswer(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.AcceptThenFail(1, http.StatusGatewayTimeout)
	u := srv.URL() + "/2010-04-01/Accounts/" + accountSID + "/Messages.json"
	create := func(form url.Values) (int, string) {
		req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatalf("new request: %v", err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(accountSID, authToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("POST %s: %v", u, err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	refused := url.Values{"From": {"+14155550100"}, "Body": {"no recipient"}}
	if status, body := create(refused); status != http.StatusBadRequest {
		t.Errorf("POST without To = %d %s, want 400 (refusals do not use up AcceptThenFail)", status, body)
	}
	form := url.Values{"To": {"+14155552671"}, "From": {"+14155550100"}, "Body": {"hi"}}
	if status, body := create(form); status != http.StatusGatewayTimeout || !strings.Contains(body, "Gateway Timeout") {
		t.Errorf("first POST = %d %q, want 504 with a proxy's page", status, body)
	}
	if status, body := create(form); status != http.StatusCreated {
		t.Errorf("second POST = %d %q, want 201", status, body)
	}
	msgs := srv.Messages()
	if len(msgs) != 2 || msgs[0].LostAnswer != http.StatusGatewayTimeout || msgs[1].LostAnswer != 0 {
		t.Errorf("Messages() = %+v; want two, the first with LostAnswer 504", msgs)
	}
}
