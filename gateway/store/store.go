// Package store owns the gateway's persistent state: the customer and staff
// directory, inbound messages and their assessments, cases with their
// append-only event timeline, tasks, SMS notifications, quarantined input,
// mailbox cursors and the durable job queue (River) that carries every side
// effect.
//
// The package holds only the types and the interface. Engines live in
// sub-packages (sqlite, postgres) and share one conformance suite
// (storetest.Exercise). Methods take a context first and a params struct, are
// named noun-first so they sort together, and report a missing row as
// ErrNotFound, never as (nil, nil).
package store

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
)

// ErrNotFound is returned (wrapped) when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// ErrSchemaTooOld is returned by Open when the database schema is older than
// this binary and migrations were not allowed to run.
var ErrSchemaTooOld = errors.New("database schema is older than this binary: run `triage migrate`")

// Engine names.
const (
	EngineSQLite   = "sqlite"
	EnginePostgres = "postgres"
)

// Store is one database. Its query methods run outside any transaction;
// InTx runs a function with the same methods bound to one transaction.
type Store interface {
	Querier
	// InTx runs fn in one transaction: committed when fn returns nil, rolled
	// back otherwise. Jobs inserted through the Tx commit or vanish with it.
	InTx(ctx context.Context, fn func(ctx context.Context, tx Querier) error) error
	// Engine returns EngineSQLite or EnginePostgres.
	Engine() string
	// Ping reports whether the database answers.
	Ping(ctx context.Context) error
	// NewJobClient returns a River client over this database that works the
	// jobs of workers (Start/Stop). cfg's Workers is set by the caller.
	NewJobClient(cfg *river.Config) (JobClient, error)
	// Close releases the database.
	Close() error
}

// JobClient runs durable jobs. *river.Client of either driver satisfies it.
type JobClient interface {
	Start(ctx context.Context) error
	// Stop waits for running jobs until ctx ends.
	Stop(ctx context.Context) error
	// StopAndCancel cancels running jobs and waits for them to return.
	StopAndCancel(ctx context.Context) error
}

