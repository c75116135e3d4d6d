package routing

import (
	"testing"
	"time"

	"github.com/triage-gw/triage/nlp"
)

// setup returns a policy and a directory: agent Tom (1) reports to Anna (2),
// who reports to director Dan (3); Lee (4) is the default owner.
func setup(t *testing.T) (Policy, Directory) {
	t.Helper()
	h := mustHours(t, "Mon-Fri 09:00-17:00", "UTC")
	p := DefaultPolicy()
	p.DefaultOwnerID = 4
	p.Playbooks = map[string][]string{"missed_or_late_shipment": {"order number", "promised date", "carrier tracking"}}
	if err := p.Validate(); err != nil {
		t.Fatalf("DefaultPolicy().Validate() = %v, want nil", err)
	}
	return p, Directory{
		1: {ID: 1, Name: "Tom Baker", ManagerID: 2, Hours: h, Active: true},
		2: {ID: 2, Name: "Anna Kowalski", ManagerID: 3, Hours: h, Active: true},
		3: {ID: 3, Name: "Dan Reyes", Hours: h, Active: true},
		4: {ID: 4, Name: "Lee Support", ManagerID: 2, Hours: h, Active: true},
	}
}

func complaint(level nlp.Level) nlp.Assessment {
	return nlp.Assessment{
		IsComplaint: true,
		Tone:        nlp.Tone{Score: -0.8, Label: nlp.ToneAngry},
		Urgency:     nlp.Urgency{Score: 0.7, Level: level},
		Category:    nlp.CategoryResult{Primary: nlp.CategoryMissedOrLateShipment},
	}
}

var tuesday10 = time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)

func TestDecideIgnoresAutomaticAndRecordsNonComplaints(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	if got := Decide(p, Inbound{AutoKind: "auto_reply", At: tuesday10}, complaint(nlp.LevelHigh), Situation{Staff: dir}); got.Action != ActionIgnore || len(got.Notices) != 0 {
		t.Errorf("Decide(auto-reply) = %s with %d notices, want ignore with none", got.Action, len(got.Notices))
	}
	praise := nlp.Assessment{Category: nlp.CategoryResult{Primary: nlp.CategoryPraise}}
	if got := Decide(p, Inbound{At: tuesday10}, praise, Situation{Staff: dir}); got.Action != ActionRecord || len(got.Notices) != 0 {
		t.Errorf("Decide(praise) = %s with %d notices, want record with none", got.Action, len(got.Notices))
	}
}

func TestDecideOpensCaseWithinBusinessHours(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	cust := &Customer{ID: 9, Name: "Jane", OwnerID: 1}
	friday1630 := time.Date(2026, 3, 13, 16, 30, 0, 0, time.UTC)
	got := Decide(p, Inbound{At: friday1630}, complaint(nlp.LevelHigh), Situation{Customer: cust, Staff: dir})
	if got.Action != ActionOpenCase || got.OwnerID != 1 || got.Priority != PriorityHigh {
		t.Fatalf("Decide = action %s owner %d priority %s, want open_case 1 high", got.Action, got.OwnerID, got.Priority)
	}
	if want := time.Date(2026, 3, 16, 9, 30, 0, 0, time.UTC); !got.DueAt.Equal(want) {
		t.Errorf("DueAt = %v, want %v (1 business hour, over the weekend)", got.DueAt, want)
	}
	if len(got.Checklist) != 3 || len(got.Notices) != 1 || got.Notices[0].StaffID != 1 {
		t.Errorf("Checklist = %v, Notices = %+v; want the shipment playbook and one notice to the owner", got.Checklist, got.Notices)
	}
	if len(got.Timers) != 1 || !got.Timers[0].At.Equal(got.DueAt) {
		t.Errorf("Timers = %+v, want one at the due time", got.Timers)
	}
}

func TestDecideCriticalIsRoundTheClockAndTellsTheManager(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	sunday := time.Date(2026, 3, 15, 3, 0, 0, 0, time.UTC)
	got := Decide(p, Inbound{At: sunday}, complaint(nlp.LevelCritical), Situation{Customer: &Customer{ID: 9, OwnerID: 1}, Staff: dir})
	if want := sunday.Add(15 * time.Minute); !got.DueAt.Equal(want) {
		t.Errorf("DueAt = %v, want %v", got.DueAt, want)
	}
	if len(got.Notices) != 2 || got.Notices[1].StaffID != 2 || got.Notices[1].Role != "manager" {
		t.Errorf("Notices = %+v, want owner 1 and manager 2", got.Notices)
	}
}

// POLICY P3: account value may raise priority, never lower it.
func TestDecideSmallAccountIsNotLowered(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	small := &Customer{ID: 1, OwnerID: 1, AccountValueCents: 25_00}
	large := &Customer{ID: 2, OwnerID: 1, AccountValueCents: 2_500_000_00}
	for _, level := range []nlp.Level{nlp.LevelCritical, nlp.LevelHigh, nlp.LevelNormal, nlp.LevelLow} {
		a := complaint(level)
		s := Decide(p, Inbound{At: tuesday10}, a, Situation{Customer: small, Staff: dir})
		l := Decide(p, Inbound{At: tuesday10}, a, Situation{Customer: large, Staff: dir})
		if s.Priority != FromLevel(level) {
			t.Errorf("small account, urgency %s: priority %s, want %s (never lowered)", level, s.Priority, level)
		}
		if l.Priority.rank() < s.Priority.rank() {
			t.Errorf("urgency %s: large account %s below small account %s", level, l.Priority, s.Priority)
		}
	}
	if got := Decide(p, Inbound{At: tuesday10}, complaint(nlp.LevelNormal), Situation{Customer: large, Staff: dir}); got.Priority != PriorityHigh {
		t.Errorf("large account, normal urgency: priority %s, want high (raised)", got.Priority)
	}
}

