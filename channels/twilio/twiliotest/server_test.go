package twiliotest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "0123456789abcdef0123456789abcdef"
)

func setup(t *testing.T) *twiliotest.Server {
	t.Helper()
	srv := twiliotest.NewServer(accountSID, authToken)
	t.Cleanup(srv.Close)
	return srv
}

// post sends a message create request with form, authenticated as user:pass
// unless user is empty, and decodes the JSON answer into out.
func post(t *testing.T, srv *twiliotest.Server, account, user, pass string, form url.Values, out any) int {
	t.Helper()
	u := srv.URL() + "/2010-04-01/Accounts/" + account + "/Messages.json"
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, u, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatalf("new request: %v", err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", u, err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("POST %s answered %s with undecodable JSON: %v", u, resp.Status, err)
	}
	return resp.StatusCode
}

type twilioError struct {
	Code     int    `json:"code"`
	Message  string `json:"message"`
	MoreInfo string `json:"more_info"`
	Status   int    `json:"status"`
}

func TestCreateMessageAnswersLikeTwilio(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	var got map[string]any
	form := url.Values{"To": {"+14155552671"}, "From": {"+14155550100"}, "Body": {"hi"}}
	if status := post(t, srv, accountSID, accountSID, authToken, form, &got); status != http.StatusCreated {
		t.Fatalf("POST Messages.json = %d %v, want 201", status, got)
	}
	sid, _ := got["sid"].(string)
	if !regexp.MustCompile(`^SM[0-9a-f]{32}$`).MatchString(sid) {
		t.Errorf("sid = %q, want SM and 32 hex digits", sid)
	}
	for key, want := range map[string]any{
		"status": "queued", "to": "+14155552671", "from": "+14155550100", "body": "hi",
		"account_sid": accountSID, "api_version": "2010-04-01", "direction": "outbound-api",
		"uri":        "/2010-04-01/Accounts/" + accountSID + "/Messages/" + sid + ".json",
		"error_code": nil, "messaging_service_sid": nil,
	} {
		if got[key] != want {
			t.Errorf("answer[%q] = %#v, want %#v", key, got[key], want)
		}
	}
	if _, err := time.Parse(time.RFC1123Z, got["date_created"].(string)); err != nil {
		t.Errorf("date_created = %q, want RFC 2822: %v", got["date_created"], err)
	}
}

func TestCreateMessageRefusals(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	full := url.Values{"To": {"+14155552671"}, "From": {"+14155550100"}, "Body": {"hi"}}
	without := func(names ...string) url.Values {
		f := url.Values{}
		for k, v := range full {
			f[k] = v
		}
		for _, n := range names {
			f.Del(n)
		}
		return f
	}
	tests := []struct {
		name                string
		account, user, pass string
		form                url.Values
		status, code        int
	}{
		{"no auth", accountSID, "", "", full, 401, 20003},
		{"wrong token", accountSID, accountSID, "nope", full, 401, 20003},
		{"other account", "ACffffffffffffffffffffffffffffffff", accountSID, authToken, full, 404, 20404},
		{"no To", accountSID, accountSID, authToken, without("To"), 400, 21604},
		{"no From nor service", accountSID, accountSID, authToken, without("From"), 400, 21603},
		{"no Body nor media", accountSID, accountSID, authToken, without("Body"), 400, 21602},
		{"To not E.164", accountSID, accountSID, authToken, func() url.Values { f := without(); f.Set("To", "4155552671"); return f }(), 400, 21211},
	}
	for _, tt := range tests {
		var got twilioError
		status := post(t, srv, tt.account, tt.user, tt.pass, tt.form, &got)
		if status != tt.status || got.Code != tt.code || got.Status != tt.status || got.Message == "" ||
			!strings.HasSuffix(got.MoreInfo, "/errors/"+strconv.Itoa(tt.code)) {
			t.Errorf("%s: POST Messages.json = %d %+v, want %d with code %d", tt.name, status, got, tt.status, tt.code)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("Messages() after refusals has %d, want 0", n)
	}
}

func TestFailNextThenRecover(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	srv.FailNext(2, http.StatusInternalServerError)
	form := url.Values{"To": {"+14155552671"}, "MessagingServiceSid": {"MG0123456789abcdef0123456789abcdef"}, "Body": {"hi"}}
	for i, want := range []int{500, 500, 201} {
		var got map[string]any
		if status := post(t, srv, accountSID, accountSID, authToken, form, &got); status != want {
			t.Errorf("request %d = %d %v, want %d", i+1, status, got, want)
		}
	}
	if msgs := srv.Messages(); len(msgs) != 1 || msgs[0].Status != "accepted" {
		t.Errorf("Messages() = %+v, want one accepted message", msgs)
	}
}

func TestWaitAndOnMessage(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	seen := make(chan twiliotest.Message, 1)
	srv.OnMessage(func(m twiliotest.Message) { seen <- m })

	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if msgs, err := srv.Wait(ctx, 1); err == nil || len(msgs) != 0 {
		t.Errorf("Wait(1) with no message = %v, %v; want a context error", msgs, err)
	}

	sent := make(chan error, 1)
	go func() {
		form := url.Values{"To": {"+14155552671"}, "From": {"+14155550100"}, "Body": {"hi"}}
		req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/2010-04-01/Accounts/"+accountSID+"/Messages.json", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(accountSID, authToken)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		sent <- err
	}()
	msgs, err := srv.Wait(t.Context(), 1)
	if err := <-sent; err != nil {
		t.Fatalf("POST Messages.json: %v", err)
	}
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Wait(1) = %v, %v; want one message", msgs, err)
	}
	if m := <-seen; m.SID != msgs[0].SID {
		t.Errorf("OnMessage got %s, Wait got %s; want the same message", m.SID, msgs[0].SID)
	}
}

func TestSendStatusIsSignedLikeTwilio(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	type callback struct {
		form  url.Values
		valid bool
	}
	got := make(chan callback, 1)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		publicURL := "http://" + r.Host + r.URL.RequestURI()
		got <- callback{r.PostForm, twilio.ValidateSignature(authToken, publicURL, r.PostForm, r.Header.Get(twilio.SignatureHeader))}
	}))
	t.Cleanup(hook.Close)

	c, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: "+14155550100", APIBaseURL: srv.URL()}, nil)
	if err != nil {
		t.Fatalf("twilio.New() = %v", err)
	}
	res, err := c.SendSMS(t.Context(), twilio.SMS{To: "+14155552671", Body: "hi"})
	if err != nil {
		t.Fatalf("SendSMS() = %v", err)
	}
	if err := srv.SendStatusError(t.Context(), hook.URL+"/status?tenant=7", res.SID, "undelivered", 30003); err != nil {
		t.Fatalf("SendStatusError() = %v, want nil", err)
	}
	cb := <-got
	if !cb.valid {
		t.Errorf("status callback signature did not validate; form %v", cb.form)
	}
	status, err := twilio.ParseStatusCallback(cb.form)
	if err != nil || status.MessageSID != res.SID || status.MessageStatus != "undelivered" || status.ErrorCode != 30003 {
		t.Errorf("ParseStatusCallback(sent form) = %+v, %v; want %s undelivered 30003", status, err, res.SID)
	}
	if m := srv.Messages()[0]; m.Status != "undelivered" {
		t.Errorf("message status after SendStatus = %q, want undelivered", m.Status)
	}
	if err := srv.SendStatus(t.Context(), hook.URL, "SMffffffffffffffffffffffffffffffff", "sent"); err == nil {
		t.Errorf("SendStatus(unknown sid) = nil, want an error")
	}
}
