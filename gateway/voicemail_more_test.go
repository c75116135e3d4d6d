package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// transcribedLine is what the command and HTTP transcribers of these tests
// answer.
const transcribedLine = "the parts you delivered are the wrong size and our production line is down please call me back today"

// vmWant is what a voicemail's message, case, SMS and timeline should be.
type vmWant struct {
	from     string // the message's sender: the caller's number, "" when withheld
	body     string // the message's text, exactly ("" for no words)
	subject  string // a part of the subject
	priority string // the case's priority, when set
	owner    string // the case owner's email
	callBack bool   // the SMS leads with "call back <from>"
}

// checkVoicemail checks what one voicemail ingest r left: one voicemail
// message keyed by its RecordingSid, its case and owner, the owner's SMS,
// and the case's timeline. It returns the store and the case.
func checkVoicemail(t *testing.T, b *bundle, r gateway.IngestResult, want vmWant) (store.Store, store.Case) {
	t.Helper()
	ctx := t.Context()
	if r.Inbound.Channel != store.ChannelVoicemail || r.MessageID == 0 || r.CaseID == 0 || r.Duplicate {
		t.Fatalf("ingest = channel %s message %d case %d duplicate %v (plan %s: %s); want a new voicemail with a case",
			r.Inbound.Channel, r.MessageID, r.CaseID, r.Duplicate, r.Plan.Action, r.Plan.Reason)
	}
	st := openStore(t, b.cfg)
	m, err := st.MessageGetByID(ctx, r.MessageID)
	if err != nil {
		t.Fatalf("MessageGetByID(%d) = %v", r.MessageID, err)
	}
	if m.Channel != store.ChannelVoicemail || !strings.HasPrefix(m.ExternalID, "RE") || m.FromAddr != want.from || m.Body != want.body ||
		!strings.Contains(m.Subject, want.subject) || m.CaseID != r.CaseID {
		t.Errorf("message = channel %s id %s from %q body %q subject %q case %d;\nwant voicemail RE… from %q body %q subject with %q case %d",
			m.Channel, m.ExternalID, m.FromAddr, m.Body, m.Subject, m.CaseID, want.from, want.body, want.subject, r.CaseID)
	}
	if byExt, err := st.MessageGetByExternalID(ctx, store.ChannelVoicemail, m.ExternalID); err != nil || byExt.ID != m.ID {
		t.Errorf("MessageGetByExternalID(voicemail, %s) = %d, %v; want message %d", m.ExternalID, byExt.ID, err, m.ID)
	}
	if n := voicemailCount(t, st); n != 1 {
		t.Errorf("%d voicemail messages stored, want 1", n)
	}
	c, err := st.CaseGetByID(ctx, r.CaseID)
	if err != nil {
		t.Fatalf("CaseGetByID(%d) = %v", r.CaseID, err)
	}
	owner, err := st.StaffGetByEmail(ctx, want.owner)
	if err != nil {
		t.Fatal(err)
	}
	if c.OwnerID != owner.ID || c.Status != store.CaseOpen || (want.priority != "" && c.Priority != want.priority) || !strings.Contains(c.Subject, want.subject) {
		t.Errorf("case = owner %d status %s priority %s subject %q; want owner %s (%d), open, priority %q, subject with %q",
			c.OwnerID, c.Status, c.Priority, c.Subject, want.owner, owner.ID, want.priority, want.subject)
	}

	if len(r.Notifications) == 0 {
		t.Fatalf("voicemail case %d: no SMS planned (plan %s: %s)", r.CaseID, r.Plan.Action, r.Plan.Reason)
	}
	wctx, cancel := context.WithTimeout(ctx, waitLonger)
	defer cancel()
	if _, err := b.sms.Wait(wctx, len(r.Notifications)); err != nil {
		t.Fatalf("sms.Wait(%d) = %v; notifications %+v", len(r.Notifications), err, notifications(t, st, r.CaseID))
	}
	waitFor(t, "the SMS jobs to run", func() bool { return jobsDone(t, st, "send_sms") })
	var toOwner []twiliotest.Message
	for _, s := range b.sms.Messages() {
		if s.To == owner.Phone {
			toOwner = append(toOwner, s)
		}
	}
	if len(toOwner) != 1 {
		t.Fatalf("%d SMS to the owner %s, want 1: %+v", len(toOwner), owner.Phone, b.sms.Messages())
	}
	body := toOwner[0].Body
	switch {
	case want.callBack && !strings.Contains(body, "call back "+want.from):
		t.Errorf("SMS = %q; want it to say to call back %s", body, want.from)
	case !want.callBack && strings.Contains(strings.ToLower(body), "call back +"):
		t.Errorf("SMS = %q; want no number to call back", body)
	}
	for _, n := range notifications(t, st, r.CaseID) {
		if n.Status != store.NotificationSent || n.ProviderID == "" {
			t.Errorf("notification %d to %s: status %s sid %q error %q; want sent", n.ID, n.To, n.Status, n.ProviderID, n.Error)
		}
	}
	kinds := eventKinds(t, st, r.CaseID)
	for _, k := range []string{"message_received", "assessed", "case_opened", "sms_queued", "sms_sent"} {
		if !slices.Contains(kinds, k) {
			t.Errorf("timeline has no %s event: %v", k, kinds)
		}
	}
	return st, c
}

