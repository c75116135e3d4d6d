package twiliotest_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/twilio/twilio-go/client"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// createCall POSTs form to the Calls resource as the account, with ctx,
// and returns the status and body of the answer.
func createCall(ctx context.Context, srv *twiliotest.Server, form url.Values) (int, string, error) {
	u := srv.URL() + "/2010-04-01/Accounts/" + accountSID + "/Calls.json"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(accountSID, authToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), err
}

// callForm is a complete call create, the Url pointing at nothing that
// answers (its play records a failed request and ends).
func callForm() url.Values {
	return url.Values{"To": {agent}, "From": {ours}, "Url": {"http://127.0.0.1:9/voice"}}
}

func TestCreateCallRecordsItAndAnswers201(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	seen := make(chan twiliotest.Call, 1)
	srv.OnCall(func(c twiliotest.Call) { seen <- c })
	params := &openapi.CreateCallParams{}
	params.SetTo(agent).SetFrom(ours).SetUrl("http://127.0.0.1:9/voice?case=1").SetMethod("post").
		SetStatusCallback("http://127.0.0.1:9/status").SetStatusCallbackEvent([]string{"initiated", "completed"}).
		SetTimeout(700).SetMachineDetection("Enable")
	got, err := api(t, srv).CreateCall(params)
	if err != nil {
		t.Fatalf("CreateCall() = %v", err)
	}
	if !regexp.MustCompile(`^CA[0-9a-f]{32}$`).MatchString(*got.Sid) || *got.AccountSid != accountSID ||
		*got.From != ours || *got.ToFormatted != "(617) 555-0101" || *got.ApiVersion != "2010-04-01" ||
		*got.Uri != "/2010-04-01/Accounts/"+accountSID+"/Calls/"+*got.Sid+".json" || got.Duration != nil {
		t.Errorf("CreateCall() = %+v; want a queued call resource", got)
	}
	calls, err := srv.WaitCalls(t.Context(), 1)
	if err != nil || len(calls) != 1 {
		t.Fatalf("WaitCalls(1) = %+v, %v", calls, err)
	}
	c := calls[0]
	if c.SID != *got.Sid || c.URL != "http://127.0.0.1:9/voice?case=1" || c.Method != "POST" ||
		c.StatusCallbackMethod != "POST" || strings.Join(c.StatusCallbackEvents, " ") != "initiated completed" ||
		c.Timeout != 600 || c.Username != accountSID || c.MachineDetection != "Enable" || c.Direction != "outbound-api" {
		t.Errorf("recorded call = %+v; want what was asked for, Timeout cut to 600", c)
	}
	if on := <-seen; on.SID != c.SID {
		t.Errorf("OnCall saw %s, want %s", on.SID, c.SID)
	}
	waitEnded(t, srv, 1) // its webhooks find no one; the play still ends
}

func TestCreateCallRefusals(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	with := func(key, value string) url.Values {
		f := callForm()
		if value == "" {
			f.Del(key)
		} else {
			f.Set(key, value)
		}
		return f
	}
	tests := []struct {
		name string
		form url.Values
		code int
	}{
		{"no To", with("To", ""), 21201},
		{"no From", with("From", ""), 21213},
		{"no Url, Twiml nor ApplicationSid", with("Url", ""), 21205},
		{"To not E.164", with("To", "617-555-0101"), 21217},
		{"From not E.164", with("From", "support"), 21210},
		{"relative Url", with("Url", "/voice"), 21205},
		{"ftp Url", with("Url", "ftp://gw.example/voice"), 21205},
		{"bad Method", with("Method", "PUT"), 21209},
		{"relative StatusCallback", with("StatusCallback", "status"), 21609},
		{"unknown event", with("StatusCallbackEvent", "hungup"), 21626},
		{"Timeout not a number", with("Timeout", "soon"), 21208},
		{"Timeout zero", with("Timeout", "0"), 21208},
		{"bad ApplicationSid", url.Values{"To": {agent}, "From": {ours}, "ApplicationSid": {"AP12"}}, 21218},
		{"Twiml not XML", url.Values{"To": {agent}, "From": {ours}, "Twiml": {"<Response><Say>hi</Response>"}}, 12100},
	}
	for _, tt := range tests {
		status, body, err := createCall(t.Context(), srv, tt.form)
		var got twilioError
		if err == nil {
			err = json.Unmarshal([]byte(body), &got)
		}
		if err != nil || status != http.StatusBadRequest || got.Code != tt.code || got.Status != 400 || got.Message == "" ||
			!strings.HasSuffix(got.MoreInfo, "/errors/"+strconv.Itoa(tt.code)) {
			t.Errorf("%s: POST Calls.json = %d %s, %v; want 400 with code %d", tt.name, status, body, err, tt.code)
		}
	}
	if n := len(srv.Calls()); n != 0 {
		t.Errorf("Calls() after refusals has %d, want 0", n)
	}
}

