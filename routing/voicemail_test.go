package routing

import (
	"testing"

	"github.com/triage-gw/triage/nlp"
)

// A voicemail with no words still opens a call-back, at the policy's
// priority; voicemail urgency otherwise comes from the words unless the
// policy sets a floor.
func TestDecideVoicemail(t *testing.T) {
	t.Parallel()
	p, dir := setup(t)
	cust := &Customer{ID: 9, Name: "Jane", OwnerID: 1}
	nothing := nlp.Assessment{Urgency: nlp.Urgency{Level: nlp.LevelLow}, Category: nlp.CategoryResult{Primary: nlp.CategoryNotAComplaint}}
	routine := nlp.Assessment{Urgency: nlp.Urgency{Level: nlp.LevelLow}, Category: nlp.CategoryResult{Primary: nlp.CategoryGeneralQuestion}}

	floor := p
	floor.Voicemail.MinPriority = PriorityHigh
	critical := p
	critical.Voicemail.NoTranscriptPriority = PriorityCritical
	tests := []struct {
		name     string
		p        Policy
		in       Inbound
		a        nlp.Assessment
		action   Action
		priority Priority
	}{
		{"no words: a case at the default high", p, Inbound{Channel: "voicemail", NoWords: true, At: tuesday10}, nothing, ActionOpenCase, PriorityHigh},
		{"no words: the configured priority", critical, Inbound{Channel: "voicemail", NoWords: true, At: tuesday10}, nothing, ActionOpenCase, PriorityCritical},
		{"routine words: no case, the channel raises nothing", p, Inbound{Channel: "voicemail", At: tuesday10}, routine, ActionRecord, ""},
		{"a complaint by voicemail: its own urgency", p, Inbound{Channel: "voicemail", At: tuesday10}, complaint(nlp.LevelNormal), ActionOpenCase, PriorityNormal},
		{"a floor raises a voicemail complaint", floor, Inbound{Channel: "voicemail", At: tuesday10}, complaint(nlp.LevelNormal), ActionOpenCase, PriorityHigh},
		{"the floor is for voicemail only", floor, Inbound{Channel: "email", At: tuesday10}, complaint(nlp.LevelNormal), ActionOpenCase, PriorityNormal},
	}
	for _, tt := range tests {
		got := Decide(tt.p, tt.in, tt.a, Situation{Customer: cust, Staff: dir})
		if got.Action != tt.action || got.Priority != tt.priority {
			t.Errorf("%s: Decide = %s at %q (%v), want %s at %q", tt.name, got.Action, got.Priority, got.PriorityReasons, tt.action, tt.priority)
		}
	}
	bad := p
	bad.Voicemail.NoTranscriptPriority = "soon"
	bad.Voicemail.MinPriority = "later"
	if err := bad.Validate(); err == nil {
		t.Errorf("Validate(bad voicemail priorities) = nil, want errors")
	}
}
