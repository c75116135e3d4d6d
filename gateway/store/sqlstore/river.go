package sqlstore

import (
	"context"

	"github.com/riverqueue/river/rivermigrate"
)

// RiverPending reports whether River's migrations, as m sees them, are
// behind this binary. Both engines' drivers use it.
func RiverPending[TTx any](ctx context.Context, m *rivermigrate.Migrator[TTx]) (bool, error) {
	res, err := m.Validate(ctx, nil)
	if err != nil {
		return false, err
	}
	return !res.OK, nil
}

// RiverMigrateUp applies River's pending migrations and returns the
// versions it applied, ascending.
func RiverMigrateUp[TTx any](ctx context.Context, m *rivermigrate.Migrator[TTx]) ([]int, error) {
	res, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil)
	if err != nil {
		return nil, err
	}
	versions := make([]int, 0, len(res.Versions))
	for _, v := range res.Versions {
		versions = append(versions, v.Version)
	}
	return versions, nil
}
