package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// recordingsPageSize is how many recordings one ListRecordings page holds.
const recordingsPageSize = 100

// transcriptionsPageSize and maxTranscriptionPages bound ListTranscriptions.
const (
	transcriptionsPageSize = 100
	maxTranscriptionPages  = 10
)

// MaxRecordingBytes is the largest recording RecordingMedia returns: 50
// MiB, about 54 minutes of Twilio's 8 kHz 16-bit mono WAV.
const MaxRecordingBytes = 50 << 20

// maxMediaRedirects is how many redirects RecordingMedia follows.
const maxMediaRedirects = 3

// Recording is one of the account's recordings, such as a voicemail
// recorded by RecordTwiML (https://www.twilio.com/docs/voice/api/recording).
type Recording struct {
	// SID identifies the recording ("RE...").
	SID string
	// CallSID is the call it was made on ("CA..."); see CallParties.
	CallSID string
	// Status is processing, completed, absent, failed, in-progress,
	// paused or stopped; its media can be fetched once completed.
	Status string
	// Duration is its length in seconds, 0 while Twilio has not said.
	Duration int
	// Created is its date_created, in UTC; zero if Twilio's date could
	// not be read.
	Created time.Time
	// MediaURL is the URL of its WAV file, which needs the account's
	// credentials to fetch: use RecordingMedia rather than a plain GET.
	MediaURL string
}

// Transcription is Twilio's transcription of a recording
// (https://www.twilio.com/docs/voice/api/recording-transcription).
type Transcription struct {
	// SID identifies the transcription ("TR...").
	SID string
	// RecordingSID is the recording transcribed ("RE...").
	RecordingSID string
	// Status is in-progress, completed or failed.
	Status string
	// Text is the transcript; "" unless Status is completed.
	Text string
	// Created is its date_created, in UTC; zero if Twilio's date could
	// not be read.
	Created time.Time
}

