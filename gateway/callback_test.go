package gateway_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

const (
	tomPhone   = "+16175550102"
	annaPhone  = "+16175550103"
	janePhone  = "+16175557654"
	danaPhone  = "+16175550104"
	samPhone   = "+16175550105"
	smsPath    = "/twilio/sms"
	waitLonger = 60 * time.Second
)

// loopSetup is setup with a director above Anna, another agent, and a
// phone number for the customer.
func loopSetup(t *testing.T) *bundle {
	t.Helper()
	b := setup(t)
	b.cfg.Staff = []config.Staff{
		{Name: "Tom Baker", Email: "tom@example.com", Phone: tomPhone, Manager: "anna@example.com", TimeZone: "UTC"},
		{Name: "Anna Kowalski", Email: "anna@example.com", Phone: annaPhone, Role: "manager", Manager: "dana@example.com", TimeZone: "UTC"},
		{Name: "Dana Reyes", Email: "dana@example.com", Phone: danaPhone, Role: "director", TimeZone: "UTC"},
		{Name: "Sam Ortiz", Email: "sam@example.com", Phone: samPhone, Manager: "anna@example.com", TimeZone: "UTC"},
	}
	writeCustomers(t, b, `
- {ref: C-1, name: Jane Doe, company: Acme, tier: standard, account_value: 25, owner: tom@example.com, emails: [jane@acme.example], phones: ["`+janePhone+`"]}
`)
	return b
}

func writeCustomers(t *testing.T, b *bundle, yaml string) {
	t.Helper()
	if err := os.WriteFile(b.cfg.CustomersFile, []byte(yaml), 0o600); err != nil {
		t.Fatal(err)
	}
}

// loop is a running gateway with the helpers a call-back test needs.
type loop struct {
	b      *bundle
	caseID int64
	url    string // the gateway's base URL
}

func (l *loop) sms(t *testing.T, from, body string) twiliotest.Reply {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	r, err := l.b.sms.SendSMS(ctx, l.url+smsPath, from, body)
	if err != nil || r.Status != http.StatusOK {
		t.Fatalf("SMS %q from %s: status %d, %v\n%s", body, from, r.Status, err, r.Body)
	}
	return r
}

// openCase ingests the angry complaint and waits for its SMS.
func openCase(t *testing.T, b *bundle) *loop {
	t.Helper()
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	b.start(t)
	r := b.next(t)
	if r.CaseID == 0 || len(r.Notifications) == 0 {
		t.Fatalf("ingest = case %d, %d notifications (plan %s: %s); want a case and an SMS", r.CaseID, len(r.Notifications), r.Plan.Action, r.Plan.Reason)
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	msgs, err := b.sms.Wait(ctx, len(r.Notifications))
	if err != nil {
		t.Fatalf("sms.Wait() = %v", err)
	}
	id := strconv.FormatInt(r.CaseID, 10)
	if body := msgs[0].Body; !strings.Contains(body, "CALL "+id) || !strings.Contains(body, "DONE "+id) || !strings.Contains(body, b.cfg.HTTP.PublicURL+"/cases/"+id) {
		t.Errorf("first SMS = %q; want it to advertise CALL %s and DONE %s, and link to the case page %s/cases/%s", body, id, id, b.cfg.HTTP.PublicURL, id)
	}
	// The stand-in has it; wait until the gateway has recorded it too.
	st := openStore(t, b.cfg)
	waitFor(t, "the first SMS to be recorded as sent", func() bool {
		return slices.Contains(eventKinds(t, st, r.CaseID), "sms_sent")
	})
	return &loop{b: b, caseID: r.CaseID, url: "http://" + b.cfg.HTTP.Addr}
}

func eventKinds(t *testing.T, st store.Store, caseID int64) []string {
	t.Helper()
	events, err := st.CaseEventList(t.Context(), caseID)
	if err != nil {
		t.Fatalf("CaseEventList(%d) = %v", caseID, err)
	}
	kinds := make([]string, len(events))
	for i, e := range events {
		kinds[i] = e.Kind
	}
	return kinds
}

// The loop closed by phone, on SQLite and PostgreSQL: complaint → SMS → the
// owner replies CALL → both legs → conversation → DONE → resolved, with a
// follow-up a week later; a stranger, a forged and a repeated webhook
// change nothing.
func TestCallBackClosesTheLoop(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testCallBackClosesTheLoop(t, loopSetup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		b := loopSetup(t)
		b.cfg.Database.URL = storetest.PostgresSchemaURL(t)
		testCallBackClosesTheLoop(t, b)
	})
}

