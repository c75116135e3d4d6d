package routing

import (
	"fmt"

	"github.com/triage-gw/triage/nlp"
)

// Priority orders cases for call-back. Its values match nlp.Level.
type Priority string

// Priorities, most urgent first.
const (
	PriorityCritical Priority = "critical"
	PriorityHigh     Priority = "high"
	PriorityNormal   Priority = "normal"
	PriorityLow      Priority = "low"
)

// rank is larger for more urgent priorities; unknown values rank lowest.
func (p Priority) rank() int {
	switch p {
	case PriorityCritical:
		return 3
	case PriorityHigh:
		return 2
	case PriorityNormal:
		return 1
	}
	return 0
}

// Valid reports whether p is one of the four priorities.
func (p Priority) Valid() bool {
	switch p {
	case PriorityCritical, PriorityHigh, PriorityNormal, PriorityLow:
		return true
	}
	return false
}

// ParsePriority returns the priority named s.
func ParsePriority(s string) (Priority, error) {
	p := Priority(s)
	if !p.Valid() {
		return "", fmt.Errorf("unknown priority %q (want critical, high, normal or low)", s)
	}
	return p, nil
}

// Max returns the more urgent of p and q.
func Max(p, q Priority) Priority {
	if q.rank() > p.rank() {
		return q
	}
	return p
}

// raise returns p one level more urgent, capped at cap.
func (p Priority) raise(limit Priority) Priority {
	next := p
	switch p {
	case PriorityLow:
		next = PriorityNormal
	case PriorityNormal:
		next = PriorityHigh
	case PriorityHigh:
		next = PriorityCritical
	}
	if next.rank() > limit.rank() {
		return Max(p, limit)
	}
	return next
}

// FromLevel converts an nlp urgency level to a priority (normal when unknown).
func FromLevel(l nlp.Level) Priority {
	p := Priority(l)
	if !p.Valid() {
		return PriorityNormal
	}
	return p
}
