package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/triage-gw/triage/gateway/store"
)

const callColumns = `id, idempotency_key, case_id, task_id, staff_id, agent_number, customer_number,
	status, outcome, provider_id, customer_leg_id, answered_by, duration_seconds, attempts, last_error,
	requested_by, created_at, placed_at, ended_at`

func scanCall(r Row) (store.Call, error) {
	var c store.Call
	var duration, attempts int64
	err := r.Scan(&c.ID, &c.Key, &c.CaseID, idDest{&c.TaskID}, idDest{&c.StaffID}, &c.AgentNumber,
		&c.CustomerNumber, &c.Status, &c.Outcome, &c.ProviderID, &c.CustomerLegID, &c.AnsweredBy,
		&duration, &attempts, &c.Error, &c.RequestedBy, timeDest{&c.CreatedAt}, timeDest{&c.PlacedAt},
		timeDest{&c.EndedAt})
	c.DurationSeconds, c.Attempts = int(duration), int(attempts)
	return c, err
}

// CallInsert queues one call with status store.CallQueued. It is idempotent
// on Key: a second insert with the same key changes nothing and returns the
// stored row with inserted=false. A zero CreatedAt is the store's clock.
func (q *queries) CallInsert(ctx context.Context, p store.CallInsertParams) (store.Call, bool, error) {
	if p.Key == "" {
		return store.Call{}, false, errors.New("call insert: key is required")
	}
	c, err := scanCall(q.c.QueryRow(ctx, `
		INSERT INTO calls (idempotency_key, case_id, task_id, staff_id, agent_number, customer_number,
			status, requested_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING `+callColumns,
		p.Key, p.CaseID, idArg(p.TaskID), idArg(p.StaffID), p.AgentNumber, p.CustomerNumber,
		store.CallQueued, p.RequestedBy, timeArg(q.orNow(p.CreatedAt))))
	if err == nil {
		return c, true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Call{}, false, fmt.Errorf("call insert %s: %w", p.Key, err)
	}
	c, err = scanCall(q.c.QueryRow(ctx, `SELECT `+callColumns+` FROM calls WHERE idempotency_key = $1`, p.Key))
	if err != nil {
		return store.Call{}, false, fmt.Errorf("call insert %s: read stored: %w", p.Key, err)
	}
	return c, false, nil
}

// CallGetByID returns the call with id.
func (q *queries) CallGetByID(ctx context.Context, id int64) (store.Call, error) {
	c, err := scanCall(q.c.QueryRow(ctx, `SELECT `+callColumns+` FROM calls WHERE id = $1`, id))
	if err != nil {
		return store.Call{}, fmt.Errorf("call get %d: %w", id, err)
	}
	return c, nil
}

// CallListByCase returns a case's calls, oldest first.
func (q *queries) CallListByCase(ctx context.Context, caseID int64) ([]store.Call, error) {
	rows, err := q.c.Query(ctx, `SELECT `+callColumns+` FROM calls WHERE case_id = $1 ORDER BY created_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("call list for case %d: %w", caseID, err)
	}
	out, err := collect(rows, scanCall)
	if err != nil {
		return nil, fmt.Errorf("call list for case %d: %w", caseID, err)
	}
	return out, nil
}

// CallUpdate changes the non-zero fields of p.
func (q *queries) CallUpdate(ctx context.Context, p store.CallUpdateParams) (store.Call, error) {
	var duration, attempts any
	if p.DurationSeconds > 0 {
		duration = p.DurationSeconds
	}
	if p.Attempts > 0 {
		attempts = p.Attempts
	}
	c, err := scanCall(q.c.QueryRow(ctx, `
		UPDATE calls SET
			status = coalesce($2, status),
			outcome = coalesce($3, outcome),
			provider_id = coalesce($4, provider_id),
			customer_leg_id = coalesce($5, customer_leg_id),
			answered_by = coalesce($6, answered_by),
			duration_seconds = coalesce($7, duration_seconds),
			attempts = coalesce($8, attempts),
			last_error = coalesce($9, last_error),
			placed_at = coalesce($10, placed_at),
			ended_at = coalesce($11, ended_at)
		WHERE id = $1
		RETURNING `+callColumns,
		p.ID, textArg(p.Status), textArg(p.Outcome), textArg(p.ProviderID), textArg(p.CustomerLegID),
		textArg(p.AnsweredBy), duration, attempts, textArg(p.Error), timeArg(p.PlacedAt), timeArg(p.EndedAt)))
	if err != nil {
		return store.Call{}, fmt.Errorf("call update %d: %w", p.ID, err)
	}
	return c, nil
}

// WebhookReceiptInsert records a handled webhook once; see store.Querier.
// A zero ReceivedAt is the store's clock.
func (q *queries) WebhookReceiptInsert(ctx context.Context, r store.WebhookReceipt) (store.WebhookReceipt, bool, error) {
	if r.Kind == "" || r.Key == "" {
		return store.WebhookReceipt{}, false, errors.New("webhook receipt insert: kind and key are required")
	}
	scan := func(row Row) (store.WebhookReceipt, error) {
		var got store.WebhookReceipt
		err := row.Scan(&got.Kind, &got.Key, &got.Response, timeDest{&got.ReceivedAt})
		return got, err
	}
	got, err := scan(q.c.QueryRow(ctx, `
		INSERT INTO webhook_receipts (kind, key, response, received_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, key) DO NOTHING
		RETURNING kind, key, response, received_at`,
		r.Kind, r.Key, r.Response, timeArg(q.orNow(r.ReceivedAt))))
	if err == nil {
		return got, true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.WebhookReceipt{}, false, fmt.Errorf("webhook receipt insert %s %s: %w", r.Kind, r.Key, err)
	}
	got, err = scan(q.c.QueryRow(ctx, `SELECT kind, key, response, received_at FROM webhook_receipts
		WHERE kind = $1 AND key = $2`, r.Kind, r.Key))
	if err != nil {
		return store.WebhookReceipt{}, false, fmt.Errorf("webhook receipt insert %s %s: read stored: %w", r.Kind, r.Key, err)
	}
	return got, false, nil
}
