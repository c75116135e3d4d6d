package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/sqlite"
	"github.com/triage-gw/triage/gateway/store/sqlstore"
	"github.com/triage-gw/triage/gateway/store/storetest"
	"github.com/triage-gw/triage/migrations"
)

// A database made before the dashboard (schema version 4) gets its cases'
// channels, arrival times and audit milestones from its messages and
// timelines when 0005 is applied.
func TestUpgradeBackfillsDashboardMilestones(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
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
		if m.Version > 4 {
			break
		}
		if _, err := db.Exec(m.SQL); err != nil {
			t.Fatalf("apply %d: %v", m.Version, err)
		}
		if _, err := db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, '2026-01-01T00:00:00.000000Z')`, m.Version, m.Name); err != nil {
			t.Fatal(err)
		}
	}
	insert := func(query string, args ...any) (int64, error) {
		var id int64
		err := db.QueryRow(query, args...).Scan(&id)
		return id, err
	}
	ts := func(t time.Time) any { return t.UTC().Format(sqlstore.TimeLayout) }
	seed := storetest.SeedSchema4(t, insert, ts)
	db.Close()

	s, err := sqlite.Open(ctx, path, store.OpenOptions{Migrate: true})
	if err != nil {
		t.Fatalf("Open(version 4 database, Migrate) error = %v", err)
	}
	defer s.Close()
	storetest.CheckSchema5Backfill(t, s, seed)
}