func notifications(t *testing.T, st store.Store, caseID int64) []store.Notification {
	t.Helper()
	ns, err := st.NotificationListByCase(t.Context(), caseID)
	if err != nil {
		t.Fatalf("NotificationListByCase(%d) = %v", caseID, err)
	}
	return ns
}

// voicemailCount counts the voicemail messages stored.
func voicemailCount(t *testing.T, st store.Store) int64 {
	t.Helper()
	q, ok := st.(interface {
		QueryInt(ctx context.Context, query string, args ...any) (int64, error)
	})
	if !ok {
		t.Fatalf("store %T cannot count messages", st)
	}
	n, err := q.QueryInt(t.Context(), `SELECT count(*) FROM inbound_messages WHERE channel = $1`, store.ChannelVoicemail)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// webhookKinds lists the kinds of the webhooks the stand-in sent, and
// fails the test for any that was not answered 2xx.
func webhookKinds(t *testing.T, b *bundle) []string {
	t.Helper()
	var kinds []string
	for _, h := range b.sms.Webhooks() {
		kinds = append(kinds, h.Kind)
		if !h.OK() {
			t.Errorf("webhook %s %s: status %d, %v: %s", h.Kind, h.URL, h.Status, h.Err, h.Body)
		}
	}
	return kinds
}

// noMoreIngest fails if anything but a duplicate is ingested within d.
func noMoreIngest(t *testing.T, b *bundle, d time.Duration) {
	t.Helper()
	deadline := time.After(d)
	for {
		select {
		case r := <-b.results:
			if !r.Duplicate {
				t.Errorf("unexpected ingest: channel %s %s case %d subject %q", r.Inbound.Channel, r.Inbound.ExternalID, r.CaseID, r.Inbound.Subject)
			}
		case <-deadline:
			return
		}
	}
}

func newTestSID(t *testing.T, prefix string) string {
	t.Helper()
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return prefix + hex.EncodeToString(b)
}

// startPullOnly is bundle.start for a voice.pull.only gateway: with
// public, http.public_url is the listener's, as bundle.start sets it;
// without, it stays "". It returns the gateway and its base URL.
func startPullOnly(t *testing.T, b *bundle, public bool) (*gateway.Gateway, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.cfg.HTTP.Addr = ln.Addr().String()
	if public {
		b.cfg.HTTP.PublicURL = "http://" + ln.Addr().String()
	}
	g, err := gateway.Open(t.Context(), b.cfg, gateway.SetupOptions{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Listener: ln, Now: b.clock.now,
		IMAP:            imap.Config{TLSConfig: b.mailbox.ClientTLSConfig()},
		OnIngest:        func(r gateway.IngestResult) { b.results <- r },
		JobPollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		ln.Close()
		t.Fatalf("gateway.Open() with voice.pull.only, http.public_url %q (config.Validate accepted it) = %v;\n"+
			"want it to open: gateway/setup.go build() gives twilio.New StatusCallbackURL \"\"+%q, a relative URL, when http.public_url is \"\"",
			b.cfg.HTTP.PublicURL, err, gateway.PathSMSStatus)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run() = %v, want nil after cancel", err)
		}
		if err := g.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return g, "http://" + ln.Addr().String()
}

// voiceRequestForm is the form of Twilio's request to the number's voice
// URL when a call comes in.
func voiceRequestForm(b *bundle, callSID, from string) url.Values {
	return url.Values{"AccountSid": {accountSID}, "CallSid": {callSID}, "CallStatus": {"ringing"}, "From": {from},
		"To": {b.sms.Number()}, "Direction": {"inbound"}, "ApiVersion": {"2010-04-01"}}
}

// voice.pull.only: no public URL, no webhooks; the pull alone takes the
// voicemail in, once, with its transcript, and every webhook is refused.
// The same with a public URL shows the pull side where Open refuses the
// configuration without one.
func TestVoicemailMorePullOnly(t *testing.T) {
	t.Parallel()
	t.Run("no public_url", func(t *testing.T) {
		t.Parallel()
		testPullOnly(t, false)
	})
	t.Run("public_url set", func(t *testing.T) {
		t.Parallel()
		testPullOnly(t, true)
	})
}

func testPullOnly(t *testing.T, public bool) {
	b := voiceSetup(t)
	b.cfg.Voice.Pull.Only = true
	b.cfg.HTTP.PublicURL = ""
	if err := b.cfg.Validate(); err != nil {
		t.Fatalf("config.Validate() with voice.pull.only and no http.public_url = %v; want it allowed", err)
	}
	g, base := startPullOnly(t, b, public)
	st := openStore(t, b.cfg)
	// The gateway's own puller looks at once when it starts: let it, so
	// that the puller of this test is the one that finds the call.
	waitFor(t, "the gateway's own first pull", func() bool {
		_, err := st.CheckpointGet(t.Context(), "twilio:recordings")
		return err == nil
	})
	l := &loop{b: b, url: base}
	l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 20 * time.Second, Transcript: angryVoicemail, Offline: true})
	if hooks := b.sms.Webhooks(); len(hooks) != 0 {
		t.Errorf("an offline call sent %d webhooks, want none: %+v", len(hooks), hooks)
	}
	recs := b.sms.Recordings()
	if len(recs) != 1 {
		t.Fatalf("stand-in recordings = %+v, want the one voicemail", recs)
	}

	puller := g.NewVoicePuller(gatewayVoiceAPI(t, b), time.Hour, 10*time.Minute)
	if n, err := puller.Pull(t.Context()); err != nil || n != 1 {
		t.Fatalf("Pull() = %d, %v; want the one recording", n, err)
	}
	r := b.next(t)
	if r.Inbound.ExternalID != recs[0].SID || r.Inbound.NoWords {
		t.Errorf("pulled voicemail %s (no words %v), want %s with its transcript", r.Inbound.ExternalID, r.Inbound.NoWords, recs[0].SID)
	}
	checkVoicemail(t, b, r, vmWant{from: janePhone, body: angryVoicemail, subject: "Voicemail from " + janePhone, owner: "tom@example.com", callBack: true})
	if n, err := puller.Pull(t.Context()); err != nil || n != 0 {
		t.Errorf("second Pull() = %d, %v; want nothing new", n, err)
	}
	noMoreIngest(t, b, 500*time.Millisecond)
	if n := voicemailCount(t, st); n != 1 {
		t.Errorf("%d voicemail messages after the second pull, want 1", n)
	}
	v, err := st.VoicemailGetByRecording(t.Context(), recs[0].SID)
	if err != nil || v.CallSID != recs[0].CallSID || v.From != janePhone || v.MessageID != r.MessageID || v.TranscriptStatus != store.TranscriptCompleted {
		t.Errorf("voicemail = %+v, %v; want call %s from %s, message %d, transcript completed", v, err, recs[0].CallSID, janePhone, r.MessageID)
	}

	if public {
		return // webhooks are checked against the public URL, and taken
	}
	// Every webhook is refused: there is no public URL to check a
	// signature against.
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	form := voiceRequestForm(b, newTestSID(t, "CA"), janePhone)
	if status, body, err := b.sms.PostSigned(ctx, base+gateway.PathVoiceInbound, form); err != nil || status != http.StatusForbidden {
		t.Errorf("signed POST %s in pull-only mode: %d %q, %v; want 403", gateway.PathVoiceInbound, status, body, err)
	}
	rec := url.Values{"AccountSid": {accountSID}, "CallSid": {recs[0].CallSID}, "RecordingSid": {recs[0].SID},
		"RecordingUrl":    {b.sms.URL() + "/2010-04-01/Accounts/" + accountSID + "/Recordings/" + recs[0].SID},
		"RecordingStatus": {"completed"}, "RecordingDuration": {"20"}}
	if status, body, err := b.sms.PostSigned(ctx, base+gateway.PathVoiceRecording, rec); err != nil || status != http.StatusForbidden {
		t.Errorf("signed POST %s in pull-only mode: %d %q, %v; want 403", gateway.PathVoiceRecording, status, body, err)
	}
	for _, h := range b.sms.Webhooks() {
		if h.Kind != twiliotest.KindSigned || h.Status != http.StatusForbidden {
			t.Errorf("webhook %s %s: %d; want only this test's signed posts, refused", h.Kind, h.URL, h.Status)
		}
	}
	if _, err := st.VoicemailGetByCall(t.Context(), form.Get("CallSid")); err == nil {
		t.Errorf("the refused inbound call was stored as a voicemail")
	}
}