func TestFailNextCallsThenRecover(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.FailNextCalls(2, http.StatusServiceUnavailable)
	svc := api(t, srv)
	params := &openapi.CreateCallParams{}
	params.SetTo(agent).SetFrom(ours).SetTwiml("<Response/>")
	if _, err := svc.CreateCall(params); !isRestError(err, 503, 20503) {
		t.Errorf("first CreateCall() = %v, want Twilio's 503 error", err)
	}
	if _, err := svc.PageCall(nil, "", ""); !isRestError(err, 503, 20503) {
		t.Errorf("PageCall() = %v, want Twilio's 503 error (lists use up failures too)", err)
	}
	if _, err := svc.CreateCall(params); err != nil {
		t.Errorf("third CreateCall() = %v, want it placed", err)
	}
	if n := len(srv.Calls()); n != 1 {
		t.Errorf("Calls() has %d, want 1: failed creates are not recorded", n)
	}
	waitEnded(t, srv, 1)
}

func isRestError(err error, status, code int) bool {
	var re *client.TwilioRestError
	return errors.As(err, &re) && re.Status == status && re.Code == code
}

func TestAcceptThenFailCallPlaysTheCallAnyway(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	g := newGateway(t, nil, nil)
	srv.AcceptThenFailCall(1, http.StatusBadGateway)
	if status, body, err := createCall(t.Context(), srv, url.Values{"To": {agent}}); err != nil || status != 400 {
		t.Errorf("refused create = %d %s, %v; want 400 (refusals do not use up AcceptThenFailCall)", status, body, err)
	}
	form := url.Values{"To": {agent}, "From": {ours}, "Twiml": {"<Response/>"}, "StatusCallback": {g.URLOf("/status")}}
	status, body, err := createCall(t.Context(), srv, form)
	if err != nil || status != http.StatusBadGateway || !strings.Contains(body, "Bad Gateway") {
		t.Errorf("create = %d %q, %v; want 502 with a proxy's page", status, body, err)
	}
	calls := waitEnded(t, srv, 1)
	if c := calls[0]; c.LostAnswer != http.StatusBadGateway || c.Status != "completed" {
		t.Errorf("call = %+v; want LostAnswer 502 and the call played to completed", c)
	}
	if hits := g.got(); len(hits) != 1 || hits[0].form.Get("CallSid") != calls[0].SID {
		t.Errorf("gateway got %+v; want the lost call's completed callback", hits)
	}
}

func TestHoldNextCallAnswersNothingUntilReleased(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	g := newGateway(t, nil, nil)
	release := srv.HoldNextCall()
	form := url.Values{"To": {agent}, "From": {ours}, "Twiml": {"<Response/>"}, "StatusCallback": {g.URLOf("/status")}}

	killed, kill := context.WithCancel(t.Context())
	answered := make(chan error, 1)
	go func() {
		_, _, err := createCall(killed, srv, form)
		answered <- err
	}()
	held, err := srv.WaitCalls(t.Context(), 1)
	if err != nil || len(held) != 1 || held[0].Status != "queued" {
		t.Fatalf("WaitCalls(1) = %+v, %v; want the held call, queued", held, err)
	}
	page, err := api(t, srv).PageCall(nil, "", "")
	if err != nil || len(page.Calls) != 1 || *page.Calls[0].Sid != held[0].SID || page.Calls[0].StartTime != nil {
		t.Errorf("PageCall() while held = %+v, %v; want the held call listed, queued, without start_time", page, err)
	}
	kill() // the client dies with its request in flight
	if err := <-answered; !errors.Is(err, context.Canceled) {
		t.Errorf("held create = %v, want no answer before the client gave up", err)
	}
	if n := len(srv.Webhooks()); n != 0 {
		t.Errorf("Webhooks() while held has %d, want none: the call plays once released", n)
	}
	release()
	release() // a second release is harmless
	waitEnded(t, srv, 1)
	if hits := g.got(); len(hits) != 1 || hits[0].form.Get("CallSid") != held[0].SID {
		t.Errorf("gateway got %+v after release; want the call's completed callback", hits)
	}
}

