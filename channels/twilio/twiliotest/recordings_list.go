package twiliotest

import (
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

var (
	recordingSID     = regexp.MustCompile(`^RE[0-9a-fA-F]{32}$`)
	conferenceSID    = regexp.MustCompile(`^CF[0-9a-fA-F]{32}$`)
	recordingMediaOf = map[string]bool{"": false, ".wav": false, ".mp3": true} // extension: is MP3
)

// routeVoicemail registers the Recordings and Transcriptions resources
// under account, the account path pattern ending in "/".
func (s *Server) routeVoicemail(mux *http.ServeMux, account string) {
	mux.HandleFunc("GET "+account+"Recordings.json", s.recordingList)
	mux.HandleFunc("GET "+account+"Recordings/{Sid}", s.recordingFetch)
	mux.HandleFunc("GET "+account+"Recordings/{RecordingSid}/Transcriptions.json", s.transcriptionList)
	mux.HandleFunc("GET "+account+"Recordings/{RecordingSid}/Transcriptions/{Sid}", s.transcriptionFetch)
	mux.HandleFunc("GET "+account+"Transcriptions.json", s.transcriptionList)
	mux.HandleFunc("GET "+account+"Transcriptions/{Sid}", s.transcriptionFetch)
}

// recordingList handles GET /2010-04-01/Accounts/{AccountSid}/Recordings.json:
// the account's recordings, newest first, filtered by CallSid,
// ConferenceSid (no recording has one) and DateCreated (see
// parseDateRange), one page at a time, paged as the Messages list is.
func (s *Server) recordingList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	query := r.URL.Query()
	lq, msg := parseListQuery(query, slices.Concat([]string{"CallSid", "ConferenceSid"}, dateKeys("DateCreated"))...)
	if msg != "" {
		writeError(w, http.StatusBadRequest, 20001, msg)
		return
	}
	call, conference := query.Get("CallSid"), query.Get("ConferenceSid")
	switch {
	case call != "" && !callSID.MatchString(call):
		writeError(w, http.StatusBadRequest, 20001, "Invalid CallSid: "+call)
		return
	case conference != "" && !conferenceSID.MatchString(conference):
		writeError(w, http.StatusBadRequest, 20001, "Invalid ConferenceSid: "+conference)
		return
	}
	created, msg := parseDateRange(query, "DateCreated")
	if msg != "" {
		writeError(w, http.StatusBadRequest, 20001, msg)
		return
	}
	matching := s.voicemail.recordingsNewestFirst(func(rec Recording) bool {
		return (call == "" || rec.CallSID == call) && conference == "" && created.contains(rec.Created)
	})
	page, info, ok := pageOf(lq, r.URL.Path, matching, func(rec Recording) string { return rec.SID })
	if !ok {
		writeError(w, http.StatusBadRequest, 20001, "Invalid PageToken: "+lq.token)
		return
	}
	res := recordingPage{listPage: info, Recordings: make([]recordingResource, 0, len(page))}
	for _, rec := range page {
		res.Recordings = append(res.Recordings, s.recordingJSON(rec))
	}
	writeJSON(w, http.StatusOK, res)
}

// recordingFetch handles GET .../Recordings/{Sid}.json, the recording's
// resource, and GET .../Recordings/{Sid}, {Sid}.wav and {Sid}.mp3, its
// media (see writeMedia). Both need the account's authentication, as when
// "HTTP basic authentication for media" is on.
func (s *Server) recordingFetch(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	name := r.PathValue("Sid")
	sid, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		sid, ext = name[:i], name[i:]
	}
	rec, found := s.voicemail.recording(sid)
	mp3, media := recordingMediaOf[ext]
	switch {
	case !found || (ext != ".json" && !media):
		s.notFound(w, r)
	case ext == ".json":
		writeJSON(w, http.StatusOK, s.recordingJSON(rec))
	default:
		writeMedia(w, rec, mp3)
	}
}

// transcriptionList handles GET .../Transcriptions.json, the account's
// transcriptions, and GET .../Recordings/{RecordingSid}/Transcriptions.json,
// those of one recording (none for an unknown one, as Twilio answers), newest
// first, paged as the Messages list is.
func (s *Server) transcriptionList(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	lq, msg := parseListQuery(r.URL.Query())
	if msg != "" {
		writeError(w, http.StatusBadRequest, 20001, msg)
		return
	}
	recording := r.PathValue("RecordingSid")
	if recording != "" && !recordingSID.MatchString(recording) {
		s.notFound(w, r)
		return
	}
	matching := s.voicemail.transcriptionsNewestFirst(recording)
	page, info, ok := pageOf(lq, r.URL.Path, matching, func(t Transcription) string { return t.SID })
	if !ok {
		writeError(w, http.StatusBadRequest, 20001, "Invalid PageToken: "+lq.token)
		return
	}
	res := transcriptionPage{listPage: info, Transcriptions: make([]transcriptionResource, 0, len(page))}
	for _, t := range page {
		res.Transcriptions = append(res.Transcriptions, transcriptionJSON(t))
	}
	writeJSON(w, http.StatusOK, res)
}

