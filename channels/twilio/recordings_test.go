package twilio_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
)

const (
	caller     = "+14155559876"
	transcript = "Hi, this is Jane about order 4411 & the <refund>. Please call back."
	recSID     = "REfedcba98765432100123456789abcdef"
	recSID2    = "REfedcba98765432111123456789abcdef"
	callSID    = "CAfedcba98765432100123456789abcdef"
	recPath    = "/2010-04-01/Accounts/" + accountSID + "/Recordings"
)

// voicemailLine stands in for the gateway's support line on loopback: it
// rings the staff with DialFirstTwiML and, when nobody answers, records a
// voicemail with RecordTwiML, keeping what the callbacks carried.
type voicemailLine struct {
	*gateway
	dials       []twilio.DialAction
	recorded    []twilio.RecordingCallback // <Record action>
	statuses    []twilio.RecordingCallback // recordingStatusCallback
	transcripts []twilio.TranscriptionCallback
}

// newVoicemailLine starts a support line that rings staff.
func newVoicemailLine(t *testing.T, staff ...string) *voicemailLine {
	t.Helper()
	l := &voicemailLine{gateway: &gateway{t: t}}
	keep := func(dst any) func(w http.ResponseWriter, r *http.Request) {
		return func(w http.ResponseWriter, r *http.Request) {
			switch dst := dst.(type) {
			case *[]twilio.RecordingCallback:
				if v, ok := parse(l.gateway, w, r, twilio.ParseRecording); ok {
					l.mu.Lock()
					*dst = append(*dst, v)
					l.mu.Unlock()
				}
			case *[]twilio.TranscriptionCallback:
				if v, ok := parse(l.gateway, w, r, twilio.ParseTranscription); ok {
					l.mu.Lock()
					*dst = append(*dst, v)
					l.mu.Unlock()
				}
			}
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /voice", func(w http.ResponseWriter, r *http.Request) {
		if _, ok := parse(l.gateway, w, r, twilio.ParseVoiceRequest); ok {
			twiml(l.gateway, w)(twilio.DialFirstTwiML(twilio.DialFirst{
				Numbers: staff, CallerID: sender, Timeout: 15, ActionURL: l.url + "/dialed?line=support",
			}))
		}
	})
	mux.HandleFunc("POST /dialed", func(w http.ResponseWriter, r *http.Request) {
		d, ok := parse(l.gateway, w, r, twilio.ParseDialAction)
		if !ok {
			return
		}
		l.mu.Lock()
		l.dials = append(l.dials, d)
		l.mu.Unlock()
		if d.Connected() {
			twiml(l.gateway, w)(twilio.SayTwiML(""))
			return
		}
		twiml(l.gateway, w)(twilio.RecordTwiML(twilio.Record{
			Greeting:                twilio.Greeting{Text: "Nobody can take your call. Leave a message after the beep."},
			MaxLength:               120,
			ActionURL:               l.url + "/recorded?line=support",
			RecordingStatusCallback: l.url + "/recording-status",
			TranscribeCallback:      l.url + "/transcription",
		}))
	})
	mux.HandleFunc("POST /recorded", func(w http.ResponseWriter, r *http.Request) {
		if v, ok := parse(l.gateway, w, r, twilio.ParseRecording); ok {
			l.mu.Lock()
			l.recorded = append(l.recorded, v)
			l.mu.Unlock()
			twiml(l.gateway, w)(twilio.SayTwiML("Thank you. Goodbye."))
		}
	})
	mux.HandleFunc("POST /recording-status", keep(&l.statuses))
	mux.HandleFunc("POST /transcription", keep(&l.transcripts))
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	l.url = srv.URL
	return l
}

