package routing

import (
	"fmt"
	"slices"
	"time"
)

// CaseState is what Escalate needs to know of a case when a timer fires.
type CaseState struct {
	ID       int64
	OwnerID  int64
	Priority Priority
	DueAt    time.Time
	Closed   bool // resolved or closed
	// CallAttempted: a call attempt was made since the current call-back
	// was set up (for a reopened case: since it reopened).
	CallAttempted   bool
	ComplainedAbout []int64 // staff the complaint is about: never escalated to (P4)
}

// Escalation is the outcome of a timer.
type Escalation struct {
	Notices []Notice
	Events  []Event
	Next    *Timer // nil when the chain ends
}

// Escalate runs escalation level (from 1) of a case whose due time may have
// passed (POLICY P2): a reminder to the owner, then the owner's manager,
// then each next level up, one EscalationStep apart, skipping anyone the
// complaint is about (P4) or inactive. Level 1 also records the SLA breach.
// Nothing happens once a call was attempted or the case is closed, or if
// the timer fired early.
func Escalate(p Policy, c CaseState, level int, dir Directory, now time.Time) Escalation {
	if c.Closed || c.CallAttempted || level < 1 {
		return Escalation{}
	}
	if now.Before(c.DueAt) {
		return Escalation{Next: &Timer{At: c.DueAt, Level: level}}
	}
	late := now.Sub(c.DueAt).Round(time.Minute)
	var events []Event
	if level == 1 {
		events = append(events, Event{Kind: "sla_breached",
			Note: fmt.Sprintf("no call attempt by the due time %s (%s late)", c.DueAt.UTC().Format(time.RFC3339), span(late))})
	}
	ladder := escalationLadder(c, dir)
	if level > len(ladder) {
		last := c.OwnerID
		if len(ladder) > 0 {
			last = ladder[len(ladder)-1]
		}
		return Escalation{Events: append(events, Event{Kind: "escalation_exhausted",
			Note: fmt.Sprintf("no one above %s to escalate to; call-back %s late", nameOf(last, dir), span(late))})}
	}
	target, role := ladder[level-1], "escalation"
	note := fmt.Sprintf("level %d: call-back %s late, %s %s told", level, span(late), role, nameOf(target, dir))
	if target == c.OwnerID {
		role = "owner"
		note = fmt.Sprintf("level %d: call-back due time passed (%s late), reminder to owner %s", level, span(late), nameOf(target, dir))
	}
	step := p.EscalationStep[c.Priority]
	if step <= 0 {
		step = time.Hour
	}
	return Escalation{
		Notices: []Notice{{StaffID: target, Role: role, Reason: note}},
		Events:  append(events, Event{Kind: "escalated", Note: note}),
		Next:    &Timer{At: now.Add(step), Level: level + 1},
	}
}

// escalationLadder lists who is told at each level, from level 1: the
// owner, then each manager up the chain, leaving out anyone the complaint
// is about (P4) and anyone inactive.
func escalationLadder(c CaseState, dir Directory) []int64 {
	var ladder []int64
	for _, id := range append([]int64{c.OwnerID}, chainAbove(c.OwnerID, dir)...) {
		if st, ok := dir[id]; ok && st.Active && !slices.Contains(c.ComplainedAbout, id) {
			ladder = append(ladder, id)
		}
	}
	return ladder
}
