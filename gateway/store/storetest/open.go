package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/postgres"
	"github.com/triage-gw/triage/gateway/store/sqlite"
)

// PostgresURLEnv names the environment variable holding the PostgreSQL
// database tests may use. Each store gets a fresh schema in it, dropped
// after the test.
const PostgresURLEnv = "TRIAGE_TEST_DATABASE_URL"

// PostgresSkipReason is why PostgreSQL tests skip when PostgresURLEnv is
// unset.
const PostgresSkipReason = PostgresURLEnv + " not set: PostgreSQL conformance skipped"

// OpenSQLite returns a new, migrated SQLite store in a file under t's temp
// directory, closed when t ends.
func OpenSQLite(t testing.TB) store.Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "triage.db")
	s, err := sqlite.Open(context.Background(), path, store.OpenOptions{Migrate: true, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("sqlite.Open(%s, Migrate) error = %v", path, err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return s
}

// OpenPostgres returns a new, migrated PostgreSQL store in a fresh schema
// (see PostgresSchemaURL), closed when t ends. It skips t when
// $TRIAGE_TEST_DATABASE_URL is unset.
func OpenPostgres(t testing.TB) store.Store {
	t.Helper()
	u := PostgresSchemaURL(t)
	s, err := postgres.Open(context.Background(), u, store.OpenOptions{Migrate: true, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("postgres.Open(fresh schema, Migrate) error = %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close() = %v", err)
		}
	})
	return s
}

// PostgresSchemaURL creates an empty schema in the database at
// $TRIAGE_TEST_DATABASE_URL and returns that URL with its search_path set
// to the schema alone. The schema is dropped, with all it holds, when t
// ends; close stores opened on it first (t.Cleanup runs last-in first-out).
// It skips t when the variable is unset.
func PostgresSchemaURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresURLEnv)
	if base == "" {
		t.Skip(PostgresSkipReason)
	}
	ctx := context.Background()
	schema := "triage_test_" + randomHex(t, 8)
	if err := adminExec(ctx, base, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema %s: %v", schema, err)
	}
	t.Cleanup(func() {
		if err := adminExec(ctx, base, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := withSearchPath(base, schema)
	if err != nil {
		t.Fatalf("%s: %v", PostgresURLEnv, err)
	}
	return u
}

// withSearchPath returns the connection string dsn set to use schema only.
func withSearchPath(dsn, schema string) (string, error) {
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return dsn + " search_path=" + schema, nil // keyword=value form
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", fmt.Errorf("parse url: %w", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// adminExec runs one statement on a connection of its own.
func adminExec(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return err
	}
	return nil
}

func randomHex(t testing.TB, n int) string {
	t.Helper()
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("random bytes: %v", err)
	}
	return hex.EncodeToString(b)
}

// testLogger logs warnings and errors to t's output.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}
