package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/sqlstore"
)

// execer is what *pgxpool.Pool, *pgxpool.Conn and pgx.Tx have in common.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// conn adapts an execer to sqlstore.Conn; the shared SQL is PostgreSQL's own
// dialect, so statements and arguments pass through unchanged.
type conn struct {
	ex         execer
	insertJobs func(ctx context.Context, params []river.InsertManyParams) error
}

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	tag, err := c.ex.Exec(ctx, query, args...)
	if err != nil {
		return 0, translate(err)
	}
	return tag.RowsAffected(), nil
}

func (c conn) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.ex.Query(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	return pgRows{rows}, nil
}

func (c conn) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return pgRow{c.ex.QueryRow(ctx, query, args...)}
}

func (c conn) InsertJobs(ctx context.Context, params []river.InsertManyParams) error {
	return c.insertJobs(ctx, params)
}

type pgRow struct{ r pgx.Row }

func (r pgRow) Scan(dest ...any) error { return translate(r.r.Scan(dest...)) }

type pgRows struct{ r pgx.Rows }

func (r pgRows) Next() bool             { return r.r.Next() }
func (r pgRows) Scan(dest ...any) error { return translate(r.r.Scan(dest...)) }
func (r pgRows) Err() error             { return translate(r.r.Err()) }
func (r pgRows) Close()                 { r.r.Close() }

// tx is an open PostgreSQL transaction; jobs inserted through it commit
// with it.
type tx struct {
	conn
	tx pgx.Tx
}

func (t tx) Commit(ctx context.Context) error   { return translate(t.tx.Commit(ctx)) }
func (t tx) Rollback(ctx context.Context) error { return translate(t.tx.Rollback(ctx)) }

// uniqueViolation is SQLSTATE unique_violation.
const uniqueViolation = "23505"

// translate turns PostgreSQL errors into the store's: no rows →
// store.ErrNotFound, a unique violation → store.ErrConflict.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == uniqueViolation {
		return fmt.Errorf("%w: %w", store.ErrConflict, err)
	}
	return err
}