func TestVoicemailRecordedAndFetched(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	line := newVoicemailLine(t, agentPhone, "+14155550199")
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	start := time.Now()
	call, err := srv.CallIn(ctx, line.url+"/voice", twiliotest.Caller{
		From: caller, Speaks: 42 * time.Second, Transcript: transcript, NoAnswerAtDial: true,
	})
	if err != nil {
		t.Fatalf("CallIn() = %v, want nil", err)
	}
	line.mu.Lock()
	dials, recorded, statuses, transcripts := line.dials, line.recorded, line.statuses, line.transcripts
	line.mu.Unlock()
	if len(dials) != 1 || dials[0].DialCallStatus != "no-answer" || len(recorded) != 1 || len(statuses) != 1 || len(transcripts) != 1 {
		t.Fatalf("callbacks: dial %+v, recorded %+v, status %+v, transcription %+v; want no-answer and one of each\nwebhooks: %+v",
			dials, recorded, statuses, transcripts, srv.Webhooks())
	}
	sid := recorded[0].RecordingSID
	if recorded[0].CallSID != call.SID || statuses[0].RecordingSID != sid || transcripts[0].RecordingSID != sid {
		t.Errorf("callbacks name recordings %s, %s, %s on call %s; want one recording on %s",
			sid, statuses[0].RecordingSID, transcripts[0].RecordingSID, recorded[0].CallSID, call.SID)
	}

	// The periodic pull finds the voicemail through the REST API.
	c := newClient(t, cfg)
	recs, next, err := c.ListRecordings(ctx, start.Add(-time.Second), "")
	if err != nil || next != "" || len(recs) != 1 {
		t.Fatalf("ListRecordings() = %+v, %q, %v; want the one recording, no next page", recs, next, err)
	}
	rec := recs[0]
	if rec.SID != sid || rec.CallSID != call.SID || rec.Status != "completed" || rec.Duration != 42 ||
		rec.Created.Before(start.Add(-time.Second)) || !strings.HasSuffix(rec.MediaURL, "/Recordings/"+sid+".wav") {
		t.Errorf("ListRecordings()[0] = %+v; want %s on %s, completed, 42 s, created now, a .wav MediaURL", rec, sid, call.SID)
	}

	trs, err := c.ListTranscriptions(ctx, sid)
	if err != nil || len(trs) != 1 {
		t.Fatalf("ListTranscriptions(%s) = %+v, %v; want one", sid, trs, err)
	}
	if tr := trs[0]; tr.SID != transcripts[0].TranscriptionSID || tr.RecordingSID != sid || tr.Status != "completed" ||
		tr.Text != transcript || tr.Created.IsZero() {
		t.Errorf("ListTranscriptions(%s)[0] = %+v; want %s, completed, %q", sid, tr, transcripts[0].TranscriptionSID, transcript)
	}

	from, to, err := c.CallParties(ctx, rec.CallSID)
	if err != nil || from != caller || to != srv.Number() {
		t.Errorf("CallParties(%s) = %q, %q, %v; want %q, %q", rec.CallSID, from, to, err, caller, srv.Number())
	}

	body, contentType, err := c.RecordingMedia(ctx, sid)
	if err != nil {
		t.Fatalf("RecordingMedia(%s) = %v, want nil", sid, err)
	}
	wav, err := io.ReadAll(body)
	if cerr := body.Close(); err != nil || cerr != nil {
		t.Fatalf("read recording media = %v, close = %v; want nil", err, cerr)
	}
	if !strings.Contains(contentType, "wav") || !bytes.HasPrefix(wav, []byte("RIFF")) || !bytes.Equal(wav[8:12], []byte("WAVE")) ||
		len(wav) != 44+8000*42 {
		t.Errorf("RecordingMedia(%s) = %d bytes of %q, starting %q; want a 42-second WAV", sid, len(wav), contentType, wav[:min(len(wav), 12)])
	}

	// Asking again after the webhooks did their work finds the same.
	if again, _, err := c.ListRecordings(ctx, start.Add(-time.Second), ""); err != nil || len(again) != 1 || again[0].SID != sid {
		t.Errorf("ListRecordings() again = %+v, %v; want %s only", again, err, sid)
	}
}

