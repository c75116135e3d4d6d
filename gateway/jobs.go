package gateway

import (
	"time"

	"github.com/riverqueue/river"
)

// SendSMSArgs is the durable job that sends one notification by SMS. The
// notification row carries the text, the recipient and the outcome; the
// job is unique per notification, so it is never queued twice.
type SendSMSArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind implements river.JobArgs.
func (SendSMSArgs) Kind() string { return "send_sms" }

// InsertOpts makes the job unique by notification.
func (SendSMSArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueNotify, MaxAttempts: 12, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// EscalateArgs is the timer that runs escalation Level of a case. DueAt
// is the case's due time the timer was set for: when a new message moves
// the due time, a timer for the new one is queued (the arguments differ,
// so uniqueness does not swallow it) and the stale one is dropped when it
// fires.
type EscalateArgs struct {
	CaseID int64     `json:"case_id"`
	Level  int       `json:"level"`
	DueAt  time.Time `json:"due_at"`
}

// Kind implements river.JobArgs.
func (EscalateArgs) Kind() string { return "escalate" }

// InsertOpts makes the timer unique per case, level and due time.
func (EscalateArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueTimers, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

const (
	queueNotify = "notify"
	queueTimers = "timers"
)

func smsJob(notificationID int64) river.InsertManyParams {
	return river.InsertManyParams{Args: SendSMSArgs{NotificationID: notificationID}}
}

func escalateJob(caseID int64, level int, at, due time.Time) river.InsertManyParams {
	opts := EscalateArgs{}.InsertOpts()
	opts.ScheduledAt = at
	return river.InsertManyParams{Args: EscalateArgs{CaseID: caseID, Level: level, DueAt: timerDue(due)}, InsertOpts: &opts}
}

// timerDue is a due time as timers carry and compare it: UTC, to the
// second, so that a due time read back from the store (which keeps
// microseconds) matches the one the timer was set with.
func timerDue(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }
