package routing

import (
	"slices"
	"testing"
)

// P4: a complaint about a manager never escalates to that manager.
func TestEscalateSkipsTheManagerComplainedAbout(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	c := CaseState{ID: 7, OwnerID: 1, Priority: PriorityHigh, DueAt: tuesday10, ComplainedAbout: []int64{2}}
	now := tuesday10
	e := Escalate(p, c, 1, dir, now)
	if !slices.Equal(kinds(e.Events), []string{"sla_breached", "escalated"}) || len(e.Notices) != 1 || e.Notices[0].StaffID != 1 {
		t.Fatalf("Escalate level 1 = events %v notices %+v; want sla_breached, escalated, a reminder to Tom", kinds(e.Events), e.Notices)
	}
	e = Escalate(p, c, 2, dir, e.Next.At)
	if len(e.Notices) != 1 || e.Notices[0].StaffID != 3 || e.Notices[0].Role != "escalation" || slices.Contains(kinds(e.Events), "sla_breached") {
		t.Fatalf("Escalate level 2 = events %v notices %+v; want Dan (3), Anna skipped, no second breach", kinds(e.Events), e.Notices)
	}
	if e := Escalate(p, c, 3, dir, e.Next.At); len(e.Notices) != 0 || e.Next != nil || !slices.Equal(kinds(e.Events), []string{"escalation_exhausted"}) {
		t.Errorf("Escalate level 3 = %+v, want the chain to end", e)
	}
	// The owner complained about (not routed around): level 1 goes up.
	c.ComplainedAbout = []int64{1}
	if e := Escalate(p, c, 1, dir, now); len(e.Notices) != 1 || e.Notices[0].StaffID != 2 || e.Notices[0].Role != "escalation" {
		t.Errorf("Escalate level 1, owner complained about = %+v, want Anna told", e.Notices)
	}
}
