package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

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

// Before sending again after an answer that never came, look for the
// message at Twilio.
func ExampleClient_FindSent() {
	api := twiliotest.NewServer(accountSID, authToken)
	defer api.Close()
	api.AcceptThenFail(1, http.StatusGatewayTimeout) // Twilio takes it, a proxy loses the answer

	c, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: "+14155550100", APIBaseURL: api.URL()}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	sms := twilio.SMS{To: "+14155552671", Body: "New critical case, call back by 14:30"}
	since := time.Now() // when the notification was queued
	if _, err := c.SendSMS(ctx, sms); err != nil {
		fmt.Println("send: permanent:", twilio.IsPermanent(err))
	}
	res, found, err := c.FindSent(ctx, sms.To, sms.Body, since)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("found:", found, res.SID == api.Messages()[0].SID, len(api.Messages()))
	// Output:
	// send: permanent: false
	// found: true true 1
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
	signature := twiliotest.Sign(authToken, publicURL, form) // what Twilio sends in X-Twilio-Signature

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

// Answer an agent's SMS with a reply; Twilio sends what the <Message>
// holds, escaped as XML needs.
func ExampleMessageTwiML() {
	doc, err := twilio.MessageTwiML("Case 7 closed: <refund> & apology sent")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(doc)
	// Output: <?xml version="1.0" encoding="UTF-8"?><Response><Message>Case 7 closed: &lt;refund&gt; &amp; apology sent</Message></Response>
}

// Screen a call-back: the agent's call URL answers ScreenTwiML, and the
// screen's action, which Twilio requests only when a key was pressed,
// answers BridgeTwiML for "1". A voicemail that answered the agent's phone
// hears the whisper and the prompt, presses nothing, and is hung up on.
func ExampleParseGather() {
	screen, err := twilio.ScreenTwiML(twilio.Screen{
		Whisper:   "Call-back for case 7.",
		Prompt:    "Press 1 to call the customer now.",
		ActionURL: "https://triage.example.com/webhooks/twilio/screen?case=7",
		NoKey:     "No key pressed. Goodbye.",
	})
	fmt.Println(strings.Contains(screen, `numDigits="1"`), err)

	// The action's request, once its signature was checked.
	form := url.Values{"CallSid": {"CAa1b2c3d4e5f60718293a4b5c6d7e8f90"}, "AccountSid": {accountSID}, "Digits": {"1"}}
	g, err := twilio.ParseGather(form)
	if err != nil {
		fmt.Println("400", err)
		return
	}
	var doc string
	if g.Digits == "1" {
		doc, err = twilio.BridgeTwiML(twilio.Bridge{CustomerNumber: "+14155559876", CallerID: "+14155550100"})
	} else {
		doc, err = twilio.SayTwiML("Goodbye.")
	}
	fmt.Println(strings.TrimPrefix(doc, `<?xml version="1.0" encoding="UTF-8"?>`), err)
	// Output:
	// true <nil>
	// <Response><Dial callerId="+14155550100"><Number>+14155559876</Number></Dial></Response> <nil>
}
