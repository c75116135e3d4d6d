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
