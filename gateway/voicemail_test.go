package gateway_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

const angryVoicemail = "hi this is jane doe from acme um our production line is down because the bearings you sent are the wrong ones " +
	"we need the right ones by tomorrow morning or we lose the whole order this is unacceptable please call me back"

// voiceSetup is loopSetup with the support line answered by the gateway.
func voiceSetup(t *testing.T) *bundle {
	t.Helper()
	b := loopSetup(t)
	b.cfg.IMAP.Enabled = false
	b.cfg.Voice.Enabled = true
	b.cfg.Voice.Greeting = "Thanks for calling Example Support. Leave a message after the tone."
	if err := b.cfg.Validate(); err != nil {
		t.Fatalf("config.Validate() = %v", err)
	}
	return b
}

func (l *loop) callIn(t *testing.T, c twiliotest.Caller) twiliotest.Call {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	call, err := l.b.sms.CallIn(ctx, l.url+gateway.PathVoiceInbound, c)
	if err != nil {
		t.Fatalf("CallIn(%+v) = %v", c, err)
	}
	return call
}

func startVoice(t *testing.T, b *bundle) *loop {
	t.Helper()
	b.start(t)
	return &loop{b: b, url: "http://" + b.cfg.HTTP.Addr}
}

// A voicemail end to end, on SQLite and PostgreSQL: the call is answered
// with the greeting and a recording, the recording and transcription
// callbacks make one voicemail message, scored like an email, that opens a
// case and texts its owner the caller's number; the same callbacks again
// change nothing, and a forged one is refused.
func TestVoicemailBecomesCaseAndSMS(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testVoicemailBecomesCase(t, voiceSetup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		b := voiceSetup(t)
		b.cfg.Database.URL = storetest.PostgresSchemaURL(t)
		testVoicemailBecomesCase(t, b)
	})
}

func testVoicemailBecomesCase(t *testing.T, b *bundle) {
	l := startVoice(t, b)
	call := l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 40 * time.Second, Transcript: angryVoicemail})
	r := b.next(t)
	if r.Inbound.Channel != store.ChannelVoicemail || r.CaseID == 0 || len(r.Notifications) == 0 {
		t.Fatalf("voicemail ingest = channel %s case %d, %d SMS (plan %s: %s); want a case and an SMS", r.Inbound.Channel, r.CaseID, len(r.Notifications), r.Plan.Action, r.Plan.Reason)
	}
	if !strings.Contains(strings.Join(call.Said, " "), "Leave a message") {
		t.Errorf("the caller heard %q, want the greeting", call.Said)
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	msgs, err := b.sms.Wait(ctx, len(r.Notifications))
	if err != nil {
		t.Fatal(err)
	}
	if body := msgs[0].Body; !strings.Contains(body, "call back "+janePhone) || !strings.Contains(body, "Jane Doe") {
		t.Errorf("SMS = %q; want the caller and the number to call back", body)
	}
	for _, h := range b.sms.Webhooks() {
		if !h.OK() {
			t.Errorf("webhook %s %s: status %d, %v", h.Kind, h.URL, h.Status, h.Err)
		}
	}
	st := openStore(t, b.cfg)
	waitFor(t, "the SMS jobs to run", func() bool { return jobsDone(t, st, "send_sms") })
	before := eventKinds(t, st, r.CaseID)
	smsBefore := len(b.sms.Messages())
	// Twilio retries the callbacks: nothing changes.
	for _, h := range b.sms.Webhooks() {
		if h.Kind != twiliotest.KindRecordingStatus && h.Kind != twiliotest.KindTranscription {
			continue
		}
		if status, _, err := b.sms.PostSigned(ctx, h.URL, h.Form); err != nil || status/100 != 2 {
			t.Errorf("repeated %s: %d, %v", h.Kind, status, err)
		}
		forged := url.Values{}
		for k, v := range h.Form {
			forged[k] = v
		}
		forged.Set("TranscriptionText", "please refund everything")
		if status, _, err := b.sms.PostForged(ctx, h.URL, forged); err != nil || status != http.StatusForbidden {
			t.Errorf("forged %s: %d, %v; want 403", h.Kind, status, err)
		}
	}
	time.Sleep(300 * time.Millisecond) // a repeated callback that queued a job would show by now
	waitFor(t, "voicemail jobs", func() bool { return jobsDone(t, st, "voicemail") })
	if after := eventKinds(t, st, r.CaseID); !slices.Equal(after, before) {
		t.Errorf("repeated callbacks changed the timeline:\nbefore %v\nafter  %v", before, after)
	}
	if got := len(b.sms.Messages()); got != smsBefore {
		t.Errorf("repeated callbacks sent %d more SMS", got-smsBefore)
	}
	m, err := st.MessageGetByID(t.Context(), r.MessageID)
	if err != nil || m.Channel != store.ChannelVoicemail || !strings.HasPrefix(m.ExternalID, "RE") || m.FromAddr != janePhone || !strings.Contains(m.Body, "production line") {
		t.Errorf("message = %+v, %v; want a voicemail keyed by its RecordingSid, from Jane, with the transcript", m, err)
	}
}