// A voicemail delivered by webhook is not taken in again by the pull: no
// second message, no second SMS, no timeline change; on SQLite and
// PostgreSQL.
func TestVoicemailMoreReconcileAfterPush(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testReconcileAfterPush(t, voiceSetup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		b := voiceSetup(t)
		b.cfg.Database.URL = storetest.PostgresSchemaURL(t)
		testReconcileAfterPush(t, b)
	})
}

func testReconcileAfterPush(t *testing.T, b *bundle) {
	g, _ := b.start(t)
	l := &loop{b: b, url: "http://" + b.cfg.HTTP.Addr}
	l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 25 * time.Second, Transcript: angryVoicemail})
	r := b.next(t)
	st, _ := checkVoicemail(t, b, r, vmWant{from: janePhone, body: angryVoicemail, subject: "Voicemail from " + janePhone, owner: "tom@example.com", callBack: true})
	kinds := webhookKinds(t, b)
	for _, k := range []string{twiliotest.KindInboundCall, twiliotest.KindRecordAction, twiliotest.KindRecordingStatus, twiliotest.KindTranscription} {
		if countOf(kinds, k) != 1 {
			t.Errorf("webhooks %v: want one %s", kinds, k)
		}
	}
	waitFor(t, "voicemail jobs", func() bool { return jobsDone(t, st, "voicemail") })
	before, smsBefore := eventKinds(t, st, r.CaseID), len(b.sms.Messages())

	puller := g.NewVoicePuller(gatewayVoiceAPI(t, b), time.Hour, 10*time.Minute)
	for i := range 2 {
		if n, err := puller.Pull(t.Context()); err != nil || n != 0 {
			t.Errorf("Pull() #%d after the webhooks = %d, %v; want 0 new", i+1, n, err)
		}
	}
	noMoreIngest(t, b, 500*time.Millisecond)
	waitFor(t, "voicemail jobs", func() bool { return jobsDone(t, st, "voicemail") })
	waitFor(t, "SMS jobs", func() bool { return jobsDone(t, st, "send_sms") })
	if n := voicemailCount(t, st); n != 1 {
		t.Errorf("%d voicemail messages after the pull, want 1", n)
	}
	recs := b.sms.Recordings()
	if len(recs) != 1 {
		t.Fatalf("stand-in recordings = %+v, want one", recs)
	}
	if m, err := st.MessageGetByExternalID(t.Context(), store.ChannelVoicemail, recs[0].SID); err != nil || m.ID != r.MessageID {
		t.Errorf("MessageGetByExternalID(%s) = %d, %v; want the webhook's message %d", recs[0].SID, m.ID, err, r.MessageID)
	}
	if got := len(b.sms.Messages()); got != smsBefore {
		t.Errorf("the pull sent %d more SMS", got-smsBefore)
	}
	if after := eventKinds(t, st, r.CaseID); !slices.Equal(after, before) {
		t.Errorf("the pull changed the timeline:\nbefore %v\nafter  %v", before, after)
	}
	if got := len(b.sms.Webhooks()); got != len(kinds) {
		t.Errorf("the stand-in sent %d more webhooks", got-len(kinds))
	}
}