// Querier is every read and write the gateway makes. Implemented by the
// Store itself and by the transaction InTx hands out.
type Querier interface {
	// Directory.
	StaffUpsert(ctx context.Context, p StaffUpsertParams) (Staff, error) // keyed by Email
	StaffGetByID(ctx context.Context, id int64) (Staff, error)
	StaffGetByPhone(ctx context.Context, phone string) (Staff, error)
	StaffGetByEmail(ctx context.Context, email string) (Staff, error)
	StaffList(ctx context.Context) ([]Staff, error)
	// StaffSetSMSOptOut records that a staff member texted STOP (true) or
	// START (false); opted-out staff get no SMS.
	StaffSetSMSOptOut(ctx context.Context, id int64, optedOut bool) (Staff, error)
	CustomerUpsert(ctx context.Context, p CustomerUpsertParams) (Customer, error) // keyed by ExternalRef
	CustomerGetByID(ctx context.Context, id int64) (Customer, error)
	CustomerGetByContact(ctx context.Context, kind ContactKind, value string) (Customer, error)
	CustomerList(ctx context.Context) ([]Customer, error)

	// Intake. MessageInsert reports inserted=false, and changes nothing, when
	// (Channel, ExternalID) is already stored.
	MessageInsert(ctx context.Context, p MessageInsertParams) (msg Message, inserted bool, err error)
	MessageGetByID(ctx context.Context, id int64) (Message, error)
	MessageGetByExternalID(ctx context.Context, channel, externalID string) (Message, error)
	MessageListByCase(ctx context.Context, caseID int64) ([]Message, error)
	MessageCountSince(ctx context.Context, customerID int64, since time.Time) (int, error)
	AssessmentInsert(ctx context.Context, p AssessmentInsertParams) (Assessment, error)
	AssessmentGetByMessage(ctx context.Context, messageID int64) (Assessment, error)
	// QuarantineInsert stores input that could not be processed; inserted=false
	// when (Channel, ExternalID) is already quarantined.
	QuarantineInsert(ctx context.Context, p QuarantineInsertParams) (q Quarantine, inserted bool, err error)
	QuarantineList(ctx context.Context, limit int) ([]Quarantine, error)
	MailboxCursorGet(ctx context.Context, mailbox string) (MailboxCursor, error)
	MailboxCursorSet(ctx context.Context, c MailboxCursor) error

	// Cases and their timeline.
	// CaseInsert opens a case; ErrConflict when the customer already has
	// an open or in-progress case (a customer has at most one).
	CaseInsert(ctx context.Context, p CaseInsertParams) (Case, error)
	CaseGetByID(ctx context.Context, id int64) (Case, error)
	// CaseGetOpenByCustomer returns the customer's active case (any status
	// but resolved and closed).
	CaseGetOpenByCustomer(ctx context.Context, customerID int64) (Case, error)
	// CaseGetLastResolvedByCustomer returns the customer's most recently
	// resolved case.
	CaseGetLastResolvedByCustomer(ctx context.Context, customerID int64) (Case, error)
	CaseList(ctx context.Context, p CaseListParams) ([]Case, error)
	CaseUpdate(ctx context.Context, p CaseUpdateParams) (Case, error)
	CaseEventInsert(ctx context.Context, p CaseEventInsertParams) (CaseEvent, error)
	CaseEventList(ctx context.Context, caseID int64) ([]CaseEvent, error)
	// CaseEventListKind returns a case's events of one kind, oldest first.
	CaseEventListKind(ctx context.Context, caseID int64, kind string) ([]CaseEvent, error)
	// CaseEventListByCustomer returns the events of the given kinds on
	// any of a customer's cases at or after Since, oldest first.
	CaseEventListByCustomer(ctx context.Context, p CaseEventListByCustomerParams) ([]CaseEvent, error)

	// Tasks.
	TaskInsert(ctx context.Context, p TaskInsertParams) (Task, error)
	TaskGetByID(ctx context.Context, id int64) (Task, error)
	TaskListByCase(ctx context.Context, caseID int64) ([]Task, error)
	TaskListOpenByAssignee(ctx context.Context, staffID int64) ([]Task, error)
	TaskUpdate(ctx context.Context, p TaskUpdateParams) (Task, error)

	// SMS notifications. NotificationInsert is idempotent on Key: a second
	// insert with the same key returns the stored row and inserted=false.
	NotificationInsert(ctx context.Context, p NotificationInsertParams) (n Notification, inserted bool, err error)
	NotificationGetByID(ctx context.Context, id int64) (Notification, error)
	NotificationGetByProviderID(ctx context.Context, providerID string) (Notification, error)
	NotificationListByCase(ctx context.Context, caseID int64) ([]Notification, error)
	NotificationUpdate(ctx context.Context, p NotificationUpdateParams) (Notification, error)

	// Calls. CallInsert is idempotent on Key like NotificationInsert.
	CallInsert(ctx context.Context, p CallInsertParams) (c Call, inserted bool, err error)
	CallGetByID(ctx context.Context, id int64) (Call, error)
	CallListByCase(ctx context.Context, caseID int64) ([]Call, error)
	CallUpdate(ctx context.Context, p CallUpdateParams) (Call, error)

	// WebhookReceiptInsert records that a webhook (Kind, Key) was handled
	// and what was answered. When it was already recorded it changes
	// nothing and returns the stored receipt with inserted=false: the
	// caller answers the same again and changes nothing.
	WebhookReceiptInsert(ctx context.Context, r WebhookReceipt) (stored WebhookReceipt, inserted bool, err error)

	// Voicemail. VoicemailUpsert creates the voicemail of CallSID or merges
	// the non-empty fields of p into it (a transcript arriving after the
	// recording, a caller learned later).
	VoicemailUpsert(ctx context.Context, p VoicemailUpsertParams) (Voicemail, error)
	VoicemailGetByCall(ctx context.Context, callSID string) (Voicemail, error)
	VoicemailGetByRecording(ctx context.Context, recordingSID string) (Voicemail, error)
	// MessageSetBody replaces the analysed text of a message (a voicemail
	// whose transcript came after it was stored).
	MessageSetBody(ctx context.Context, id int64, body string) error
	// AssessmentReplace stores a new assessment of a message in place of
	// the old one; the timeline keeps both as events.
	AssessmentReplace(ctx context.Context, p AssessmentInsertParams) (Assessment, error)
	// CheckpointGet returns how far the pull called name has read
	// (ErrNotFound before its first run); CheckpointSet moves it.
	CheckpointGet(ctx context.Context, name string) (time.Time, error)
	CheckpointSet(ctx context.Context, name string, at time.Time) error

	// JobInsert enqueues durable jobs; inside InTx they commit with the
	// transaction.
	JobInsert(ctx context.Context, jobs ...river.InsertManyParams) error

	// Dashboard logins. StaffSetPassword stores a password hash ("" removes
	// the login); StaffSetActive deactivates (keeps history, owns nothing
	// new, gets no SMS) or reactivates a staff member.
	StaffSetPassword(ctx context.Context, id int64, hash string) error
	StaffSetActive(ctx context.Context, id int64, active bool) (Staff, error)
	// Sessions are stored by the hash of their token, never the token.
	SessionInsert(ctx context.Context, s Session) error
	SessionGet(ctx context.Context, idHash string) (Session, error)
	SessionTouch(ctx context.Context, idHash string, lastSeen time.Time) error
	SessionDelete(ctx context.Context, idHash string) error
	// SessionDeleteByStaff ends every session of a staff member (password
	// changed, deactivated).
	SessionDeleteByStaff(ctx context.Context, staffID int64) error
	// SessionDeleteExpired removes sessions that expired before t.
	SessionDeleteExpired(ctx context.Context, t time.Time) (int, error)

	// CustomerSetOwner moves an account to another owner and records the
	// change (POLICY P7); a no-op when OwnerID is already the owner.
	CustomerSetOwner(ctx context.Context, p CustomerSetOwnerParams) (Customer, error)
	CustomerListByOwner(ctx context.Context, ownerID int64) ([]Customer, error)
	// OwnerChangeList returns a customer's owner changes, oldest first
	// (customerID 0: every customer's, newest first, at most limit).
	OwnerChangeList(ctx context.Context, customerID int64, limit int) ([]OwnerChange, error)

	// CaseQueue lists active cases for the dashboard's queue, soonest due
	// first, with what the queue shows of each.
	CaseQueue(ctx context.Context, p CaseQueueParams) ([]QueueItem, error)
	// CaseAuditList returns one row per case opened in [From, To), with its
	// milestones, for the audit.
	CaseAuditList(ctx context.Context, p CaseAuditParams) ([]CaseAudit, error)
	// CaseLessonList returns resolved cases' lessons-learned notes, newest
	// first (POLICY P8), of the cases owned by OwnerIDs (nil: all).
	CaseLessonList(ctx context.Context, p LessonListParams) ([]Lesson, error)

	// SettingGet and SettingSet keep small values the gateway generates for
	// itself (the key that signs the customer's slot links).
	SettingGet(ctx context.Context, key string) (string, error)
	// SettingSetIfAbsent stores value under key unless key is set, and
	// returns what is stored.
	SettingSetIfAbsent(ctx context.Context, key, value string) (string, error)
	// SettingSet stores value under key, replacing what was there.
	SettingSet(ctx context.Context, key, value string) error

	// Gauges, for /metrics. CaseCountActive counts the active cases by
	// priority; JobCountList counts the durable jobs by queue, kind and
	// state (available, scheduled, running, retryable, …; finished jobs
	// kept for a while by River count as completed, cancelled, discarded).
	CaseCountActive(ctx context.Context) (map[string]int, error)
	JobCountList(ctx context.Context) ([]JobCount, error)
}