func TestListRecordingsPagesNewestFirst(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	sids := srv.AddRecordings(250, caller, transcript)
	slices.Reverse(sids) // Twilio lists newest first
	c := newClient(t, cfg)
	var got []string
	var sizes []int
	token := ""
	for page := 0; ; page++ {
		if page > 5 {
			t.Fatalf("ListRecordings() still pages after %d pages", page)
		}
		recs, next, err := c.ListRecordings(t.Context(), time.Now().Add(-time.Hour), token)
		if err != nil {
			t.Fatalf("ListRecordings(page %d, %q) = %v, want nil", page, token, err)
		}
		sizes = append(sizes, len(recs))
		for _, r := range recs {
			got = append(got, r.SID)
		}
		if next == "" {
			break
		}
		token = next
	}
	if !slices.Equal(sizes, []int{100, 100, 50}) || !slices.Equal(got, sids) {
		t.Errorf("ListRecordings() pages of %v, %d recordings; want pages of [100 100 50], all 250 newest first", sizes, len(got))
	}

	// Twilio filters by day: recordings made today but before createdAfter
	// come back from it, and ListRecordings drops them itself.
	recs, next, err := c.ListRecordings(t.Context(), time.Now().Add(time.Minute), "")
	if err != nil || len(recs) != 0 || next != "" {
		t.Errorf("ListRecordings(in a minute) = %d recordings, next %q, %v; want none and no next page", len(recs), next, err)
	}
}

// recordingJSON is a recording as Twilio's OpenAPI schema
// api.v2010.account.recording describes it.
func recordingJSON(sid, created string) map[string]any {
	path := recPath + "/" + sid
	return map[string]any{
		"account_sid": accountSID, "api_version": "2010-04-01", "call_sid": callSID, "conference_sid": nil,
		"date_created": created, "date_updated": created, "start_time": created, "duration": "17",
		"sid": sid, "price": "-0.0025", "price_unit": "USD", "status": "completed", "channels": 1,
		"source": "RecordVerb", "error_code": nil, "uri": path + ".json", "encryption_details": nil,
		"subresource_uris": map[string]any{"transcriptions": path + "/Transcriptions.json"},
		"media_url":        "https://api.twilio.com" + path,
	}
}

// listJSON is one page of a Twilio list holding items under key, with
// next_page_uri next (null when "").
func listJSON(path, key string, items []map[string]any, next string) map[string]any {
	page := map[string]any{
		"first_page_uri": path + "?PageSize=100&Page=0", "uri": path + "?PageSize=100&Page=0",
		"page": 0, "page_size": 100, "start": 0, "end": max(len(items)-1, 0),
		"previous_page_uri": nil, "next_page_uri": nil, key: items,
	}
	if next != "" {
		page["next_page_uri"] = next
	}
	return page
}

// writeJSON answers with v as JSON and status.
func writeJSON(t *testing.T, w http.ResponseWriter, status int, v any) {
	t.Helper()
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		t.Errorf("write answer: %v", err)
	}
}

// checkAuth fails the test unless r carries the account's credentials.
func checkAuth(t *testing.T, r *http.Request) {
	t.Helper()
	if user, pass, ok := r.BasicAuth(); !ok || user != accountSID || pass != authToken {
		t.Errorf("%s %s: basic auth %q, %v; want the account's credentials", r.Method, r.URL.Path, user, ok)
	}
}

