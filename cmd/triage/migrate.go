package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/postgres"
	"github.com/triage-gw/triage/gateway/store/sqlite"
)

// migrate applies the database migrations of the configured store, ours
// and River's, and reports what it did.
func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := configCommand("migrate", args, stderr)
	if err != nil {
		return err
	}
	log := newLogger(cfg.Log, stderr)
	var (
		res    store.MigrateResult
		target string
	)
	if u := cfg.Database.URL; strings.HasPrefix(u, "postgres://") || strings.HasPrefix(u, "postgresql://") {
		target = "postgres"
		res, err = postgres.Migrate(ctx, u, log)
	} else {
		target = gateway.SQLitePath(cfg)
		res, err = sqlite.Migrate(ctx, target, log)
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", target, err)
	}
	if len(res.Applied)+len(res.RiverApplied) == 0 {
		fmt.Fprintf(stdout, "migrate: %s is up to date (schema version %d)\n", target, res.Version)
		return nil
	}
	fmt.Fprintf(stdout, "migrate: %s now at schema version %d (applied %v; job queue %v)\n", target, res.Version, res.Applied, res.RiverApplied)
	return nil
}