// JobCount is how many durable jobs of one kind are in one state.
type JobCount struct {
	Queue, Kind, State string
	Count              int
}

// Session is one dashboard login.
type Session struct {
	IDHash     string // hex SHA-256 of the cookie's token
	StaffID    int64
	CSRFToken  string // the token forms must carry
	CreatedAt  time.Time
	ExpiresAt  time.Time // absolute end
	LastSeenAt time.Time // idle expiry counts from here
}

// CustomerSetOwnerParams moves a customer to OwnerID.
type CustomerSetOwnerParams struct {
	CustomerID, OwnerID int64
	At                  time.Time
	Actor               string // "staff:12", "system", "import"
	Reason              string
}

// OwnerChange is one change of a customer's owner (POLICY P7).
type OwnerChange struct {
	ID            int64
	CustomerID    int64
	FromOwnerID   int64 // 0 when unassigned before
	ToOwnerID     int64
	At            time.Time
	Actor, Reason string
}

// CaseQueueParams filters the queue; zero fields do not filter.
type CaseQueueParams struct {
	// OwnerIDs limits the queue to cases owned by, or with an open task
	// assigned to, these staff; nil means everyone's.
	OwnerIDs []int64
	Priority string
	Channel  string
	Category string
	// Search matches the subject, summary, customer name or case number.
	Search string
	Limit  int // 0 means 200
}