// mediaFetch is one recording media request that reached the stand-in.
type mediaFetch struct {
	path, user, password, accept string
	ok                           bool
}

// proxyAPI puts a logging proxy in front of the stand-in's REST API as
// twilio.api_base_url, and returns what it saw of recording requests.
func proxyAPI(t *testing.T, b *bundle) func() []mediaFetch {
	t.Helper()
	target, err := url.Parse(b.sms.URL())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var fetches []mediaFetch
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/Recordings/") {
			user, pass, ok := r.BasicAuth()
			mu.Lock()
			fetches = append(fetches, mediaFetch{path: r.URL.Path, user: user, password: pass, accept: r.Header.Get("Accept"), ok: ok})
			mu.Unlock()
		}
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	b.cfg.Twilio.APIBaseURL = srv.URL
	return func() []mediaFetch {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(fetches)
	}
}

// checkOwnTranscriber checks a voicemail transcribed by the gateway's
// transcriber: Twilio was asked for no transcription, the recording's
// audio was fetched with the account's credentials.
func checkOwnTranscriber(t *testing.T, b *bundle, fetched []mediaFetch) {
	t.Helper()
	kinds := webhookKinds(t, b)
	if slices.Contains(kinds, twiliotest.KindTranscription) {
		t.Errorf("the stand-in sent a transcription callback (webhooks %v); want none with voice.transcriber", kinds)
	}
	if trs := b.sms.Transcriptions(); len(trs) != 0 {
		t.Errorf("the stand-in transcribed: %+v; want the TwiML to ask for no transcription", trs)
	}
	for _, h := range b.sms.Webhooks() {
		if strings.Contains(strings.ToLower(h.Body), "transcribe") {
			t.Errorf("webhook %s answered TwiML that asks Twilio to transcribe: %s", h.Kind, h.Body)
		}
	}
	for _, k := range []string{twiliotest.KindInboundCall, twiliotest.KindRecordAction, twiliotest.KindRecordingStatus} {
		if countOf(kinds, k) != 1 {
			t.Errorf("webhooks %v: want one %s", kinds, k)
		}
	}
	recs := b.sms.Recordings()
	if len(recs) != 1 {
		t.Fatalf("stand-in recordings = %+v, want one", recs)
	}
	var media []mediaFetch
	for _, f := range fetched {
		if strings.Contains(f.path, "/Accounts/"+accountSID+"/Recordings/"+recs[0].SID) && !strings.HasSuffix(f.path, ".json") {
			media = append(media, f)
		}
	}
	if len(media) != 1 {
		t.Fatalf("recording media requests = %+v (all: %+v); want one for %s", media, fetched, recs[0].SID)
	}
	if f := media[0]; !f.ok || f.user != accountSID || f.password != authToken {
		t.Errorf("media fetched with basic auth %v user %q; want the account's SID and auth token", f.ok, f.user)
	}
}

