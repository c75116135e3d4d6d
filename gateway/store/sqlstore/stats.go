package sqlstore

import (
	"context"
	"fmt"

	"github.com/triage-gw/triage/gateway/store"
)

// CaseCountActive counts the active cases by priority.
func (q *queries) CaseCountActive(ctx context.Context) (map[string]int, error) {
	rows, err := q.c.Query(ctx, `
		SELECT priority, count(*) FROM cases
		WHERE status NOT IN ('resolved', 'closed')
		GROUP BY priority`)
	if err != nil {
		return nil, fmt.Errorf("case count active: %w", err)
	}
	defer rows.Close()
	counts := map[string]int{}
	for rows.Next() {
		var p string
		var n int64
		if err := rows.Scan(&p, &n); err != nil {
			return nil, fmt.Errorf("case count active: %w", err)
		}
		counts[p] = int(n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("case count active: %w", err)
	}
	return counts, nil
}

// JobCountList counts River's jobs by queue, kind and state.
func (q *queries) JobCountList(ctx context.Context) ([]store.JobCount, error) {
	rows, err := q.c.Query(ctx, `
		SELECT queue, kind, CAST(state AS TEXT), count(*) FROM river_job
		GROUP BY queue, kind, state
		ORDER BY queue, kind, state`)
	if err != nil {
		return nil, fmt.Errorf("job count list: %w", err)
	}
	defer rows.Close()
	var out []store.JobCount
	for rows.Next() {
		var c store.JobCount
		var n int64
		if err := rows.Scan(&c.Queue, &c.Kind, &c.State, &n); err != nil {
			return nil, fmt.Errorf("job count list: %w", err)
		}
		c.Count = int(n)
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("job count list: %w", err)
	}
	return out, nil
}
