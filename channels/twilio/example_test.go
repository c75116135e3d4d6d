package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

// Send an SMS through the loopback stand-in, as the demo does.
func ExampleClient_SendSMS() {
	api := twiliotest.NewServer(accountSID, authToken)
	defer api.Close()

	c, err := twilio.New(twilio.Config{
		AccountSID: accountSID,
		AuthToken:  authToken,
		From:       "+14155550100",
		APIBaseURL: api.URL(), // omit to talk to Twilio
	}, http.DefaultClient)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := c.SendSMS(context.Background(), twilio.SMS{To: "(415) 555-2671", Body: "New critical case, call back by 14:30"})
	if err != nil {
		fmt.Println(err, "permanent:", twilio.IsPermanent(err))
		return
	}
	fmt.Println(res.Status, api.Messages()[0].To)
	// Output: queued +14155552671
}

// A webhook handler checks the signature against the public URL Twilio
// called, then parses the form.
func ExampleValidateSignature() {
	const publicURL = "https://triage.example.com/webhooks/twilio/sms"
	form := url.Values{
		"MessageSid": {"SM0123456789abcdef0123456789abcdef"},
		"AccountSid": {accountSID},
		"From":       {"+14155552671"},
		"To":         {"+14155550100"},
		"Body":       {"Still waiting for my refund"},
	}
	signature := twilio.Sign(authToken, publicURL, form) // what Twilio sends in X-Twilio-Signature

	if !twilio.ValidateSignature(authToken, publicURL, form, signature) {
		fmt.Println("403 forbidden")
		return
	}
	sms, err := twilio.ParseInboundSMS(form)
	if err != nil {
		fmt.Println("400", err)
		return
	}
	fmt.Printf("%s from %s: %s\n", sms.MessageSID, sms.From, sms.Body)
	// Output: SM0123456789abcdef0123456789abcdef from +14155552671: Still waiting for my refund
}
