package twiliotest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	openapi "github.com/twilio/twilio-go/rest/api/v2010"
)

// accountPath is the account's REST path prefix.
const accountPath = "/2010-04-01/Accounts/" + accountSID + "/"

func TestRecordingsAndTranscriptionsThroughTwilioGo(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	sids := srv.AddRecordings(120, customer, "Please call me back.")
	if len(sids) != 120 || len(srv.Recordings()) != 120 || len(srv.Transcriptions()) != 120 || len(srv.Calls()) != 120 {
		t.Fatalf("AddRecordings(120) made %d SIDs, %d recordings, %d transcriptions, %d calls; want 120 each",
			len(sids), len(srv.Recordings()), len(srv.Transcriptions()), len(srv.Calls()))
	}
	c := api(t, srv)

	// Listing pages through all of them, newest first.
	recs, err := c.ListRecording((&openapi.ListRecordingParams{}).SetPageSize(50))
	if err != nil {
		t.Fatalf("ListRecording() = %v", err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, *r.Sid)
	}
	newestFirst := slices.Clone(sids)
	slices.Reverse(newestFirst)
	if !slices.Equal(got, newestFirst) {
		t.Fatalf("ListRecording() gave %d SIDs, want the %d seeded, newest first", len(got), len(sids))
	}

	// Fetching one, and filtering by its call.
	r, err := c.FetchRecording(sids[7], nil)
	if err != nil {
		t.Fatalf("FetchRecording() = %v", err)
	}
	call := srv.Recordings()[7].CallSID
	if *r.CallSid != call || *r.Duration != "30" || *r.Status != "completed" || *r.Source != "RecordVerb" ||
		*r.Channels != 1 || *r.MediaUrl != srv.URL()+accountPath+"Recordings/"+sids[7] {
		t.Errorf("FetchRecording() = %+v", r)
	}
	var parent []twiliotest.Call
	for _, c := range srv.Calls() {
		if c.SID == call {
			parent = append(parent, c)
		}
	}
	if len(parent) != 1 || parent[0].Direction != "inbound" || parent[0].From != customer || parent[0].Status != "completed" {
		t.Errorf("the recording's parent call = %+v, want a completed inbound call from %s", parent, customer)
	}
	byCall, err := c.ListRecording((&openapi.ListRecordingParams{}).SetCallSid(call))
	if err != nil || len(byCall) != 1 || *byCall[0].Sid != sids[7] {
		t.Errorf("ListRecording(CallSid) = %d recordings, %v; want just %s", len(byCall), err, sids[7])
	}
	now := time.Now().UTC()
	for _, tt := range []struct {
		name   string
		params *openapi.ListRecordingParams
		want   int
	}{
		{"today", (&openapi.ListRecordingParams{}).SetDateCreated(now), 120},
		{"after an hour ago", (&openapi.ListRecordingParams{}).SetDateCreatedAfter(now.Add(-time.Hour)), 120},
		{"after an hour from now", (&openapi.ListRecordingParams{}).SetDateCreatedAfter(now.Add(time.Hour)), 0},
		{"before an hour ago", (&openapi.ListRecordingParams{}).SetDateCreatedBefore(now.Add(-time.Hour)), 0},
		{"conference", (&openapi.ListRecordingParams{}).SetConferenceSid("CF0123456789abcdef0123456789abcdef"), 0},
	} {
		if got, err := c.ListRecording(tt.params); err != nil || len(got) != tt.want {
			t.Errorf("ListRecording(%s) = %d, %v; want %d", tt.name, len(got), err, tt.want)
		}
	}

	// Transcriptions: of a recording, of the account, one by one.
	trs, err := c.ListRecordingTranscription(sids[7], nil)
	if err != nil || len(trs) != 1 || *trs[0].RecordingSid != sids[7] || *trs[0].Status != "completed" ||
		*trs[0].TranscriptionText != "Please call me back." || *trs[0].Type != "fast" || *trs[0].Duration != "30" {
		t.Fatalf("ListRecordingTranscription() = %+v, %v", trs, err)
	}
	all, err := c.ListTranscription((&openapi.ListTranscriptionParams{}).SetPageSize(1000))
	if err != nil || len(all) != 120 || *all[0].RecordingSid != sids[119] {
		t.Errorf("ListTranscription() = %d, %v; want 120, newest first", len(all), err)
	}
	tr, err := c.FetchTranscription(*trs[0].Sid, nil)
	if err != nil || *tr.Sid != *trs[0].Sid || *tr.TranscriptionText != "Please call me back." || tr.Price != nil {
		t.Errorf("FetchTranscription() = %+v, %v", tr, err)
	}
	sub, err := c.FetchRecordingTranscription(sids[7], *trs[0].Sid, nil)
	if err != nil || *sub.Sid != *trs[0].Sid {
		t.Errorf("FetchRecordingTranscription() = %+v, %v", sub, err)
	}
	if _, err := c.FetchRecordingTranscription(sids[8], *trs[0].Sid, nil); !isRestError(err, 404, 20404) {
		t.Errorf("FetchRecordingTranscription(another recording's) = %v, want 404", err)
	}
	if _, err := c.FetchRecording("RE0123456789abcdef0123456789abcdef", nil); !isRestError(err, 404, 20404) {
		t.Errorf("FetchRecording(unknown) = %v, want 404", err)
	}
	if _, err := c.FetchTranscription("TR0123456789abcdef0123456789abcdef", nil); !isRestError(err, 404, 20404) {
		t.Errorf("FetchTranscription(unknown) = %v, want 404", err)
	}
}

