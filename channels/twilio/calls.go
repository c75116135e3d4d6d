package twilio

import (
	"context"
	"fmt"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// DefaultRingTimeout is how long PlaceCall lets the phone ring when
// Call.Timeout is 0. It is shorter than Twilio's own 60 seconds so that the
// call gives up before most mobile voicemails answer (they often do after
// 20 to 30 seconds): a call answered by a mailbox would whisper to it and
// dial the customer into it.
const DefaultRingTimeout = 25 * time.Second

// maxRingTimeout is Twilio's limit on a call's Timeout, in seconds.
const maxRingTimeout = 600

// Call is an outbound call to place: its first leg rings a staff phone,
// and Twilio asks URL what to do once it is answered (typically
// BridgeTwiML, which dials the customer).
type Call struct {
	// To is the staff phone to ring. E.164 is best; national formats are
	// read in Config.DefaultRegion.
	To string
	// URL is the TwiML Twilio fetches (POST) when To answers; see
	// ParseVoiceRequest.
	URL string
	// StatusCallback, if set, gets the call's initiated, ringing, answered
	// and completed events (POST); see ParseCallStatus.
	StatusCallback string
	// Timeout is how many seconds To rings before Twilio gives up with
	// no-answer, 1 to 600; 0 means DefaultRingTimeout (25 seconds, not
	// Twilio's 60). Twilio may add up to 5 seconds.
	Timeout int
}

// CallResult is what Twilio answered about a call it accepted.
type CallResult struct {
	// SID identifies the call ("CA..."); its status callbacks and TwiML
	// requests carry it.
	SID string
	// Status is the call's status when Twilio answered, usually "queued".
	Status string
}

// PlaceCall asks Twilio to place call from Config.From and returns the
// call's SID (POST /2010-04-01/Accounts/{AccountSid}/Calls.json). A
// Messaging Service cannot place calls: without Config.From it fails with
// a permanent *Error.
//
// Twilio's Calls create has no idempotency key: a caller about to place a
// call again, after an error that may have hidden Twilio's acceptance,
// asks FindCall first. Like SendSMS it carries ctx on the wire and bounds
// the call by the configured timeout. Errors are *Error; IsPermanent tells
// whether placing the call again can succeed.
func (c *Client) PlaceCall(ctx context.Context, call Call) (CallResult, error) {
	params, err := c.callParams(call)
	if err != nil {
		return CallResult{}, fmt.Errorf("place call: %w", err)
	}
	var placed *openapi.ApiV2010Call
	status, err := c.request(ctx, "not placed", apiError, func(api *openapi.ApiService) (err error) {
		placed, err = api.CreateCall(params)
		return err
	})
	if err != nil {
		return CallResult{}, fmt.Errorf("place call to %s: %w", *params.To, err)
	}
	res := CallResult{SID: deref(placed.Sid), Status: deref(placed.Status)}
	if res.SID == "" {
		return CallResult{}, fmt.Errorf("place call to %s: %w", *params.To, withoutSID(status, "call", "the call may have been placed"))
	}
	return res, nil
}

// callParams checks call and turns it into twilio-go's request
// parameters. Problems with call or the configuration are permanent
// *Errors.
func (c *Client) callParams(call Call) (*openapi.CreateCallParams, error) {
	if c.cfg.From == "" {
		return nil, &Error{Message: "no From number configured: a messaging service cannot place calls", Permanent: true}
	}
	to, err := NormalizeE164(call.To, c.cfg.DefaultRegion)
	if err != nil {
		return nil, &Error{Message: "recipient refused", Permanent: true, Err: err}
	}
	if !absoluteHTTPURL(call.URL) {
		return nil, &Error{Message: fmt.Sprintf("twiml url %q is not an absolute http or https URL", call.URL), Permanent: true}
	}
	if call.StatusCallback != "" && !absoluteHTTPURL(call.StatusCallback) {
		return nil, &Error{Message: fmt.Sprintf("status callback %q is not an absolute http or https URL", call.StatusCallback), Permanent: true}
	}
	timeout := call.Timeout
	switch {
	case timeout == 0:
		timeout = int(DefaultRingTimeout / time.Second)
	case timeout < 0 || timeout > maxRingTimeout:
		return nil, &Error{Message: fmt.Sprintf("ring timeout %d is not 1 to %d seconds", timeout, maxRingTimeout), Permanent: true}
	}
	params := &openapi.CreateCallParams{}
	params.SetTo(to)
	params.SetFrom(c.cfg.From)
	params.SetUrl(call.URL)
	params.SetMethod("POST")
	if call.StatusCallback != "" {
		params.SetStatusCallback(call.StatusCallback)
		params.SetStatusCallbackMethod("POST")
		params.SetStatusCallbackEvent(callEvents)
	}
	params.SetTimeout(timeout)
	return params, nil
}

// FindCall looks for a call that Twilio accepted although PlaceCall's
// answer never reached us (a timeout, a reset connection, a proxy's 5xx
// after Twilio took the request, or a crash between request and answer):
// a call placed through the API to to from the configured From, created at
// or after since minus ClockSkew. It reports the newest such call, in any
// status, and false when there is none. A durable job about to place a
// call again asks this first, so that the same call is never placed twice.
//
// It reads one page of Twilio's Calls list (GET
// /2010-04-01/Accounts/{AccountSid}/Calls.json) filtered by To and From,
// holding at most 50 calls: a call older than the 50 newest between the
// same numbers is not found. It does not filter by StartTime, which a
// queued call does not have yet; it checks each call's date_created
// itself, and a call whose date_created cannot be read is not taken as
// ours. Without Config.From no call can have been placed, and FindCall
// fails with a permanent *Error as PlaceCall does.
//
// Like PlaceCall it carries ctx on the wire and bounds the call by the
// configured timeout. Errors are *Error; IsPermanent tells whether asking
// again can succeed.
func (c *Client) FindCall(ctx context.Context, to string, since time.Time) (CallResult, bool, error) {
	if c.cfg.From == "" {
		return CallResult{}, false, fmt.Errorf("find call to %s: %w", to, &Error{
			Message: "no From number configured: a messaging service cannot place calls", Permanent: true,
		})
	}
	number, err := NormalizeE164(to, c.cfg.DefaultRegion)
	if err != nil {
		return CallResult{}, false, fmt.Errorf("find call to %s: %w", to, &Error{Message: "recipient refused", Permanent: true, Err: err})
	}
	params := &openapi.ListCallParams{}
	params.SetTo(number)
	params.SetFrom(c.cfg.From)
	params.SetPageSize(findPageSize)

	var page *openapi.ListCallResponse
	_, err = c.request(ctx, "not looked up", listError, func(api *openapi.ApiService) (err error) {
		page, err = api.PageCall(params, "", "")
		return err
	})
	if err != nil {
		return CallResult{}, false, fmt.Errorf("find call to %s: %w", number, err)
	}
	after := findAfter(since)
	var newest CallResult
	var newestAt time.Time
	for _, call := range page.Calls {
		created, ok := createdAt(call.DateCreated)
		if !ok || created.Before(after) || !c.placed(call, number) {
			continue
		}
		if newest.SID == "" || created.After(newestAt) {
			newest, newestAt = CallResult{SID: *call.Sid, Status: deref(call.Status)}, created
		}
	}
	return newest, newest.SID != "", nil
}

// placed reports whether call is one PlaceCall would have created to
// number.
func (c *Client) placed(call openapi.ApiV2010Call, number string) bool {
	return deref(call.Sid) != "" && deref(call.Direction) == "outbound-api" &&
		deref(call.To) == number && deref(call.From) == c.cfg.From
}
