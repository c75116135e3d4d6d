// Package sqlite is the store on SQLite, the embedded default: one file
// under the data directory, opened with the pure-Go modernc.org/sqlite driver
// (no cgo), in WAL mode with foreign keys on. River's queue lives in the same
// file through riversqlite, so jobs commit with the case change that caused
// them.
//
// The database has a single connection (River's SQLite driver requires it,
// see riversqlite's package doc): statements run one at a time, and code
// inside InTx must use the transaction it is given, never the Store.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	msqlite "modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/sqlstore"
)

// dsnParams are applied to every connection: wait up to 10 s for a lock held
// by another process (triage migrate beside triage serve), WAL journaling,
// foreign keys enforced, and write-intent (IMMEDIATE) transactions so that a
// transaction never fails to upgrade its lock halfway through.
const dsnParams = "_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)" +
	"&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate"

// Open opens (creating if missing, with its parent directory) the SQLite
// database at path and returns the store. With opts.Migrate it applies
// pending migrations first; without, an outdated schema is
// store.ErrSchemaTooOld.
func Open(ctx context.Context, path string, opts store.OpenOptions) (store.Store, error) {
	d, err := openDriver(ctx, path, opts.Logger)
	if err != nil {
		return nil, err
	}
	s, err := sqlstore.Open(ctx, d, opts)
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	return s, nil
}

// Migrate applies pending migrations (ours, then River's) to the SQLite
// database at path, creating it if missing. It is `triage migrate`.
func Migrate(ctx context.Context, path string, logger *slog.Logger) (store.MigrateResult, error) {
	d, err := openDriver(ctx, path, logger)
	if err != nil {
		return store.MigrateResult{}, err
	}
	res, err := sqlstore.Migrate(ctx, d, logger)
	if cErr := d.Close(); cErr != nil && err == nil {
		err = fmt.Errorf("migrate sqlite %s: close: %w", path, cErr)
	}
	return res, err
}

// openDriver opens the database and the insert-only River client.
func openDriver(ctx context.Context, path string, logger *slog.Logger) (*driver, error) {
	if logger == nil {
		logger = slog.Default()
	}
	if path == "" || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open sqlite %q: want a file path without '?' or '#'", path)
	}
	if path != ":memory:" {
		if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
			return nil, fmt.Errorf("open sqlite %s: create directory: %w", path, err)
		}
	}
	db, err := sql.Open("sqlite", path+"?"+dsnParams)
	if err != nil {
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	db.SetConnMaxIdleTime(0)
	db.SetConnMaxLifetime(0)
	if err := connect(ctx, db); err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	client, err := river.NewClient(riversqlite.New(db), &river.Config{Logger: logger})
	if err != nil {
		_ = db.Close()
		return nil, fmt.Errorf("open sqlite %s: river client: %w", path, err)
	}
	d := &driver{db: db, river: client, logger: logger}
	d.conn = conn{ex: db, insertJobs: func(ctx context.Context, params []river.InsertManyParams) error {
		_, err := client.InsertMany(ctx, params)
		return err
	}}
	return d, nil
}

// driver is the sqlstore.Driver over one *sql.DB.
type driver struct {
	conn
	db     *sql.DB
	river  *river.Client[*sql.Tx] // insert-only: no workers
	logger *slog.Logger
}

var _ sqlstore.Driver = (*driver)(nil)

// Engine returns store.EngineSQLite.
func (d *driver) Engine() string { return store.EngineSQLite }

// Ping reports whether the file answers.
func (d *driver) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }

// Close closes the database; River clients over it must be stopped first.
func (d *driver) Close() error { return d.db.Close() }

// Begin starts an IMMEDIATE transaction (see dsnParams); jobs inserted
// through it use River's InsertManyTx on the same *sql.Tx.
func (d *driver) Begin(ctx context.Context) (sqlstore.Tx, error) {
	t, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, translate(err)
	}
	return tx{conn: conn{ex: t, insertJobs: func(ctx context.Context, params []river.InsertManyParams) error {
		_, err := d.river.InsertManyTx(ctx, t, params)
		return err
	}}, tx: t}, nil
}

