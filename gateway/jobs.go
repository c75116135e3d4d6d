package gateway

import (
	"time"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/routing"
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

// PlaceCallArgs is the durable job that places one bridged call-back. The
// call row carries the numbers and the outcome; before placing it again
// after an attempt that may have reached Twilio, the worker looks the call
// up at Twilio, so a crash never places the same call twice.
type PlaceCallArgs struct {
	CallID int64 `json:"call_id"`
}

// Kind implements river.JobArgs.
func (PlaceCallArgs) Kind() string { return "place_call" }

// InsertOpts makes the job unique by call.
func (PlaceCallArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueNotify, MaxAttempts: 8, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Reminder kinds.
const (
	reminderSnooze   = "snooze"    // a SNOOZE ran out
	reminderRetry    = "retry"     // the next call attempt is due
	reminderFollowUp = "follow_up" // a resolved case's follow-up is due (P8)
)

// ReminderArgs is a timer that reminds a staff member of a case at a time
// (or, for a retry with policy.calls.auto_call, places the call).
type ReminderArgs struct {
	CaseID  int64     `json:"case_id"`
	TaskID  int64     `json:"task_id,omitempty"`
	StaffID int64     `json:"staff_id"`
	What    string    `json:"what"`
	At      time.Time `json:"at"`
}

// Kind implements river.JobArgs.
func (ReminderArgs) Kind() string { return "remind" }

// InsertOpts makes the reminder unique by its arguments.
func (ReminderArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: queueTimers, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

func reminderJob(caseID, taskID, staffID int64, what string, at time.Time) river.InsertManyParams {
	opts := ReminderArgs{}.InsertOpts()
	opts.ScheduledAt = at
	return river.InsertManyParams{Args: ReminderArgs{CaseID: caseID, TaskID: taskID, StaffID: staffID, What: what, At: timerDue(at)}, InsertOpts: &opts}
}

// Customer email kinds the policy allows (P1), as jobs and events name them.
const (
	emailAcknowledge   = string(routing.EmailAcknowledge)   // a complaint came by email: we will call, when suits you?
	emailVoicemailLeft = string(routing.EmailVoicemailLeft) // we called, reached voicemail: call us back or pick a time
)

// CustomerEmailArgs is the durable job for one of the two customer emails
// the policy allows. What caused it identifies it: the message that
// opened (or reopened) the case for an acknowledgement, the call that
// reached voicemail for the other. The worker derives the email's
// Message-ID from that cause, so a retried job is recognised as sent.
type CustomerEmailArgs struct {
	CaseID int64 `json:"case_id"`
	// MessageID is the customer's message an acknowledgement answers.
	MessageID int64 `json:"message_id,omitempty"`
	// CallID is the call that reached voicemail; 0 for a call recorded by
	// hand in the dashboard.
	CallID int64  `json:"call_id,omitempty"`
	What   string `json:"what"`
}

// Kind implements river.JobArgs.
func (CustomerEmailArgs) Kind() string { return "customer_email" }

// InsertOpts makes the email unique by its cause (case, message or call,
// kind). A call recorded by hand has no id of its own: each such call is
// queued once, in the transaction that records it, and is not unique.
func (a CustomerEmailArgs) InsertOpts() river.InsertOpts {
	opts := river.InsertOpts{Queue: queueNotify, MaxAttempts: 10, UniqueOpts: river.UniqueOpts{ByArgs: true}}
	if a.What == emailVoicemailLeft && a.CallID == 0 {
		opts.UniqueOpts = river.UniqueOpts{}
	}
	return opts
}

// customerEmailJob is the voicemail_left email after call callID (0 for a
// call recorded by hand) reached voicemail.
func customerEmailJob(caseID, callID int64, what string) river.InsertManyParams {
	return river.InsertManyParams{Args: CustomerEmailArgs{CaseID: caseID, CallID: callID, What: what}}
}

// acknowledgeJob is the acknowledgement of message messageID, which opened
// or reopened case caseID.
func acknowledgeJob(caseID, messageID int64) river.InsertManyParams {
	return river.InsertManyParams{Args: CustomerEmailArgs{CaseID: caseID, MessageID: messageID, What: emailAcknowledge}}
}

func placeCallJob(callID int64) river.InsertManyParams {
	return river.InsertManyParams{Args: PlaceCallArgs{CallID: callID}}
}