func TestListRecordingsQueryFilterAndToken(t *testing.T) {
	t.Parallel()
	// 10:30:15.5 at UTC+1 is 09:30:15 UTC, to the second.
	createdAfter := time.Date(2026, 3, 13, 10, 30, 15, 500e6, time.FixedZone("CET", 3600))
	const token = "PARE0123456789abcdef0123456789abcdef"
	var mu sync.Mutex
	var queries []url.Values
	cfg := setupAPI(t, func(w http.ResponseWriter, r *http.Request) {
		checkAuth(t, r)
		if r.Method != http.MethodGet || r.URL.Path != recPath+".json" {
			t.Errorf("request %s %s, want GET %s.json", r.Method, r.URL.Path, recPath)
		}
		mu.Lock()
		queries = append(queries, r.URL.Query())
		mu.Unlock()
		next := recPath + ".json?DateCreated%3E=2026-03-13T00%3A00%3A00Z&PageSize=100&Page=1&PageToken=" + token
		if r.URL.Query().Get("PageToken") == "" {
			noMedia := recordingJSON(recSID2, "Fri, 13 Mar 2026 09:40:00 +0000")
			delete(noMedia, "media_url")
			writeJSON(t, w, http.StatusOK, listJSON(recPath+".json", "recordings", []map[string]any{
				recordingJSON(recSID, "Fri, 13 Mar 2026 09:45:00 +0000"),
				noMedia,
				recordingJSON("REnot-a-sid", "Fri, 13 Mar 2026 09:35:00 +0000"),
				recordingJSON("RE2123456789abcdef0123456789abcdef", "Fri, 13 Mar 2026 09:30:15 +0000"),
			}, next))
			return
		}
		writeJSON(t, w, http.StatusOK, listJSON(recPath+".json", "recordings", []map[string]any{
			recordingJSON("RE3123456789abcdef0123456789abcdef", "13 March 2026"),
			recordingJSON("RE4123456789abcdef0123456789abcdef", "Fri, 13 Mar 2026 09:30:14 +0000"),
		}, next))
	})
	c := newClient(t, cfg)
	recs, next, err := c.ListRecordings(t.Context(), createdAfter, "")
	if err != nil || next == "" {
		t.Fatalf("ListRecordings(page 1) = %+v, %q, %v; want recordings and a next page", recs, next, err)
	}
	want := []twilio.Recording{{
		SID: recSID, CallSID: callSID, Status: "completed", Duration: 17,
		Created:  time.Date(2026, 3, 13, 9, 45, 0, 0, time.UTC),
		MediaURL: "https://api.twilio.com" + recPath + "/" + recSID + ".wav",
	}, {
		SID: recSID2, CallSID: callSID, Status: "completed", Duration: 17,
		Created:  time.Date(2026, 3, 13, 9, 40, 0, 0, time.UTC),
		MediaURL: "https://api.twilio.com" + recPath + "/" + recSID2 + ".wav",
	}, {
		SID: "RE2123456789abcdef0123456789abcdef", CallSID: callSID, Status: "completed", Duration: 17,
		Created:  time.Date(2026, 3, 13, 9, 30, 15, 0, time.UTC),
		MediaURL: "https://api.twilio.com" + recPath + "/RE2123456789abcdef0123456789abcdef.wav",
	}}
	if !slices.Equal(recs, want) {
		t.Errorf("ListRecordings(page 1) = %+v\nwant %+v (the invalid SID dropped, 09:30:15 kept)", recs, want)
	}

	recs, last, err := c.ListRecordings(t.Context(), createdAfter, next)
	if err != nil || last != "" || len(recs) != 1 || recs[0].SID != "RE3123456789abcdef0123456789abcdef" || !recs[0].Created.IsZero() {
		t.Errorf("ListRecordings(page 2) = %+v, %q, %v; want the one with an unreadable date (zero Created), "+
			"09:30:14 dropped, and no next page after it", recs, last, err)
	}

	mu.Lock()
	seen := slices.Clone(queries)
	mu.Unlock()
	if len(seen) != 2 {
		t.Fatalf("%d list requests, want 2", len(seen))
	}
	first := url.Values{"PageSize": {"100"}, "DateCreated>": {"2026-03-13T00:00:00Z"}}
	second := url.Values{"PageSize": {"100"}, "DateCreated>": {"2026-03-13T00:00:00Z"}, "Page": {"1"}, "PageToken": {token}}
	for i, want := range []url.Values{first, second} {
		if fmt.Sprint(seen[i]) != fmt.Sprint(want) {
			t.Errorf("list request %d query = %v, want %v", i, seen[i], want)
		}
	}

	// A bare PageToken is taken as one too.
	if _, _, err := c.ListRecordings(t.Context(), time.Time{}, token); err != nil {
		t.Fatalf("ListRecordings(bare token) = %v, want nil", err)
	}
	mu.Lock()
	q := queries[len(queries)-1]
	mu.Unlock()
	if q.Get("PageToken") != token || q.Has("Page") || q.Has("DateCreated>") {
		t.Errorf("ListRecordings(zero time, bare token) query = %v; want PageToken only, no Page, no date filter", q)
	}
}