// TableExistsSQL looks the table up in sqlite_master.
func (d *driver) TableExistsSQL() string {
	return `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1`
}

// LockMigrations takes no lock: each of our migrations runs in an IMMEDIATE
// transaction, which already excludes every other writer of the file, and
// re-checks inside it that its version is missing (River's are handled in
// RiverMigrate). It turns foreign keys off until the returned function runs,
// as SQLite advises for migrations that rebuild a table (0003 rebuilds
// cases); the single connection makes the pragma apply to them.
func (d *driver) LockMigrations(ctx context.Context) (func(context.Context) error, error) {
	if _, err := d.db.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return nil, fmt.Errorf("foreign keys off: %w", err)
	}
	return func(ctx context.Context) error {
		if _, err := d.db.ExecContext(ctx, `PRAGMA foreign_keys = ON`); err != nil {
			return fmt.Errorf("foreign keys on: %w", err)
		}
		return nil
	}, nil
}

// NewJobClient returns a River client over the same *sql.DB.
func (d *driver) NewJobClient(cfg *river.Config) (store.JobClient, error) {
	return river.NewClient(riversqlite.New(d.db), cfg)
}

func (d *driver) migrator() (*rivermigrate.Migrator[*sql.Tx], error) {
	return rivermigrate.New(riversqlite.New(d.db), &rivermigrate.Config{Logger: d.logger})
}

// RiverPending reports whether River's migrations are behind.
func (d *driver) RiverPending(ctx context.Context) (bool, error) {
	m, err := d.migrator()
	if err != nil {
		return false, err
	}
	return sqlstore.RiverPending(ctx, m)
}

// RiverMigrate runs River's migrations with foreign keys off, as SQLite
// advises for migrations that rebuild tables; the single connection makes
// the pragma apply to them.
//
// SQLite has no advisory lock, and River applies each version in a
// transaction of its own after reading which are applied. When another
// process migrates the same file at the same moment, one of the two fails
// on a version the other has just applied; it then starts over from what is
// now applied, at most once per River version.
func (d *driver) RiverMigrate(ctx context.Context) (versions []int, err error) {
	m, err := d.migrator()
	if err != nil {
		return nil, err
	}
	if _, err := d.db.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		return nil, fmt.Errorf("foreign keys off: %w", err)
	}
	defer func() {
		if _, fkErr := d.db.ExecContext(context.WithoutCancel(ctx), `PRAGMA foreign_keys = ON`); fkErr != nil {
			err = errors.Join(err, fmt.Errorf("foreign keys on: %w", fkErr))
		}
	}()
	for attempt := 0; ; attempt++ {
		versions, err := sqlstore.RiverMigrateUp(ctx, m)
		if err == nil {
			return versions, nil
		}
		if attempt >= len(m.AllVersions()) || ctx.Err() != nil {
			return nil, err
		}
		d.logger.InfoContext(ctx, "river migration failed, retrying from the applied versions",
			slog.Int("attempt", attempt+1), slog.String("error", err.Error()))
	}
}

// connect opens the first connection. Switching a new file to WAL needs an
// exclusive lock, and SQLite answers SQLITE_BUSY at once, without the busy
// handler, when another process is creating the same file: so a busy
// answer is retried for up to busyWait, with jittered backoff.
func connect(ctx context.Context, db *sql.DB) error {
	const busyWait = 10 * time.Second
	deadline := time.Now().Add(busyWait)
	delay := 20 * time.Millisecond
	for {
		err := db.PingContext(ctx)
		if err == nil || !isBusy(err) || time.Now().After(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(delay/2 + rand.N(delay)):
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}

// isBusy reports whether err is SQLITE_BUSY or one of its extended codes.
func isBusy(err error) bool {
	var se *msqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_BUSY
}
