// Package storetest is the conformance suite every store engine must pass:
// Exercise runs each method of store.Store against a fresh store and checks
// the behaviour the gateway relies on (idempotent inserts, ErrNotFound,
// transactions that take their jobs with them, the append-only timeline,
// times returned in UTC).
//
// It is an ordinary package, not a _test one, so each engine's tests can call
// it, as River's riverdrivertest is called once per driver. OpenSQLite and
// OpenPostgres give other packages' tests a fresh store.
package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// SQLExecer is an optional ability of a store: running one raw statement.
// Exercise uses it, found by type assertion, to show that the database
// itself refuses to change case events.
type SQLExecer interface {
	ExecSQL(ctx context.Context, query string, args ...any) error
}

// Exercise runs the conformance suite as parallel subtests. open returns a
// new, empty, migrated store for each subtest and closes it in t.Cleanup.
func Exercise(t *testing.T, open func(t *testing.T) store.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"Staff", testStaff},
		{"StaffConflicts", testStaffConflicts},
		{"Customer", testCustomer},
		{"CustomerContactConflict", testCustomerContactConflict},
		{"MessageInsertIdempotent", testMessageInsertIdempotent},
		{"MessageListAndCount", testMessageListAndCount},
		{"Assessment", testAssessment},
		{"QuarantineInsertIdempotent", testQuarantine},
		{"MailboxCursor", testMailboxCursor},
		{"Case", testCase},
		{"CaseList", testCaseList},
		{"CaseUpdate", testCaseUpdate},
		{"CaseEvent", testCaseEvent},
		{"CaseEventListByCustomer", testCaseEventListByCustomer},
		{"CaseEventAppendOnly", testCaseEventAppendOnly},
		{"StaffEmailOnce", testStaffEmailOnce},
		{"Task", testTask},
		{"TaskListOpenByAssignee", testTaskListOpenByAssignee},
		{"Notification", testNotification},
		{"Call", testCall},
		{"WebhookReceipt", testWebhookReceipt},
		{"StaffSMSOptOut", testStaffSMSOptOut},
		{"Voicemail", testVoicemail},
		{"Checkpoint", testCheckpoint},
		{"StaffLogin", testStaffLogin},
		{"Session", testSession},
		{"Setting", testSetting},
		{"CustomerSetOwner", testCustomerSetOwner},
		{"CaseMilestones", testCaseMilestones},
		{"CaseQueue", testCaseQueue},
		{"CaseAuditList", testCaseAuditList},
		{"CaseLessonList", testCaseLessonList},
		{"Gauges", testGauges},
		{"NotFound", testNotFound},
		{"TimesUTC", testTimesUTC},
		{"InTx", testInTx},
		{"JobInsert", testJobInsert},
		{"Engine", testEngine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, open)
		})
	}
}

// at returns a fixed instant plus d. The instant has nanoseconds and is
// outside UTC: stores must return it in UTC, to the microsecond.
func at(d time.Duration) time.Time {
	return time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.FixedZone("UTC+1", 3600)).Add(d)
}

// stored is t as a store returns it.
func stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// checkTime fails unless got is want as stored: same instant to the
// microsecond, in UTC.
func checkTime(t *testing.T, what string, got, want time.Time) {
	t.Helper()
	if want.IsZero() {
		if !got.IsZero() {
			t.Errorf("%s = %v, want the zero time", what, got)
		}
		return
	}
	if !got.Equal(stored(want)) || got.Location() != time.UTC {
		t.Errorf("%s = %v (%v), want %v in UTC", what, got, got.Location(), stored(want))
	}
}

// mustStaff stores a staff member with email and phone.
func mustStaff(t *testing.T, q store.Querier, email, phone string) store.Staff {
	t.Helper()
	p := store.StaffUpsertParams{Name: email, Email: email, Phone: phone, Role: "agent", TimeZone: "Europe/Paris", Active: true}
	s, err := q.StaffUpsert(t.Context(), p)
	if err != nil {
		t.Fatalf("StaffUpsert(%+v) error = %v", p, err)
	}
	return s
}

// mustCustomer stores a customer with ref and one email.
func mustCustomer(t *testing.T, q store.Querier, ref, email string) store.Customer {
	t.Helper()
	p := store.CustomerUpsertParams{ExternalRef: ref, Name: ref, Tier: "standard", Emails: []string{email}}
	c, err := q.CustomerUpsert(t.Context(), p)
	if err != nil {
		t.Fatalf("CustomerUpsert(%+v) error = %v", p, err)
	}
	return c
}

// mustCase opens a case.
func mustCase(t *testing.T, q store.Querier, p store.CaseInsertParams) store.Case {
	t.Helper()
	c, err := q.CaseInsert(t.Context(), p)
	if err != nil {
		t.Fatalf("CaseInsert(%+v) error = %v", p, err)
	}
	return c
}

func testEngine(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	if e := s.Engine(); e != store.EngineSQLite && e != store.EnginePostgres {
		t.Errorf("Engine() = %q, want %q or %q", e, store.EngineSQLite, store.EnginePostgres)
	}
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping() = %v, want nil", err)
	}
}
