package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/migrations"
)

// Migrate applies drv's pending migrations, each in its own transaction,
// then River's. It holds drv's migration lock throughout, and re-checks
// inside each transaction that the version is still missing, so concurrent
// starters apply every version exactly once.
func Migrate(ctx context.Context, drv Driver, logger *slog.Logger) (res store.MigrateResult, err error) {
	if logger == nil {
		logger = slog.Default()
	}
	engine := drv.Engine()
	list, err := migrations.List(engine)
	if err != nil {
		return res, fmt.Errorf("migrate %s: %w", engine, err)
	}
	unlock, err := drv.LockMigrations(ctx)
	if err != nil {
		return res, fmt.Errorf("migrate %s: lock: %w", engine, err)
	}
	defer func() {
		if uErr := unlock(context.WithoutCancel(ctx)); uErr != nil {
			err = errors.Join(err, fmt.Errorf("migrate %s: unlock: %w", engine, uErr))
		}
	}()

	q := &queries{c: drv, begin: drv.Begin}
	for _, m := range list {
		applied := false
		err := q.inTx(ctx, func(tx *queries) error {
			version, err := schemaVersion(ctx, drv, tx.c)
			if err != nil {
				return err
			}
			done, err := versionApplied(ctx, tx.c, version, m.Version)
			if err != nil || done {
				return err
			}
			if _, err := tx.c.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("apply: %w", err)
			}
			if _, err := tx.c.Exec(ctx,
				`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
				m.Version, m.Name, timeArg(time.Now())); err != nil {
				return fmt.Errorf("record: %w", err)
			}
			applied = true
			return nil
		})
		if err != nil {
			return res, fmt.Errorf("migrate %s: version %d (%s): %w", engine, m.Version, m.Name, err)
		}
		if applied {
			logger.InfoContext(ctx, "schema migration applied",
				slog.String("engine", engine), slog.Int("version", m.Version), slog.String("name", m.Name))
			res.Applied = append(res.Applied, m.Version)
		}
	}

	res.RiverApplied, err = drv.RiverMigrate(ctx)
	if err != nil {
		return res, fmt.Errorf("migrate %s: river: %w", engine, err)
	}
	if len(res.RiverApplied) > 0 {
		logger.InfoContext(ctx, "river migrations applied",
			slog.String("engine", engine), slog.Any("versions", res.RiverApplied))
	}
	res.Version, err = schemaVersion(ctx, drv, drv)
	if err != nil {
		return res, fmt.Errorf("migrate %s: %w", engine, err)
	}
	return res, nil
}

// CheckSchema returns store.ErrSchemaTooOld (wrapped) when drv's database
// lacks migrations this binary carries, ours or River's.
func CheckSchema(ctx context.Context, drv Driver) error {
	engine := drv.Engine()
	want, err := migrations.Latest(engine)
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	have, err := schemaVersion(ctx, drv, drv)
	if err != nil {
		return fmt.Errorf("check schema: %w", err)
	}
	if have < want {
		return fmt.Errorf("check %s schema: version %d, binary needs %d: %w", engine, have, want, store.ErrSchemaTooOld)
	}
	pending, err := drv.RiverPending(ctx)
	if err != nil {
		return fmt.Errorf("check %s schema: river: %w", engine, err)
	}
	if pending {
		return fmt.Errorf("check %s schema: river queue tables: %w", engine, store.ErrSchemaTooOld)
	}
	return nil
}

// schemaVersion returns the highest applied version, 0 on a fresh database.
func schemaVersion(ctx context.Context, drv Driver, c Conn) (int, error) {
	var exists int64
	if err := c.QueryRow(ctx, drv.TableExistsSQL(), "schema_migrations").Scan(&exists); err != nil {
		return 0, fmt.Errorf("schema version: look for schema_migrations: %w", err)
	}
	if exists == 0 {
		return 0, nil
	}
	var v int64
	if err := c.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return int(v), nil
}

// versionApplied reports whether version is recorded; current is the
// highest recorded version (0: no table yet).
func versionApplied(ctx context.Context, c Conn, current, version int) (bool, error) {
	if current == 0 {
		return false, nil
	}
	var n int64
	if err := c.QueryRow(ctx, `SELECT count(*) FROM schema_migrations WHERE version = $1`, version).Scan(&n); err != nil {
		return false, fmt.Errorf("check version %d: %w", version, err)
	}
	return n > 0, nil
}
