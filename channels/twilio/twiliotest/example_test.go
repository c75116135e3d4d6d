package twiliotest_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// A bridged call-back: the gateway calls the agent, whose TwiML dials the
// customer; the stand-in plays both legs at once and logs every webhook.
func ExampleServer_Script() {
	srv := twiliotest.NewServer(accountSID, authToken)
	defer srv.Close()
	srv.Script("+14155552671", twiliotest.Answer{Talk: 95 * time.Second}) // the customer

	gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		switch r.URL.Path {
		case "/voice/agent":
			fmt.Fprint(w, `<Response><Say>Call-back for case 42.</Say>
<Dial callerId="+16175550199" action="/voice/dial-done">
<Number statusCallback="/voice/status" statusCallbackEvent="answered completed">+14155552671</Number>
</Dial></Response>`)
		case "/voice/dial-done":
			fmt.Fprint(w, `<Response><Hangup/></Response>`)
		}
	}))
	defer gw.Close()

	form := url.Values{
		"To": {"+16175550101"}, "From": {"+16175550199"}, "Url": {gw.URL + "/voice/agent"},
		"StatusCallback": {gw.URL + "/voice/status"}, "StatusCallbackEvent": {"answered", "completed"},
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/2010-04-01/Accounts/"+accountSID+"/Calls.json", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(accountSID, authToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		fmt.Println(err)
		return
	}
	resp.Body.Close()
	fmt.Println("create:", resp.Status)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := srv.WaitCallsEnded(ctx, 1); err != nil {
		fmt.Println(err)
		return
	}
	legs := map[string]string{}
	for _, c := range srv.Calls() {
		legs[c.SID] = map[string]string{"outbound-api": "agent", "outbound-dial": "customer"}[c.Direction]
	}
	for _, h := range srv.Webhooks() {
		u, _ := url.Parse(h.URL)
		fmt.Println(strings.Join(strings.Fields(strings.Join([]string{h.Kind, u.Path, legs[h.Form.Get("CallSid")],
			h.Form.Get("CallStatus"), h.Form.Get("CallDuration"), h.Form.Get("DialCallStatus")}, " ")), " "))
	}
	// Output:
	// create: 201 Created
	// call-status /voice/status agent in-progress
	// call-url /voice/agent agent in-progress
	// call-status /voice/status customer in-progress
	// call-status /voice/status customer completed 95
	// dial-action /voice/dial-done agent in-progress completed
	// call-status /voice/status agent completed 100
}