func TestHoldNextCallEndsWithTheServer(t *testing.T) {
	t.Parallel()
	srv := twiliotest.NewServer(accountSID, authToken)
	defer srv.Close()
	srv.HoldNextCall()
	answered := make(chan error, 1)
	go func() {
		status, _, err := createCall(context.Background(), srv, callForm())
		if err == nil {
			err = errors.New("answered " + strconv.Itoa(status))
		}
		answered <- err
	}()
	if _, err := srv.WaitCalls(t.Context(), 1); err != nil {
		t.Fatalf("WaitCalls(1) = %v", err)
	}
	srv.Close()
	if err := <-answered; err == nil || strings.HasPrefix(err.Error(), "answered") {
		t.Errorf("held create after Close = %v, want a transport error", err)
	}
	if n := len(srv.Webhooks()); n != 0 {
		t.Errorf("Webhooks() = %d, want none: a call held at Close never plays", n)
	}
}

func TestFetchCallUnknownIs404(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	_, err := api(t, srv).FetchCall("CAffffffffffffffffffffffffffffffff", nil)
	if !isRestError(err, 404, 20404) {
		t.Errorf("FetchCall(unknown) = %v, want Twilio's 404", err)
	}
}

func TestListCallsFiltersAndPages(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.Script(customer, twiliotest.Answer{Result: "busy"})
	g := newGateway(t, nil, bridgedReplies)
	first := placeCallBack(t, srv, g)
	waitEnded(t, srv, 1)
	second := placeCallBack(t, srv, g)
	third := placeCallBack(t, srv, g)
	legs := waitEnded(t, srv, 3)
	before := time.Now().UTC().Add(-time.Hour)

	svc := api(t, srv)
	params := &openapi.ListCallParams{}
	params.SetTo(agent).SetFrom(ours).SetStartTimeAfter(before).SetPageSize(2)
	page, err := svc.PageCall(params, "", "")
	if err != nil {
		t.Fatalf("PageCall(To agent, PageSize 2) = %v", err)
	}
	if len(page.Calls) != 2 || *page.Calls[0].Sid != *third.Sid || *page.Calls[1].Sid != *second.Sid ||
		page.NextPageUri == nil || page.PreviousPageUri != nil || page.PageSize != 2 {
		t.Errorf("first page = %+v; want the two newest agent legs and a next page", page)
	}
	all, err := svc.ListCall(params) // follows next_page_uri
	if err != nil || len(all) != 3 || *all[2].Sid != *first.Sid {
		t.Errorf("ListCall(To agent) = %d calls, %v; want 3, oldest last", len(all), err)
	}

	child := &openapi.ListCallParams{}
	child.SetParentCallSid(*first.Sid)
	kids, err := svc.ListCall(child)
	if err != nil || len(kids) != 1 || *kids[0].To != customer || *kids[0].Status != "busy" || *kids[0].ParentCallSid != *first.Sid {
		t.Errorf("ListCall(ParentCallSid) = %+v, %v; want the first call's busy customer leg", kids, err)
	}
	busy := &openapi.ListCallParams{}
	busy.SetStatus("busy")
	if got, err := svc.ListCall(busy); err != nil || len(got) != 3 {
		t.Errorf("ListCall(Status busy) = %d calls, %v; want the 3 customer legs", len(got), err)
	}
	ended := &openapi.ListCallParams{}
	ended.SetEndTimeBefore(before)
	if got, err := svc.ListCall(ended); err != nil || len(got) != 0 {
		t.Errorf("ListCall(EndTime< an hour ago) = %d calls, %v; want none", len(got), err)
	}
	if n := len(srv.Calls()); n != 6 || len(legs) != 3 {
		t.Errorf("Calls() = %d legs, WaitCallsEnded = %d; want 6 and 3", n, len(legs))
	}

	var bad twilioError
	if status := list(t, srv, "/2010-04-01/Accounts/"+accountSID+"/Calls.json?Status=ringing-ish", authToken, &bad); status != 400 || bad.Code != 20001 {
		t.Errorf("GET Calls.json?Status=ringing-ish = %d %+v, want 400 20001", status, bad)
	}
}
