package postgres_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/postgres"
	"github.com/triage-gw/triage/gateway/store/storetest"
	"github.com/triage-gw/triage/migrations"
)

func TestOpenWithoutMigrateRefusesOldSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := storetest.PostgresSchemaURL(t)
	s, err := postgres.Open(ctx, u, store.OpenOptions{})
	if !errors.Is(err, store.ErrSchemaTooOld) {
		if s != nil {
			s.Close()
		}
		t.Fatalf("Open(empty schema, Migrate=false) error = %v, want ErrSchemaTooOld", err)
	}
	if _, err := postgres.Migrate(ctx, u, nil); err != nil {
		t.Fatalf("Migrate(empty schema) error = %v", err)
	}
	s, err = postgres.Open(ctx, u, store.OpenOptions{})
	if err != nil {
		t.Fatalf("Open(migrated schema, Migrate=false) error = %v, want nil", err)
	}
	defer s.Close()
	if got := s.Engine(); got != store.EnginePostgres {
		t.Errorf("Engine() = %q, want %q", got, store.EnginePostgres)
	}
}

// TestMigrateConcurrently starts several migrations of one schema at once,
// as gateway instances starting together would: the advisory lock lets
// each version be applied exactly once, and all of them succeed.
func TestMigrateConcurrently(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := storetest.PostgresSchemaURL(t)
	const n = 4
	results := make([]store.MigrateResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { results[i], errs[i] = postgres.Migrate(ctx, u, nil) })
	}
	wg.Wait()

	want, _ := migrations.Versions(migrations.EnginePostgres)
	var applied []int
	riverRuns := 0
	for i := range n {
		if errs[i] != nil {
			t.Errorf("Migrate #%d error = %v, want nil", i, errs[i])
		}
		applied = append(applied, results[i].Applied...)
		if len(results[i].RiverApplied) > 0 {
			riverRuns++
		}
		if results[i].Version != want[len(want)-1] {
			t.Errorf("Migrate #%d version = %d, want %d", i, results[i].Version, want[len(want)-1])
		}
	}
	slices.Sort(applied)
	if !slices.Equal(applied, want) || riverRuns != 1 {
		t.Errorf("%d concurrent Migrate applied %v and River's in %d runs; want %v once and River's once", n, applied, riverRuns, want)
	}
}

func TestOpenBadURL(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-pw"
	_, err := postgres.Open(context.Background(), "postgres://u:"+secret+"@127.0.0.1:1/db?connect_timeout=1", store.OpenOptions{})
	if err == nil {
		t.Fatalf("Open(unreachable) error = nil, want an error")
	}
	if msg := err.Error(); strings.Contains(msg, secret) {
		t.Errorf("Open(unreachable) error = %q, want it without the password", msg)
	}
}

// A database made before the dashboard (schema version 4) gets its cases'
// channels, arrival times and audit milestones from its messages and
// timelines when 0005 is applied.
func TestUpgradeBackfillsDashboardMilestones(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := storetest.PostgresSchemaURL(t)
	conn, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatalf("connect: %v", err)
	}
	list, err := migrations.List(migrations.EnginePostgres)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range list {
		if m.Version > 4 {
			break
		}
		if _, err := conn.Exec(ctx, m.SQL); err != nil {
			t.Fatalf("apply %d: %v", m.Version, err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, now())`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	insert := func(query string, args ...any) (int64, error) {
		var id int64
		err := conn.QueryRow(ctx, query, args...).Scan(&id)
		return id, err
	}
	seed := storetest.SeedSchema4(t, insert, func(t time.Time) any { return t })
	conn.Close(ctx)

	s, err := postgres.Open(ctx, u, store.OpenOptions{Migrate: true})
	if err != nil {
		t.Fatalf("Open(version 4 schema, Migrate) error = %v", err)
	}
	defer s.Close()
	storetest.CheckSchema5Backfill(t, s, seed)
}
