package gateway_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// forEngines runs test against a fresh SQLite store, and a fresh
// PostgreSQL schema when TRIAGE_TEST_DATABASE_URL is set.
func forEngines(t *testing.T, test func(t *testing.T, st store.Store, cfg config.Config)) {
	t.Helper()
	for _, engine := range []string{store.EngineSQLite, store.EnginePostgres} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			cfg := config.Default()
			cfg.DataDir = t.TempDir()
			if engine == store.EnginePostgres {
				cfg.Database.URL = storetest.PostgresSchemaURL(t)
			}
			test(t, openStore(t, cfg), cfg)
		})
	}
}

// mustStaff stores a staff member.
func mustStaff(t *testing.T, st store.Store, name, email string, manager int64) store.Staff {
	t.Helper()
	s, err := st.StaffUpsert(t.Context(), store.StaffUpsertParams{Name: name, Email: email, Role: "agent",
		ManagerID: manager, TimeZone: "UTC", Active: true})
	if err != nil {
		t.Fatalf("StaffUpsert(%s) = %v", email, err)
	}
	return s
}

// mustCase opens a case for customer (0: unknown sender) owned by owner,
// with the given status.
func mustCase(t *testing.T, st store.Store, customer, owner int64, status string, at time.Time) store.Case {
	t.Helper()
	ctx := t.Context()
	c, err := st.CaseInsert(ctx, store.CaseInsertParams{CustomerID: customer, OwnerID: owner, Channel: store.ChannelEmail,
		Status: store.CaseOpen, Priority: "high", Category: "billing_error", Subject: "s", DueAt: at.Add(time.Hour), OpenedAt: at})
	if err != nil {
		t.Fatalf("CaseInsert() = %v", err)
	}
	if status != store.CaseOpen {
		p := store.CaseUpdateParams{ID: c.ID, Status: status, UpdatedAt: at}
		if status == store.CaseResolved {
			p.ResolvedAt = at
		}
		if c, err = st.CaseUpdate(ctx, p); err != nil {
			t.Fatalf("CaseUpdate(%d, %s) = %v", c.ID, status, err)
		}
	}
	return c
}

func mustTask(t *testing.T, st store.Store, caseID, assignee int64, kind, status string, at time.Time) store.Task {
	t.Helper()
	task, err := st.TaskInsert(t.Context(), store.TaskInsertParams{CaseID: caseID, Kind: kind, AssigneeID: assignee,
		Status: status, DueAt: at.Add(time.Hour), CreatedAt: at})
	if err != nil {
		t.Fatalf("TaskInsert() = %v", err)
	}
	return task
}

// eventsOf returns the events of one kind on a case, with their data.
func eventsOf(t *testing.T, st store.Querier, caseID int64, kind string) []map[string]any {
	t.Helper()
	evs, err := st.CaseEventListKind(t.Context(), caseID, kind)
	if err != nil {
		t.Fatalf("CaseEventListKind(%d, %s) = %v", caseID, kind, err)
	}
	var out []map[string]any
	for _, e := range evs {
		var m map[string]any
		if err := json.Unmarshal(e.Data, &m); err != nil {
			t.Fatalf("event %d data %s: %v", e.ID, e.Data, err)
		}
		m["actor"] = e.Actor
		out = append(out, m)
	}
	return out
}

