// Package postgres is the store on PostgreSQL through pgx/v5: the choice for
// production and for several gateway instances sharing one database. River's
// queue lives in the same database through riverpgxv5, so jobs commit with
// the case change that caused them.
//
// Tables are created in the first schema of the connection's search_path
// (set it with the URL's search_path parameter to use another schema than
// public). Migrations run under a session advisory lock keyed on that schema,
// so instances starting together apply each version once.
package postgres

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/sqlstore"
)

// Open connects to the PostgreSQL database at url (postgres://...) and
// returns the store. With opts.Migrate it applies pending migrations first;
// without, an outdated schema is store.ErrSchemaTooOld. Errors never carry
// the URL, which may hold a password.
func Open(ctx context.Context, url string, opts store.OpenOptions) (store.Store, error) {
	d, err := openDriver(ctx, url, opts.Logger)
	if err != nil {
		return nil, err
	}
	s, err := sqlstore.Open(ctx, d, opts)
	if err != nil {
		_ = d.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	return s, nil
}

// Migrate applies pending migrations (ours, then River's) to the database
// at url. It is `triage migrate`.
func Migrate(ctx context.Context, url string, logger *slog.Logger) (store.MigrateResult, error) {
	d, err := openDriver(ctx, url, logger)
	if err != nil {
		return store.MigrateResult{}, err
	}
	defer d.Close()
	return sqlstore.Migrate(ctx, d, logger)
}

// openDriver opens the pool and the insert-only River client.
func openDriver(ctx context.Context, url string, logger *slog.Logger) (*driver, error) {
	if logger == nil {
		logger = slog.Default()
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("open postgres: parse url: %w", err)
	}
	// The migration lock holds one connection while migrations use another.
	cfg.MaxConns = max(cfg.MaxConns, 2)
	// The gateway's queries are short and indexed; PostgreSQL's JIT, which
	// its cost estimates turn on for the audit's larger reads, costs more
	// than it saves there (about 0.2 s per audit). A URL that sets jit
	// (options=-c%20jit%3Don, or ?jit=on) wins.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	client, err := river.NewClient(riverpgxv5.New(pool), &river.Config{Logger: logger})
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("open postgres: river client: %w", err)
	}
	d := &driver{pool: pool, river: client, logger: logger}
	d.conn = conn{ex: pool, insertJobs: func(ctx context.Context, params []river.InsertManyParams) error {
		_, err := client.InsertMany(ctx, params)
		return err
	}}
	return d, nil
}
