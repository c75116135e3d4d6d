package twilio

import (
	"context"
	"fmt"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// ClockSkew is how much earlier than the since given to FindSent or
// FindCall a message or call may have been created and still count: our
// clock and Twilio's may disagree, and a caller's since may be stored with
// less precision.
const ClockSkew = 2 * time.Minute

// findPageSize bounds FindSent and FindCall to one page of the newest
// matching messages or calls.
const findPageSize = 50

// FindSent looks for a message that Twilio accepted although its answer
// never reached us (a timeout, a reset connection, a proxy's 5xx after
// Twilio took the request): a message to to, with exactly body, from the
// configured From (or, without one, through the configured Messaging
// Service), created at or after since minus ClockSkew. It reports the
// newest such message, and false when there is none. Twilio's Messages
// create has no idempotency key; a caller about to send again asks this
// first.
//
// It reads one page of Twilio's Messages list (GET
// /2010-04-01/Accounts/{AccountSid}/Messages.json, newest first) filtered
// by To, From and DateSent>, holding at most 50 messages: a message older
// than the 50 newest to the same recipient since then is not found. The
// DateSent> filter is sent as an instant, since minus ClockSkew; Twilio
// documents the filter by day, in GMT, so FindSent also checks each
// message's date_created itself. A message whose date_created cannot be
// read is not taken as ours. A body that Twilio rewrote (a Messaging
// Service's smart encoding) does not match.
//
// Like SendSMS it carries ctx on the wire and bounds the call by the
// configured timeout. Errors are *Error; IsPermanent tells whether asking
// again can succeed.
func (c *Client) FindSent(ctx context.Context, to, body string, since time.Time) (SendResult, bool, error) {
	number, err := NormalizeE164(to, c.cfg.DefaultRegion)
	if err != nil {
		return SendResult{}, false, fmt.Errorf("find sms to %s: %w", to, &Error{Message: "recipient refused", Permanent: true, Err: err})
	}
	after := findAfter(since)
	params := &openapi.ListMessageParams{}
	params.SetTo(number)
	if c.cfg.From != "" {
		params.SetFrom(c.cfg.From)
	}
	params.SetDateSentAfter(after)
	params.SetPageSize(findPageSize)

	var page *openapi.ListMessageResponse
	_, err = c.request(ctx, "not looked up", listError, func(api *openapi.ApiService) (err error) {
		page, err = api.PageMessage(params, "", "")
		return err
	})
	if err != nil {
		return SendResult{}, false, fmt.Errorf("find sms to %s: %w", number, err)
	}
	for _, m := range page.Messages {
		if c.ours(m, number, body, after) {
			return SendResult{SID: *m.Sid, Status: deref(m.Status)}, true, nil
		}
	}
	return SendResult{}, false, nil
}

// findAfter is the earliest creation time FindSent and FindCall accept for
// a caller's since: since minus ClockSkew, in whole seconds, UTC.
func findAfter(since time.Time) time.Time {
	return since.Add(-ClockSkew).UTC().Truncate(time.Second)
}

// createdAt reads a resource's date_created, given in Twilio's RFC 2822
// form. It reports false when the date is absent or cannot be read.
func createdAt(dateCreated *string) (time.Time, bool) {
	created, err := time.Parse(time.RFC1123Z, deref(dateCreated))
	return created, err == nil
}

// ours reports whether m is a message this client would have created to
// number with body, at or after after.
func (c *Client) ours(m openapi.ApiV2010Message, number, body string, after time.Time) bool {
	if deref(m.Sid) == "" || deref(m.Direction) != "outbound-api" ||
		deref(m.To) != number || m.Body == nil || *m.Body != body {
		return false
	}
	if c.cfg.From != "" && deref(m.From) != c.cfg.From {
		return false
	}
	if c.cfg.From == "" && deref(m.MessagingServiceSid) != c.cfg.MessagingServiceSID {
		return false
	}
	created, ok := createdAt(m.DateCreated)
	return ok && !created.Before(after)
}

// listError turns what twilio-go returned for a list into an *Error, as
// readError does: a 2xx answer whose body is not the JSON expected is
// permanent (asking again reads the same), one whose body could not be
// read (a timeout mid-read, a cut connection) is retryable, so that a
// caller about to send or place again waits instead of doubling.
var listError = readError("listed")