func TestListTranscriptionsFollowsPages(t *testing.T) {
	t.Parallel()
	path := recPath + "/" + recSID + "/Transcriptions.json"
	transcription := func(sid, status, text string) map[string]any {
		return map[string]any{
			"account_sid": accountSID, "api_version": "2010-04-01",
			"date_created": "Fri, 13 Mar 2026 09:46:00 +0000", "date_updated": "Fri, 13 Mar 2026 09:46:30 +0000",
			"duration": "17", "price": nil, "price_unit": "USD", "recording_sid": recSID, "sid": sid,
			"status": status, "transcription_text": text, "type": "fast",
			"uri": "/2010-04-01/Accounts/" + accountSID + "/Transcriptions/" + sid + ".json",
		}
	}
	var pages atomic.Int32
	cfg := setupAPI(t, func(w http.ResponseWriter, r *http.Request) {
		checkAuth(t, r)
		if r.URL.Path != path {
			t.Errorf("request %s, want %s", r.URL.Path, path)
		}
		pages.Add(1)
		if r.URL.Query().Get("PageToken") == "" {
			writeJSON(t, w, http.StatusOK, listJSON(path, "transcriptions", []map[string]any{
				transcription("TR0123456789abcdef0123456789abcdef", "completed", transcript),
			}, path+"?PageSize=100&Page=1&PageToken=PATR0123456789abcdef0123456789abcdef"))
			return
		}
		if q := r.URL.Query(); q.Get("Page") != "1" || q.Get("PageSize") != "100" {
			t.Errorf("second page query = %v, want Page 1, PageSize 100", q)
		}
		failed := transcription("TR1123456789abcdef0123456789abcdef", "failed", "")
		failed["transcription_text"] = nil
		writeJSON(t, w, http.StatusOK, listJSON(path, "transcriptions", []map[string]any{failed}, ""))
	})
	trs, err := newClient(t, cfg).ListTranscriptions(t.Context(), recSID)
	want := []twilio.Transcription{
		{SID: "TR0123456789abcdef0123456789abcdef", RecordingSID: recSID, Status: "completed", Text: transcript,
			Created: time.Date(2026, 3, 13, 9, 46, 0, 0, time.UTC)},
		{SID: "TR1123456789abcdef0123456789abcdef", RecordingSID: recSID, Status: "failed",
			Created: time.Date(2026, 3, 13, 9, 46, 0, 0, time.UTC)},
	}
	if err != nil || len(trs) != 2 || pages.Load() != 2 {
		t.Fatalf("ListTranscriptions() = %+v, %v after %d pages; want two over two pages", trs, err, pages.Load())
	}
	if !slices.Equal(trs, want) {
		t.Errorf("ListTranscriptions() = %+v\nwant %+v", trs, want)
	}
}

// restCall is one of the REST methods, called with valid arguments.
type restCall struct {
	name string
	call func(context.Context, *twilio.Client) error
}

var restCalls = []restCall{
	{"ListRecordings", func(ctx context.Context, c *twilio.Client) error {
		_, _, err := c.ListRecordings(ctx, time.Now().Add(-time.Hour), "")
		return err
	}},
	{"ListTranscriptions", func(ctx context.Context, c *twilio.Client) error {
		_, err := c.ListTranscriptions(ctx, recSID)
		return err
	}},
	{"CallParties", func(ctx context.Context, c *twilio.Client) error {
		_, _, err := c.CallParties(ctx, callSID)
		return err
	}},
	{"RecordingMedia", func(ctx context.Context, c *twilio.Client) error {
		body, _, err := c.RecordingMedia(ctx, recSID)
		if err == nil {
			_, err = io.Copy(io.Discard, body)
			_ = body.Close()
		}
		return err
	}},
	// The lookups made before sending or placing again: a failed read of
	// their answer must be retryable, or the caller would double.
	{"FindSent", func(ctx context.Context, c *twilio.Client) error {
		_, _, err := c.FindSent(ctx, "+14155550100", "hello", time.Now())
		return err
	}},
	{"FindCall", func(ctx context.Context, c *twilio.Client) error {
		_, _, err := c.FindCall(ctx, "+14155550100", time.Now())
		return err
	}},
}