// QueueItem is one active case as the queue shows it.
type QueueItem struct {
	Case
	Channel      string
	CustomerName string
	Breaches     int // sla_breached events on its timeline
	// The assessment that speaks for the case: its most urgent complaint
	// (then its most urgent message, then the latest), not a polite
	// follow-up that came after.
	ToneLabel    string
	UrgencyLevel string
	Detail       []byte // that assessment's JSON (reasons)
}

// CaseAuditParams selects the cases opened in [From, To).
type CaseAuditParams struct {
	From, To time.Time
}

// CaseAudit is one case's milestones, kept on the case as its timeline
// grows (by trigger, so no writer can forget them). Zero times are
// milestones not reached.
type CaseAudit struct {
	CaseID     int64
	CustomerID int64
	OwnerID    int64
	Channel    string
	Priority   string
	Category   string
	Status     string
	// ReceivedAt is when the first message reached the mail or phone
	// server; OpenedAt when the case was committed (the difference is the
	// ingest lag).
	ReceivedAt          time.Time
	OpenedAt            time.Time
	DueAt               time.Time
	FirstNotifiedAt     time.Time // first sms_sent
	FirstCallAt         time.Time // first call_attempted
	FirstConversationAt time.Time // first call_connected
	ResolvedAt          time.Time
	Escalations         int // escalated events
	Breaches            int // sla_breached events
	Violations          int // policy_violation events (P1)
	Contacts            int // message_received events: 1 + repeat contacts
	// The latest follow-up task, if any.
	FollowUpDueAt  time.Time
	FollowUpDoneAt time.Time // zero unless done
}

// LessonListParams filters lessons learned.
type LessonListParams struct {
	OwnerIDs []int64
	Limit    int // 0 means 200
}

// Lesson is the lessons-learned note of a resolved case.
type Lesson struct {
	CaseID     int64
	OwnerID    int64
	Category   string
	Subject    string
	Note       string
	Actor      string
	ResolvedAt time.Time
}

// ContactKind is the kind of a customer contact point.
type ContactKind string

// Contact kinds.
const (
	ContactEmail ContactKind = "email"
	ContactPhone ContactKind = "phone"
)

// Staff is a person who owns, handles or supervises cases.
type Staff struct {
	ID        int64
	Name      string
	Email     string // unique, lower case
	Phone     string // E.164
	Role      string // agent, manager, director, admin
	ManagerID int64  // 0 when none
	TimeZone  string // IANA name
	Hours     string // business hours, e.g. "Mon-Fri 09:00-17:00"
	Aliases   []string
	// PasswordHash is the dashboard login hash; empty means no login.
	PasswordHash string
	Active       bool
	// SMSOptedOut is set when the staff member texted STOP: no SMS is sent
	// to them until they text START.
	SMSOptedOut bool
	CreatedAt   time.Time
}

// StaffUpsertParams creates or updates the staff member with Email. An
// empty PasswordHash keeps the stored one (a login set with the CLI or in
// the dashboard survives a directory load).
type StaffUpsertParams struct {
	Name, Email, Phone, Role string
	ManagerID                int64
	TimeZone, Hours          string
	Aliases                  []string
	PasswordHash             string
	Active                   bool
}

