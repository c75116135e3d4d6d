package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// Voicemail webhook paths, under http.public_url. The number's voice
// webhook is PathVoiceInbound; the others are given to Twilio in its TwiML.
const (
	PathVoiceInbound       = "/twilio/voice/inbound"       // a call to the support line
	PathVoiceInboundDialed = "/twilio/voice/inbound/dial"  // the team was rung first: did anyone answer?
	PathVoiceRecorded      = "/twilio/voice/recorded"      // <Record action>: the caller finished
	PathVoiceRecording     = "/twilio/voice/recording"     // recordingStatusCallback
	PathVoiceTranscription = "/twilio/voice/transcription" // transcribeCallback
)

// VoiceLine is how the gateway answers its support line.
type VoiceLine struct {
	Greeting, AfterHoursGreeting twilio.Greeting
	// Numbers has greetings of their own for some of the account's numbers
	// (by the E.164 number called).
	Numbers map[string]Greetings
	// DialOwner rings the caller's account owner first in business hours
	// (before DialFirst), when the caller is a known customer.
	Hours          routing.Hours // "" hours: always open
	MaxLength      time.Duration
	FinishOnKey    string
	DialOwner      bool
	DialFirst      []string // E.164 numbers rung first in business hours
	DialTimeout    time.Duration
	TranscriptWait time.Duration
	DefaultRegion  string
	// TwilioTranscribes: Twilio transcribes the recording (its
	// transcribeCallback); otherwise Transcriber does.
	TwilioTranscribes bool
	Transcriber       Transcriber
}

// Greetings are a number's greetings in and out of business hours.
type Greetings struct {
	Open, AfterHours twilio.Greeting
}

// VoiceAPI reads what webhooks may have missed, and recordings' audio.
// *twilio.Client implements it.
type VoiceAPI interface {
	ListRecordings(ctx context.Context, createdAfter time.Time, pageToken string) ([]twilio.Recording, string, error)
	ListTranscriptions(ctx context.Context, recordingSID string) ([]twilio.Transcription, error)
	CallParties(ctx context.Context, callSID string) (from, to string, err error)
	RecordingMedia(ctx context.Context, recordingSID string) (io.ReadCloser, string, error)
}

// Transcriber turns a recording's audio into words; see
// voice.transcriber.
type Transcriber interface {
	Transcribe(ctx context.Context, audio io.Reader, contentType string) (string, error)
}