// twilioError answers as Twilio does for a failed request.
func twilioError(t *testing.T, w http.ResponseWriter, status, code int) {
	t.Helper()
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "2")
	}
	writeJSON(t, w, status, map[string]any{
		"code": code, "message": http.StatusText(status), "status": status,
		"more_info": "https://www.twilio.com/docs/errors/" + strconv.Itoa(code),
	})
}

func TestRecordingRESTErrorsAreClassified(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status, code int
		permanent    bool
	}{
		{500, 20500, false}, {503, 20503, false}, {429, 20429, false},
		{401, 20003, true}, {404, 20404, true}, {400, 20001, true},
	}
	for _, rc := range restCalls {
		for _, tt := range tests {
			t.Run(fmt.Sprintf("%s/%d", rc.name, tt.status), func(t *testing.T) {
				t.Parallel()
				cfg := setupAPI(t, func(w http.ResponseWriter, _ *http.Request) { twilioError(t, w, tt.status, tt.code) })
				err := rc.call(t.Context(), newClient(t, cfg))
				e := asError(t, err)
				if e.Status != tt.status || e.Code != tt.code || e.Permanent != tt.permanent || strings.Contains(err.Error(), authToken) {
					t.Errorf("%s() = %v; want status %d, code %d, permanent %v, no auth token", rc.name, err, tt.status, tt.code, tt.permanent)
				}
				if tt.status == 429 && e.RetryAfter != 2*time.Second {
					t.Errorf("%s() RetryAfter = %v, want 2s", rc.name, e.RetryAfter)
				}
			})
		}
		t.Run(rc.name+"/closed port", func(t *testing.T) {
			t.Parallel()
			api := httptest.NewServer(http.NotFoundHandler())
			api.Close()
			err := rc.call(t.Context(), newClient(t, config(api.URL)))
			if e := asError(t, err); e.Status != 0 || e.Permanent {
				t.Errorf("%s() to a closed port = %v; want no status, retryable", rc.name, err)
			}
		})
		t.Run(rc.name+"/cancelled", func(t *testing.T) {
			t.Parallel()
			var requests atomic.Int32
			cfg := setupAPI(t, func(http.ResponseWriter, *http.Request) { requests.Add(1) })
			ctx, cancel := context.WithCancel(t.Context())
			cancel()
			err := rc.call(ctx, newClient(t, cfg))
			if !errors.Is(err, context.Canceled) || twilio.IsPermanent(err) || requests.Load() != 0 {
				t.Errorf("%s() with a cancelled context = %v after %d requests; want context.Canceled, retryable, none sent",
					rc.name, err, requests.Load())
			}
		})
		t.Run(rc.name+"/stalled", func(t *testing.T) {
			t.Parallel()
			cfg := setupAPI(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", "1000")
				_, _ = w.Write([]byte(`{"sid": `)) // a JSON answer, or media, cut short
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			})
			c, err := twilio.New(cfg, &http.Client{Timeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = rc.call(t.Context(), c)
			if !errors.Is(err, context.DeadlineExceeded) || twilio.IsPermanent(err) || time.Since(start) > 5*time.Second {
				t.Errorf("%s() against a stalled answer = %v after %v; want context.DeadlineExceeded, retryable, at the timeout",
					rc.name, err, time.Since(start))
			}
		})
	}
	for _, rc := range restCalls[:3] {
		t.Run(rc.name+"/garbled 200", func(t *testing.T) {
			t.Parallel()
			cfg := setupAPI(t, func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("{not json")) })
			err := rc.call(t.Context(), newClient(t, cfg))
			if e := asError(t, err); e.Status != 200 || !e.Permanent {
				t.Errorf("%s() answered 200 garbled = %v; want status 200, permanent (asking again reads the same)", rc.name, err)
			}
		})
	}
}