// voice.transcriber command and http: Twilio transcribes nothing; the
// gateway fetches the audio and its transcriber's words are the message.
// A failing transcriber still opens a case, without words.
func TestVoicemailMoreOwnTranscriber(t *testing.T) {
	t.Parallel()
	t.Run("command", func(t *testing.T) {
		t.Parallel()
		b := voiceSetup(t)
		fetched := proxyAPI(t, b)
		b.cfg.Voice.Transcriber.Kind = "command"
		b.cfg.Voice.Transcriber.Command = []string{"sh", "-c", "cat >/dev/null; echo " + transcribedLine}
		if err := b.cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		l := startVoice(t, b)
		l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 20 * time.Second, Transcript: "twilio was asked after all"})
		r := b.next(t)
		if r.Inbound.Text != transcribedLine || r.Inbound.NoWords {
			t.Errorf("ingested text %q (no words %v), want the command's output %q", r.Inbound.Text, r.Inbound.NoWords, transcribedLine)
		}
		checkVoicemail(t, b, r, vmWant{from: janePhone, body: transcribedLine, subject: "Voicemail from " + janePhone + " (20 s)", owner: "tom@example.com", callBack: true})
		if strings.Contains(r.Inbound.Subject, "transcri") {
			t.Errorf("subject %q speaks of a transcription problem", r.Inbound.Subject)
		}
		checkOwnTranscriber(t, b, fetched())
	})
	t.Run("http", func(t *testing.T) {
		t.Parallel()
		b := voiceSetup(t)
		fetched := proxyAPI(t, b)
		const speaks = 20
		type got struct {
			method, contentType string
			n                   int
			riff                bool
		}
		seen := make(chan got, 10)
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			seen <- got{method: r.Method, contentType: r.Header.Get("Content-Type"), n: len(body), riff: bytes.HasPrefix(body, []byte("RIFF"))}
			if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "audio/") || !bytes.HasPrefix(body, []byte("RIFF")) {
				http.Error(w, "want the recording's audio", http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			_, _ = io.WriteString(w, "  "+transcribedLine+"\n")
		}))
		t.Cleanup(srv.Close)
		b.cfg.Voice.Transcriber.Kind = "http"
		b.cfg.Voice.Transcriber.URL = srv.URL + "/transcribe"
		if err := b.cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		l := startVoice(t, b)
		l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: speaks * time.Second, Transcript: "twilio was asked after all"})
		r := b.next(t)
		checkVoicemail(t, b, r, vmWant{from: janePhone, body: transcribedLine, subject: "Voicemail from " + janePhone, owner: "tom@example.com", callBack: true})
		checkOwnTranscriber(t, b, fetched())
		select {
		case g := <-seen:
			if g.method != http.MethodPost || g.contentType != "audio/x-wav" || !g.riff || g.n != 44+8000*speaks {
				t.Errorf("transcriber got %s %s, %d bytes (RIFF %v); want POST audio/x-wav, the %d-byte WAV", g.method, g.contentType, g.n, g.riff, 44+8000*speaks)
			}
		default:
			t.Errorf("the HTTP transcriber was never asked")
		}
		if len(seen) != 0 {
			t.Errorf("the HTTP transcriber was asked %d more times", len(seen))
		}
	})
	t.Run("command fails", func(t *testing.T) {
		t.Parallel()
		b := voiceSetup(t)
		fetched := proxyAPI(t, b)
		b.cfg.Voice.Transcriber.Kind = "command"
		b.cfg.Voice.Transcriber.Command = []string{"sh", "-c", "cat >/dev/null; echo no model here >&2; exit 3"}
		if err := b.cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		l := startVoice(t, b)
		l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 15 * time.Second, Transcript: "twilio was asked after all"})
		r := b.next(t)
		if !r.Inbound.NoWords || r.Inbound.Text != "" || r.Plan.Priority != "high" {
			t.Errorf("failed transcriber: no words %v text %q priority %s (%s); want no words, high", r.Inbound.NoWords, r.Inbound.Text, r.Plan.Priority, r.Plan.Reason)
		}
		st, _ := checkVoicemail(t, b, r, vmWant{from: janePhone, body: "", subject: "transcription failed", priority: "high", owner: "tom@example.com", callBack: true})
		checkOwnTranscriber(t, b, fetched())
		recs := b.sms.Recordings()
		if v, err := st.VoicemailGetByRecording(t.Context(), recs[0].SID); err != nil || v.TranscriptStatus != store.TranscriptFailed || v.Transcript != "" {
			t.Errorf("voicemail = %+v, %v; want its transcript failed", v, err)
		}
	})
}