// Deactivating someone moves their accounts, active cases and unfinished
// tasks to the default owner, each with its record, ends their sessions,
// keeps their history, and is idempotent.
func TestDeactivateStaff(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, st store.Store, _ config.Config) {
		ctx := t.Context()
		at := time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
		anna := mustStaff(t, st, "Anna Kowalski", "anna@example.com", 0)
		tom := mustStaff(t, st, "Tom Baker", "tom@example.com", anna.ID)
		acme, err := st.CustomerUpsert(ctx, store.CustomerUpsertParams{ExternalRef: "C-1", Name: "Acme", Tier: "standard", OwnerID: tom.ID})
		if err != nil {
			t.Fatalf("CustomerUpsert() = %v", err)
		}
		active := mustCase(t, st, acme.ID, tom.ID, store.CaseCallAttempted, at)
		done := mustCase(t, st, 0, tom.ID, store.CaseResolved, at)
		callback := mustTask(t, st, active.ID, tom.ID, store.TaskCallback, store.TaskOpen, at)
		snoozed := mustTask(t, st, active.ID, tom.ID, store.TaskCheckIn, store.TaskSnoozed, at)
		followUp := mustTask(t, st, done.ID, tom.ID, store.TaskFollowUp, store.TaskOpen, at)
		finished := mustTask(t, st, done.ID, tom.ID, store.TaskCallback, store.TaskDone, at)
		if err := st.SessionInsert(ctx, store.Session{IDHash: "h1", StaffID: tom.ID, CreatedAt: at, ExpiresAt: at.Add(time.Hour)}); err != nil {
			t.Fatalf("SessionInsert() = %v", err)
		}

		p := gateway.DeactivateParams{StaffID: tom.ID, DefaultOwnerID: anna.ID, Actor: "staff:1", At: at.Add(time.Minute), Reason: "left the company"}
		res, err := gateway.DeactivateStaff(ctx, st, p)
		if err != nil {
			t.Fatalf("DeactivateStaff() = %v", err)
		}
		if !res.WasActive || res.Staff.Active || len(res.Customers) != 1 || len(res.Cases) != 1 || len(res.Tasks) != 3 {
			t.Errorf("DeactivateStaff() = %+v; want was active, now inactive, 1 account, 1 case, 3 tasks", res)
		}
		if s, _ := st.StaffGetByID(ctx, tom.ID); s.Active {
			t.Errorf("Tom is still active after DeactivateStaff")
		}
		if _, err := st.SessionGet(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("SessionGet(Tom's session) = %v, want ErrNotFound", err)
		}
		if c, _ := st.CustomerGetByID(ctx, acme.ID); c.OwnerID != anna.ID {
			t.Errorf("Acme's owner = %d, want the default owner %d", c.OwnerID, anna.ID)
		}
		changes, err := st.OwnerChangeList(ctx, acme.ID, 0)
		if err != nil || len(changes) != 1 {
			t.Fatalf("OwnerChangeList() = %+v, %v; want one change", changes, err)
		}
		if ch := changes[0]; ch.FromOwnerID != tom.ID || ch.ToOwnerID != anna.ID || ch.Actor != "staff:1" || ch.Reason != "left the company" {
			t.Errorf("owner change = %+v, want Tom → Anna by staff:1, reason recorded", ch)
		}
		if c, _ := st.CaseGetByID(ctx, active.ID); c.OwnerID != anna.ID {
			t.Errorf("active case owner = %d, want %d", c.OwnerID, anna.ID)
		}
		if c, _ := st.CaseGetByID(ctx, done.ID); c.OwnerID != tom.ID {
			t.Errorf("resolved case owner = %d, want Tom (%d) kept: history is not rewritten", c.OwnerID, tom.ID)
		}
		evs := eventsOf(t, st, active.ID, "owner_changed")
		if len(evs) != 1 || evs[0]["from"] != float64(tom.ID) || evs[0]["to"] != float64(anna.ID) ||
			evs[0]["reason"] != "left the company" || evs[0]["actor"] != "staff:1" {
			t.Errorf("owner_changed events = %v, want one from Tom to Anna by staff:1 with the reason", evs)
		}
		for _, task := range []store.Task{callback, snoozed, followUp} {
			if got, _ := st.TaskGetByID(ctx, task.ID); got.AssigneeID != anna.ID || got.Status != task.Status {
				t.Errorf("task %d (%s, %s) = assignee %d, %s; want Anna, status unchanged", task.ID, task.Kind, task.Status, got.AssigneeID, got.Status)
			}
		}
		if got, _ := st.TaskGetByID(ctx, finished.ID); got.AssigneeID != tom.ID {
			t.Errorf("done task assignee = %d, want Tom kept", got.AssigneeID)
		}
		if n := len(eventsOf(t, st, active.ID, "task_reassigned")) + len(eventsOf(t, st, done.ID, "task_reassigned")); n != 3 {
			t.Errorf("%d task_reassigned events, want 3", n)
		}

		again, err := gateway.DeactivateStaff(ctx, st, p)
		if err != nil || again.Changed() {
			t.Errorf("second DeactivateStaff() = %+v, %v; want nothing changed", again, err)
		}
		if evs := eventsOf(t, st, active.ID, "owner_changed"); len(evs) != 1 {
			t.Errorf("%d owner_changed events after a second call, want still 1", len(evs))
		}
		if changes, _ := st.OwnerChangeList(ctx, acme.ID, 0); len(changes) != 1 {
			t.Errorf("%d owner changes after a second call, want still 1", len(changes))
		}
	})
}

// The default owner takes over from the deactivated: they cannot be
// deactivated themselves, nor can anyone be when the default owner is
// inactive.
func TestDeactivateStaffRefuses(t *testing.T) {
	t.Parallel()
	forEngines(t, func(t *testing.T, st store.Store, _ config.Config) {
		ctx := t.Context()
		anna := mustStaff(t, st, "Anna Kowalski", "anna@example.com", 0)
		tom := mustStaff(t, st, "Tom Baker", "tom@example.com", anna.ID)
		_, err := gateway.DeactivateStaff(ctx, st, gateway.DeactivateParams{StaffID: anna.ID, DefaultOwnerID: anna.ID})
		if !errors.Is(err, gateway.ErrDefaultOwner) {
			t.Errorf("DeactivateStaff(the default owner) = %v, want ErrDefaultOwner", err)
		}
		if _, err := st.StaffSetActive(ctx, anna.ID, false); err != nil {
			t.Fatal(err)
		}
		if _, err := gateway.DeactivateStaff(ctx, st, gateway.DeactivateParams{StaffID: tom.ID, DefaultOwnerID: anna.ID}); err == nil {
			t.Errorf("DeactivateStaff() to an inactive default owner = nil, want an error")
		}
		if s, _ := st.StaffGetByID(ctx, tom.ID); !s.Active {
			t.Errorf("Tom was deactivated although the call failed")
		}
		if _, err := gateway.DeactivateStaff(ctx, st, gateway.DeactivateParams{StaffID: 9999, DefaultOwnerID: anna.ID}); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("DeactivateStaff(unknown id) = %v, want ErrNotFound", err)
		}
	})
}
