package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/sqlstore"
)

// driver is the sqlstore.Driver over one pgx pool.
type driver struct {
	conn
	pool   *pgxpool.Pool
	river  *river.Client[pgx.Tx] // insert-only: no workers
	logger *slog.Logger
}

var _ sqlstore.Driver = (*driver)(nil)

// Engine returns store.EnginePostgres.
func (d *driver) Engine() string { return store.EnginePostgres }

// Ping reports whether the server answers.
func (d *driver) Ping(ctx context.Context) error { return d.pool.Ping(ctx) }

// Close closes the pool; River clients over it must be stopped first.
func (d *driver) Close() error {
	d.pool.Close()
	return nil
}

// Begin starts a transaction; jobs inserted through it use River's
// InsertManyTx on the same pgx.Tx.
func (d *driver) Begin(ctx context.Context) (sqlstore.Tx, error) {
	t, err := d.pool.Begin(ctx)
	if err != nil {
		return nil, translate(err)
	}
	return tx{conn: conn{ex: t, insertJobs: func(ctx context.Context, params []river.InsertManyParams) error {
		_, err := d.river.InsertManyTx(ctx, t, params)
		return err
	}}, tx: t}, nil
}

// TableExistsSQL resolves the name through the search_path.
func (d *driver) TableExistsSQL() string {
	return `SELECT CASE WHEN to_regclass($1) IS NULL THEN 0 ELSE 1 END`
}

// migrateLockKey is the advisory lock key: one per schema, so databases
// holding several gateways' schemas migrate them independently.
const migrateLockKey = `hashtext('triage.migrate:' || coalesce(current_schema(), ''))`

// LockMigrations takes a session advisory lock on a connection of its own,
// waiting for any other instance that holds it.
func (d *driver) LockMigrations(ctx context.Context) (func(context.Context) error, error) {
	c, err := d.pool.Acquire(ctx)
	if err != nil {
		return nil, fmt.Errorf("acquire connection: %w", err)
	}
	if _, err := c.Exec(ctx, `SELECT pg_advisory_lock(`+migrateLockKey+`)`); err != nil {
		c.Release()
		return nil, fmt.Errorf("advisory lock: %w", err)
	}
	return func(ctx context.Context) error {
		defer c.Release()
		if _, err := c.Exec(ctx, `SELECT pg_advisory_unlock(`+migrateLockKey+`)`); err != nil {
			// Closing the session releases its locks.
			return errors.Join(fmt.Errorf("advisory unlock: %w", err), c.Conn().Close(ctx))
		}
		return nil
	}, nil
}

// NewJobClient returns a River client over the same pool.
func (d *driver) NewJobClient(cfg *river.Config) (store.JobClient, error) {
	return river.NewClient(riverpgxv5.New(d.pool), cfg)
}

func (d *driver) migrator() (*rivermigrate.Migrator[pgx.Tx], error) {
	return rivermigrate.New(riverpgxv5.New(d.pool), &rivermigrate.Config{Logger: d.logger})
}

// RiverPending reports whether River's migrations are behind.
func (d *driver) RiverPending(ctx context.Context) (bool, error) {
	m, err := d.migrator()
	if err != nil {
		return false, err
	}
	return sqlstore.RiverPending(ctx, m)
}

// RiverMigrate applies River's pending migrations; the caller holds the
// advisory lock.
func (d *driver) RiverMigrate(ctx context.Context) ([]int, error) {
	m, err := d.migrator()
	if err != nil {
		return nil, err
	}
	return sqlstore.RiverMigrateUp(ctx, m)
}
