package routing

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// lifecycleSetup extends setup's directory: everyone has a phone; Quinn (5)
// is QA; Ina (6), under Anna, is inactive; Sam (7), under Dan, is in no one's
// chain on case 12, owned by Tom and assigned to Lee.
func lifecycleSetup(t *testing.T) (Policy, Directory, CaseFacts) {
	t.Helper()
	p, dir := setup(t)
	for id, st := range dir {
		st.Phone = "+1555000000" + string(rune('0'+id))
		dir[id] = st
	}
	h := dir[1].Hours
	dir[5] = Staff{ID: 5, Name: "Quinn QA", Role: "qa", Phone: "+15550000005", Hours: h, Active: true}
	dir[6] = Staff{ID: 6, Name: "Ina Gone", ManagerID: 2, Phone: "+15550000006", Hours: h}
	dir[7] = Staff{ID: 7, Name: "Sam Other", ManagerID: 3, Phone: "+15550000007", Hours: h, Active: true}
	c := CaseFacts{ID: 12, Status: StatusOpen, OwnerID: 1, AssigneeID: 4, Priority: PriorityNormal,
		DueAt: tuesday10.Add(time.Hour), Customer: "Jane Doe (Acme)", CustomerPhone: "+15551234567"}
	return p, dir, c
}

func TestStatus(t *testing.T) {
	t.Parallel()
	for _, s := range statuses {
		got, err := ParseStatus(string(s))
		if err != nil || got != s {
			t.Errorf("ParseStatus(%q) = %q, %v; want %q, nil", s, got, err, s)
		}
		if want := s != StatusResolved && s != StatusClosed; s.Active() != want {
			t.Errorf("%q.Active() = %v, want %v", s, s.Active(), want)
		}
	}
	if _, err := ParseStatus("in_progress"); err == nil {
		t.Error("ParseStatus(in_progress) = nil error, want an error")
	}
	if Status("").Active() {
		t.Error(`Status("").Active() = true, want false`)
	}
}

func TestMayAct(t *testing.T) {
	t.Parallel()
	_, dir, c := lifecycleSetup(t)
	dir[8] = Staff{ID: 8, Name: "Loop A", ManagerID: 9, Active: true}
	dir[9] = Staff{ID: 9, Name: "Loop B", ManagerID: 8, Active: true}
	aboutAnna := c
	aboutAnna.ComplainedAbout = []int64{2}
	loop := CaseFacts{ID: 13, OwnerID: 8}
	tests := []struct {
		name  string
		c     CaseFacts
		actor int64
		want  bool
	}{
		{"owner", c, 1, true},
		{"assignee", c, 4, true},
		{"owner's manager", c, 2, true},
		{"director, two up", c, 3, true},
		{"stranger", c, 7, false},
		{"QA", c, 5, false},
		{"inactive staff under the manager", CaseFacts{ID: 12, OwnerID: 6}, 6, false},
		{"unknown number", c, 99, false},
		{"nobody", c, 0, false},
		{"manager the complaint is about", aboutAnna, 2, false},
		{"director above a complained-about manager", aboutAnna, 3, true},
		{"manager cycle, stranger", loop, 7, false},
		{"manager cycle, member", loop, 9, true},
	}
	for _, tt := range tests {
		if got := MayAct(tt.c, tt.actor, dir); got != tt.want {
			t.Errorf("%s: MayAct(case owner %d assignee %d, actor %d) = %v, want %v", tt.name, tt.c.OwnerID, tt.c.AssigneeID, tt.actor, got, tt.want)
		}
	}
}

func kinds(es []Event) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Kind)
	}
	return out
}

