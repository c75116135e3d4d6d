package gateway

import (
	"context"
	"fmt"

	"github.com/triage-gw/triage/gateway/store"
)

// EscalateJob exposes the escalation timer's job to the external tests,
// which fire it now instead of waiting for the due time.
var EscalateJob = escalateJob

// PendingJobs counts the jobs of kind that are due or running (available,
// running or retryable; not those scheduled for later), through the
// store's QueryInt.
func PendingJobs(ctx context.Context, st store.Store, kind string) (int64, error) {
	q, ok := st.(interface {
		QueryInt(ctx context.Context, query string, args ...any) (int64, error)
	})
	if !ok {
		return 0, fmt.Errorf("store %T cannot count jobs", st)
	}
	return q.QueryInt(ctx, `SELECT count(*) FROM river_job WHERE kind = $1 AND state IN ('available', 'running', 'retryable', 'pending')`, kind)
}
