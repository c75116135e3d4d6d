package gateway

import (
	"context"

	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
)

// BuildWithStore is Open over a store the test made, such as one wrapped
// to fail on purpose; o.Logger must be set.
func BuildWithStore(ctx context.Context, cfg config.Config, o SetupOptions, st store.Store) (*Gateway, error) {
	return build(ctx, cfg, o, st, o.Logger)
}
