package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/migrations"
)

// TestDollarPlaceholders shows that modernc.org/sqlite binds $N to the N-th
// argument, repeated and out of order, so the shared SQL needs no rebinding.
func TestDollarPlaceholders(t *testing.T) {
	t.Parallel()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatalf("sql.Open(sqlite, :memory:) error = %v", err)
	}
	defer db.Close()
	var a, b, c string
	if err := db.QueryRow(`SELECT $2, $1, $2 || $3`, "one", "two", "three").Scan(&a, &b, &c); err != nil {
		t.Fatalf("SELECT $2, $1, $2 || $3 error = %v", err)
	}
	if a != "two" || b != "one" || c != "twothree" {
		t.Errorf("SELECT $2, $1, $2 || $3 with (one, two, three) = %q, %q, %q; want two, one, twothree", a, b, c)
	}
}

func TestOpenCreatesDirectoryAndMigrates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "a", "b", "triage.db")
	s, err := Open(ctx, path, store.OpenOptions{Migrate: true})
	if err != nil {
		t.Fatalf("Open(%s, Migrate) error = %v", path, err)
	}
	defer s.Close()
	if got := s.Engine(); got != store.EngineSQLite {
		t.Errorf("Engine() = %q, want %q", got, store.EngineSQLite)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping() = %v, want nil", err)
	}
}

func TestOpenWithoutMigrateRefusesOldSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "triage.db")
	s, err := Open(ctx, path, store.OpenOptions{})
	if !errors.Is(err, store.ErrSchemaTooOld) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open(fresh file, Migrate=false) error = %v, want ErrSchemaTooOld", err)
	}

	res, err := Migrate(ctx, path, nil)
	if err != nil {
		t.Fatalf("Migrate(%s) error = %v", path, err)
	}
	want, _ := migrations.Latest(migrations.EngineSQLite)
	if res.Version != want || len(res.Applied) != want || len(res.RiverApplied) == 0 {
		t.Errorf("Migrate(fresh) = %+v, want version %d, %d applied, River migrations applied", res, want, want)
	}
	again, err := Migrate(ctx, path, nil)
	if err != nil || len(again.Applied) != 0 || len(again.RiverApplied) != 0 || again.Version != want {
		t.Errorf("Migrate(current) = %+v, %v; want nothing applied, version %d", again, err, want)
	}

	s, err = Open(ctx, path, store.OpenOptions{})
	if err != nil {
		t.Fatalf("Open(migrated, Migrate=false) error = %v, want nil", err)
	}
	s.Close()
}

func TestOpenRejectsBadPath(t *testing.T) {
	t.Parallel()
	for _, p := range []string{"", "x.db?mode=ro"} {
		if s, err := Open(context.Background(), p, store.OpenOptions{Migrate: true}); err == nil {
			s.Close()
			t.Errorf("Open(%q) error = nil, want an error", p)
		}
	}
}

// TestMigrateConcurrently migrates one fresh file from several handles at
// once, as `triage migrate` beside a starting `triage serve` would: every
// run succeeds and each version is applied once.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "triage.db")
	const n = 3
	results := make([]store.MigrateResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = Migrate(ctx, path, nil) })
	}
	wg.Wait()

	want, _ := migrations.Versions(migrations.EngineSQLite)
	var applied, riverApplied []int
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Migrate #%d error = %v, want nil", i, errs[i])
		}
		applied = append(applied, results[i].Applied...)
		riverApplied = append(riverApplied, results[i].RiverApplied...)
	}
	slices.Sort(applied)
	slices.Sort(riverApplied)
	if !slices.Equal(applied, want) || len(slices.Compact(slices.Clone(riverApplied))) != len(riverApplied) {
		t.Errorf("%d concurrent Migrate applied %v and River's %v; want %v once and each River version once", n, applied, riverApplied, want)
	}
}

// A database made by an older binary keeps its data through 0003, which
// rebuilds the cases table: in-progress cases become acknowledged, every
// row that refers to a case still does, and the one-open-case rule holds.
func TestUpgradeKeepsCasesAndTheirReferences(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, db := dbAtVersion(t, 2)
	const now = "2026-01-02T00:00:00.000000Z"
	for _, q := range []string{
		`INSERT INTO staff (id, name, email, created_at) VALUES (1, 'Tom', 'tom@example.com', '` + now + `')`,
		`INSERT INTO customers (id, external_ref, created_at) VALUES (1, 'C-1', '` + now + `')`,
		`INSERT INTO cases (id, customer_id, owner_id, status, opened_at, updated_at) VALUES (7, 1, 1, 'in_progress', '` + now + `', '` + now + `')`,
		`INSERT INTO cases (id, customer_id, owner_id, status, opened_at, updated_at, resolved_at) VALUES (8, 1, 1, 'resolved', '` + now + `', '` + now + `', '` + now + `')`,
		`INSERT INTO case_events (case_id, occurred_at, actor, kind, data) VALUES (7, '` + now + `', 'system', 'case_opened', '{}')`,
		`INSERT INTO tasks (id, case_id, kind, assignee_id, status, created_at, updated_at) VALUES (3, 7, 'callback', 1, 'open', '` + now + `', '` + now + `')`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(ctx, path, store.OpenOptions{Migrate: true})
	if err != nil {
		t.Fatalf("Open(old database, Migrate) error = %v", err)
	}
	defer s.Close()
	c, err := s.CaseGetByID(ctx, 7)
	if err != nil || c.Status != store.CaseAcknowledged || c.OwnerID != 1 || c.CustomerID != 1 {
		t.Errorf("case 7 after the upgrade = %+v, %v; want acknowledged, owner and customer kept", c, err)
	}
	if open, err := s.CaseGetOpenByCustomer(ctx, 1); err != nil || open.ID != 7 {
		t.Errorf("CaseGetOpenByCustomer(1) = case %d, %v; want 7", open.ID, err)
	}
	if events, err := s.CaseEventList(ctx, 7); err != nil || len(events) != 1 {
		t.Errorf("case 7 events = %+v, %v; want the one from before", events, err)
	}
	if tasks, err := s.TaskListByCase(ctx, 7); err != nil || len(tasks) != 1 || tasks[0].ID != 3 {
		t.Errorf("case 7 tasks = %+v, %v; want task 3", tasks, err)
	}
	if _, err := s.CaseInsert(ctx, store.CaseInsertParams{CustomerID: 1, Status: store.CaseReopened}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("a second active case after the upgrade: error %v, want ErrConflict", err)
	}
	// Foreign keys still point at the rebuilt table and are enforced.
	if _, err := s.TaskInsert(ctx, store.TaskInsertParams{CaseID: 999, Kind: store.TaskCallback, Status: store.TaskOpen}); err == nil {
		t.Errorf("TaskInsert(case 999) after the upgrade = nil error, want a foreign key violation")
	}
}

// dbAtVersion makes a database as a binary of schema version v left it:
// the migrations up to v applied and recorded, nothing after. The caller
// fills it and then opens it with the current migrations.
func dbAtVersion(t *testing.T, v int) (string, *sql.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "triage.db")
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=foreign_keys(1)")
	if err != nil {
		t.Fatal(err)
	}
	list, err := migrations.List(migrations.EngineSQLite)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Version > v {
			break
		}
		if _, err := db.Exec(m.SQL); err != nil {
			t.Fatalf("apply %d: %v", m.Version, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, '2026-01-01T00:00:00.000000Z')`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	return path, db
}

// DBAtVersion is dbAtVersion for the package's external tests.
var DBAtVersion = dbAtVersion