// voiceInbound answers a call to the support line: the greeting for the
// time of day, then the beep and a recording (or, in business hours with
// voice.dial_first, the team is rung first).
func (g *Gateway) voiceInbound(w http.ResponseWriter, r *http.Request, form url.Values) {
	req, err := twilio.ParseVoiceRequest(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	line := g.opts.Voice
	if line == nil {
		doc, _ := twilio.SayTwiML("Sorry, this line does not take messages.")
		writeTwiML(w, doc)
		return
	}
	now := g.now().UTC()
	if _, err := g.store.VoicemailUpsert(r.Context(), store.VoicemailUpsertParams{CallSID: req.CallSID,
		From: callerNumber(req.From, line.DefaultRegion), To: req.To, CalledAt: now}); err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	open := line.Hours.IsOpen(now)
	var doc string
	if ring := g.ringFirst(r.Context(), callerNumber(req.From, line.DefaultRegion)); open && len(ring) > 0 {
		doc, err = twilio.DialFirstTwiML(twilio.DialFirst{Numbers: ring, Timeout: int(line.DialTimeout / time.Second),
			ActionURL: g.publicURL(PathVoiceInboundDialed)})
	} else {
		doc, err = g.recordTwiML(open, req.To)
	}
	g.answerTwiML(w, r, doc, err)
}

// voiceInboundDialed: the team was rung first; record a message when
// nobody answered.
func (g *Gateway) voiceInboundDialed(w http.ResponseWriter, r *http.Request, form url.Values) {
	d, err := twilio.ParseDialAction(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	if d.Connected() {
		doc, _ := twilio.SayTwiML("")
		writeTwiML(w, doc)
		return
	}
	doc, err := g.recordTwiML(true, form.Get("To"))
	g.answerTwiML(w, r, doc, err)
}

// ringFirst lists who is rung before the caller is recorded: the
// caller's account owner (voice.dial_owner), then voice.dial_first.
func (g *Gateway) ringFirst(ctx context.Context, caller string) []string {
	line := g.opts.Voice
	var ring []string
	if line.DialOwner && caller != "" {
		if c, err := g.store.CustomerGetByContact(ctx, store.ContactPhone, caller); err == nil && c.OwnerID != 0 {
			if st, err := g.store.StaffGetByID(ctx, c.OwnerID); err == nil && st.Active && st.Phone != "" {
				ring = append(ring, st.Phone)
			}
		}
	}
	for _, n := range line.DialFirst {
		if !slices.Contains(ring, n) {
			ring = append(ring, n)
		}
	}
	return ring
}

// recordTwiML is the greeting (the called number's own, if it has one)
// and <Record> of the support line.
func (g *Gateway) recordTwiML(open bool, called string) (string, error) {
	line := g.opts.Voice
	greeting := line.Greeting
	if !open {
		greeting = line.AfterHoursGreeting
	}
	if n, ok := line.Numbers[called]; ok {
		if open && n.Open != (twilio.Greeting{}) {
			greeting = n.Open
		}
		if !open && n.AfterHours != (twilio.Greeting{}) {
			greeting = n.AfterHours
		}
	}
	rec := twilio.Record{Greeting: greeting, MaxLength: int(line.MaxLength / time.Second), FinishOnKey: line.FinishOnKey,
		ActionURL: g.publicURL(PathVoiceRecorded), RecordingStatusCallback: g.publicURL(PathVoiceRecording)}
	if line.TwilioTranscribes {
		rec.TranscribeCallback = g.publicURL(PathVoiceTranscription)
	}
	return twilio.RecordTwiML(rec)
}

func (g *Gateway) publicURL(path string) string {
	return strings.TrimRight(g.opts.PublicURL, "/") + path
}

// voiceRecorded thanks the caller once they finished the message.
func (g *Gateway) voiceRecorded(w http.ResponseWriter, r *http.Request, _ url.Values) {
	doc, err := twilio.SayTwiML("Thank you. We will call you back as soon as we can. Goodbye.")
	g.answerTwiML(w, r, doc, err)
}

// voiceRecording records a finished recording, then waits for its
// transcript (voice.transcript_wait), or asks the configured transcriber.
func (g *Gateway) voiceRecording(w http.ResponseWriter, r *http.Request, form url.Values) {
	rec, err := twilio.ParseRecording(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	if rec.RecordingStatus != "" && rec.RecordingStatus != "completed" {
		g.log.Info("recording not completed: no voicemail", "call_sid", rec.CallSID, "status", rec.RecordingStatus)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := g.RecordingCompleted(r.Context(), store.VoicemailUpsertParams{CallSID: rec.CallSID, RecordingSID: rec.RecordingSID,
		RecordingURL: rec.RecordingURL, DurationSeconds: rec.RecordingDuration, RecordedAt: g.now().UTC()}); err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// RecordingCompleted stores a finished recording (from a webhook or the
// pull) and queues what comes next, once.
func (g *Gateway) RecordingCompleted(ctx context.Context, p store.VoicemailUpsertParams) error {
	return g.onceWebhook(ctx, "recording", p.RecordingSID, func(ctx context.Context, tx store.Querier, now time.Time) error {
		v, err := tx.VoicemailUpsert(ctx, p)
		if err != nil {
			return err
		}
		if v.TranscriptStatus != store.TranscriptPending {
			return tx.JobInsert(ctx, voicemailJob(v.CallSID, voicemailIngest, p.RecordingSID, time.Time{}))
		}
		if g.opts.Voice != nil && !g.opts.Voice.TwilioTranscribes {
			return tx.JobInsert(ctx, voicemailJob(v.CallSID, voicemailTranscribe, p.RecordingSID, time.Time{}))
		}
		return tx.JobInsert(ctx, voicemailJob(v.CallSID, voicemailTimeout, p.RecordingSID, now.Add(g.voiceWait())))
	})
}

func (g *Gateway) voiceWait() time.Duration {
	if g.opts.Voice == nil || g.opts.Voice.TranscriptWait <= 0 {
		return 3 * time.Minute
	}
	return g.opts.Voice.TranscriptWait
}

// voiceTranscription stores a transcript and ingests the voicemail, or
// scores it again when it was already ingested without one.
func (g *Gateway) voiceTranscription(w http.ResponseWriter, r *http.Request, form url.Values) {
	tr, err := twilio.ParseTranscription(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	status, text := transcriptStatus(tr.TranscriptionStatus, tr.TranscriptionText)
	if err := g.TranscriptReceived(r.Context(), tr.TranscriptionSID, store.VoicemailUpsertParams{CallSID: tr.CallSID, RecordingSID: tr.RecordingSID,
		RecordingURL: tr.RecordingURL, Transcript: text, TranscriptStatus: status}); err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// transcriptStatus reads Twilio's TranscriptionStatus and text.
func transcriptStatus(status, text string) (string, string) {
	text = strings.TrimSpace(text)
	switch {
	case status != "completed":
		return store.TranscriptFailed, ""
	case text == "":
		return store.TranscriptEmpty, ""
	}
	return store.TranscriptCompleted, text
}

// TranscriptReceived stores a voicemail's transcript once (key: the
// transcription's SID) and queues its ingest.
func (g *Gateway) TranscriptReceived(ctx context.Context, key string, p store.VoicemailUpsertParams) error {
	return g.onceWebhook(ctx, "transcription", key, func(ctx context.Context, tx store.Querier, now time.Time) error {
		v, err := tx.VoicemailUpsert(ctx, p)
		if err != nil {
			return err
		}
		if v.RecordingSID == "" {
			return nil // the recording callback queues the ingest
		}
		return tx.JobInsert(ctx, voicemailJob(v.CallSID, voicemailIngest, key, time.Time{}))
	})
}

// Voicemail job steps.
const (
	voicemailIngest     = "ingest"     // the transcript (or its failure) is in: ingest or score again
	voicemailTimeout    = "timeout"    // the transcript did not come in time: ingest without words
	voicemailTranscribe = "transcribe" // ask the configured transcriber
)

// VoicemailArgs is the durable job that moves a voicemail on.
type VoicemailArgs struct {
	CallSID string `json:"call_sid"`
	Step    string `json:"step"`
	// Key is what brought the step (a recording's or a transcription's
	// SID): a transcript that comes later is a job of its own.
	Key string `json:"key,omitempty"`
}

// Kind implements river.JobArgs.
func (VoicemailArgs) Kind() string { return "voicemail" }

// InsertOpts makes the job unique per voicemail, step and key.
func (VoicemailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueNotify, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func voicemailJob(callSID, step, key string, at time.Time) river.InsertManyParams {
	opts := VoicemailArgs{}.InsertOpts()
	opts.ScheduledAt = at
	return river.InsertManyParams{Args: VoicemailArgs{CallSID: callSID, Step: step, Key: key}, InsertOpts: &opts}
}

// voicemailWorker ingests a voicemail when its transcript is in, failed,
// or did not come in time; a transcript that comes after the voicemail was
// ingested scores it again on its case.
type voicemailWorker struct {
	river.WorkerDefaults[VoicemailArgs]
	g *Gateway
}

func (w *voicemailWorker) Work(ctx context.Context, job *river.Job[VoicemailArgs]) error {
	g := w.g
	v, err := g.store.VoicemailGetByCall(ctx, job.Args.CallSID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("voicemail %s: %w", job.Args.CallSID, err))
	}
	if err != nil {
		return err
	}
	if v.RecordingSID == "" {
		return nil
	}
	switch job.Args.Step {
	case voicemailTranscribe:
		return g.transcribe(ctx, v)
	case voicemailTimeout:
		if v.TranscriptStatus != store.TranscriptPending {
			return nil // the transcript came: its own job ingests
		}
		if v, err = g.store.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: v.CallSID, TranscriptStatus: store.TranscriptTimedOut}); err != nil {
			return err
		}
	}
	return g.ingestVoicemail(ctx, v)
}

// transcribe runs the configured transcriber on the recording's audio.
func (g *Gateway) transcribe(ctx context.Context, v store.Voicemail) error {
	line, api := g.opts.Voice, g.opts.VoiceAPI
	status, text := store.TranscriptFailed, ""
	if line != nil && line.Transcriber != nil && api != nil {
		audio, contentType, err := api.RecordingMedia(ctx, v.RecordingSID)
		if err != nil && !twilio.IsPermanent(err) {
			return fmt.Errorf("fetch recording %s: %w", v.RecordingSID, err)
		}
		if err == nil {
			text, err = line.Transcriber.Transcribe(ctx, audio, contentType)
			audio.Close()
			switch {
			case err != nil:
				g.log.Warn("transcriber failed: the voicemail goes on without words", "recording_sid", v.RecordingSID, "err", err)
			case strings.TrimSpace(text) == "":
				status = store.TranscriptEmpty
			default:
				status, text = store.TranscriptCompleted, strings.TrimSpace(text)
			}
		}
	}
	v, err := g.store.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: v.CallSID, Transcript: text, TranscriptStatus: status})
	if err != nil {
		return err
	}
	return g.ingestVoicemail(ctx, v)
}

// ingestVoicemail makes the voicemail an inbound message (idempotent on
// its RecordingSid), or, when it already is one and a transcript came
// since, scores it again on its case.
func (g *Gateway) ingestVoicemail(ctx context.Context, v store.Voicemail) error {
	msg, err := g.store.MessageGetByExternalID(ctx, store.ChannelVoicemail, v.RecordingSID)
	switch {
	case err == nil:
		if v.Transcript != "" && strings.TrimSpace(msg.Body) == "" {
			return g.rescoreVoicemail(ctx, msg, v)
		}
		return nil
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode voicemail: %w", err)
	}
	res, err := g.Ingest(ctx, Inbound{
		Channel: store.ChannelVoicemail, ExternalID: v.RecordingSID, FromAddr: v.From,
		Subject: voicemailSubject(v), Text: v.Transcript, SentAt: v.RecordedAt, Raw: raw,
		NoWords: v.Transcript == "", CallbackNumber: v.From, Recording: v.RecordingSID, RecordingSeconds: v.DurationSeconds,
	})
	if err != nil {
		return err
	}
	if res.MessageID != 0 {
		if _, err := g.store.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: v.CallSID, MessageID: res.MessageID}); err != nil {
			g.log.Warn("voicemail ingested; its message id not noted", "call_sid", v.CallSID, "err", err)
		}
	}
	return nil
}

// voicemailSubject says who called and how long they spoke, and whether
// there are words.
func voicemailSubject(v store.Voicemail) string {
	who := v.From
	if who == "" {
		who = "an unknown caller (number withheld)"
	}
	s := fmt.Sprintf("Voicemail from %s (%d s)", who, v.DurationSeconds)
	switch v.TranscriptStatus {
	case store.TranscriptFailed:
		s += ", transcription failed"
	case store.TranscriptEmpty:
		s += ", no words transcribed"
	case store.TranscriptTimedOut:
		s += ", no transcript yet"
	}
	return s
}

// callerNumber is the caller's E.164 number, "" when withheld or unreadable.
func callerNumber(from, region string) string {
	switch strings.ToLower(strings.TrimSpace(from)) {
	case "", "anonymous", "restricted", "unknown", "blocked", "private", "+266696687", "+7378742833", "+2562533", "+8656696":
		return ""
	}
	n, err := twilio.NormalizeE164(from, region)
	if err != nil {
		return ""
	}
	return n
}

// rescoreVoicemail gives a voicemail stored without words the transcript
// that came after: the message's text, a new assessment (the timeline
// keeps both), and, when the words make the case more urgent, the case's
// new priority and due time with an SMS to its owner.
func (g *Gateway) rescoreVoicemail(ctx context.Context, msg store.Message, v store.Voicemail) error {
	in := Inbound{Channel: store.ChannelVoicemail, ExternalID: v.RecordingSID, FromAddr: v.From,
		Subject: voicemailSubject(v), Text: v.Transcript, SentAt: v.RecordedAt, CallbackNumber: v.From}
	res := IngestResult{Inbound: in, MessageID: msg.ID}
	now := g.now().UTC()
	sit, staff, err := g.situation(ctx, in, now)
	if err != nil {
		return fmt.Errorf("rescore voicemail %s: %w", v.RecordingSID, err)
	}
	res.Assessment = g.analyze(in, sit, staff, now)
	res.Plan = routing.Decide(g.opts.Policy, routing.Inbound{Channel: in.Channel, From: in.FromAddr, Subject: in.Subject, At: now}, res.Assessment, sit)
	err = g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		if err := tx.MessageSetBody(ctx, msg.ID, v.Transcript); err != nil {
			return err
		}
		if err := g.storeAssessment(ctx, tx, msg.ID, res.Assessment, true); err != nil {
			return err
		}
		if msg.CaseID == 0 {
			return nil
		}
		res.CaseID = msg.CaseID
		tl := timeline{tx: tx, caseID: msg.CaseID, at: now}
		tl.add(ctx, "system", "transcript_received", noteEvent{Note: "the voicemail's transcript came after it was stored: scored again"})
		if tl.err != nil {
			return tl.err
		}
		if res.Plan.Action != routing.ActionUpdateCase || res.Plan.CaseID != msg.CaseID {
			a := res.Assessment
			tl.add(ctx, "system", "assessed", assessedEvent{MessageID: msg.ID, Tone: string(a.Tone.Label), ToneScore: a.Tone.Score,
				Urgency: string(a.Urgency.Level), UrgencyScore: a.Urgency.Score, Category: string(a.Category.Primary),
				Summary: a.Summary, Reasons: reasons(a.Urgency.Evidence, 5)})
			return tl.err
		}
		if err := g.updateCase(ctx, tx, &res, sit, now); err != nil {
			return err
		}
		return g.carryOut(ctx, tx, &res, sit, msg, now, carryRescore)
	})
	if err != nil {
		return fmt.Errorf("rescore voicemail %s: %w", v.RecordingSID, err)
	}
	g.log.Info("voicemail scored again with its transcript", "recording_sid", v.RecordingSID, "case_id", res.CaseID,
		"priority", res.Plan.Priority, "sms", len(res.Notifications))
	return nil
}