// ListRecordings reads one page of the account's recordings (GET
// /2010-04-01/Accounts/{AccountSid}/Recordings.json, 100 a page), newest
// first as Twilio lists them, keeping those created at or after
// createdAfter (to the second; the zero time keeps all). It is the
// periodic pull that finds the voicemails whose webhooks never came.
//
// pageToken is "" for the first page and otherwise the next that the
// previous call returned, with the same createdAfter. next is "" after the
// last page: when Twilio lists no further page, or once this page reached
// recordings created before createdAfter (the list is newest first, so no
// later page holds a newer one). next is opaque; it carries Twilio's Page
// and PageToken from the page's next_page_uri.
//
// Twilio filters DateCreated by day in GMT, so the filter is sent as
// createdAfter's day and ListRecordings checks each recording's
// date_created itself. A recording whose date_created cannot be read is
// kept, with a zero Created: a missed voicemail is worse than a repeated
// one, which its SID tells apart. A listed recording without a valid SID
// is dropped.
//
// Like SendSMS it carries ctx on the wire and bounds the call by the
// configured timeout. Errors are *Error; IsPermanent tells whether asking
// again can succeed.
func (c *Client) ListRecordings(ctx context.Context, createdAfter time.Time, pageToken string) (recs []Recording, next string, err error) {
	params := &openapi.ListRecordingParams{}
	params.SetPageSize(recordingsPageSize)
	var after time.Time
	if !createdAfter.IsZero() {
		after = createdAfter.UTC().Truncate(time.Second)
		day := time.Date(after.Year(), after.Month(), after.Day(), 0, 0, 0, 0, time.UTC)
		params.SetDateCreatedAfter(day)
	}
	token, page := parsePageToken(pageToken)

	var list *openapi.ListRecordingResponse
	_, err = c.request(ctx, "not looked up", readError("listed"), func(api *openapi.ApiService) (err error) {
		list, err = api.PageRecording(params, token, page)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("list recordings: %w", err)
	}
	older := false
	for _, rec := range list.Recordings {
		created, ok := createdAt(rec.DateCreated)
		if ok && created.Before(after) {
			older = true
			continue
		}
		sid := deref(rec.Sid)
		if !validSID(sid, "RE") {
			continue
		}
		recs = append(recs, Recording{
			SID:      sid,
			CallSID:  deref(rec.CallSid),
			Status:   deref(rec.Status),
			Duration: seconds(rec.Duration),
			Created:  created.UTC(),
			MediaURL: c.wavURL(deref(rec.MediaUrl), sid),
		})
	}
	if !older && list.NextPageUri != nil {
		next = nextPageToken(*list.NextPageUri)
	}
	return recs, next, nil
}

// ListTranscriptions returns the transcriptions of the recording
// recordingSID (GET
// /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}/Transcriptions.json),
// newest first, following Twilio's pages up to 1000 transcriptions. A
// recording made without transcription, or unknown to Twilio, has none: Twilio
// answers an empty list. An invalid SID is refused with a permanent
// *Error before anything is sent.
//
// Like SendSMS it carries ctx on the wire and bounds each page's request
// by the configured timeout. Errors are *Error; IsPermanent tells whether
// asking again can succeed.
func (c *Client) ListTranscriptions(ctx context.Context, recordingSID string) ([]Transcription, error) {
	if !validSID(recordingSID, "RE") {
		return nil, fmt.Errorf("list transcriptions: %w", invalidSID("recording", recordingSID, "RE"))
	}
	params := &openapi.ListRecordingTranscriptionParams{}
	params.SetPageSize(transcriptionsPageSize)
	var out []Transcription
	token, page := "", ""
	for range maxTranscriptionPages {
		var list *openapi.ListRecordingTranscriptionResponse
		_, err := c.request(ctx, "not looked up", readError("listed"), func(api *openapi.ApiService) (err error) {
			list, err = api.PageRecordingTranscription(recordingSID, params, token, page)
			return err
		})
		if err != nil {
			return nil, fmt.Errorf("list transcriptions of %s: %w", recordingSID, err)
		}
		for _, t := range list.Transcriptions {
			created, _ := createdAt(t.DateCreated)
			out = append(out, Transcription{
				SID:          deref(t.Sid),
				RecordingSID: deref(t.RecordingSid),
				Status:       deref(t.Status),
				Text:         deref(t.TranscriptionText),
				Created:      created.UTC(),
			})
		}
		if list.NextPageUri == nil || *list.NextPageUri == "" {
			break
		}
		token, page = parsePageToken(nextPageToken(*list.NextPageUri))
		if token == "" && page == "" {
			break
		}
	}
	return out, nil
}

// CallParties returns who called and who was called on the call callSID
// (GET /2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json): for a
// voicemail, the caller and the support line's number. From may be
// "anonymous" or a client identity rather than a phone number. An invalid
// SID is refused with a permanent *Error before anything is sent; a call
// Twilio does not know is a permanent *Error with status 404.
//
// Like SendSMS it carries ctx on the wire and bounds the call by the
// configured timeout. Errors are *Error; IsPermanent tells whether asking
// again can succeed.
func (c *Client) CallParties(ctx context.Context, callSID string) (from, to string, err error) {
	if !validSID(callSID, "CA") {
		return "", "", fmt.Errorf("fetch call: %w", invalidSID("call", callSID, "CA"))
	}
	var call *openapi.ApiV2010Call
	status, err := c.request(ctx, "not looked up", readError("fetched"), func(api *openapi.ApiService) (err error) {
		call, err = api.FetchCall(callSID, nil)
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("fetch call %s: %w", callSID, err)
	}
	if deref(call.Sid) != callSID {
		return "", "", fmt.Errorf("fetch call %s: %w", callSID, &Error{
			Status: status, Permanent: true, Message: fmt.Sprintf("answered with call sid %q", deref(call.Sid)),
		})
	}
	return deref(call.From), deref(call.To), nil
}

// RecordingMedia fetches the WAV file of the recording recordingSID (GET
// /2010-04-01/Accounts/{AccountSid}/Recordings/{Sid}.wav) with the
// account's credentials, through the configured transport and API base
// URL, and returns its body and Content-Type ("audio/x-wav" when Twilio
// gives none). It works whether or not the account requires HTTP basic
// authentication for media. It follows up to 3 redirects, to https URLs
// or within the API's own scheme and host (Twilio may redirect media to
// its storage); net/http sends the credentials on only to the API's host
// and its subdomains, never to another host.
//
// The caller must close the body. The configured timeout bounds the whole
// download, body included, and cancelling ctx aborts it. A body longer
// than MaxRecordingBytes is refused: when its Content-Length says so,
// with a permanent *Error; else its Read fails with one once past the
// limit. A failed Read is an *Error too.
//
// An invalid SID is refused with a permanent *Error before anything is
// sent. An answer other than 2xx is an *Error mapped as for the other
// calls: 404 (no such recording, or its media was deleted) is permanent.
// The recording's media may not exist yet while its Status is processing.
func (c *Client) RecordingMedia(ctx context.Context, recordingSID string) (io.ReadCloser, string, error) {
	if !validSID(recordingSID, "RE") {
		return nil, "", fmt.Errorf("fetch recording media: %w", invalidSID("recording", recordingSID, "RE"))
	}
	if err := ctx.Err(); err != nil {
		return nil, "", fmt.Errorf("fetch recording media %s: %w", recordingSID, &Error{Message: "not fetched", Err: err})
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	transport := &callTransport{ctx: ctx, next: c.transport}
	hc := &http.Client{Transport: transport, CheckRedirect: c.mediaRedirect, Jar: c.jar}
	api := newAPIClient(c.base, hc, c.cfg.AccountSID, c.username, c.password)
	resp, err := api.SendRequest(http.MethodGet, c.wavURL("", recordingSID), nil, map[string]any{"Accept": "audio/*"})
	if err != nil {
		cancel()
		return nil, "", fmt.Errorf("fetch recording media %s: %w", recordingSID, apiError(err, transport.reply))
	}
	fail := func(e *Error) (io.ReadCloser, string, error) {
		_ = resp.Body.Close()
		cancel()
		return nil, "", fmt.Errorf("fetch recording media %s: %w", recordingSID, e)
	}
	switch {
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		// A redirect not followed: twilio-go passes 3xx answers on.
		return fail(&Error{Status: resp.StatusCode, Permanent: true,
			Message: "redirected where recording media is not fetched from"})
	case resp.ContentLength > MaxRecordingBytes:
		return fail(&Error{Status: resp.StatusCode, Permanent: true,
			Message: fmt.Sprintf("recording is %d bytes, more than %d", resp.ContentLength, MaxRecordingBytes)})
	}
	contentType := resp.Header.Get("Content-Type")
	if contentType == "" {
		contentType = "audio/x-wav"
	}
	body := &mediaBody{
		r: io.LimitReader(resp.Body, MaxRecordingBytes+1), body: resp.Body,
		cancel: cancel, sid: recordingSID, status: resp.StatusCode,
	}
	return body, contentType, nil
}

// mediaRedirect lets RecordingMedia follow up to maxMediaRedirects
// redirects to https URLs, or to the API base URL's scheme and host. Any
// other redirect is passed on, unfollowed, and refused.
func (c *Client) mediaRedirect(req *http.Request, via []*http.Request) error {
	sameOrigin := req.URL.Scheme == c.base.Scheme && req.URL.Host == c.base.Host
	if len(via) > maxMediaRedirects || (req.URL.Scheme != "https" && !sameOrigin) {
		return http.ErrUseLastResponse
	}
	return nil
}

// mediaBody is RecordingMedia's body: it refuses to read past
// MaxRecordingBytes, reports read failures as *Error, and ends the
// download's context when closed.
type mediaBody struct {
	r      io.Reader // body, limited to MaxRecordingBytes+1
	body   io.ReadCloser
	n      int64 // bytes read so far
	cancel context.CancelFunc
	sid    string
	status int
}

// Read implements io.Reader.
func (b *mediaBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.n += int64(n)
	if b.n > MaxRecordingBytes {
		return n - int(b.n-MaxRecordingBytes), fmt.Errorf("read recording media %s: %w", b.sid, &Error{
			Status: b.status, Permanent: true,
			Message: fmt.Sprintf("recording is more than %d bytes", MaxRecordingBytes),
		})
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, fmt.Errorf("read recording media %s: %w", b.sid, &Error{Status: b.status, Message: "download failed", Err: err})
	}
	return n, err
}

// Close implements io.Closer: it closes the body and ends the download.
func (b *mediaBody) Close() error {
	err := b.body.Close()
	b.cancel()
	if err != nil {
		return fmt.Errorf("close recording media %s: %w", b.sid, err)
	}
	return nil
}

// wavURL is the URL of the WAV file of the recording sid: Twilio's
// media_url with the extension .wav when it is an absolute URL, else the
// media's URL on Twilio's API, where RecordingMedia fetches it (through
// the configured API base URL).
func (c *Client) wavURL(mediaURL, sid string) string {
	if u, err := url.Parse(mediaURL); mediaURL != "" && err == nil && u.IsAbs() && u.Host != "" {
		u.Path = strings.TrimSuffix(u.Path, path.Ext(u.Path)) + ".wav"
		u.RawPath = ""
		return u.String()
	}
	return DefaultAPIBaseURL + "/2010-04-01/Accounts/" + c.cfg.AccountSID + "/Recordings/" + sid + ".wav"
}

// nextPageToken turns a list page's next_page_uri into the opaque token
// ListRecordings returns: its Page and PageToken, query-encoded. It is ""
// when the URI names neither.
func nextPageToken(nextPageURI string) string {
	u, err := url.Parse(nextPageURI)
	if err != nil {
		return ""
	}
	q := u.Query()
	token := url.Values{}
	for _, key := range []string{"Page", "PageToken"} {
		if v := q.Get(key); v != "" {
			token.Set(key, v)
		}
	}
	return token.Encode()
}

// parsePageToken reads a token made by nextPageToken into the pageToken
// and pageNumber twilio-go's Page methods take. A token that is not one,
// such as a bare PageToken from a next_page_uri, is taken as the
// PageToken.
func parsePageToken(s string) (pageToken, pageNumber string) {
	if s == "" {
		return "", ""
	}
	q, err := url.ParseQuery(s)
	if err != nil || (!q.Has("Page") && !q.Has("PageToken")) {
		return s, ""
	}
	return q.Get("PageToken"), q.Get("Page")
}

// seconds reads a duration Twilio gives as a string of seconds; 0 when
// absent, unreadable or negative (Twilio says -1 while it does not know).
func seconds(s *string) int {
	n, err := strconv.Atoi(deref(s))
	if err != nil || n < 0 {
		return 0
	}
	return n
}

// invalidSID is the permanent *Error for a SID of kind (such as
// "recording") that is not prefix followed by 32 hex digits.
func invalidSID(kind, sid, prefix string) *Error {
	return &Error{
		Permanent: true,
		Message:   fmt.Sprintf("%s sid %q is not %q followed by 32 hex digits", kind, sid, prefix),
	}
}

// readError returns the error mapper of a list or fetch: what twilio-go
// returned becomes an *Error as for any call, except for a 2xx answer that
// could not be read. Such a read changed nothing. When the answer came
// whole but is not the JSON expected, it is permanent: asking again reads
// the same. When reading it failed (the timeout, a cancelled ctx, a
// connection cut short) it is retryable, with the cause wrapped.
func readError(what string) func(error, reply) *Error {
	return func(err error, reply reply) *Error {
		if reply.status < 200 || reply.status >= 300 {
			return apiError(err, reply)
		}
		var syntax *json.SyntaxError
		var wrongType *json.UnmarshalTypeError
		if errors.As(err, &syntax) || errors.As(err, &wrongType) {
			return &Error{
				Status: reply.status, Permanent: true, Err: err,
				Message: fmt.Sprintf("%s with status %d but the answer could not be read", what, reply.status),
			}
		}
		return &Error{
			Status: reply.status, Err: err,
			Message: fmt.Sprintf("%s with status %d but reading the answer failed", what, reply.status),
		}
	}
}