// transcriptionFetch handles GET .../Transcriptions/{Sid}.json and
// .../Recordings/{RecordingSid}/Transcriptions/{Sid}.json, the resource,
// and {Sid}.txt, its text as text/plain. {Sid} without extension, which
// Twilio answers in XML, is answered in JSON.
func (s *Server) transcriptionFetch(w http.ResponseWriter, r *http.Request) {
	if _, ok := s.authorize(w, r); !ok {
		return
	}
	name := r.PathValue("Sid")
	sid, ext := name, ""
	if i := strings.LastIndexByte(name, '.'); i >= 0 {
		sid, ext = name[:i], name[i:]
	}
	t, found := s.voicemail.transcription(sid)
	if recording := r.PathValue("RecordingSid"); recording != "" && t.RecordingSID != recording {
		found = false
	}
	switch {
	case !found || (ext != "" && ext != ".json" && ext != ".txt"):
		s.notFound(w, r)
	case ext == ".txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Content-Length", strconv.Itoa(len(t.Text)))
		_, _ = w.Write([]byte(t.Text))
	default:
		writeJSON(w, http.StatusOK, transcriptionJSON(t))
	}
}

// recordingPage is the JSON of one page of the Recordings list (the
// OpenAPI schema ListRecordingResponse).
type recordingPage struct {
	listPage
	Recordings []recordingResource `json:"recordings"`
}

// transcriptionPage is the JSON of one page of a Transcriptions list (the
// OpenAPI schemas ListTranscriptionResponse and
// ListRecordingTranscriptionResponse).
type transcriptionPage struct {
	listPage
	Transcriptions []transcriptionResource `json:"transcriptions"`
}

// recordingResource is the JSON Twilio answers with for a recording (the
// OpenAPI schema api.v2010.account.recording), every property present.
type recordingResource struct {
	AccountSID        string            `json:"account_sid"`
	APIVersion        string            `json:"api_version"`
	CallSID           string            `json:"call_sid"`
	ConferenceSID     *string           `json:"conference_sid"`
	DateCreated       string            `json:"date_created"`
	DateUpdated       string            `json:"date_updated"`
	StartTime         string            `json:"start_time"`
	Duration          string            `json:"duration"`
	SID               string            `json:"sid"`
	Price             *string           `json:"price"`
	PriceUnit         string            `json:"price_unit"`
	Status            string            `json:"status"`
	Channels          int               `json:"channels"`
	Source            string            `json:"source"`
	ErrorCode         *int              `json:"error_code"`
	URI               string            `json:"uri"`
	EncryptionDetails any               `json:"encryption_details"`
	SubresourceURIs   map[string]string `json:"subresource_uris"`
	MediaURL          string            `json:"media_url"`
}

// recordingPath is the path of the recording sid of account, without
// extension: its media.
func recordingPath(account, sid string) string {
	return "/2010-04-01/Accounts/" + account + "/Recordings/" + sid
}

// recordingJSON renders rec as Twilio does, its media_url on the stand-in
// (Twilio's is on api.twilio.com) and its price null (Twilio fills it in
// later).
func (s *Server) recordingJSON(rec Recording) recordingResource {
	path := recordingPath(rec.AccountSID, rec.SID)
	created := rfc2822(rec.Created)
	return recordingResource{
		AccountSID: rec.AccountSID, APIVersion: "2010-04-01", CallSID: rec.CallSID,
		DateCreated: created, DateUpdated: created, StartTime: created,
		Duration: strconv.Itoa(int(rec.Duration / time.Second)), SID: rec.SID, PriceUnit: "USD",
		Status: rec.Status, Channels: rec.Channels, Source: rec.Source, URI: path + ".json",
		SubresourceURIs: map[string]string{
			"add_on_results": path + "/AddOnResults.json",
			"transcriptions": path + "/Transcriptions.json",
		},
		MediaURL: s.url + path,
	}
}

// transcriptionResource is the JSON Twilio answers with for a
// transcription (the OpenAPI schemas api.v2010.account.transcription and
// api.v2010.account.recording.recording_transcription, which have the same
// properties), every property present.
type transcriptionResource struct {
	AccountSID        string   `json:"account_sid"`
	APIVersion        string   `json:"api_version"`
	DateCreated       string   `json:"date_created"`
	DateUpdated       string   `json:"date_updated"`
	Duration          string   `json:"duration"`
	Price             *float64 `json:"price"`
	PriceUnit         string   `json:"price_unit"`
	RecordingSID      string   `json:"recording_sid"`
	SID               string   `json:"sid"`
	Status            string   `json:"status"`
	TranscriptionText *string  `json:"transcription_text"`
	Type              string   `json:"type"`
	URI               string   `json:"uri"`
}

// transcriptionPath is the path of the transcription sid of account,
// without extension.
func transcriptionPath(account, sid string) string {
	return "/2010-04-01/Accounts/" + account + "/Transcriptions/" + sid
}

// transcriptionJSON renders t as Twilio does: its transcription_text null
// while it has none (in progress, failed), its price null.
func transcriptionJSON(t Transcription) transcriptionResource {
	r := transcriptionResource{
		AccountSID: t.AccountSID, APIVersion: "2010-04-01",
		DateCreated: rfc2822(t.Created), DateUpdated: rfc2822(t.Updated),
		Duration: strconv.Itoa(int(t.Duration / time.Second)), PriceUnit: "USD",
		RecordingSID: t.RecordingSID, SID: t.SID, Status: t.Status, Type: "fast",
		URI: transcriptionPath(t.AccountSID, t.SID) + ".json",
	}
	if t.Text != "" {
		r.TranscriptionText = new(t.Text)
	}
	return r
}
