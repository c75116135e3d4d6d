package routing

import (
	"slices"
	"testing"
	"time"

	"github.com/triage-gw/triage/nlp"
)

func TestDecideReopensWithinTheWindow(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	cust := &Customer{ID: 9, OwnerID: 4}
	rc := &ResolvedCase{ID: 7, OwnerID: 1, Priority: PriorityHigh, ResolvedAt: tuesday10.Add(-p.ReopenWindow), ComplainedAbout: []int64{4}}
	got := Decide(p, Inbound{At: tuesday10}, complaint(nlp.LevelLow), Situation{Customer: cust, Staff: dir, Resolved: rc})
	if got.Action != ActionReopenCase || got.CaseID != 7 || got.OwnerID != 1 || got.Priority != PriorityHigh {
		t.Fatalf("Decide = %s case %d owner %d priority %s; want reopen_case 7, old owner 1, high (never lowered)", got.Action, got.CaseID, got.OwnerID, got.Priority)
	}
	if want := p.DueAt(PriorityHigh, tuesday10, dir[1].Hours); !got.DueAt.Equal(want) || len(got.Timers) != 1 || !got.Timers[0].At.Equal(want) {
		t.Errorf("DueAt = %v timers %+v, want %v with a timer", got.DueAt, got.Timers, want)
	}
	if !slices.Contains(kinds(got.Events), "case_reopened") || len(got.Checklist) != 3 || len(got.Notices) != 1 || got.Notices[0].StaffID != 1 {
		t.Errorf("Decide = events %v checklist %v notices %+v; want case_reopened, the playbook, the owner told", kinds(got.Events), got.Checklist, got.Notices)
	}
	if !slices.Equal(got.ComplainedAbout, []int64{4}) {
		t.Errorf("ComplainedAbout = %v, want the resolved case's [4]", got.ComplainedAbout)
	}

	// A complaint about the old owner is routed around them (P4).
	a := complaint(nlp.LevelNormal)
	a.StaffComplainedAbout = []string{"Tom Baker"}
	got = Decide(p, Inbound{At: tuesday10}, a, Situation{Customer: cust, Staff: dir, Resolved: rc})
	if got.Action != ActionReopenCase || got.OwnerID != 2 || !got.RelationshipRisk || !slices.Equal(got.ComplainedAbout, []int64{1, 4}) {
		t.Errorf("Decide(about Tom) = %s owner %d risk %v about %v; want reopen_case, Anna (2), a risk, [1 4]", got.Action, got.OwnerID, got.RelationshipRisk, got.ComplainedAbout)
	}

	// Anything else is attached to the resolved case.
	praise := nlp.Assessment{Category: nlp.CategoryResult{Primary: nlp.CategoryPraise}}
	got = Decide(p, Inbound{At: tuesday10}, praise, Situation{Customer: cust, Staff: dir, Resolved: rc})
	if got.Action != ActionAttach || got.CaseID != 7 || len(got.Notices)+len(got.Timers)+len(got.Events) != 0 {
		t.Errorf("Decide(praise) = %s case %d, %d notices %d timers %d events; want attach to 7, nothing else", got.Action, got.CaseID, len(got.Notices), len(got.Timers), len(got.Events))
	}
}