func TestRecordingRESTRefusesBadSIDsLocally(t *testing.T) {
	t.Parallel()
	var requests atomic.Int32
	cfg := setupAPI(t, func(http.ResponseWriter, *http.Request) { requests.Add(1) })
	c := newClient(t, cfg)
	bad := []string{"", "RE123", callSID, "../Calls/" + callSID, recSID + ".json", "re0123456789abcdef0123456789abcdef"}
	for _, sid := range bad {
		if _, err := c.ListTranscriptions(t.Context(), sid); !twilio.IsPermanent(err) {
			t.Errorf("ListTranscriptions(%q) = %v, want a permanent error", sid, err)
		}
		if body, _, err := c.RecordingMedia(t.Context(), sid); !twilio.IsPermanent(err) || body != nil {
			t.Errorf("RecordingMedia(%q) = %v, %v; want a permanent error", sid, body, err)
		}
	}
	for _, sid := range []string{"", recSID, "CA123", "CA0123456789abcdef0123456789abcdef/../x"} {
		if _, _, err := c.CallParties(t.Context(), sid); !twilio.IsPermanent(err) {
			t.Errorf("CallParties(%q) = %v, want a permanent error", sid, err)
		}
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestCallPartiesAgainstStandIn(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t)
	c := newClient(t, cfg)
	_, _, err := c.CallParties(t.Context(), callSID)
	if e := asError(t, err); e.Status != 404 || e.Code != 20404 || !e.Permanent {
		t.Errorf("CallParties(unknown call) = %v; want status 404, code 20404, permanent", err)
	}
	srv.FailNextCalls(1, 503)
	_, _, err = c.CallParties(t.Context(), callSID)
	if e := asError(t, err); e.Status != 503 || e.Permanent {
		t.Errorf("CallParties() answered 503 = %v; want status 503, retryable", err)
	}
	res, err := c.PlaceCall(t.Context(), twilio.Call{To: agentPhone, URL: "https://triage.example.com/voice"})
	if err != nil {
		t.Fatalf("PlaceCall() = %v, want nil", err)
	}
	if from, to, err := c.CallParties(t.Context(), res.SID); err != nil || from != sender || to != agentPhone {
		t.Errorf("CallParties(placed call) = %q, %q, %v; want %q, %q", from, to, err, sender, agentPhone)
	}
}

func TestRecordingMediaUnknownRecording(t *testing.T) {
	t.Parallel()
	_, cfg := setup(t)
	body, _, err := newClient(t, cfg).RecordingMedia(t.Context(), recSID)
	if e := asError(t, err); body != nil || e.Status != 404 || !e.Permanent {
		t.Errorf("RecordingMedia(unknown) = %v, %v; want status 404, permanent", body, err)
	}

	// A 404 whose body is no Twilio error is permanent too.
	cfg = setupAPI(t, func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "<html>gone</html>", http.StatusNotFound) })
	_, _, err = newClient(t, cfg).RecordingMedia(t.Context(), recSID)
	if e := asError(t, err); e.Status != 404 || !e.Permanent {
		t.Errorf("RecordingMedia() answered a 404 page = %v; want status 404, permanent", err)
	}
}

func TestRecordingMediaRequest(t *testing.T) {
	t.Parallel()
	cfg := setupAPI(t, func(w http.ResponseWriter, r *http.Request) {
		checkAuth(t, r)
		if r.Method != http.MethodGet || r.URL.Path != recPath+"/"+recSID+".wav" || r.URL.RawQuery != "" {
			t.Errorf("request %s %s, want GET %s/%s.wav", r.Method, r.URL, recPath, recSID)
		}
		_, _ = w.Write([]byte("RIFF....WAVE"))
	})
	body, contentType, err := newClient(t, cfg).RecordingMedia(t.Context(), recSID)
	if err != nil {
		t.Fatalf("RecordingMedia() = %v, want nil", err)
	}
	defer body.Close()
	if b, err := io.ReadAll(body); err != nil || string(b) != "RIFF....WAVE" || contentType == "" {
		t.Errorf("RecordingMedia() = %q of %q, %v; want the body and its content type", b, contentType, err)
	}
}

