// Package audit measures how fast complaints were answered, for the managers
// who audit response times from the case timeline (POLICY "What managers
// audit", P2, P8, P9).
//
// Its input is one store.CaseAudit row per case: the milestones the timeline
// records (first SMS notification, first call attempt, first live
// conversation, resolution), the case's due time for the first call, and its
// counts of escalations, breaches, policy violations (P1), contacts and
// follow-ups. Compute turns the rows into a Report, per owner, team, channel,
// priority or category, over any period; the Write functions render it as a
// table, CSV or JSON, and the SVG functions as charts.
//
// Compute is pure: it reads no clock (the caller passes Now) and does no I/O,
// so the same rows and Params always give the same Report. Load is the one
// function that reads the store.
//
// Every time is measured from the case's receipt: when its first message
// reached the mail or phone server (ReceivedAt), or, when that is unknown,
// when the case was opened. An interval that would be negative because of
// clock skew counts as zero.
package audit

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrUnknownDimension is returned (wrapped) by ParseDimension and Load for a
// dimension the audit cannot group by.
var ErrUnknownDimension = errors.New("unknown audit dimension")

// ErrEmptyPeriod is returned (wrapped) by Load when the period is missing or
// does not end after it starts.
var ErrEmptyPeriod = errors.New("empty audit period")

// Dimension groups the audit.
type Dimension string

// The dimensions the audit can group by.
const (
	ByNone     Dimension = ""         // the total only
	ByOwner    Dimension = "owner"    // the staff member who owns the case
	ByTeam     Dimension = "team"     // the owner's team (People.Teams)
	ByChannel  Dimension = "channel"  // email, voicemail…
	ByPriority Dimension = "priority" // critical, high, normal, low
	ByCategory Dimension = "category" // the kind of problem
)

// Dimensions returns every dimension a report can be grouped by, ByNone
// first, in the order a form would offer them.
func Dimensions() []Dimension {
	return []Dimension{ByNone, ByOwner, ByTeam, ByChannel, ByPriority, ByCategory}
}

// ParseDimension reads a dimension as a form or a command line gives it:
// case and surrounding space do not matter, and "", "none" and "total" mean
// ByNone.
func ParseDimension(s string) (Dimension, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "", "none", "total":
		return ByNone, nil
	case string(ByOwner), string(ByTeam), string(ByChannel), string(ByPriority), string(ByCategory):
		return Dimension(v), nil
	}
	return ByNone, fmt.Errorf("parse dimension %q: %w", s, ErrUnknownDimension)
}

// Targets say what counts as met, as the longest acceptable time from
// receipt to each milestone. A zero (or negative) target means none: that
// milestone is measured but not judged. The first call attempt has no entry
// here: its target is each case's own DueAt (POLICY P2).
type Targets struct {
	Notify       time.Duration // to the first SMS to the owner
	Conversation time.Duration // to the first live conversation
	Resolution   time.Duration // to resolution
}

// People names staff for the report. Names[staffID] is a staff member's
// name; Teams[staffID] the name of their team (the name of their manager,
// or their own when they have none). Either map may be nil or incomplete:
// a missing name reads "staff #N", a missing team falls back to the name.
type People struct {
	Names map[int64]string
	Teams map[int64]string
}

// Params choose what a report covers and how it judges it.
type Params struct {
	// From and To bound the period: the cases opened in [From, To). A zero
	// bound leaves that side open (Compute); Load needs both.
	From, To time.Time
	By       Dimension
	// Now is the moment the report is made: a case that has not reached a
	// milestone by Now and is past its target counts as missed. Zero means
	// no pending case counts as missed.
	Now     time.Time
	Targets Targets
	People  People
}

// Stat is one measured interval over a group's cases.
//
// Median and P90 are nearest-rank percentiles: over the n sorted durations,
// the P-th percentile is the one at rank ⌈P·n/100⌉ (counting from 1), an
// actual observation, never an interpolation. So the median of 4 values is
// the 2nd, and the P90 of 5 values is the 5th (the maximum).
type Stat struct {
	Count int // cases that reached the milestone
	// Pending counts the cases that have not reached it. A case closed
	// without reaching it (resolved without a call) stays pending for it,
	// and missed once past its target.
	Pending int
	// Median, P90 and Max are over the Count cases; zero when Count is 0.
	Median, P90, Max time.Duration
	// Met and Missed judge the cases against the target: a case that
	// reached the milestone within it (inclusive) is met, after it missed;
	// a pending case past its target by Now is missed, one still within it
	// counts in neither. Cases without a target count in neither.
	Met, Missed int
	// MetPct is Met/(Met+Missed)*100, or -1 when there is nothing to judge.
	MetPct float64
}

// Group is the audit of one group of cases, or of all of them (Report.Total).
type Group struct {
	// Key names the group: the owner's name, the team, channel, priority
	// or category ("unknown" when the case has none, "unassigned" for a
	// case without an owner, "staff #N" for an owner People does not name;
	// owners who share a name read "Anna (#12)"). It is "" for the total.
	Key   string
	Cases int
	// Time from receipt to each milestone. FirstCall's target is the
	// case's DueAt.
	Notify, FirstCall, Conversation, Resolution Stat
	// IngestLag is ReceivedAt→OpenedAt: how long the gateway took to turn
	// the message into a case. It has no target (Met/Missed 0, MetPct -1).
	IngestLag Stat
	// Breaches counts the cases that breached their call-back SLA: a
	// recorded sla_breached event, a first call after DueAt, or no call
	// yet and Now past DueAt.
	Breaches    int
	Escalations int // sum of escalated events
	Violations  int // sum of policy violations (P1)
	// RepeatContacts sums max(Contacts-1, 0): the times customers had to
	// write or call again.
	RepeatContacts int
	// FollowUps counts the cases with a follow-up task (P8),
	// FollowUpsDone those whose follow-up is done, and FollowUpsOnTime
	// those done by its due time.
	FollowUps, FollowUpsDone, FollowUpsOnTime int
}

// Report is the audit of one period.
type Report struct {
	Params Params
	Total  Group
	// Groups holds one Group per key when Params.By is set, sorted by key
	// (priorities from critical to low, then any other). Nil for ByNone
	// and for a dimension Compute does not know.
	Groups []Group
	// Weekly holds the ISO weeks of the period, oldest first.
	Weekly []Week
	// CallHistogram is the distribution of time to first call.
	CallHistogram []Bucket
}

// MaxWeeks is the most weeks Report.Weekly holds; a longer period keeps its
// last MaxWeeks weeks.
const MaxWeeks = 520

// Week is one ISO week (Monday 00:00 UTC to the next) of the period: the
// cases opened in it and how many were called back by their due time.
type Week struct {
	Start               time.Time
	Cases               int
	CallMet, CallMissed int
	CallMetPct          float64 // -1 when nothing to judge
}

// Bucket is one bar of the time-to-first-call distribution. Upper is its
// inclusive upper bound; it is 0 for the open-ended bucket (">3d") and for
// the last bucket, which counts the cases with no call yet.
type Bucket struct {
	Label string
	Upper time.Duration
	Count int
}