// A voicemail whose transcription fails still opens a case, at the
// policy's priority, and says there are no words; a transcript that comes
// later scores it again on its case.
func TestVoicemailWithoutTranscript(t *testing.T) {
	t.Parallel()
	b := voiceSetup(t)
	l := startVoice(t, b)
	l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 12 * time.Second, TranscriptionFails: true})
	r := b.next(t)
	if r.CaseID == 0 || r.Plan.Priority != "high" || !strings.Contains(r.Inbound.Subject, "transcription failed") {
		t.Fatalf("voicemail without words: case %d priority %s subject %q (%s); want a high case that says so", r.CaseID, r.Plan.Priority, r.Inbound.Subject, r.Plan.Reason)
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	if _, err := b.sms.Wait(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// A transcript after all (Twilio's, retried; or another transcriber).
	var rec twiliotest.Webhook
	for _, h := range b.sms.Webhooks() {
		if h.Kind == twiliotest.KindTranscription {
			rec = h
		}
	}
	if rec.URL == "" {
		t.Fatalf("no transcription callback among the webhooks")
	}
	late := url.Values{}
	for k, v := range rec.Form {
		late[k] = v
	}
	late.Set("TranscriptionSid", "TR0123456789abcdef0123456789abcdef")
	late.Set("TranscriptionStatus", "completed")
	late.Set("TranscriptionText", angryVoicemail)
	if status, _, err := b.sms.PostSigned(ctx, rec.URL, late); err != nil || status/100 != 2 {
		t.Fatalf("late transcript: %d, %v", status, err)
	}
	st := openStore(t, b.cfg)
	waitFor(t, "the voicemail to be scored again", func() bool {
		return slices.Contains(eventKinds(t, st, r.CaseID), "transcript_received")
	})
	kinds := eventKinds(t, st, r.CaseID)
	if n := countOf(kinds, "assessed"); n != 2 {
		t.Errorf("timeline has %d assessments, want both (%v)", n, kinds)
	}
	m, err := st.MessageGetByID(t.Context(), r.MessageID)
	if err != nil || !strings.Contains(m.Body, "production line") {
		t.Errorf("message body after the late transcript = %q, %v", m.Body, err)
	}
	if _, err := b.sms.Wait(ctx, 2); err != nil {
		t.Errorf("no SMS with the transcript's summary: %v", err)
	}
}

// The gateway was down while Twilio called back: the pull finds the
// voicemail through the REST API and takes it in exactly once.
func TestVoicemailPullTakesInWhatWebhooksMissed(t *testing.T) {
	t.Parallel()
	b := voiceSetup(t)
	b.cfg.Voice.TranscriptWait = time.Second
	g, _ := b.start(t)
	l := &loop{b: b, url: "http://" + b.cfg.HTTP.Addr}
	l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 20 * time.Second, Transcript: angryVoicemail, Offline: true})
	puller := g.NewVoicePuller(gatewayVoiceAPI(t, b), time.Hour, 10*time.Minute)
	n, err := puller.Pull(t.Context())
	if err != nil || n != 1 {
		t.Fatalf("Pull() = %d, %v; want the one recording", n, err)
	}
	r := b.next(t)
	if r.Inbound.Channel != store.ChannelVoicemail || r.CaseID == 0 || !strings.Contains(r.Inbound.Text, "production line") {
		t.Fatalf("pulled voicemail: %+v", r.Inbound)
	}
	if n, err := puller.Pull(t.Context()); err != nil || n != 0 {
		t.Errorf("second Pull() = %d, %v; want nothing new", n, err)
	}
	select {
	case again := <-b.results:
		if !again.Duplicate {
			t.Errorf("a second ingest after the second pull: %+v", again)
		}
	case <-time.After(500 * time.Millisecond):
	}
}

func countOf(s []string, v string) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

// gatewayVoiceAPI is a Twilio client on the stand-in, as the gateway has.
func gatewayVoiceAPI(t *testing.T, b *bundle) gateway.VoiceAPI {
	t.Helper()
	c, err := twilio.New(twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: "+16175550199", APIBaseURL: b.sms.URL()}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A number with a greeting of its own, and the caller's account owner rung
// first (voice.dial_owner): Jane's owner Tom answers, so nothing is
// recorded.
func TestVoicemailNumberGreetingAndOwnerFirst(t *testing.T) {
	t.Parallel()
	b := voiceSetup(t)
	b.cfg.Voice.Numbers = []config.VoiceNumber{{Number: twiliotest.DefaultNumber, Greeting: "Acme hotline, leave a message."}}
	b.cfg.Voice.DialOwner = true
	l := startVoice(t, b)
	call := l.callIn(t, twiliotest.Caller{From: "+16175550160", Transcript: "hello please call me about my invoice"})
	if said := strings.Join(call.Said, " "); !strings.Contains(said, "Acme hotline") {
		t.Errorf("a stranger heard %q, want the number's own greeting", said)
	}
	if r := b.next(t); r.Inbound.Channel != store.ChannelVoicemail {
		t.Errorf("stranger's voicemail not ingested: %+v", r.Inbound)
	}
	// Jane is Tom's customer: Tom is rung first and answers.
	l.callIn(t, twiliotest.Caller{From: janePhone, Transcript: angryVoicemail})
	rang := false
	for _, c := range b.sms.Calls() {
		rang = rang || (c.To == tomPhone && c.ParentSID != "")
	}
	if !rang {
		t.Errorf("Jane's call did not ring her owner Tom first: %+v", b.sms.Calls())
	}
	select {
	case r := <-b.results:
		t.Errorf("Tom answered, yet a voicemail was ingested: %+v", r.Inbound)
	case <-time.After(500 * time.Millisecond):
	}
}
