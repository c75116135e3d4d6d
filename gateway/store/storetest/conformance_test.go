package storetest_test

import (
	"os"
	"testing"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// TestConformance runs the suite on every engine: SQLite always,
// PostgreSQL when TRIAGE_TEST_DATABASE_URL is set.
func TestConformance(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		storetest.Exercise(t, func(t *testing.T) store.Store { return storetest.OpenSQLite(t) })
	})
	t.Run("postgres", func(t *testing.T) {
		if os.Getenv(storetest.PostgresURLEnv) == "" {
			t.Skip(storetest.PostgresSkipReason)
		}
		t.Parallel()
		storetest.Exercise(t, func(t *testing.T) store.Store { return storetest.OpenPostgres(t) })
	})
}
