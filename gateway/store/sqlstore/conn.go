// Package sqlstore is the SQL core shared by the store's engines: every
// query of store.Querier written once, the transaction wrapper, and the
// migrator. An engine (gateway/store/sqlite, gateway/store/postgres) supplies
// a thin Driver over its database handle and gets a *Store back.
//
// The SQL here is the common ground of SQLite 3.35+ and PostgreSQL 13+:
// positional $N placeholders, INSERT ... ON CONFLICT, RETURNING, coalesce.
// Values cross the seam in a few shapes only (see values.go): ids with 0 as
// NULL, times as UTC time.Time to the microsecond with the zero time as NULL,
// string slices as JSON text. Adapters turn their engine's errors into the
// store's sentinels (no rows → store.ErrNotFound, unique violation →
// store.ErrConflict) in one place each.
package sqlstore

import (
	"context"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/gateway/store"
)

// Conn runs statements on a database handle or inside a transaction. Errors
// it returns are already translated (store.ErrNotFound, store.ErrConflict).
type Conn interface {
	// Exec runs a statement and returns the number of rows it affected.
	Exec(ctx context.Context, query string, args ...any) (int64, error)
	// Query runs a statement that returns rows.
	Query(ctx context.Context, query string, args ...any) (Rows, error)
	// QueryRow runs a statement that returns at most one row; its Scan
	// reports store.ErrNotFound when there is none.
	QueryRow(ctx context.Context, query string, args ...any) Row
	// InsertJobs enqueues River jobs on this handle: inside a transaction
	// they commit or vanish with it.
	InsertJobs(ctx context.Context, params []river.InsertManyParams) error
}

// Row is one result row.
type Row interface {
	Scan(dest ...any) error
}

// Rows is a result set. Close is safe to call more than once.
type Rows interface {
	Row
	Next() bool
	Err() error
	Close()
}

// Tx is an open transaction.
type Tx interface {
	Conn
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Driver is one engine's adapter: its database handle plus the few things
// that cannot be said in shared SQL.
type Driver interface {
	Conn
	// Engine returns store.EngineSQLite or store.EnginePostgres; it also
	// names the migrations folder.
	Engine() string
	Begin(ctx context.Context) (Tx, error)
	Ping(ctx context.Context) error
	Close() error
	// TableExistsSQL returns a query, run on any Conn with the table name as
	// $1, that yields one integer: non-zero when the table is visible.
	TableExistsSQL() string
	// LockMigrations keeps other processes from migrating the same database
	// until unlock is called. Engines whose transactions already serialize
	// writers may return a no-op.
	LockMigrations(ctx context.Context) (unlock func(context.Context) error, err error)
	// RiverPending reports whether River's queue schema has migrations left
	// to apply.
	RiverPending(ctx context.Context) (bool, error)
	// RiverMigrate applies River's pending migrations and returns their
	// versions.
	RiverMigrate(ctx context.Context) ([]int, error)
	// NewJobClient returns a River client over this database.
	NewJobClient(cfg *river.Config) (store.JobClient, error)
}