func testCallBackClosesTheLoop(t *testing.T, b *bundle) {
	l := openCase(t, b)
	id := strconv.FormatInt(l.caseID, 10)
	b.sms.Script(janePhone, twiliotest.Answer{Result: "answer", Talk: 95 * time.Second})

	// Strangers change nothing.
	if r := l.sms(t, "+15550009999", "DONE "+id+" all fixed"); len(r.Messages) != 1 || !strings.Contains(r.Messages[0], "not on the support team") {
		t.Errorf("unknown number's DONE: reply %q; want a reply saying the number is unknown", r.Messages)
	}
	if r := l.sms(t, samPhone, "DONE "+id+" all fixed"); len(r.Messages) != 1 || !strings.Contains(r.Messages[0], "not assigned to you") {
		t.Errorf("another agent's DONE: reply %q; want a refusal", r.Messages)
	}
	if r := l.sms(t, tomPhone, "FROBNICATE "+id); len(r.Messages) != 1 || !strings.Contains(r.Messages[0], "HELP") {
		t.Errorf("malformed command: reply %q; want one pointing to HELP", r.Messages)
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	forged := url.Values{"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "AccountSid": {accountSID},
		"From": {tomPhone}, "To": {"+16175550199"}, "Body": {"DONE " + id + " forged"}}
	if status, _, err := b.sms.PostForged(ctx, l.url+smsPath, forged); err != nil || status != http.StatusForbidden {
		t.Errorf("forged SMS webhook: status %d, %v; want 403", status, err)
	}
	unsigned, err := http.PostForm(l.url+smsPath, forged)
	if err != nil {
		t.Fatal(err)
	}
	unsigned.Body.Close()
	if unsigned.StatusCode != http.StatusForbidden {
		t.Errorf("unsigned SMS webhook: status %d, want 403", unsigned.StatusCode)
	}

	// The owner asks to be connected: the stand-in rings Tom, plays the
	// whisper, dials Jane with our caller ID, and they talk 95 s.
	call := l.sms(t, tomPhone, "call "+id)
	if len(call.Messages) != 1 || !strings.Contains(call.Messages[0], "calling you now") {
		t.Errorf("CALL reply = %q, want it to say we are calling", call.Messages)
	}
	_, err = b.sms.WaitCallsEnded(ctx, 1)
	if err != nil {
		t.Fatalf("WaitCallsEnded(1) = %v (webhooks: %+v)", err, b.sms.Webhooks())
	}
	legs := b.sms.Calls()
	if len(legs) != 2 {
		t.Fatalf("stand-in legs = %+v, want the agent's and the customer's", legs)
	}
	agent, customer := legs[0], legs[1]
	if agent.To != tomPhone || customer.To != janePhone || customer.ParentSID != agent.SID || customer.From != "+16175550199" {
		t.Errorf("legs: agent to %s, customer to %s from %s (parent %s); want Tom first, then Jane from our number", agent.To, customer.To, customer.From, customer.ParentSID)
	}
	if whisper := strings.Join(agent.Said, " "); !strings.Contains(whisper, "Jane Doe") || !strings.Contains(whisper, id) {
		t.Errorf("whisper = %q, want the customer and the case number (P5)", whisper)
	}
	for _, h := range b.sms.Webhooks() {
		if !h.OK() && h.Kind != "forged" {
			t.Errorf("webhook %s %s: status %d, %v; want every signed callback accepted", h.Kind, h.URL, h.Status, h.Err)
		}
	}

	// The owner closes the case with what was done.
	done := l.sms(t, tomPhone, "  DONE #"+id+"  replaced the part ")
	if len(done.Messages) != 1 || !strings.Contains(done.Messages[0], "resolved") {
		t.Errorf("DONE reply = %q, want it resolved", done.Messages)
	}
	// Twilio retries a webhook: the same SMS again is answered the same
	// and changes nothing; so does a repeated status callback.
	st := openStore(t, b.cfg)
	waitFor(t, "the SMS jobs to run", func() bool { return jobsDone(t, st, "send_sms") })
	before := eventKinds(t, st, l.caseID)
	again, err := b.sms.SendSMSWithSID(ctx, l.url+smsPath, done.MessageSID, tomPhone, "  DONE #"+id+"  replaced the part ")
	if err != nil || !slices.Equal(again.Messages, done.Messages) {
		t.Errorf("repeated DONE: reply %q, %v; want the first reply %q again", again.Messages, err, done.Messages)
	}
	var statusHook twiliotest.Webhook
	for _, h := range b.sms.Webhooks() {
		if strings.Contains(h.URL, "/twilio/voice/status") && h.Form.Get("CallStatus") == "completed" && strings.Contains(h.URL, "leg=customer") {
			statusHook = h
		}
	}
	if statusHook.URL == "" {
		t.Fatalf("no completed status callback of the customer leg among %d webhooks", len(b.sms.Webhooks()))
	}
	if status, _, err := b.sms.PostSigned(ctx, statusHook.URL, statusHook.Form); err != nil || status/100 != 2 {
		t.Errorf("repeated status callback: status %d, %v; want 2xx", status, err)
	}
	forgedStatus := url.Values{}
	for k, v := range statusHook.Form {
		forgedStatus[k] = v
	}
	forgedStatus.Set("CallSid", "CA0123456789abcdef0123456789abcdef")
	forgedStatus.Set("CallStatus", "no-answer")
	if status, _, err := b.sms.PostForged(ctx, statusHook.URL, forgedStatus); err != nil || status != http.StatusForbidden {
		t.Errorf("forged status callback: status %d, %v; want 403", status, err)
	}
	if after := eventKinds(t, st, l.caseID); !slices.Equal(after, before) {
		t.Errorf("repeated and forged webhooks changed the timeline:\nbefore %v\nafter  %v", before, after)
	}

	c, err := st.CaseGetByID(t.Context(), l.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != store.CaseResolved || c.ResolvedAt.IsZero() {
		t.Errorf("case status %s resolved at %v, want resolved", c.Status, c.ResolvedAt)
	}
	calls, err := st.CallListByCase(t.Context(), l.caseID)
	if err != nil || len(calls) != 1 {
		t.Fatalf("calls = %+v, %v; want one", calls, err)
	}
	if cl := calls[0]; cl.Status != store.CallEnded || cl.Outcome != "connected" || cl.DurationSeconds != 95 || cl.ProviderID != agent.SID || cl.CustomerLegID != customer.SID {
		t.Errorf("call = %+v; want ended, connected, 95 s, both legs' SIDs", cl)
	}
	tasks, err := st.TaskListByCase(t.Context(), l.caseID)
	if err != nil {
		t.Fatal(err)
	}
	var callback, followUp store.Task
	for _, task := range tasks {
		switch task.Kind {
		case store.TaskCallback:
			callback = task
		case store.TaskFollowUp:
			followUp = task
		}
	}
	if callback.Status != store.TaskDone {
		t.Errorf("call-back task %+v, want done", callback)
	}
	if want := b.clock.now().Add(7 * 24 * time.Hour); followUp.Status != store.TaskOpen || followUp.DueAt.Sub(want).Abs() > time.Minute {
		t.Errorf("follow-up task %+v, want open and due a week from now (%v)", followUp, want)
	}
	kinds := eventKinds(t, st, l.caseID)
	if !slices.Contains(kinds, "call_placed") {
		t.Errorf("timeline has no call_placed event: %v", kinds)
	}
	want := []string{"case_opened", "sms_sent", "sms_command", "acknowledged", "call_requested", "call_queued",
		"call_status", "call_attempted", "call_connected", "resolved", "task_done", "follow_up_scheduled"}
	for i, k := range want {
		j := slices.Index(kinds, k)
		if j < 0 {
			t.Errorf("timeline has no %s event: %v", k, kinds)
			continue
		}
		if i > 0 {
			if prev := slices.Index(kinds, want[i-1]); prev > j {
				t.Errorf("timeline has %s before %s: %v", want[i-1], k, kinds)
			}
		}
	}
	events, err := st.CaseEventList(t.Context(), l.caseID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Kind == "resolved" && (e.Actor != "staff:"+strconv.FormatInt(c.OwnerID, 10) || !strings.Contains(string(e.Data), "replaced the part")) {
			t.Errorf("resolved event by %s: %s; want the owner's, with the lessons-learned note", e.Actor, e.Data)
		}
	}
}

// Escalation stops once a call attempt was made, and goes on without one
// (TestMissedDueTimeEscalatesToManager shows that side).
func TestEscalationStopsAfterACallAttempt(t *testing.T) {
	t.Parallel()
	b := loopSetup(t)
	l := openCase(t, b)
	id := strconv.FormatInt(l.caseID, 10)
	b.sms.Script(janePhone, twiliotest.Answer{Result: "no-answer"})
	l.sms(t, tomPhone, "CALL "+id)
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	if _, err := b.sms.WaitCallsEnded(ctx, 1); err != nil {
		t.Fatalf("WaitCallsEnded(1) = %v", err)
	}
	st := openStore(t, b.cfg)
	c, err := st.CaseGetByID(t.Context(), l.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if c.Status != store.CaseCallAttempted {
		t.Errorf("case status after an unanswered call = %s, want %s", c.Status, store.CaseCallAttempted)
	}
	// A retry is scheduled and the agent is told how it went.
	kinds := eventKinds(t, st, l.caseID)
	if !slices.Contains(kinds, "call_attempted") || !slices.Contains(kinds, "call_retry_scheduled") {
		t.Errorf("timeline %v; want call_attempted and call_retry_scheduled", kinds)
	}
	smsBefore := len(b.sms.Messages())
	b.clock.advance(c.DueAt.Sub(b.clock.now()) + time.Hour)
	if err := st.JobInsert(t.Context(), gateway.EscalateJob(l.caseID, 2, time.Time{}, c.DueAt)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the escalation timer to run", func() bool { return jobsDone(t, st, "escalate") })
	for _, m := range b.sms.Messages()[smsBefore:] {
		if strings.Contains(m.Body, "ESCALATED") {
			t.Errorf("escalation SMS after a call attempt: %q", m.Body)
		}
	}
	if slices.Contains(eventKinds(t, st, l.caseID), "escalated") {
		t.Errorf("timeline has an escalated event after a call attempt")
	}
}

// POLICY P4: a complaint about a manager is never escalated to that
// manager; the ladder goes one level further up.
func TestComplaintAboutManagerSkipsThemOnEscalation(t *testing.T) {
	t.Parallel()
	b := loopSetup(t)
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 and your manager",
		angry+" And your manager Anna Kowalski was rude to me on the phone yesterday and hung up on me.")
	b.start(t)
	r := b.next(t)
	st := openStore(t, b.cfg)
	anna, err := st.StaffGetByEmail(t.Context(), "anna@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(r.Plan.ComplainedAbout, anna.ID) {
		t.Fatalf("plan complained about %v, want Anna (%d) named", r.Plan.ComplainedAbout, anna.ID)
	}
	c, err := st.CaseGetByID(t.Context(), r.CaseID)
	if err != nil || !slices.Contains(c.ComplainedAbout, anna.ID) {
		t.Fatalf("case %+v, %v; want it to remember that it is about Anna", c, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	if _, err := b.sms.Wait(ctx, len(r.Notifications)); err != nil {
		t.Fatal(err)
	}
	b.clock.advance(c.DueAt.Sub(b.clock.now()) + time.Hour)
	for level := 2; level <= 3; level++ {
		if err := st.JobInsert(t.Context(), gateway.EscalateJob(r.CaseID, level, time.Time{}, c.DueAt)); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the escalation timers to run", func() bool { return jobsDone(t, st, "escalate") })
	var toDana int
	for _, m := range b.sms.Messages() {
		if m.To == annaPhone {
			t.Errorf("SMS to Anna, whom the complaint is about: %q", m.Body)
		}
		if m.To == danaPhone {
			toDana++
		}
	}
	if toDana == 0 {
		t.Errorf("no SMS reached Dana, one level above Anna; messages: %+v\ntimeline: %v", b.sms.Messages(), eventKinds(t, st, r.CaseID))
	}
}

// waitFor polls cond until it holds, for up to a minute.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLonger)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// jobsDone reports whether no job of kind is waiting or running.
func jobsDone(t *testing.T, st store.Store, kind string) bool {
	t.Helper()
	n, err := gateway.PendingJobs(t.Context(), st, kind)
	if err != nil {
		t.Fatalf("PendingJobs(%s) = %v", kind, err)
	}
	return n == 0
}

// policy.calls.auto_call: at the due time with no attempt made, the
// gateway rings the owner and bridges the customer by itself.
func TestAutoCallAtTheDueTime(t *testing.T) {
	t.Parallel()
	b := loopSetup(t)
	b.cfg.Policy.Calls.AutoCall = true
	// Due two seconds after it opens, whatever its priority: the timer
	// set at opening fires for real.
	b.cfg.Policy.SLA = map[string]time.Duration{"critical": 2 * time.Second, "high": 2 * time.Second, "normal": 2 * time.Second}
	l := openCase(t, b)
	st := openStore(t, b.cfg)
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	calls, err := b.sms.WaitCallsEnded(ctx, 1)
	if err != nil {
		t.Fatalf("no automatic call at the due time: %v", err)
	}
	if calls[0].To != tomPhone {
		t.Errorf("automatic call rang %s, want the owner %s", calls[0].To, tomPhone)
	}
	kinds := eventKinds(t, st, l.caseID)
	for _, k := range []string{"sla_breached", "call_queued", "call_placed", "call_connected"} {
		if !slices.Contains(kinds, k) {
			t.Errorf("timeline has no %s: %v", k, kinds)
		}
	}
}

// The staff member's own voicemail picks up the call-back: it presses no
// key after the whisper, so the customer is never dialled into it, and
// the attempt does not count.
func TestCallBackNeverBridgesTheAgentsVoicemail(t *testing.T) {
	t.Parallel()
	for _, answer := range []twiliotest.Answer{{Result: "machine"}, {NoKeys: true}} {
		b := loopSetup(t)
		l := openCase(t, b)
		b.sms.Script(tomPhone, answer)
		l.sms(t, tomPhone, "CALL "+strconv.FormatInt(l.caseID, 10))
		ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
		if _, err := b.sms.WaitCallsEnded(ctx, 1); err != nil {
			t.Fatalf("%+v: WaitCallsEnded = %v", answer, err)
		}
		cancel()
		for _, c := range b.sms.Calls() {
			if c.To == janePhone {
				t.Errorf("%+v: the customer was dialled: %+v", answer, c)
			}
		}
		st := openStore(t, b.cfg)
		calls, err := st.CallListByCase(t.Context(), l.caseID)
		if err != nil || len(calls) != 1 || calls[0].Outcome != "agent_unreachable" {
			t.Errorf("%+v: calls = %+v, %v; want one, agent_unreachable", answer, calls, err)
		}
		if kinds := eventKinds(t, st, l.caseID); slices.Contains(kinds, "call_attempted") {
			t.Errorf("%+v: an attempt was recorded: %v", answer, kinds)
		}
	}
}

// Twilio's delivery report of an SMS the gateway sent: an undelivered one
// is on the case's timeline, once.
func TestUndeliveredSMSIsOnTheTimeline(t *testing.T) {
	t.Parallel()
	b := loopSetup(t)
	l := openCase(t, b)
	sent := b.sms.Messages()[0]
	if sent.StatusCallback != l.url+gateway.PathSMSStatus {
		t.Fatalf("SMS status callback = %q, want %s", sent.StatusCallback, l.url+gateway.PathSMSStatus)
	}
	st := openStore(t, b.cfg)
	// The report names the message by the SID the gateway recorded.
	waitFor(t, "the SMS to be recorded as sent", func() bool { return jobsDone(t, st, "send_sms") })
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	for range 2 { // Twilio may report it twice
		if err := b.sms.SendStatusError(ctx, sent.StatusCallback, sent.SID, "undelivered", 30003); err != nil {
			t.Fatalf("SendStatusError = %v", err)
		}
	}
	if n := countOf(eventKinds(t, st, l.caseID), "sms_undelivered"); n != 1 {
		t.Errorf("timeline has %d sms_undelivered events, want 1", n)
	}
}