func TestActRefusals(t *testing.T) {
	t.Parallel()
	p, dir, c := lifecycleSetup(t)
	resolved := c
	resolved.Status = StatusResolved
	closed := c
	closed.Status = StatusClosed
	noPhone := c
	noPhone.CustomerPhone = ""
	aboutTom := c
	aboutTom.ComplainedAbout = []int64{1}
	tests := []struct {
		name  string
		c     CaseFacts
		actor int64
		cmd   Command
		reply string // a part of the reply
	}{
		{"stranger", c, 7, Command{Kind: CommandAck, CaseID: 12}, "not assigned to you"},
		{"complained about", aboutTom, 1, Command{Kind: CommandAck, CaseID: 12}, "not assigned to you"},
		{"no case", CaseFacts{}, 1, Command{Kind: CommandAck}, "like ACK 12"},
		{"ACK resolved", resolved, 1, Command{Kind: CommandAck}, "Case 12 is resolved: nothing to ACK"},
		{"CALL closed", closed, 1, Command{Kind: CommandCall}, "Case 12 is closed: nothing to CALL"},
		{"NOANSWER resolved", resolved, 1, Command{Kind: CommandNoAnswer}, "nothing to NOANSWER"},
		{"SNOOZE resolved", resolved, 1, Command{Kind: CommandSnooze, Snooze: time.Hour}, "nothing to SNOOZE"},
		{"CALL without a customer phone", noPhone, 1, Command{Kind: CommandCall}, "Call from your own phone, then text DONE 12 <note> or NOANSWER 12."},
		{"SNOOZE too long", c, 1, Command{Kind: CommandSnooze, Snooze: 5 * time.Hour}, "SNOOZE from 1m to 4h"},
		{"SNOOZE too short", c, 1, Command{Kind: CommandSnooze, Snooze: time.Second}, "SNOOZE from 1m to 4h"},
		{"DONE resolved without follow-up", resolved, 1, Command{Kind: CommandDone}, "already resolved"},
		{"UNHAPPY closed", closed, 1, Command{Kind: CommandUnhappy}, "closed"},
		{"STOP", c, 1, Command{Kind: CommandStop}, "handled by the gateway"},
		{"unknown kind", c, 1, Command{Kind: "frobnicate"}, "Unknown command"},
	}
	for _, tt := range tests {
		o := Act(p, tt.c, tt.actor, tt.cmd, dir, tuesday10)
		if !o.Refused || !strings.Contains(o.Reply, tt.reply) {
			t.Errorf("%s: Act = refused %v reply %q; want refused with %q", tt.name, o.Refused, o.Reply, tt.reply)
		}
		o.Refused, o.Reply = false, ""
		if !isZero(o) {
			t.Errorf("%s: refused Act changes something: %+v", tt.name, o)
		}
	}
	// CALL when the actor has no phone to ring.
	st := dir[1]
	st.Phone = ""
	dir[1] = st
	if o := Act(p, c, 1, Command{Kind: CommandCall}, dir, tuesday10); !o.Refused || o.PlaceCall {
		t.Errorf("CALL by staff without a phone: %+v, want refused", o)
	}
}

func isZero(o Outcome) bool {
	return o.Status == "" && len(o.Events) == 0 && !o.PlaceCall && o.Attempt == nil && !o.Resolve && !o.FollowUpDone &&
		!o.CallbackDone && o.SnoozeUntil.IsZero() && o.RetryAt.IsZero() && o.NewOwnerID == 0 && o.NewDueAt.IsZero() &&
		len(o.Notices) == 0 && len(o.Timers) == 0 && !o.VoicemailEmail && o.FollowUpAt.IsZero()
}