// A withheld number: the message has no sender, the case goes to the
// default owner, and the SMS has no number to call back.
func TestVoicemailMoreWithheldCaller(t *testing.T) {
	t.Parallel()
	b := voiceSetup(t)
	// Not Jane's owner (Tom): the case must go to the default owner, not
	// to a customer guessed from the words.
	b.cfg.Policy.DefaultOwner = "sam@example.com"
	if err := b.cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	l := startVoice(t, b)
	l.callIn(t, twiliotest.Caller{From: "anonymous", Speaks: 30 * time.Second, Transcript: angryVoicemail})
	r := b.next(t)
	if r.Inbound.FromAddr != "" || r.Inbound.CallbackNumber != "" {
		t.Errorf("withheld caller ingested from %q, call back %q; want neither", r.Inbound.FromAddr, r.Inbound.CallbackNumber)
	}
	_, c := checkVoicemail(t, b, r, vmWant{from: "", body: angryVoicemail, subject: "number withheld", owner: b.cfg.Policy.DefaultOwner})
	if c.CustomerID != 0 {
		t.Errorf("case %d has customer %d; want none for a withheld number", c.ID, c.CustomerID)
	}
	for _, s := range b.sms.Messages() {
		if strings.Contains(strings.ToLower(s.Body), "call back") {
			t.Errorf("SMS to %s = %q; want no call-back fact without a number", s.To, s.Body)
		}
	}
	kinds := webhookKinds(t, b)
	for _, k := range []string{twiliotest.KindInboundCall, twiliotest.KindRecordAction, twiliotest.KindRecordingStatus, twiliotest.KindTranscription} {
		if countOf(kinds, k) != 1 {
			t.Errorf("webhooks %v: want one %s", kinds, k)
		}
	}
	for _, h := range b.sms.Webhooks() {
		if h.Kind == twiliotest.KindInboundCall && h.Form.Get("From") != "anonymous" {
			t.Errorf("the call came from %q, want anonymous", h.Form.Get("From"))
		}
	}
}