// POLICY P4: a complaint about a person goes to that person's manager.
func TestDecideRoutesAroundTheStaffComplainedAbout(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	a := complaint(nlp.LevelNormal)
	a.StaffComplainedAbout = []string{"Tom Baker"}
	got := Decide(p, Inbound{At: tuesday10}, a, Situation{Customer: &Customer{ID: 9, OwnerID: 1}, Staff: dir})
	if got.OwnerID != 2 || !got.RelationshipRisk {
		t.Fatalf("Decide = owner %d risk %v, want owner 2 (Tom's manager) and a relationship risk", got.OwnerID, got.RelationshipRisk)
	}
	for _, n := range got.Notices {
		if n.StaffID == 1 {
			t.Errorf("Notices = %+v: Tom, named in the complaint, is told", got.Notices)
		}
	}
	a.StaffComplainedAbout = []string{"Tom Baker", "Anna Kowalski"}
	if got := Decide(p, Inbound{At: tuesday10}, a, Situation{Customer: &Customer{ID: 9, OwnerID: 1}, Staff: dir}); got.OwnerID != 3 {
		t.Errorf("complaint about Tom and Anna: owner %d, want 3 (next one up)", got.OwnerID)
	}
}

func TestDecideUpdatesOpenCaseWithoutLoweringOrDelaying(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	open := &OpenCase{ID: 5, OwnerID: 4, Priority: PriorityHigh, DueAt: tuesday10.Add(20 * time.Minute)}
	got := Decide(p, Inbound{At: tuesday10}, complaint(nlp.LevelLow), Situation{Customer: &Customer{ID: 9, OwnerID: 1}, OpenCase: open, Staff: dir})
	if got.Action != ActionUpdateCase || got.Priority != PriorityHigh || got.OwnerID != 4 || !got.DueAt.Equal(open.DueAt) {
		t.Errorf("Decide = %s priority %s owner %d due %v; want update_case high 4 %v", got.Action, got.Priority, got.OwnerID, got.DueAt, open.DueAt)
	}
}

func TestEscalateChain(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	c := CaseState{ID: 7, OwnerID: 1, Priority: PriorityHigh, DueAt: tuesday10}
	if e := Escalate(p, c, 1, dir, tuesday10.Add(-time.Minute)); len(e.Notices) != 0 || e.Next == nil || !e.Next.At.Equal(tuesday10) {
		t.Errorf("Escalate before due = %+v, want no notice and a timer at the due time", e)
	}
	want := []int64{1, 2, 3}
	now := tuesday10
	for level := 1; level <= 3; level++ {
		e := Escalate(p, c, level, dir, now)
		if len(e.Notices) != 1 || e.Notices[0].StaffID != want[level-1] || e.Next == nil {
			t.Fatalf("Escalate level %d = %+v, want a notice to %d and a next timer", level, e, want[level-1])
		}
		now = e.Next.At
	}
	if e := Escalate(p, c, 4, dir, now); len(e.Notices) != 0 || e.Next != nil || len(e.Events) != 1 {
		t.Errorf("Escalate level 4 = %+v, want the chain to end with an event", e)
	}
	c.CallAttempted = true
	if e := Escalate(p, c, 1, dir, now); len(e.Notices)+len(e.Events) != 0 || e.Next != nil {
		t.Errorf("Escalate after a call attempt = %+v, want nothing", e)
	}
}

func TestDecideNonComplaintJoinsOpenCaseQuietly(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	open := &OpenCase{ID: 5, OwnerID: 4, Priority: PriorityHigh, DueAt: tuesday10.Add(20 * time.Minute)}
	note := nlp.Assessment{Category: nlp.CategoryResult{Primary: nlp.CategoryNotAComplaint}}
	got := Decide(p, Inbound{At: tuesday10}, note, Situation{Customer: &Customer{ID: 9, OwnerID: 1}, OpenCase: open, Staff: dir})
	if got.Action != ActionUpdateCase || got.Priority != PriorityHigh || got.OwnerID != 4 || !got.DueAt.Equal(open.DueAt) {
		t.Errorf("Decide = %s priority %s owner %d due %v; want update_case keeping high 4 %v", got.Action, got.Priority, got.OwnerID, got.DueAt, open.DueAt)
	}
	if len(got.Notices)+len(got.Timers) != 0 {
		t.Errorf("Decide = %d notices, %d timers; want none for a non-complaint", len(got.Notices), len(got.Timers))
	}
}

func TestDecideTellsTheManagerOncePerCase(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	cust := &Customer{ID: 9, OwnerID: 1}
	raised := Decide(p, Inbound{At: tuesday10}, complaint(nlp.LevelCritical), Situation{Customer: cust, Staff: dir,
		OpenCase: &OpenCase{ID: 5, OwnerID: 1, Priority: PriorityHigh, DueAt: tuesday10.Add(time.Hour)}})
	if len(raised.Notices) != 2 || raised.Notices[1].Role != "manager" {
		t.Errorf("open case raised to critical: notices %+v, want owner and manager", raised.Notices)
	}
	again := Decide(p, Inbound{At: tuesday10}, complaint(nlp.LevelCritical), Situation{Customer: cust, Staff: dir,
		OpenCase: &OpenCase{ID: 5, OwnerID: 1, Priority: PriorityCritical, DueAt: tuesday10.Add(time.Hour)}})
	if len(again.Notices) != 1 || again.Notices[0].StaffID != 1 {
		t.Errorf("already critical case: notices %+v, want the owner only", again.Notices)
	}
}