// recordingsPage is one page of a Recordings or Transcriptions list.
type recordingsPage struct {
	NextPageURI     *string          `json:"next_page_uri"`
	PreviousPageURI *string          `json:"previous_page_uri"`
	FirstPageURI    string           `json:"first_page_uri"`
	Page            int              `json:"page"`
	PageSize        int              `json:"page_size"`
	Start           int              `json:"start"`
	End             int              `json:"end"`
	Recordings      []map[string]any `json:"recordings"`
	Transcriptions  []map[string]any `json:"transcriptions"`
}

func TestRecordingListsPageAndRefuse(t *testing.T) {
	t.Parallel()
	srv := setup(t)
	sids := srv.AddRecordings(5, customer, "hi")
	for _, tt := range []struct{ path, items string }{
		{"Recordings.json", "recordings"}, {"Transcriptions.json", "transcriptions"},
		{"Recordings/" + sids[0] + "/Transcriptions.json", "transcriptions"},
	} {
		var p recordingsPage
		if status := list(t, srv, accountPath+tt.path+"?PageSize=2", authToken, &p); status != 200 {
			t.Fatalf("GET %s = %d", tt.path, status)
		}
		n := len(p.Recordings) + len(p.Transcriptions)
		want := min(2, 5)
		if tt.path != "Recordings.json" && tt.path != "Transcriptions.json" {
			want = 1
		}
		if n != want || p.PageSize != 2 || p.Page != 0 || p.PreviousPageURI != nil {
			t.Errorf("GET %s page 0 = %+v, want %d items", tt.path, p, want)
		}
		if want == 1 {
			if p.NextPageURI != nil {
				t.Errorf("GET %s: next page of a one-item list", tt.path)
			}
			continue
		}
		pages := 1
		for p.NextPageURI != nil {
			next := *p.NextPageURI
			p = recordingsPage{}
			if status := list(t, srv, next, authToken, &p); status != 200 {
				t.Fatalf("GET %s = %d", next, status)
			}
			pages++
		}
		if pages != 3 || p.PreviousPageURI == nil || !strings.HasPrefix(p.FirstPageURI, accountPath+tt.path+"?") {
			t.Errorf("GET %s took %d pages (last %+v), want 3", tt.path, pages, p)
		}
	}
	for _, q := range []string{"CallSid=nope", "ConferenceSid=nope", "DateCreated=yesterday", "PageSize=0", "PageToken=PAnope"} {
		var e twilioError
		if status := list(t, srv, accountPath+"Recordings.json?"+q, authToken, &e); status != 400 || e.Code != 20001 {
			t.Errorf("GET Recordings.json?%s = %d %+v, want 400 20001", q, status, e)
		}
	}
	for _, path := range []string{"Recordings.json", "Recordings/" + sids[0] + ".json", "Transcriptions.json", "Recordings/" + sids[0] + ".mp3"} {
		var e twilioError
		if status := list(t, srv, accountPath+path, "wrong", &e); status != 401 || e.Code != 20003 {
			t.Errorf("GET %s with a wrong token = %d %+v, want 401 20003", path, status, e)
		}
	}
	for _, path := range []string{"Recordings/" + sids[0] + ".ogg", "Recordings/RE0123456789abcdef0123456789abcdef.wav", "Recordings/nope/Transcriptions.json"} {
		var e twilioError
		if status := list(t, srv, accountPath+path, authToken, &e); status != 404 || e.Code != 20404 {
			t.Errorf("GET %s = %d %+v, want 404 20404", path, status, e)
		}
	}
}

