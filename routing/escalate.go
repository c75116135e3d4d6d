package routing

import (
	"fmt"
	"time"
)

// CaseState is what Escalate needs to know of a case when a timer fires.
type CaseState struct {
	ID            int64
	OwnerID       int64
	Priority      Priority
	DueAt         time.Time
	Closed        bool // resolved or closed
	CallAttempted bool // a first call attempt is on the timeline
}

// Escalation is the outcome of a timer.
type Escalation struct {
	Notices []Notice
	Events  []Event
	Next    *Timer // nil when the chain ends
}

// Escalate runs escalation level (from 1) of a case whose due time may have
// passed (POLICY P2): a reminder to the owner, then the owner's manager,
// then each next level up, one EscalationStep apart. Nothing happens once a
// call was attempted or the case is closed, or if the timer fired early.
func Escalate(p Policy, c CaseState, level int, dir Directory, now time.Time) Escalation {
	if c.Closed || c.CallAttempted || level < 1 {
		return Escalation{}
	}
	if now.Before(c.DueAt) {
		return Escalation{Next: &Timer{At: c.DueAt, Level: level}}
	}
	late := now.Sub(c.DueAt).Round(time.Minute)
	target, role := c.OwnerID, "owner"
	for i := 1; i < level; i++ {
		m := dir[target].ManagerID
		if m == 0 || m == target {
			return Escalation{Events: []Event{{Kind: "escalation_exhausted",
				Note: fmt.Sprintf("no one above %s to escalate to; call-back %s late", dir[target].Name, late)}}}
		}
		target, role = m, "escalation"
	}
	note := fmt.Sprintf("level %d: call-back %s late, %s %s told", level, late, role, dir[target].Name)
	if level == 1 {
		note = fmt.Sprintf("level 1: call-back due time passed (%s late), reminder to owner %s", late, dir[target].Name)
	}
	step := p.EscalationStep[c.Priority]
	if step <= 0 {
		step = time.Hour
	}
	return Escalation{
		Notices: []Notice{{StaffID: target, Role: role, Reason: note}},
		Events:  []Event{{Kind: "escalated", Note: note}},
		Next:    &Timer{At: now.Add(step), Level: level + 1},
	}
}
