package twilio

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/twilio/twilio-go/client"
)

// Error is a failed Twilio request, or a message or call refused before it
// was sent. Permanent tells a job queue whether trying again can help.
type Error struct {
	// Status is the HTTP status Twilio answered with, 0 if no answer came
	// (network failure, timeout, cancelled context, refused locally).
	Status int
	// Code is Twilio's error code (https://www.twilio.com/docs/api/errors),
	// 0 if there was none.
	Code int
	// Message is Twilio's explanation, or ours.
	Message string
	// MoreInfo is Twilio's link to the error's documentation.
	MoreInfo string
	// RetryAfter is how long Twilio asked us to wait (Retry-After header),
	// 0 if it did not say.
	RetryAfter time.Duration
	// Permanent is true when the same request will fail again: an invalid
	// or unsubscribed number, bad credentials, a malformed request.
	Permanent bool
	// Err is the underlying error, if any.
	Err error
}

// Error says what failed, with status and code, and whether it is
// permanent.
func (e *Error) Error() string {
	kind := "retryable"
	if e.Permanent {
		kind = "permanent"
	}
	msg := "twilio"
	if e.Status != 0 {
		msg += " status " + strconv.Itoa(e.Status)
	}
	if e.Code != 0 {
		msg += " code " + strconv.Itoa(e.Code)
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg + " (" + kind + ")"
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// IsPermanent reports whether err, or an error it wraps, is an *Error that
// retrying will not fix. Errors of any other kind are treated as temporary.
func IsPermanent(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Permanent
}

// Twilio error codes whose meaning overrides the HTTP status.
const (
	codeTooManyRequests = 20429
	codeInternalError   = 20500
	codeUnavailable     = 20503
)

// permanentStatus reports whether an HTTP status (with Twilio's code) means
// the request itself is at fault, so sending it again cannot succeed.
func permanentStatus(status, code int) bool {
	switch code {
	case codeTooManyRequests, codeInternalError, codeUnavailable:
		return false
	}
	switch {
	case status == http.StatusRequestTimeout, status == http.StatusTooEarly,
		status == http.StatusTooManyRequests, status >= 500:
		return false
	case status >= 400:
		return true
	}
	return false
}

// apiError turns what twilio-go returned into an *Error. reply is what our
// transport saw of the HTTP response, if one came.
func apiError(err error, reply reply) *Error {
	e := &Error{Status: reply.status, RetryAfter: reply.retryAfter}
	var rest *client.TwilioRestError
	var restV1 *client.RestErrorV1
	switch {
	case errors.As(err, &rest):
		if rest.Status != 0 {
			e.Status = rest.Status
		}
		e.Code, e.Message, e.MoreInfo = rest.Code, rest.Message, rest.MoreInfo
	case errors.As(err, &restV1):
		if restV1.HttpStatusCode != 0 {
			e.Status = restV1.HttpStatusCode
		}
		e.Code, e.Message = restV1.Code, restV1.Message
	case reply.status >= 200 && reply.status < 300:
		// Twilio accepted the request but its answer could not be read:
		// the message or call probably exists, and asking again would
		// double it.
		e.Message = fmt.Sprintf("accepted with status %d but the response could not be read; the request may have taken effect", reply.status)
		e.Err = err
		e.Permanent = true
		return e
	default:
		e.Err = err // network failure, timeout, cancelled, or an unreadable error body
	}
	e.Permanent = permanentStatus(e.Status, e.Code)
	return e
}

// parseRetryAfter reads a Retry-After header given in seconds.
func parseRetryAfter(v string) time.Duration {
	secs, err := strconv.Atoi(v)
	if err != nil || secs < 0 {
		return 0
	}
	return time.Duration(secs) * time.Second
}
