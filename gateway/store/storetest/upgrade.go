package storetest

import (
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// The upgrade to schema version 5 (migration 0005_dashboard) backfills
// each case's channel, arrival time and audit milestones from what an
// older database already holds. Each engine's tests build a database at
// version 4 with SeedSchema4, migrate it, and check it with
// CheckSchema5Backfill; the fixture is written once for both.

// Schema4Seed holds the ids of the rows SeedSchema4 wrote.
type Schema4Seed struct {
	Base time.Time // the time every other is relative to; cases open then
	// Email: first message by email (sent before it reached the server),
	// a later one by voice, and a timeline with every milestone.
	Email int64
	// Voice: one voicemail with no date of its own; resolved, with a
	// follow-up task.
	Voice int64
	// OldDate and FutureDate: first messages dated implausibly (60 days
	// before, and after, the case opened).
	OldDate, FutureDate int64
	// Bare: no message, no event.
	Bare int64
}

// SeedSchema4 writes a few cases, messages, events and a task into a
// database at schema version 4 through insert, which runs one INSERT ...
// RETURNING id and returns the id. ts turns a time into the engine's
// argument for a time column.
func SeedSchema4(t testing.TB, insert func(query string, args ...any) (int64, error), ts func(time.Time) any) Schema4Seed {
	t.Helper()
	base := time.Date(2026, 1, 2, 9, 0, 0, 0, time.UTC)
	at := func(d time.Duration) any { return ts(base.Add(d)) }
	must := func(query string, args ...any) int64 {
		t.Helper()
		id, err := insert(query+` RETURNING id`, args...)
		if err != nil {
			t.Fatalf("seed version 4: %s: %v", query, err)
		}
		return id
	}
	staff := must(`INSERT INTO staff (name, email, created_at) VALUES ('Tom', 'tom@example.com', $1)`, at(0))
	cust := must(`INSERT INTO customers (external_ref, created_at) VALUES ('C-1', $1)`, at(0))
	newCase := func(customer any, status string) int64 {
		t.Helper()
		return must(`INSERT INTO cases (customer_id, owner_id, status, priority, opened_at, updated_at)
			VALUES ($1, $2, $3, 'high', $4, $4)`, customer, staff, status, at(0))
	}
	message := func(caseID int64, channel, ref string, sent any, received time.Duration) {
		t.Helper()
		must(`INSERT INTO inbound_messages (channel, external_id, customer_id, case_id, sent_at, received_at, raw)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, channel, ref, cust, caseID, sent, at(received), []byte{})
	}
	event := func(caseID int64, kind string, d time.Duration) {
		t.Helper()
		must(`INSERT INTO case_events (case_id, occurred_at, actor, kind) VALUES ($1, $2, 'system', $3)`, caseID, at(d), kind)
	}

	s := Schema4Seed{Base: base}
	s.Email = newCase(cust, "acknowledged")
	message(s.Email, "email", "m1", at(-10*time.Minute), -time.Minute)
	message(s.Email, "voice", "m2", nil, time.Hour)
	for _, e := range []struct {
		kind string
		d    time.Duration
	}{
		{"message_received", 0}, {"case_opened", 0}, {"sms_sent", 5 * time.Minute}, {"sms_sent", 2 * time.Minute},
		{"call_attempted", 20 * time.Minute}, {"call_connected", 25 * time.Minute}, {"escalated", 30 * time.Minute},
		{"escalated", 40 * time.Minute}, {"sla_breached", 30 * time.Minute}, {"policy_violation", 35 * time.Minute},
		{"message_received", time.Hour},
	} {
		event(s.Email, e.kind, e.d)
	}

	s.Voice = newCase(cust, "resolved")
	message(s.Voice, "voice", "v1", nil, -2*time.Minute)
	must(`INSERT INTO tasks (case_id, kind, status, due_at, created_at, updated_at)
		VALUES ($1, 'follow_up', 'done', $2, $3, $4)`, s.Voice, at(7*24*time.Hour), at(time.Hour), at(8*24*time.Hour))

	s.OldDate = newCase(nil, "open")
	message(s.OldDate, "email", "o1", at(-60*24*time.Hour), -time.Minute)
	s.FutureDate = newCase(nil, "open")
	message(s.FutureDate, "email", "f1", at(5*time.Minute), -time.Minute)
	s.Bare = newCase(nil, "open")
	return s
}

// CheckSchema5Backfill checks the cases of seed in s, a store migrated from
// version 4: channels, arrival times and milestones are backfilled, the
// follow-up task is found, and the timeline's triggers work on the
// upgraded schema.
func CheckSchema5Backfill(t testing.TB, s store.Store, seed Schema4Seed) {
	t.Helper()
	ctx := t.Context()
	at := func(d time.Duration) time.Time { return seed.Base.Add(d) }
	rows, err := s.CaseAuditList(ctx, store.CaseAuditParams{})
	if err != nil {
		t.Fatalf("CaseAuditList() after the upgrade error = %v", err)
	}
	byID := map[int64]store.CaseAudit{}
	for _, r := range rows {
		byID[r.CaseID] = r
	}
	if len(byID) != 5 {
		t.Fatalf("CaseAuditList() after the upgrade = %d cases, want 5", len(byID))
	}
	check := func(what string, got, want time.Time) {
		t.Helper()
		if !got.Equal(want) {
			t.Errorf("after the upgrade, %s = %v, want %v", what, got, want)
		}
	}

	e := byID[seed.Email]
	if e.Channel != "email" || e.Escalations != 2 || e.Breaches != 1 || e.Violations != 1 || e.Contacts != 2 {
		t.Errorf("after the upgrade, case %d = %+v; want channel email (its first message's), 2 escalations, 1 breach, 1 violation, 2 contacts", seed.Email, e)
	}
	check("email case ReceivedAt (its first message's own date)", e.ReceivedAt, at(-10*time.Minute))
	check("email case FirstNotifiedAt (earliest sms_sent)", e.FirstNotifiedAt, at(2*time.Minute))
	check("email case FirstCallAt", e.FirstCallAt, at(20*time.Minute))
	check("email case FirstConversationAt", e.FirstConversationAt, at(25*time.Minute))

	v := byID[seed.Voice]
	if v.Channel != "voice" || v.Contacts != 0 || !v.FirstNotifiedAt.IsZero() {
		t.Errorf("after the upgrade, case %d = %+v; want channel voice, no events counted", seed.Voice, v)
	}
	check("voice case ReceivedAt (no date of its own: opened_at)", v.ReceivedAt, at(0))
	check("voice case FollowUpDueAt", v.FollowUpDueAt, at(7*24*time.Hour))
	check("voice case FollowUpDoneAt", v.FollowUpDoneAt, at(8*24*time.Hour))

	check("old-dated case ReceivedAt (implausible: opened_at)", byID[seed.OldDate].ReceivedAt, at(0))
	check("future-dated case ReceivedAt (implausible: opened_at)", byID[seed.FutureDate].ReceivedAt, at(0))
	if b := byID[seed.Bare]; b.Channel != "" || !b.ReceivedAt.Equal(at(0)) {
		t.Errorf("after the upgrade, case %d without messages = %+v; want no channel, ReceivedAt = opened_at", seed.Bare, b)
	}

	// The triggers run on the upgraded schema.
	for _, kind := range []string{"escalated", "sms_sent"} {
		p := store.CaseEventInsertParams{CaseID: seed.Email, At: at(time.Minute), Actor: "system", Kind: kind}
		if _, err := s.CaseEventInsert(ctx, p); err != nil {
			t.Fatalf("CaseEventInsert(%+v) after the upgrade error = %v", p, err)
		}
	}
	rows, err = s.CaseAuditList(ctx, store.CaseAuditParams{From: at(0), To: at(time.Microsecond)})
	for _, r := range rows {
		if r.CaseID == seed.Email {
			e = r
		}
	}
	if err != nil || e.Escalations != 3 || !e.FirstNotifiedAt.Equal(at(time.Minute)) {
		t.Errorf("after the upgrade and two more events, case %d = %+v, %v; want 3 escalations, first notified at %v", seed.Email, e, err, at(time.Minute))
	}
}
