package routing

import (
	"errors"
	"fmt"
	"time"
)

// Policy holds the tunable parts of the rules. The zero value is not
// usable: start from DefaultPolicy.
type Policy struct {
	// SLA is the time to the first call attempt per priority. Critical is
	// counted on the wall clock (round the clock); high and normal in the
	// owner's business hours; low means the end of the next business day
	// and ignores its duration.
	SLA map[Priority]time.Duration
	// EscalationStep is the time between escalation levels after a missed
	// due time: reminder to the owner at the due time, the manager one step
	// later, the next level up one more step later.
	EscalationStep map[Priority]time.Duration
	// KeyAccountValueCents: accounts worth at least this much, or of tier
	// "key", are raised one priority level (never lowered, POLICY P3), up
	// to RaiseCap.
	KeyAccountValueCents int64
	RaiseCap             Priority
	// RepeatContacts: this many recent contacts on an open problem raise
	// the priority one level.
	RepeatContacts int
	// NotifyManagerAt: at and above this priority the owner's manager is
	// told too (POLICY P2, "take charge").
	NotifyManagerAt Priority
	// FollowUpAfter is when a resolved complaint is followed up (P8).
	FollowUpAfter time.Duration
	// Playbooks maps a category to the checklist the call-back carries (P6).
	Playbooks map[string][]string
	// DefaultOwnerID owns cases of unknown senders and of customers with
	// no (active) owner.
	DefaultOwnerID int64
}

// DefaultPolicy returns the defaults of POLICY.md.
func DefaultPolicy() Policy {
	return Policy{
		SLA: map[Priority]time.Duration{
			PriorityCritical: 15 * time.Minute,
			PriorityHigh:     time.Hour,
			PriorityNormal:   4 * time.Hour,
			PriorityLow:      0,
		},
		EscalationStep: map[Priority]time.Duration{
			PriorityCritical: 15 * time.Minute,
			PriorityHigh:     30 * time.Minute,
			PriorityNormal:   2 * time.Hour,
			PriorityLow:      4 * time.Hour,
		},
		KeyAccountValueCents: 10_000_00,
		RaiseCap:             PriorityHigh,
		RepeatContacts:       3,
		NotifyManagerAt:      PriorityCritical,
		FollowUpAfter:        7 * 24 * time.Hour,
	}
}

// Validate reports every problem with p at once.
func (p Policy) Validate() error {
	var errs []error
	for _, pr := range []Priority{PriorityCritical, PriorityHigh, PriorityNormal} {
		if p.SLA[pr] <= 0 {
			errs = append(errs, fmt.Errorf("sla.%s: must be a positive duration", pr))
		}
	}
	for _, pr := range []Priority{PriorityCritical, PriorityHigh, PriorityNormal, PriorityLow} {
		if p.EscalationStep[pr] <= 0 {
			errs = append(errs, fmt.Errorf("escalation_step.%s: must be a positive duration", pr))
		}
	}
	if !p.RaiseCap.Valid() {
		errs = append(errs, fmt.Errorf("raise_cap: unknown priority %q", p.RaiseCap))
	}
	if !p.NotifyManagerAt.Valid() {
		errs = append(errs, fmt.Errorf("notify_manager_at: unknown priority %q", p.NotifyManagerAt))
	}
	if p.RepeatContacts < 1 {
		errs = append(errs, errors.New("repeat_contacts: must be at least 1"))
	}
	if p.FollowUpAfter <= 0 {
		errs = append(errs, errors.New("follow_up_after: must be a positive duration"))
	}
	return errors.Join(errs...)
}

// DueAt returns when the first call attempt is due for a case of priority pr
// that arrived at t, for an owner working hours h.
func (p Policy) DueAt(pr Priority, t time.Time, h Hours) time.Time {
	switch pr {
	case PriorityCritical:
		return t.Add(p.SLA[PriorityCritical]).In(h.Location())
	case PriorityLow:
		return h.NextClose(t)
	default:
		return h.Add(t, p.SLA[pr])
	}
}
