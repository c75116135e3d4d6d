package routing

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestClassifyCustomerLeg(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	tests := []struct {
		status, answeredBy string
		talk               time.Duration
		want               CallOutcome
	}{
		{"completed", "human", 2 * time.Minute, CallConnected},
		{"completed", "", 30 * time.Second, CallConnected},
		{"completed", "unknown", 29 * time.Second, CallShort},
		{"completed", "machine_start", 40 * time.Second, CallVoicemail},
		{"completed", "machine_end_beep", time.Minute, CallVoicemail},
		{"completed", "machine_end_silence", time.Minute, CallVoicemail},
		{"completed", "machine_end_other", time.Minute, CallVoicemail},
		{"completed", "fax", 0, CallVoicemail},
		{"busy", "", 0, CallBusy},
		{"no-answer", "", 0, CallNoAnswer},
		{"canceled", "", 0, CallNoAnswer},
		{"failed", "", 0, CallFailed},
		{"Completed", "Human", time.Minute, CallConnected},
		{"in-progress", "", 0, CallFailed},
	}
	for _, tt := range tests {
		if got := ClassifyCustomerLeg(tt.status, tt.answeredBy, tt.talk, p); got != tt.want {
			t.Errorf("ClassifyCustomerLeg(%q, %q, %v) = %q, want %q", tt.status, tt.answeredBy, tt.talk, got, tt.want)
		}
	}
}

func TestCallEndedPerOutcome(t *testing.T) {
	t.Parallel()
	p, dir, c := lifecycleSetup(t)
	c.Status = StatusAcknowledged
	now := c.DueAt.Add(-10 * time.Minute)
	tests := []struct {
		outcome   CallOutcome
		status    Status
		events    []string
		retry     bool
		voicemail bool
	}{
		{CallConnected, StatusInConversation, []string{"call_attempted", "call_connected"}, false, false},
		{CallShort, StatusCallAttempted, []string{"call_attempted"}, true, false},
		{CallNoAnswer, StatusCallAttempted, []string{"call_attempted"}, true, false},
		{CallBusy, StatusCallAttempted, []string{"call_attempted"}, true, false},
		{CallFailed, StatusCallAttempted, []string{"call_attempted"}, true, false},
		{CallVoicemail, StatusCallAttempted, []string{"call_attempted", "voicemail_reached"}, true, true},
	}
	for _, tt := range tests {
		o := CallEnded(p, c, CallResult{Outcome: tt.outcome, Duration: 10 * time.Second}, dir, now)
		if o.Status != tt.status || !slices.Equal(kinds(o.Events), tt.events) || !o.RetryAt.IsZero() != tt.retry || o.VoicemailEmail != tt.voicemail {
			t.Errorf("CallEnded(%s) = status %q events %v retry %v voicemail email %v; want %q %v %v %v",
				tt.outcome, o.Status, kinds(o.Events), o.RetryAt, o.VoicemailEmail, tt.status, tt.events, tt.retry, tt.voicemail)
		}
		if o.Attempt == nil || o.Attempt.Number != 1 || o.Attempt.Outcome != tt.outcome || o.Attempt.Late {
			t.Errorf("CallEnded(%s).Attempt = %+v, want attempt 1, on time", tt.outcome, o.Attempt)
		}
		if note := o.Events[0].Note; !strings.Contains(note, "within the due time") {
			t.Errorf("CallEnded(%s) note %q, want it within the due time", tt.outcome, note)
		}
	}
	// Connected resets the unanswered count; the case stays in conversation
	// when a later attempt fails.
	c.Unanswered = 2
	if o := CallEnded(p, c, CallResult{Outcome: CallConnected, Duration: time.Minute}, dir, now); o.Attempt.Unanswered != 0 {
		t.Errorf("CallEnded(connected).Attempt.Unanswered = %d, want 0", o.Attempt.Unanswered)
	}
	c.Status, c.Unanswered = StatusInConversation, 0
	if o := CallEnded(p, c, CallResult{Outcome: CallNoAnswer}, dir, now); o.Status != "" || o.Attempt.Unanswered != 1 {
		t.Errorf("CallEnded(no answer, in conversation) = status %q unanswered %d; want unchanged and 1", o.Status, o.Attempt.Unanswered)
	}
}

func TestCallEndedLateFirstAttemptIsABreach(t *testing.T) {
	t.Parallel()
	p, dir, c := lifecycleSetup(t)
	o := CallEnded(p, c, CallResult{Outcome: CallConnected, Duration: time.Minute}, dir, c.DueAt.Add(25*time.Minute))
	if !o.Attempt.Late || !strings.Contains(o.Events[0].Note, "late: 25m after the due time") || !strings.Contains(o.Events[0].Note, "SLA breached") {
		t.Errorf("late first attempt: attempt %+v note %q; want late and an SLA breach", o.Attempt, o.Events[0].Note)
	}
	c.Attempts = 1
	o = CallEnded(p, c, CallResult{Outcome: CallConnected, Duration: time.Minute}, dir, c.DueAt.Add(25*time.Minute))
	if strings.Contains(o.Events[0].Note, "SLA breached") || o.Attempt.Number != 2 {
		t.Errorf("late second attempt: attempt %+v note %q; want attempt 2, no new breach", o.Attempt, o.Events[0].Note)
	}
}

