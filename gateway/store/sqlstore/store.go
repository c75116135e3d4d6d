package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/gateway/store"
)

// Store is a store.Store over one engine's Driver. Its Querier methods run
// outside any transaction (multi-statement ones open their own).
type Store struct {
	*queries
	drv    Driver
	logger *slog.Logger
}

var _ store.Store = (*Store)(nil)

// Open checks the schema of drv's database, migrating it first when
// opts.Migrate is set, and returns the store. On error drv is left open for
// the caller to close.
func Open(ctx context.Context, drv Driver, opts store.OpenOptions) (*Store, error) {
	logger := opts.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if opts.Migrate {
		if _, err := Migrate(ctx, drv, logger); err != nil {
			return nil, err
		}
	} else if err := CheckSchema(ctx, drv); err != nil {
		return nil, err
	}
	return New(drv, logger), nil
}

// New returns the store over drv without looking at its schema.
func New(drv Driver, logger *slog.Logger) *Store {
	if logger == nil {
		logger = slog.Default()
	}
	return &Store{queries: &queries{c: drv, begin: drv.Begin, now: time.Now}, drv: drv, logger: logger}
}

// Engine returns store.EngineSQLite or store.EnginePostgres.
func (s *Store) Engine() string { return s.drv.Engine() }

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.drv.Ping(ctx); err != nil {
		return fmt.Errorf("ping %s: %w", s.drv.Engine(), err)
	}
	return nil
}

// Close releases the database.
func (s *Store) Close() error {
	if err := s.drv.Close(); err != nil {
		return fmt.Errorf("close %s store: %w", s.drv.Engine(), err)
	}
	return nil
}

// NewJobClient returns a River client over this database; cfg.Workers and
// cfg.Queues are the caller's. When cfg.Logger is nil the client logs to the
// store's logger (cfg itself is not modified).
func (s *Store) NewJobClient(cfg *river.Config) (store.JobClient, error) {
	if cfg == nil {
		cfg = &river.Config{}
	}
	if cfg.Logger == nil {
		withLogger := *cfg
		withLogger.Logger = s.logger
		cfg = &withLogger
	}
	c, err := s.drv.NewJobClient(cfg)
	if err != nil {
		return nil, fmt.Errorf("new job client: %w", err)
	}
	return c, nil
}

// InTx runs fn in one transaction: committed when fn returns nil, rolled
// back when it returns an error or panics. Jobs fn inserts commit with it.
//
// With SQLite the store has a single connection: fn must use tx, never the
// Store, or it waits for itself.
func (s *Store) InTx(ctx context.Context, fn func(ctx context.Context, tx store.Querier) error) error {
	return s.queries.inTx(ctx, func(q *queries) error { return fn(ctx, q) })
}

// ExecSQL runs one raw statement outside any transaction. It exists for
// tests and maintenance tools (storetest uses it to show that case events
// refuse UPDATE and DELETE); the gateway itself never needs it.
func (s *Store) ExecSQL(ctx context.Context, query string, args ...any) error {
	if _, err := s.drv.Exec(ctx, query, args...); err != nil {
		return fmt.Errorf("exec sql: %w", err)
	}
	return nil
}

// QueryInt runs one raw query returning a single integer, outside any
// transaction. Like ExecSQL it is for tests and maintenance tools (the
// gateway's tests count River's pending jobs with it).
func (s *Store) QueryInt(ctx context.Context, query string, args ...any) (int64, error) {
	var n int64
	if err := s.drv.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("query int: %w", err)
	}
	return n, nil
}

// queries implements store.Querier over one Conn. begin is nil when c is
// already a transaction.
type queries struct {
	c     Conn
	begin func(ctx context.Context) (Tx, error)
	now   func() time.Time
}

// inTx runs fn with queries bound to a new transaction, or, when q is
// already one, with q itself.
func (q *queries) inTx(ctx context.Context, fn func(q *queries) error) (err error) {
	if q.begin == nil {
		return fn(q)
	}
	tx, err := q.begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	// Roll back with a context that outlives a cancelled ctx, so the
	// connection goes back to the pool clean.
	rollbackCtx := context.WithoutCancel(ctx)
	committed := false
	defer func() {
		if committed {
			return
		}
		if rbErr := tx.Rollback(rollbackCtx); rbErr != nil && err != nil {
			err = errors.Join(err, fmt.Errorf("roll back: %w", rbErr))
		}
	}()
	if err := fn(&queries{c: tx, now: q.now}); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	committed = true
	return nil
}

// nowUTC is the store's clock for created_at and updated_at columns the
// caller leaves zero.
func (q *queries) nowUTC() time.Time { return normalizeTime(q.now()) }

// orNow returns t, or the store's clock when t is zero.
func (q *queries) orNow(t time.Time) time.Time {
	if t.IsZero() {
		return q.nowUTC()
	}
	return normalizeTime(t)
}

// JobInsert enqueues durable jobs; inside InTx they commit with the
// transaction.
func (q *queries) JobInsert(ctx context.Context, jobs ...river.InsertManyParams) error {
	if len(jobs) == 0 {
		return nil
	}
	if err := q.c.InsertJobs(ctx, jobs); err != nil {
		return fmt.Errorf("job insert (%d jobs): %w", len(jobs), err)
	}
	return nil
}
