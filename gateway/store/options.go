package store

import (
	"errors"
	"log/slog"
)

// ErrConflict is returned (wrapped) when a write would break a uniqueness
// rule that is not an idempotent insert: a contact point that belongs to
// another customer, a staff phone number already taken, a second assessment
// for one message.
var ErrConflict = errors.New("conflicts with a stored row")

// OpenOptions configures an engine's Open.
type OpenOptions struct {
	// Migrate applies pending migrations (ours, then River's) at open. When
	// false and the schema is older than this binary, Open returns
	// ErrSchemaTooOld.
	Migrate bool
	// Logger receives the store's and River's logs; nil means
	// slog.Default().
	Logger *slog.Logger
}

// MigrateResult reports what a migration run did.
type MigrateResult struct {
	// Applied lists the gateway schema versions applied by this run,
	// ascending; empty when the schema was already current.
	Applied []int
	// RiverApplied lists the River queue schema versions applied by this run.
	RiverApplied []int
	// Version is the gateway schema version after the run.
	Version int
}
