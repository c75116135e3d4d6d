package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/riverqueue/river"
	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/sqlstore"
)

// execer is what *sql.DB and *sql.Tx have in common.
type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// conn adapts an execer to sqlstore.Conn. modernc.org/sqlite binds $N to
// the N-th argument (see TestDollarPlaceholders), so the shared SQL runs as
// written; only time arguments change shape, to sqlstore.TimeLayout text.
type conn struct {
	ex         execer
	insertJobs func(ctx context.Context, params []river.InsertManyParams) error
}

func (c conn) Exec(ctx context.Context, query string, args ...any) (int64, error) {
	res, err := c.ex.ExecContext(ctx, query, bindArgs(args)...)
	if err != nil {
		return 0, translate(err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, translate(err)
	}
	return n, nil
}

func (c conn) Query(ctx context.Context, query string, args ...any) (sqlstore.Rows, error) {
	rows, err := c.ex.QueryContext(ctx, query, bindArgs(args)...)
	if err != nil {
		return nil, translate(err)
	}
	return sqlRows{rows}, nil
}

func (c conn) QueryRow(ctx context.Context, query string, args ...any) sqlstore.Row {
	return sqlRow{c.ex.QueryRowContext(ctx, query, bindArgs(args)...)}
}

func (c conn) InsertJobs(ctx context.Context, params []river.InsertManyParams) error {
	return c.insertJobs(ctx, params)
}

type sqlRow struct{ r *sql.Row }

func (r sqlRow) Scan(dest ...any) error { return translate(r.r.Scan(dest...)) }

type sqlRows struct{ r *sql.Rows }

func (r sqlRows) Next() bool             { return r.r.Next() }
func (r sqlRows) Scan(dest ...any) error { return translate(r.r.Scan(dest...)) }
func (r sqlRows) Err() error             { return translate(r.r.Err()) }
func (r sqlRows) Close()                 { _ = r.r.Close() }

// tx is an open SQLite transaction; jobs inserted through it commit with it.
type tx struct {
	conn
	tx *sql.Tx
}

func (t tx) Commit(context.Context) error   { return translate(t.tx.Commit()) }
func (t tx) Rollback(context.Context) error { return translate(t.tx.Rollback()) }

// bindArgs returns args with times as sqlstore.TimeLayout text in UTC.
func bindArgs(args []any) []any {
	var out []any
	for i, a := range args {
		t, ok := a.(time.Time)
		if !ok {
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		out[i] = t.UTC().Format(sqlstore.TimeLayout)
	}
	if out == nil {
		return args
	}
	return out
}

// translate turns SQLite errors into the store's: no rows →
// store.ErrNotFound, a unique or primary key violation → store.ErrConflict.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return store.ErrNotFound
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("%w: %w", store.ErrConflict, err)
		}
	}
	return err
}