func TestCallEndedRetriesThenEscalates(t *testing.T) {
	t.Parallel()
	p, dir, c := lifecycleSetup(t)
	p.Calls.MaxAttempts = 4
	now := tuesday10
	waits := []time.Duration{15 * time.Minute, time.Hour, 3 * time.Hour}
	for i, want := range waits {
		c.Attempts, c.Unanswered = i, i
		o := CallEnded(p, c, CallResult{Outcome: CallBusy}, dir, now)
		if !o.RetryAt.Equal(now.Add(want)) || len(o.Notices) != 0 {
			t.Errorf("unanswered attempt %d: RetryAt = %v notices %+v; want %v and none", i+1, o.RetryAt, o.Notices, now.Add(want))
		}
	}
	c.Attempts, c.Unanswered = 3, 3
	o := CallEnded(p, c, CallResult{Outcome: CallNoAnswer}, dir, now)
	if !o.RetryAt.IsZero() || !slices.Equal(kinds(o.Events), []string{"call_attempted", "escalated"}) ||
		len(o.Notices) != 1 || o.Notices[0] != (Notice{StaffID: 2, Role: "escalation", Reason: "4 call attempts in a row did not reach the customer"}) {
		t.Errorf("4th unanswered attempt = retry %v events %v notices %+v; want no retry, escalation to Anna", o.RetryAt, kinds(o.Events), o.Notices)
	}
	// The defaults: 3 attempts, then the manager; a complaint about Anna
	// sends it to Dan.
	p.Calls.MaxAttempts = 3
	c.Attempts, c.Unanswered, c.ComplainedAbout = 2, 2, []int64{2}
	o = CallEnded(p, c, CallResult{Outcome: CallVoicemail}, dir, now)
	if !o.RetryAt.IsZero() || len(o.Notices) != 1 || o.Notices[0].StaffID != 3 || !o.VoicemailEmail {
		t.Errorf("3rd unanswered attempt, Anna complained about = retry %v notices %+v; want Dan told", o.RetryAt, o.Notices)
	}
	// No one above: the chain ends on the timeline.
	c.OwnerID, c.ComplainedAbout = 3, nil
	if o := CallEnded(p, c, CallResult{Outcome: CallNoAnswer}, dir, now); len(o.Notices) != 0 || !slices.Contains(kinds(o.Events), "escalation_exhausted") {
		t.Errorf("no manager above: notices %+v events %v; want none and escalation_exhausted", o.Notices, kinds(o.Events))
	}
}

func TestCallEndedAgentUnreachableIsNotAnAttempt(t *testing.T) {
	t.Parallel()
	p, dir, c := lifecycleSetup(t)
	o := CallEnded(p, c, CallResult{Outcome: CallAgentUnreachable}, dir, tuesday10)
	if o.Attempt != nil || o.Status != "" || !slices.Equal(kinds(o.Events), []string{"call_not_connected"}) || !o.RetryAt.IsZero() {
		t.Errorf("CallEnded(agent unreachable) = %+v; want no attempt, no status change, one call_not_connected event", o)
	}
	if len(o.Notices) != 1 || o.Notices[0].StaffID != 4 || !strings.Contains(o.Notices[0].Reason, "Reply CALL 12 when ready") {
		t.Errorf("Notices = %+v, want one to the assignee (4) asking for CALL 12", o.Notices)
	}
	if o := CallEnded(p, c, CallResult{Outcome: CallAgentUnreachable, AgentID: 2}, dir, tuesday10); o.Notices[0].StaffID != 2 {
		t.Errorf("Notices = %+v, want the manager who was rung (2)", o.Notices)
	}
}

func TestCallEndedOnAResolvedCaseOnlyRecords(t *testing.T) {
	t.Parallel()
	p, dir, c := lifecycleSetup(t)
	c.Status = StatusResolved
	o := CallEnded(p, c, CallResult{Outcome: CallNoAnswer}, dir, tuesday10)
	if o.Status != "" || !o.RetryAt.IsZero() || len(o.Notices) != 0 || o.Attempt == nil {
		t.Errorf("CallEnded on a resolved case = %+v; want the attempt recorded and nothing else", o)
	}
}

func TestSpan(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{0: "0s", 45 * time.Second: "45s", 252 * time.Second: "4m12s", 2 * time.Hour: "2h",
		90 * time.Minute: "1h30m", 14 * 24 * time.Hour: "14d", 50*time.Hour + time.Second: "2d2h1s"} {
		if got := span(d); got != want {
			t.Errorf("span(%v) = %q, want %q", d, got, want)
		}
	}
}

// A retry after an unanswered call falls in the agent's business hours:
// nobody is called back at night.
func TestCallRetryFallsInBusinessHours(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	c := CaseFacts{ID: 7, Status: StatusAcknowledged, OwnerID: 1, AssigneeID: 1, Priority: PriorityHigh}
	friday1655 := time.Date(2026, 3, 13, 16, 55, 0, 0, time.UTC)
	o := CallEnded(p, c, CallResult{Outcome: CallNoAnswer, AgentID: 1}, dir, friday1655)
	// 15 minutes of business time from Friday 16:55: Monday 09:10.
	if want := time.Date(2026, 3, 16, 9, 10, 0, 0, time.UTC); !o.RetryAt.Equal(want) {
		t.Errorf("retry after a Friday 16:55 no-answer = %v, want %v", o.RetryAt, want)
	}
	tuesday := CallEnded(p, c, CallResult{Outcome: CallNoAnswer, AgentID: 1}, dir, tuesday10)
	if want := tuesday10.Add(p.Calls.Retry[0]); !tuesday.RetryAt.Equal(want) {
		t.Errorf("retry within hours = %v, want %v", tuesday.RetryAt, want)
	}
}