// voice.dial_first: in business hours Tom is rung first; when he answers
// there is no voicemail, when nobody does the caller is recorded; after
// hours nobody is rung and the after-hours greeting is said.
func TestVoicemailMoreDialFirst(t *testing.T) {
	t.Parallel()
	const afterHours = "We are closed now. Leave a message after the tone and we will call you back tomorrow."
	dialSetup := func(t *testing.T, hours string) *bundle {
		b := voiceSetup(t)
		b.cfg.Voice.DialFirst = []string{"tom@example.com"}
		b.cfg.Voice.Hours, b.cfg.Voice.TimeZone = hours, "UTC"
		b.cfg.Voice.AfterHoursGreeting = afterHours
		if err := b.cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		return b
	}
	tomLegs := func(b *bundle) (n int) {
		for _, c := range b.sms.Calls() {
			if c.To == tomPhone {
				n++
			}
		}
		return n
	}
	t.Run("answered", func(t *testing.T) {
		t.Parallel()
		b := dialSetup(t, "Mon-Sun 00:00-24:00")
		l := startVoice(t, b)
		call := l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 20 * time.Second, Transcript: angryVoicemail})
		if n := tomLegs(b); n != 1 {
			t.Errorf("Tom was rung %d times, want once: %+v", n, b.sms.Calls())
		}
		if recs := b.sms.Recordings(); len(recs) != 0 {
			t.Errorf("recordings = %+v; want none when Tom answered", recs)
		}
		kinds := webhookKinds(t, b)
		if !slices.Equal(kinds, []string{twiliotest.KindInboundCall, twiliotest.KindDialAction}) {
			t.Errorf("webhooks = %v; want the inbound call and the dial action only", kinds)
		}
		if strings.Contains(strings.Join(call.Said, " "), "Leave a message") {
			t.Errorf("the caller heard %q; want no voicemail greeting when Tom answered", call.Said)
		}
		noMoreIngest(t, b, time.Second)
		st := openStore(t, b.cfg)
		if n := voicemailCount(t, st); n != 0 {
			t.Errorf("%d voicemail messages, want none", n)
		}
		if v, err := st.VoicemailGetByCall(t.Context(), call.SID); err != nil || v.RecordingSID != "" || v.MessageID != 0 {
			t.Errorf("voicemail of the answered call = %+v, %v; want the call noted, without recording or message", v, err)
		}
		if cs, err := st.CaseList(t.Context(), store.CaseListParams{}); err != nil || len(cs) != 0 {
			t.Errorf("cases = %+v, %v; want none", cs, err)
		}
		if msgs := b.sms.Messages(); len(msgs) != 0 {
			t.Errorf("SMS sent: %+v; want none", msgs)
		}
	})
	t.Run("no answer", func(t *testing.T) {
		t.Parallel()
		b := dialSetup(t, "Mon-Sun 00:00-24:00")
		l := startVoice(t, b)
		call := l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 20 * time.Second, Transcript: angryVoicemail, NoAnswerAtDial: true})
		if n := tomLegs(b); n != 1 {
			t.Errorf("Tom was rung %d times, want once: %+v", n, b.sms.Calls())
		}
		r := b.next(t)
		checkVoicemail(t, b, r, vmWant{from: janePhone, body: angryVoicemail, subject: "Voicemail from " + janePhone, owner: "tom@example.com", callBack: true})
		if !strings.Contains(strings.Join(call.Said, " "), "Leave a message") {
			t.Errorf("the caller heard %q, want the greeting once nobody answered", call.Said)
		}
		kinds := webhookKinds(t, b)
		want := []string{twiliotest.KindInboundCall, twiliotest.KindDialAction, twiliotest.KindRecordAction, twiliotest.KindRecordingStatus, twiliotest.KindTranscription}
		if !slices.Equal(kinds, want) {
			t.Errorf("webhooks = %v, want %v", kinds, want)
		}
		for _, h := range b.sms.Webhooks() {
			if h.Kind == twiliotest.KindDialAction && h.Form.Get("DialCallStatus") != "no-answer" {
				t.Errorf("dial action DialCallStatus = %q, want no-answer", h.Form.Get("DialCallStatus"))
			}
		}
	})
	t.Run("after hours", func(t *testing.T) {
		t.Parallel()
		// Open only on another day of the week than today.
		other := time.Now().UTC().Add(48 * time.Hour).Weekday().String()[:3]
		b := dialSetup(t, other+" 00:00-24:00")
		l := startVoice(t, b)
		call := l.callIn(t, twiliotest.Caller{From: janePhone, Speaks: 20 * time.Second, Transcript: angryVoicemail})
		if n := tomLegs(b); n != 0 {
			t.Errorf("Tom was rung %d times after hours, want never", n)
		}
		said := strings.Join(call.Said, " ")
		if !strings.Contains(said, "We are closed now") || strings.Contains(said, "Thanks for calling Example Support") {
			t.Errorf("the caller heard %q; want the after-hours greeting only", call.Said)
		}
		r := b.next(t)
		checkVoicemail(t, b, r, vmWant{from: janePhone, body: angryVoicemail, subject: "Voicemail from " + janePhone, owner: "tom@example.com", callBack: true})
		kinds := webhookKinds(t, b)
		if slices.Contains(kinds, twiliotest.KindDialAction) || !slices.Contains(kinds, twiliotest.KindRecordingStatus) {
			t.Errorf("webhooks = %v; want a recording and no dial", kinds)
		}
	})
}