func TestActTransitions(t *testing.T) {
	t.Parallel()
	p, dir, c := lifecycleSetup(t)
	now := tuesday10
	with := func(s Status) CaseFacts { x := c; x.Status = s; return x }
	tests := []struct {
		name   string
		c      CaseFacts
		actor  int64
		cmd    Command
		status Status
		events []string
		check  func(t *testing.T, o Outcome)
	}{
		{name: "ACK open", c: with(StatusOpen), actor: 4, cmd: Command{Kind: CommandAck}, status: StatusAcknowledged, events: []string{"acknowledged"},
			check: func(t *testing.T, o Outcome) {
				if !strings.Contains(o.Reply, "Call Jane Doe (Acme) by Tue 11:00 UTC; reply CALL 12") {
					t.Errorf("Reply = %q", o.Reply)
				}
			}},
		{name: "ACK reopened", c: with(StatusReopened), actor: 2, cmd: Command{Kind: CommandAck}, status: StatusAcknowledged, events: []string{"acknowledged"}},
		{name: "ACK again", c: with(StatusCallAttempted), actor: 1, cmd: Command{Kind: CommandAck},
			check: func(t *testing.T, o Outcome) {
				if o.Refused || o.Reply != "Case 12 was already acknowledged; status: call attempted." {
					t.Errorf("Act = %+v, want a plain reply", o)
				}
			}},
		{name: "CALL open", c: with(StatusOpen), actor: 1, cmd: Command{Kind: CommandCall}, status: StatusAcknowledged, events: []string{"acknowledged", "call_requested"},
			check: func(t *testing.T, o Outcome) {
				if !o.PlaceCall {
					t.Error("PlaceCall = false, want true")
				}
			}},
		{name: "CALL in conversation", c: with(StatusInConversation), actor: 1, cmd: Command{Kind: CommandCall}, events: []string{"call_requested"}},
		{name: "NOANSWER", c: with(StatusAcknowledged), actor: 4, cmd: Command{Kind: CommandNoAnswer}, status: StatusCallAttempted, events: []string{"call_attempted"},
			check: func(t *testing.T, o Outcome) {
				if o.Attempt == nil || !o.Attempt.ByAgent || o.Attempt.Outcome != CallNoAnswer || !o.RetryAt.Equal(now.Add(15*time.Minute)) {
					t.Errorf("Attempt = %+v, RetryAt = %v; want a no-answer reported by the agent, retry in 15m", o.Attempt, o.RetryAt)
				}
				if !strings.Contains(o.Events[0].Note, "reported by Lee Support") || o.Reply != "Noted. Case 12: no answer. Next try due Tue 10:15 UTC." {
					t.Errorf("note %q, reply %q", o.Events[0].Note, o.Reply)
				}
			}},
		{name: "SNOOZE", c: with(StatusAcknowledged), actor: 1, cmd: Command{Kind: CommandSnooze, Snooze: 30 * time.Minute}, events: []string{"snoozed"},
			check: func(t *testing.T, o Outcome) {
				if !o.SnoozeUntil.Equal(now.Add(30*time.Minute)) || !o.NewDueAt.IsZero() {
					t.Errorf("SnoozeUntil = %v NewDueAt = %v, want %v and no due change", o.SnoozeUntil, o.NewDueAt, now.Add(30*time.Minute))
				}
				if !strings.Contains(o.Events[0].Note, "the due time does not move") || !strings.Contains(o.Reply, "still due by Tue 11:00 UTC") {
					t.Errorf("note %q reply %q", o.Events[0].Note, o.Reply)
				}
			}},
		{name: "SNOOZE default", c: with(StatusOpen), actor: 1, cmd: Command{Kind: CommandSnooze}, events: []string{"snoozed"},
			check: func(t *testing.T, o Outcome) {
				if !o.SnoozeUntil.Equal(now.Add(DefaultSnooze)) {
					t.Errorf("SnoozeUntil = %v, want now + %v", o.SnoozeUntil, DefaultSnooze)
				}
			}},
		{name: "DONE after a conversation", c: with(StatusInConversation), actor: 1, cmd: Command{Kind: CommandDone, Note: "carrier lost it; reshipped"},
			status: StatusResolved, events: []string{"resolved"},
			check: func(t *testing.T, o Outcome) {
				if !o.Resolve || !o.CallbackDone || o.LessonsLearned != "carrier lost it; reshipped" || !o.FollowUpAt.Equal(now.Add(p.FollowUpAfter)) || o.FollowUpDone {
					t.Errorf("Act = %+v", o)
				}
				if strings.Contains(o.Events[0].Note, "no live conversation") {
					t.Errorf("note %q mentions a missing conversation", o.Events[0].Note)
				}
			}},
		{name: "DONE with no conversation on record", c: with(StatusAcknowledged), actor: 2, cmd: Command{Kind: CommandDone}, status: StatusResolved, events: []string{"resolved"},
			check: func(t *testing.T, o Outcome) {
				if !strings.Contains(o.Events[0].Note, "no live conversation on record") || !strings.Contains(o.Events[0].Note, "no lessons-learned note") {
					t.Errorf("note %q", o.Events[0].Note)
				}
			}},
		{name: "DONE the follow-up", c: func() CaseFacts { x := with(StatusResolved); x.FollowUpOpen = true; return x }(), actor: 1,
			cmd: Command{Kind: CommandDone, Note: "happy now"}, events: []string{"follow_up_done"},
			check: func(t *testing.T, o Outcome) {
				if !o.FollowUpDone || o.Resolve || !strings.Contains(o.Events[0].Note, "happy now") {
					t.Errorf("Act = %+v", o)
				}
			}},
		{name: "UNHAPPY resolved", c: func() CaseFacts { x := with(StatusResolved); x.FollowUpOpen = true; return x }(), actor: 1,
			cmd: Command{Kind: CommandUnhappy, Note: "wants a refund"}, status: StatusReopened, events: []string{"customer_unhappy"},
			check: func(t *testing.T, o Outcome) {
				want := p.DueAt(PriorityHigh, now, dir[2].Hours)
				if o.NewOwnerID != 2 || !o.NewDueAt.Equal(want) || !o.FollowUpDone || len(o.Timers) != 1 || !o.Timers[0].At.Equal(want) {
					t.Errorf("Act = owner %d due %v follow-up done %v timers %+v; want 2, %v, true, one timer", o.NewOwnerID, o.NewDueAt, o.FollowUpDone, o.Timers, want)
				}
				got := []Notice{}
				for _, n := range o.Notices {
					got = append(got, Notice{StaffID: n.StaffID, Role: n.Role})
				}
				if !slices.Equal(got, []Notice{{StaffID: 2, Role: "manager"}, {StaffID: 5, Role: "qa"}}) {
					t.Errorf("Notices = %+v, want manager 2 and QA 5", o.Notices)
				}
				if !strings.Contains(o.Notices[0].Reason, "wants a refund") {
					t.Errorf("manager's reason %q lacks the agent's note", o.Notices[0].Reason)
				}
			}},
		{name: "UNHAPPY active, critical stays critical", c: func() CaseFacts { x := with(StatusInConversation); x.Priority = PriorityCritical; return x }(), actor: 1,
			cmd: Command{Kind: CommandUnhappy}, events: []string{"customer_unhappy"},
			check: func(t *testing.T, o Outcome) {
				if want := now.Add(p.SLA[PriorityCritical]); !o.NewDueAt.Equal(want) || o.NewOwnerID != 2 {
					t.Errorf("NewDueAt = %v owner %d, want %v and 2", o.NewDueAt, o.NewOwnerID, want)
				}
			}},
		{name: "UNHAPPY skips a complained-about manager", c: func() CaseFacts { x := with(StatusInConversation); x.ComplainedAbout = []int64{2}; return x }(), actor: 1,
			cmd: Command{Kind: CommandUnhappy}, events: []string{"customer_unhappy"},
			check: func(t *testing.T, o Outcome) {
				if o.NewOwnerID != 3 {
					t.Errorf("NewOwnerID = %d, want 3 (Anna is complained about)", o.NewOwnerID)
				}
				for _, n := range o.Notices {
					if n.StaffID == 2 {
						t.Errorf("Notices = %+v: Anna, complained about, is told", o.Notices)
					}
				}
			}},
		{name: "UNHAPPY by the manager", c: with(StatusInConversation), actor: 2, cmd: Command{Kind: CommandUnhappy}, events: []string{"customer_unhappy"},
			check: func(t *testing.T, o Outcome) {
				if o.NewOwnerID != 2 || len(o.Notices) != 1 || o.Notices[0].Role != "qa" || !strings.Contains(o.Reply, "yours to call back") {
					t.Errorf("Act = owner %d notices %+v reply %q; want Anna keeps it, only QA told", o.NewOwnerID, o.Notices, o.Reply)
				}
			}},
		{name: "UNHAPPY at the top", c: func() CaseFacts { x := with(StatusInConversation); x.OwnerID = 3; x.AssigneeID = 3; return x }(), actor: 3,
			cmd: Command{Kind: CommandUnhappy}, events: []string{"customer_unhappy"},
			check: func(t *testing.T, o Outcome) {
				if o.NewOwnerID != 0 || o.NewDueAt.IsZero() {
					t.Errorf("Act = owner %d due %v; want the owner kept (0) with a new due time", o.NewOwnerID, o.NewDueAt)
				}
			}},
		{name: "HELP", c: CaseFacts{}, actor: 99, cmd: Command{Kind: CommandHelp},
			check: func(t *testing.T, o Outcome) {
				if o.Refused || o.Reply != HelpText() {
					t.Errorf("Act(HELP) = %+v", o)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := Act(p, tt.c, tt.actor, tt.cmd, dir, now)
			if o.Refused || o.Reply == "" {
				t.Fatalf("Act = refused %v reply %q, want it done with a reply", o.Refused, o.Reply)
			}
			if o.Status != tt.status || !slices.Equal(kinds(o.Events), tt.events) {
				t.Errorf("Act = status %q events %v; want %q %v", o.Status, kinds(o.Events), tt.status, tt.events)
			}
			if len(o.Reply) > MaxSMSLength {
				t.Errorf("len(Reply) = %d, want <= %d", len(o.Reply), MaxSMSLength)
			}
			if tt.check != nil {
				tt.check(t, o)
			}
		})
	}
}