func TestRecordingResourcesCarryEveryPropertyOfTheOpenAPIDescription(t *testing.T) {
	t.Parallel()
	doc := loadOAI(t)
	srv := setup(t)
	sid := srv.AddRecordings(1, customer, "hi")[0]
	tr := srv.Transcriptions()[0].SID
	for _, tt := range []struct {
		path, schema, listPath, items, uri string
	}{
		{"Recordings/{Sid}.json", "api.v2010.account.recording", "Recordings.json", "recordings", "Recordings/" + sid},
		{"Transcriptions/{Sid}.json", "api.v2010.account.transcription", "Transcriptions.json", "transcriptions", "Transcriptions/" + tr},
		{"Recordings/{RecordingSid}/Transcriptions/{Sid}.json", "api.v2010.account.recording.recording_transcription",
			"Recordings/{RecordingSid}/Transcriptions.json", "transcriptions", "Recordings/" + sid + "/Transcriptions/" + tr},
	} {
		want := doc.Components.Schemas[tt.schema].Properties
		if len(want) == 0 {
			t.Fatalf("no schema %s in the OpenAPI description", tt.schema)
		}
		if op := doc.operation(t, "/2010-04-01/Accounts/{AccountSid}/"+tt.path, "get"); op.Responses["200"].Content == nil {
			t.Errorf("GET %s has no 200 answer in the OpenAPI description", tt.path)
		}
		var one map[string]any
		if status := list(t, srv, accountPath+tt.uri+".json", authToken, &one); status != 200 {
			t.Fatalf("GET %s = %d %v", tt.uri, status, one)
		}
		if m := missingProperties(one, want); len(m) > 0 {
			t.Errorf("fetched %s lacks %v of %s", tt.uri, m, tt.schema)
		}
		if extra := extraProperties(one, want); len(extra) > 0 {
			t.Errorf("fetched %s has %v, not in %s", tt.uri, extra, tt.schema)
		}
		listOp := doc.operation(t, "/2010-04-01/Accounts/{AccountSid}/"+tt.listPath, "get")
		pageSchema := listOp.Responses["200"].Content["application/json"].Schema
		var page map[string]any
		listURI := strings.ReplaceAll(tt.listPath, "{RecordingSid}", sid)
		if status := list(t, srv, accountPath+listURI, authToken, &page); status != 200 {
			t.Fatalf("GET %s = %d %v", listURI, status, page)
		}
		if m := missingProperties(page, pageSchema.Properties); len(m) > 0 || len(pageSchema.Properties) == 0 {
			t.Errorf("%s page lacks %v of the OpenAPI list response", listURI, m)
		}
		items, _ := page[tt.items].([]any)
		if len(items) != 1 {
			t.Fatalf("%s %s = %v, want one", listURI, tt.items, page[tt.items])
		}
		if m := missingProperties(items[0].(map[string]any), want); len(m) > 0 {
			t.Errorf("listed %s lacks %v of %s", tt.items, m, tt.schema)
		}
	}
}

// missingProperties returns the names in want that got lacks, sorted.
func missingProperties(got map[string]any, want map[string]json.RawMessage) []string {
	var out []string
	for name := range want {
		if _, ok := got[name]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// extraProperties returns the names in got that want lacks, sorted.
func extraProperties(got map[string]any, want map[string]json.RawMessage) []string {
	var out []string
	for name := range got {
		if _, ok := want[name]; !ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// TestTenThousandRecordings seeds the reconciliation benchmark's load and
// walks it with twilio-go. It runs alone (not in parallel) so that its
// heap measure is its own.
func TestTenThousandRecordings(t *testing.T) {
	if testing.Short() {
		t.Skip("seeds 10,000 recordings")
	}
	srv := setup(t)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	sids := srv.AddRecordings(10_000, customer, "Please call me back about my invoice.")
	seeded := time.Since(start)
	runtime.GC()
	runtime.ReadMemStats(&after)
	grown := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("AddRecordings(10000): %v, heap +%.1f MB", seeded, float64(grown)/(1<<20))
	if grown > 32<<20 {
		t.Errorf("10,000 recordings take %d MB of heap, want under 32", grown>>20)
	}
	c := api(t, srv)
	start = time.Now()
	recs, err := c.ListRecording((&openapi.ListRecordingParams{}).SetPageSize(1000))
	if err != nil || len(recs) != 10_000 || *recs[0].Sid != sids[9_999] {
		t.Fatalf("ListRecording() = %d, %v; want 10,000, newest first", len(recs), err)
	}
	trs, err := c.ListTranscription((&openapi.ListTranscriptionParams{}).SetPageSize(1000))
	if err != nil || len(trs) != 10_000 {
		t.Fatalf("ListTranscription() = %d, %v; want 10,000", len(trs), err)
	}
	for _, sid := range sids[:200] {
		if _, err := c.FetchRecording(sid, nil); err != nil {
			t.Fatalf("FetchRecording(%s) = %v", sid, err)
		}
	}
	t.Logf("listed 10,000 recordings and transcriptions, fetched 200: %v", time.Since(start))
	q := url.Values{"CallSid": {srv.Recordings()[5000].CallSID}}
	var p recordingsPage
	if status := list(t, srv, accountPath+"Recordings.json?"+q.Encode(), authToken, &p); status != http.StatusOK || len(p.Recordings) != 1 {
		t.Errorf("list by CallSid among 10,000 = %d, %d recordings; want 1", status, len(p.Recordings))
	}
}