// voice.transcript_wait: a recording whose transcription never comes opens
// its case without words once the wait is over.
func TestVoicemailMoreTranscriptTimeout(t *testing.T) {
	t.Parallel()
	b := voiceSetup(t)
	b.cfg.Voice.TranscriptWait = time.Second
	l := startVoice(t, b)
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	callSID, recSID := newTestSID(t, "CA"), newTestSID(t, "RE")
	status, body, err := b.sms.PostSigned(ctx, l.url+gateway.PathVoiceInbound, voiceRequestForm(b, callSID, janePhone))
	if err != nil || status != http.StatusOK || !strings.Contains(body, "<Record") || !strings.Contains(body, gateway.PathVoiceTranscription) {
		t.Fatalf("inbound call: %d %q, %v; want TwiML recording with Twilio's transcription", status, body, err)
	}
	rec := url.Values{"AccountSid": {accountSID}, "CallSid": {callSID}, "RecordingSid": {recSID},
		"RecordingUrl":    {b.sms.URL() + "/2010-04-01/Accounts/" + accountSID + "/Recordings/" + recSID},
		"RecordingStatus": {"completed"}, "RecordingDuration": {"25"}, "RecordingChannels": {"1"}, "RecordingSource": {"RecordVerb"}}
	sent := time.Now()
	if status, body, err := b.sms.PostSigned(ctx, l.url+gateway.PathVoiceRecording, rec); err != nil || status/100 != 2 {
		t.Fatalf("recording status callback: %d %q, %v", status, body, err)
	}
	r := b.next(t)
	if waited := time.Since(sent); waited < 900*time.Millisecond || waited > 15*time.Second {
		t.Errorf("the voicemail was ingested %v after its recording; want about voice.transcript_wait (1s)", waited)
	}
	if r.Inbound.ExternalID != recSID || !r.Inbound.NoWords || r.Plan.Priority != "high" {
		t.Errorf("ingest = %s no words %v priority %s; want %s without words, high", r.Inbound.ExternalID, r.Inbound.NoWords, r.Plan.Priority, recSID)
	}
	st, _ := checkVoicemail(t, b, r, vmWant{from: janePhone, body: "", subject: "Voicemail from " + janePhone + " (25 s), no transcript yet", priority: "high", owner: "tom@example.com", callBack: true})
	if v, err := st.VoicemailGetByCall(t.Context(), callSID); err != nil || v.TranscriptStatus != store.TranscriptTimedOut || v.MessageID != r.MessageID {
		t.Errorf("voicemail = %+v, %v; want timed out, message %d", v, err, r.MessageID)
	}
	kinds := webhookKinds(t, b)
	if !slices.Equal(kinds, []string{twiliotest.KindSigned, twiliotest.KindSigned}) {
		t.Errorf("webhooks = %v; want this test's two signed posts only", kinds)
	}
}