// Customer is an account that writes or calls in.
type Customer struct {
	ID          int64
	ExternalRef string // unique reference from the business's own records
	Name        string
	Company     string
	Tier        string // key, standard
	// AccountValueCents may raise priority, never lower it (POLICY P3).
	AccountValueCents int64
	OwnerID           int64 // staff; 0 when unassigned
	OwnerSince        time.Time
	Emails            []string
	Phones            []string
	CreatedAt         time.Time
}

// CustomerUpsertParams creates or updates the customer with ExternalRef and
// replaces its contact points.
type CustomerUpsertParams struct {
	ExternalRef, Name, Company, Tier string
	AccountValueCents                int64
	OwnerID                          int64
	OwnerSince                       time.Time
	Emails, Phones                   []string
}

// Channel values for messages.
const (
	ChannelEmail     = "email"
	ChannelVoicemail = "voicemail"
	ChannelSMS       = "sms"
)

// Message is one inbound email, voicemail or SMS, stored as received.
type Message struct {
	ID         int64
	Channel    string
	ExternalID string // Message-ID, Twilio SID, or a content hash
	CustomerID int64  // 0 when the sender is unknown
	CaseID     int64  // 0 when it opened no case
	FromAddr   string
	FromName   string
	Subject    string
	Body       string // text as analysed (new text, quotes stripped)
	AutoKind   string // "", auto_reply, bounce, list
	SentAt     time.Time
	ReceivedAt time.Time
	Raw        []byte // the original bytes (email source, webhook form)
}

// MessageInsertParams stores one inbound message.
type MessageInsertParams struct {
	Channel, ExternalID string
	CustomerID, CaseID  int64
	FromAddr, FromName  string
	Subject, Body       string
	AutoKind            string
	SentAt, ReceivedAt  time.Time
	Raw                 []byte
}

// Assessment is the NLP result stored for a message.
type Assessment struct {
	MessageID    int64
	ToneScore    float64
	ToneLabel    string
	UrgencyScore float64
	UrgencyLevel string
	Category     string
	IsComplaint  bool
	Summary      string
	Language     string
	Detail       []byte // the full nlp.Assessment as JSON, evidence included
	CreatedAt    time.Time
}

// AssessmentInsertParams stores the assessment of MessageID.
type AssessmentInsertParams struct {
	MessageID    int64
	ToneScore    float64
	ToneLabel    string
	UrgencyScore float64
	UrgencyLevel string
	Category     string
	IsComplaint  bool
	Summary      string
	Language     string
	Detail       []byte
}

// Quarantine is input kept aside with the reason it was not processed.
type Quarantine struct {
	ID         int64
	Channel    string
	ExternalID string
	Reason     string
	Raw        []byte
	CreatedAt  time.Time
}

// QuarantineInsertParams quarantines one input.
type QuarantineInsertParams struct {
	Channel, ExternalID, Reason string
	Raw                         []byte
}

// MailboxCursor remembers how far a mailbox has been read.
type MailboxCursor struct {
	Mailbox     string // account and mailbox, e.g. "support@example.com/INBOX"
	UIDValidity uint32
	LastUID     uint32
	UpdatedAt   time.Time
}

// Case statuses, in the order a case usually moves through them. A case
// is active in every status but resolved and closed; a customer has at
// most one active case.
const (
	CaseOpen           = "open"            // new: nobody has acknowledged it
	CaseAcknowledged   = "acknowledged"    // its owner said they are on it
	CaseCallAttempted  = "call_attempted"  // called, no conversation yet
	CaseInConversation = "in_conversation" // a live conversation took place
	CaseResolved       = "resolved"
	CaseReopened       = "reopened" // the customer came back within the reopen window
	CaseClosed         = "closed"
)

// CaseActive reports whether a case of status is still active.
func CaseActive(status string) bool { return status != CaseResolved && status != CaseClosed }