func TestDecideOpensANewCaseOutsideTheWindow(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	cust := &Customer{ID: 9, OwnerID: 4}
	rc := &ResolvedCase{ID: 7, OwnerID: 1, Priority: PriorityHigh, ResolvedAt: tuesday10.Add(-p.ReopenWindow - time.Second)}
	got := Decide(p, Inbound{At: tuesday10}, complaint(nlp.LevelNormal), Situation{Customer: cust, Staff: dir, Resolved: rc})
	if got.Action != ActionOpenCase || got.CaseID != 0 || got.OwnerID != 4 || got.Priority != PriorityNormal {
		t.Errorf("Decide = %s case %d owner %d priority %s; want open_case 0, account owner 4, normal", got.Action, got.CaseID, got.OwnerID, got.Priority)
	}
	praise := nlp.Assessment{Category: nlp.CategoryResult{Primary: nlp.CategoryPraise}}
	if got := Decide(p, Inbound{At: tuesday10}, praise, Situation{Customer: cust, Staff: dir, Resolved: rc}); got.Action != ActionRecord {
		t.Errorf("Decide(praise) = %s, want record", got.Action)
	}
	// Reopening off.
	p.ReopenWindow = 0
	rc.ResolvedAt = tuesday10.Add(-time.Hour)
	if got := Decide(p, Inbound{At: tuesday10}, complaint(nlp.LevelNormal), Situation{Customer: cust, Staff: dir, Resolved: rc}); got.Action != ActionOpenCase {
		t.Errorf("Decide with ReopenWindow 0 = %s, want open_case", got.Action)
	}
	// An open case wins over a resolved one.
	p.ReopenWindow = DefaultPolicy().ReopenWindow
	open := &OpenCase{ID: 8, OwnerID: 4, Priority: PriorityNormal, DueAt: tuesday10.Add(time.Hour)}
	if got := Decide(p, Inbound{At: tuesday10}, complaint(nlp.LevelNormal), Situation{Customer: cust, Staff: dir, Resolved: rc, OpenCase: open}); got.Action != ActionUpdateCase || got.CaseID != 8 {
		t.Errorf("Decide with an open case = %s case %d, want update_case 8", got.Action, got.CaseID)
	}
}

// P4: the critical case's "take charge" notice passes over a manager the
// complaint is about.
func TestDecideManagerNoticeSkipsTheManagerComplainedAbout(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	a := complaint(nlp.LevelCritical)
	a.StaffComplainedAbout = []string{"Anna Kowalski"}
	got := Decide(p, Inbound{At: tuesday10}, a, Situation{Customer: &Customer{ID: 9, OwnerID: 1}, Staff: dir})
	if got.OwnerID != 1 || len(got.Notices) != 2 || got.Notices[1].StaffID != 3 || got.Notices[1].Role != "manager" {
		t.Errorf("Decide(critical, about Anna) = owner %d notices %+v; want Tom owns, Dan (3) takes charge", got.OwnerID, got.Notices)
	}
	// The open case's complaint counts too.
	open := &OpenCase{ID: 5, OwnerID: 1, Priority: PriorityHigh, DueAt: tuesday10.Add(time.Hour), ComplainedAbout: []int64{2}, RelationshipRisk: true}
	got = Decide(p, Inbound{At: tuesday10}, complaint(nlp.LevelCritical), Situation{Customer: &Customer{ID: 9, OwnerID: 1}, Staff: dir, OpenCase: open})
	if got.CaseID != 5 || !slices.Equal(got.ComplainedAbout, []int64{2}) || len(got.Notices) != 2 || got.Notices[1].StaffID != 3 {
		t.Errorf("Decide(open case about Anna, raised to critical) = case %d about %v notices %+v; want case 5, [2], Dan told", got.CaseID, got.ComplainedAbout, got.Notices)
	}
}

// P4 on an open case: a new complaint about its owner moves it, and the
// union of both messages' names is routed around.
func TestDecideUpdateRoutesAroundTheUnion(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	open := &OpenCase{ID: 5, OwnerID: 2, Priority: PriorityNormal, DueAt: tuesday10.Add(time.Hour), ComplainedAbout: []int64{1}, RelationshipRisk: true}
	a := complaint(nlp.LevelNormal)
	a.StaffComplainedAbout = []string{"Anna Kowalski"}
	got := Decide(p, Inbound{At: tuesday10}, a, Situation{Customer: &Customer{ID: 9, OwnerID: 1}, Staff: dir, OpenCase: open})
	if got.Action != ActionUpdateCase || got.OwnerID != 3 || !slices.Equal(got.ComplainedAbout, []int64{1, 2}) {
		t.Errorf("Decide = %s owner %d about %v; want update_case, Dan (3), [1 2]", got.Action, got.OwnerID, got.ComplainedAbout)
	}
	note := nlp.Assessment{Category: nlp.CategoryResult{Primary: nlp.CategoryNotAComplaint}}
	if got := Decide(p, Inbound{At: tuesday10}, note, Situation{Staff: dir, OpenCase: open}); !slices.Equal(got.ComplainedAbout, []int64{1}) || got.CaseID != 5 {
		t.Errorf("Decide(not a complaint) = case %d about %v; want 5 and the open case's [1]", got.CaseID, got.ComplainedAbout)
	}
}
