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

// EscalateArgs is the timer that runs escalation Level of a case.
type EscalateArgs struct {
	CaseID int64 `json:"case_id"`
	Level  int   `json:"level"`
}

// Kind implements river.JobArgs.
func (EscalateArgs) Kind() string { return "escalate" }

// InsertOpts makes the timer unique per case and level.
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

func escalateJob(caseID int64, level int, at time.Time) river.InsertManyParams {
	opts := EscalateArgs{}.InsertOpts()
	opts.ScheduledAt = at
	return river.InsertManyParams{Args: EscalateArgs{CaseID: caseID, Level: level}, InsertOpts: &opts}
}