// ActiveStatuses returns the statuses CaseActive counts as active, for
// listing a staff member's or customer's live cases (a new slice each
// call).
func ActiveStatuses() []string {
	return []string{CaseOpen, CaseAcknowledged, CaseCallAttempted, CaseInConversation, CaseReopened}
}

// Case is one customer problem, from first contact to resolution.
type Case struct {
	ID               int64
	CustomerID       int64 // 0 for an unknown sender
	OwnerID          int64 // staff who must call back
	Status           string
	Priority         string // critical, high, normal, low
	Category         string
	Subject          string
	Summary          string
	RelationshipRisk bool    // the complaint is about a staff member (POLICY P4)
	ComplainedAbout  []int64 // the staff members it is about
	DueAt            time.Time
	OpenedAt         time.Time
	UpdatedAt        time.Time
	ResolvedAt       time.Time // zero while unresolved
}

// CaseInsertParams opens a case.
type CaseInsertParams struct {
	CustomerID, OwnerID        int64
	Channel                    string    // of the first message
	ReceivedAt                 time.Time // the first message reached the server; zero: OpenedAt
	Status, Priority, Category string
	Subject, Summary           string
	RelationshipRisk           bool
	ComplainedAbout            []int64
	DueAt, OpenedAt            time.Time
}

// CaseUpdateParams changes a case; zero fields are left as they are.
type CaseUpdateParams struct {
	ID               int64
	OwnerID          int64
	Status           string
	Priority         string
	Summary          string
	RelationshipRisk *bool
	// ComplainedAbout replaces the list when not nil.
	ComplainedAbout []int64
	DueAt           time.Time
	ResolvedAt      time.Time
	// ClearResolvedAt empties ResolvedAt (a reopened case).
	ClearResolvedAt bool
	UpdatedAt       time.Time // required
}

// CaseListParams filters cases; zero fields do not filter.
type CaseListParams struct {
	OwnerID      int64
	Status       []string
	OpenedAfter  time.Time
	OpenedBefore time.Time
	Limit        int // 0 means 100
}

// CaseEvent is one entry of a case's append-only timeline (POLICY P9).
type CaseEvent struct {
	ID     int64
	CaseID int64
	At     time.Time
	Actor  string // "system", "staff:12", "customer"
	Kind   string // message_received, case_opened, sms_queued, sms_sent, ...
	Data   []byte // JSON
}

// CaseEventListByCustomerParams selects a customer's recent events.
type CaseEventListByCustomerParams struct {
	CustomerID int64
	Kinds      []string
	Since      time.Time
}

// CaseEventInsertParams appends one event.
type CaseEventInsertParams struct {
	CaseID      int64
	At          time.Time
	Actor, Kind string
	Data        []byte
}

// Task kinds and statuses.
const (
	TaskCallback = "callback"
	TaskFollowUp = "follow_up"
	TaskCheckIn  = "check_in"

	TaskOpen      = "open"
	TaskDone      = "done"
	TaskSnoozed   = "snoozed"
	TaskCancelled = "cancelled"
)

// Task is work for one staff member on a case.
type Task struct {
	ID         int64
	CaseID     int64
	Kind       string
	AssigneeID int64
	Status     string
	DueAt      time.Time
	Checklist  []string
	CreatedAt  time.Time
	UpdatedAt  time.Time
}

// TaskInsertParams creates a task.
type TaskInsertParams struct {
	CaseID     int64
	Kind       string
	AssigneeID int64
	Status     string
	DueAt      time.Time
	Checklist  []string
	CreatedAt  time.Time
}

// TaskUpdateParams changes a task; zero fields are left as they are.
type TaskUpdateParams struct {
	ID         int64
	AssigneeID int64
	Status     string
	DueAt      time.Time
	UpdatedAt  time.Time // required
}

// Notification statuses.
const (
	NotificationQueued = "queued"
	NotificationSent   = "sent"
	NotificationFailed = "failed"
)

// Notification is one SMS to a staff member, sent by a durable job.
type Notification struct {
	ID         int64
	Key        string // idempotency key, unique
	CaseID     int64
	TaskID     int64
	StaffID    int64
	To         string // E.164
	Body       string
	Status     string
	ProviderID string // Twilio Message SID once accepted
	Error      string
	Attempts   int
	CreatedAt  time.Time
	SentAt     time.Time
}

