package sqlite_test

import (
	"context"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/sqlite"
	"github.com/triage-gw/triage/gateway/store/sqlstore"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// A database made before the dashboard (schema version 4) gets its cases'
// channels, arrival times and audit milestones from its messages and
// timelines when 0005 is applied.
func TestUpgradeBackfillsDashboardMilestones(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path, db := sqlite.DBAtVersion(t, 4)
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