func TestRecordingMediaRefusesTooLarge(t *testing.T) {
	t.Parallel()
	announced := setupAPI(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(twilio.MaxRecordingBytes+1))
		w.WriteHeader(http.StatusOK)
	})
	body, _, err := newClient(t, announced).RecordingMedia(t.Context(), recSID)
	if e := asError(t, err); body != nil || e.Status != 200 || !e.Permanent {
		t.Errorf("RecordingMedia(Content-Length over the cap) = %v, %v; want status 200, permanent", body, err)
	}

	streamed := setupAPI(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "audio/x-wav")
		chunk := make([]byte, 1<<20)
		for written := 0; written <= twilio.MaxRecordingBytes; written += len(chunk) {
			if _, err := w.Write(chunk); err != nil || r.Context().Err() != nil {
				return
			}
		}
	})
	body, contentType, err := newClient(t, streamed).RecordingMedia(t.Context(), recSID)
	if err != nil || contentType != "audio/x-wav" {
		t.Fatalf("RecordingMedia(no Content-Length) = %q, %v; want audio/x-wav, nil until read", contentType, err)
	}
	n, err := io.Copy(io.Discard, body)
	if cerr := body.Close(); cerr != nil {
		t.Errorf("Close() = %v, want nil", cerr)
	}
	if n != twilio.MaxRecordingBytes || !twilio.IsPermanent(err) {
		t.Errorf("read %d bytes, %v; want %d bytes, then a permanent error", n, err, twilio.MaxRecordingBytes)
	}
}

func TestRecordingMediaRedirects(t *testing.T) {
	t.Parallel()
	const wav = "RIFF$\x00\x00\x00WAVE"
	// Twilio's storage, on https, reached as example.com.
	var storageAuth atomic.Value
	storage := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storageAuth.Store(r.Header.Get("Authorization"))
		if r.URL.Query().Get("Signature") != "s1g" {
			t.Errorf("storage request %s, want the signed URL", r.URL)
		}
		w.Header().Set("Content-Type", "audio/x-wav")
		_, _ = io.WriteString(w, wav)
	}))
	t.Cleanup(storage.Close)
	transport := storage.Client().Transport.(*http.Transport).Clone()
	dial := (&net.Dialer{}).DialContext
	transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		if addr == "example.com:443" {
			addr = storage.Listener.Addr().String()
		}
		return dial(ctx, network, addr)
	}
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case recPath + "/" + recSID + ".wav": // to the same host
			checkAuth(t, r)
			http.Redirect(w, r, recPath+"/"+recSID+"/media.wav", http.StatusFound)
		case recPath + "/" + recSID + "/media.wav": // then to storage
			checkAuth(t, r)
			http.Redirect(w, r, "https://example.com/recordings/"+recSID+".wav?Expires=1&Signature=s1g", http.StatusFound)
		case recPath + "/" + recSID2 + ".wav": // in clear elsewhere: refused
			http.Redirect(w, r, "http://example.com/recordings/"+recSID2+".wav", http.StatusFound)
		default:
			t.Errorf("unexpected request %s", r.URL)
		}
	}))
	t.Cleanup(api.Close)
	c, err := twilio.New(config(api.URL), &http.Client{Transport: transport})
	if err != nil {
		t.Fatal(err)
	}

	body, _, err := c.RecordingMedia(t.Context(), recSID)
	if err != nil {
		t.Fatalf("RecordingMedia(redirected to storage) = %v, want nil", err)
	}
	b, err := io.ReadAll(body)
	_ = body.Close()
	if err != nil || string(b) != wav {
		t.Errorf("RecordingMedia(redirected to storage) read %q, %v; want %q", b, err, wav)
	}
	if auth, _ := storageAuth.Load().(string); auth != "" {
		t.Errorf("storage got Authorization %q, want the credentials kept to the API host", auth)
	}

	body, _, err = c.RecordingMedia(t.Context(), recSID2)
	if e := asError(t, err); body != nil || e.Status != http.StatusFound || !e.Permanent || strings.Contains(err.Error(), "example.com") {
		t.Errorf("RecordingMedia(redirected to plain http) = %v, %v; want status 302, permanent, the location not shown", body, err)
	}
}