// NotificationInsertParams queues one SMS.
type NotificationInsertParams struct {
	Key                     string
	CaseID, TaskID, StaffID int64
	To, Body                string
	CreatedAt               time.Time
}

// NotificationUpdateParams records a send attempt's outcome; zero fields are
// left as they are. Attempts, when > 0, replaces the count.
type NotificationUpdateParams struct {
	ID         int64
	Status     string
	ProviderID string
	Error      string
	Attempts   int
	SentAt     time.Time
}

// Call statuses.
const (
	CallQueued = "queued" // the job that places it is queued
	CallPlaced = "placed" // Twilio took the request; the legs are under way
	CallEnded  = "ended"  // both legs are over; Outcome says how it went
	CallFailed = "failed" // it could not be placed
)

// Call is one bridged call-back: Twilio rings the staff member first and,
// when they answer, dials the customer.
type Call struct {
	ID             int64
	Key            string // idempotency key, unique
	CaseID         int64
	TaskID         int64
	StaffID        int64
	AgentNumber    string // E.164, rung first
	CustomerNumber string // E.164, dialled once the agent answers
	Status         string
	// Outcome is routing's call outcome once known: connected, short,
	// no_answer, busy, failed, voicemail, agent_unreachable.
	Outcome         string
	ProviderID      string // the agent leg's Twilio Call SID
	CustomerLegID   string // the customer leg's Call SID
	AnsweredBy      string // Twilio's answering-machine detection verdict
	DurationSeconds int    // the customer leg's talk time
	Attempts        int    // requests made to place it
	Error           string
	RequestedBy     string // actor: "staff:12" or "system"
	CreatedAt       time.Time
	PlacedAt        time.Time
	EndedAt         time.Time
}

// CallInsertParams queues one call.
type CallInsertParams struct {
	Key                         string
	CaseID, TaskID, StaffID     int64
	AgentNumber, CustomerNumber string
	RequestedBy                 string
	CreatedAt                   time.Time
}

// CallUpdateParams records a call's progress; zero fields are left as they
// are. Attempts, when > 0, replaces the count.
type CallUpdateParams struct {
	ID              int64
	Status          string
	Outcome         string
	ProviderID      string
	CustomerLegID   string
	AnsweredBy      string
	DurationSeconds int
	Attempts        int
	Error           string
	PlacedAt        time.Time
	EndedAt         time.Time
}

// WebhookReceipt is one handled webhook request.
type WebhookReceipt struct {
	Kind       string // e.g. "sms", "call_status"
	Key        string // the provider's SID, with the status where one SID reports several
	Response   string // the body answered
	ReceivedAt time.Time
}

// Transcript statuses of a voicemail.
const (
	TranscriptPending   = ""          // none yet
	TranscriptCompleted = "completed" // the words are in Transcript
	TranscriptFailed    = "failed"    // the transcriber gave up
	TranscriptEmpty     = "empty"     // it finished with no words
	TranscriptTimedOut  = "timed_out" // none came within the configured wait
)

// Voicemail is one call to the support line that left (or may leave) a
// recording.
type Voicemail struct {
	CallSID          string
	From             string // the caller, E.164; "" when withheld
	To               string // the support number called
	RecordingSID     string
	RecordingURL     string
	DurationSeconds  int
	Transcript       string
	TranscriptStatus string
	MessageID        int64 // 0 until it became an inbound message
	CalledAt         time.Time
	RecordedAt       time.Time
	UpdatedAt        time.Time
}

// VoicemailUpsertParams creates or completes a voicemail; empty fields
// leave the stored ones as they are.
type VoicemailUpsertParams struct {
	CallSID          string // required
	From, To         string
	RecordingSID     string
	RecordingURL     string
	DurationSeconds  int
	Transcript       string
	TranscriptStatus string
	MessageID        int64
	CalledAt         time.Time // used when the voicemail is created
	RecordedAt       time.Time
}
