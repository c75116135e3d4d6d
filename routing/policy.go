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
	// Calls governs call attempts to the customer.
	Calls CallPolicy
	// ReopenWindow: a complaint from a customer whose last case was
	// resolved at most this long ago reopens that case instead of opening
	// a new one, and any other message joins its timeline. Zero turns
	// reopening off.
	ReopenWindow time.Duration
	// Voicemail tunes how voicemail cases are prioritised. Urgency comes
	// from the words; these are routing settings, not scores.
	Voicemail VoicemailPolicy
}

// CallPolicy governs call attempts to the customer and agents' snoozes.
type CallPolicy struct {
	// MinConversation: a call that the customer answered counts as a
	// conversation when it lasted at least this long; a shorter one is a
	// "short" attempt, retried like an unanswered one.
	MinConversation time.Duration
	// Retry is the wait before the next attempt after the 1st, 2nd, ...
	// unanswered attempt since the last conversation; the last entry
	// repeats.
	Retry []time.Duration
	// MaxAttempts: after this many unanswered attempts in a row there is
	// no further retry: the owner's manager is told instead.
	MaxAttempts int
	// AutoCall: at the due time and at each retry, place the bridged call
	// (the agent first, then the customer) instead of texting a reminder.
	AutoCall bool
	// MaxSnooze is the longest SNOOZE an agent may ask for.
	MaxSnooze time.Duration
}

// VoicemailPolicy is the routing side of voicemail.
type VoicemailPolicy struct {
	// NoTranscriptPriority is the priority of a voicemail with no words to
	// score (its transcription failed, was empty or never came). Default
	// high.
	NoTranscriptPriority Priority
	// MinPriority, when set, is the lowest priority of a voicemail case;
	// "" (the default) leaves it to the words.
	MinPriority Priority
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
		Calls: CallPolicy{
			MinConversation: 30 * time.Second,
			Retry:           []time.Duration{15 * time.Minute, time.Hour, 3 * time.Hour},
			MaxAttempts:     3,
			MaxSnooze:       4 * time.Hour,
		},
		ReopenWindow: 14 * 24 * time.Hour,
		Voicemail:    VoicemailPolicy{NoTranscriptPriority: PriorityHigh},
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
	if !p.Voicemail.NoTranscriptPriority.Valid() {
		errs = append(errs, fmt.Errorf("voicemail.no_transcript_priority: unknown priority %q", p.Voicemail.NoTranscriptPriority))
	}
	if m := p.Voicemail.MinPriority; m != "" && !m.Valid() {
		errs = append(errs, fmt.Errorf("voicemail.min_priority: unknown priority %q", m))
	}
	if p.ReopenWindow < 0 {
		errs = append(errs, errors.New("reopen_window: must not be negative (0 turns reopening off)"))
	}
	return errors.Join(append(errs, p.Calls.validate()...)...)
}

func (c CallPolicy) validate() []error {
	var errs []error
	if c.MinConversation <= 0 {
		errs = append(errs, errors.New("calls.min_conversation: must be a positive duration"))
	}
	if len(c.Retry) == 0 {
		errs = append(errs, errors.New("calls.retry: must list at least one wait"))
	}
	for i, d := range c.Retry {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("calls.retry[%d]: must be a positive duration", i))
		}
	}
	if c.MaxAttempts < 1 {
		errs = append(errs, errors.New("calls.max_attempts: must be at least 1"))
	}
	if c.MaxSnooze < MinSnooze {
		errs = append(errs, fmt.Errorf("calls.max_snooze: must be at least %s", MinSnooze))
	}
	return errs
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
