package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/triage-gw/triage/gateway/store"
)

const caseColumns = `id, customer_id, owner_id, status, priority, category, subject, summary,
	relationship_risk, complained_about, due_at, opened_at, updated_at, resolved_at`

func scanCase(r Row) (store.Case, error) {
	var c store.Case
	err := r.Scan(caseDest(&c)...)
	return c, err
}

// caseDest returns the scan destinations of caseColumns into c.
func caseDest(c *store.Case) []any {
	return []any{&c.ID, idDest{&c.CustomerID}, idDest{&c.OwnerID}, &c.Status, &c.Priority,
		&c.Category, &c.Subject, &c.Summary, &c.RelationshipRisk, idsDest{&c.ComplainedAbout}, timeDest{&c.DueAt},
		timeDest{&c.OpenedAt}, timeDest{&c.UpdatedAt}, timeDest{&c.ResolvedAt}}
}

// CaseInsert opens a case. An empty Status is store.CaseOpen; a zero
// OpenedAt is the store's clock; UpdatedAt starts equal to OpenedAt, and a
// zero ReceivedAt is OpenedAt. The audit milestones start empty: the
// timeline's triggers fill them (see migration 0005).
func (q *queries) CaseInsert(ctx context.Context, p store.CaseInsertParams) (store.Case, error) {
	status := p.Status
	if status == "" {
		status = store.CaseOpen
	}
	opened := q.orNow(p.OpenedAt)
	received := opened
	if !p.ReceivedAt.IsZero() {
		received = normalizeTime(p.ReceivedAt)
	}
	c, err := scanCase(q.c.QueryRow(ctx, `
		INSERT INTO cases (customer_id, owner_id, status, priority, category, subject, summary,
			relationship_risk, complained_about, due_at, opened_at, updated_at, channel, received_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
		RETURNING `+caseColumns,
		idArg(p.CustomerID), idArg(p.OwnerID), status, p.Priority, p.Category, p.Subject, p.Summary,
		p.RelationshipRisk, idsArg(p.ComplainedAbout), timeArg(p.DueAt), timeArg(opened), timeArg(opened),
		p.Channel, timeArg(received)))
	if err != nil {
		return store.Case{}, fmt.Errorf("case insert: %w", err)
	}
	return c, nil
}

// CaseGetByID returns the case with id.
func (q *queries) CaseGetByID(ctx context.Context, id int64) (store.Case, error) {
	c, err := scanCase(q.c.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases WHERE id = $1`, id))
	if err != nil {
		return store.Case{}, fmt.Errorf("case get %d: %w", id, err)
	}
	return c, nil
}

// CaseGetOpenByCustomer returns the customer's most recently opened
// active case (any status but resolved and closed).
func (q *queries) CaseGetOpenByCustomer(ctx context.Context, customerID int64) (store.Case, error) {
	c, err := scanCase(q.c.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases
		WHERE customer_id = $1 AND status NOT IN ($2, $3)
		ORDER BY opened_at DESC, id DESC LIMIT 1`,
		customerID, store.CaseResolved, store.CaseClosed))
	if err != nil {
		return store.Case{}, fmt.Errorf("case get open for customer %d: %w", customerID, err)
	}
	return c, nil
}

// CaseGetLastResolvedByCustomer returns the customer's most recently
// resolved case.
func (q *queries) CaseGetLastResolvedByCustomer(ctx context.Context, customerID int64) (store.Case, error) {
	c, err := scanCase(q.c.QueryRow(ctx, `SELECT `+caseColumns+` FROM cases
		WHERE customer_id = $1 AND status = $2
		ORDER BY (resolved_at IS NULL), resolved_at DESC, id DESC LIMIT 1`,
		customerID, store.CaseResolved))
	if err != nil {
		return store.Case{}, fmt.Errorf("case get last resolved for customer %d: %w", customerID, err)
	}
	return c, nil
}

// CaseList returns cases newest first, filtered by p: OwnerID, any of
// Status, opened at or after OpenedAfter and before OpenedBefore (a
// half-open window), at most Limit (100 when 0).
func (q *queries) CaseList(ctx context.Context, p store.CaseListParams) ([]store.Case, error) {
	var where []string
	var args []any
	add := func(cond string, vals ...any) {
		where = append(where, fmt.Sprintf(cond, placeholders(len(args)+1, len(vals))))
		args = append(args, vals...)
	}
	if p.OwnerID != 0 {
		add(`owner_id = %s`, p.OwnerID)
	}
	if len(p.Status) > 0 {
		vals := make([]any, len(p.Status))
		for i, s := range p.Status {
			vals[i] = s
		}
		add(`status IN (%s)`, vals...)
	}
	if !p.OpenedAfter.IsZero() {
		add(`opened_at >= %s`, timeArg(p.OpenedAfter))
	}
	if !p.OpenedBefore.IsZero() {
		add(`opened_at < %s`, timeArg(p.OpenedBefore))
	}
	limit := p.Limit
	if limit <= 0 {
		limit = 100
	}
	query := `SELECT ` + caseColumns + ` FROM cases`
	if len(where) > 0 {
		query += ` WHERE ` + strings.Join(where, ` AND `)
	}
	query += fmt.Sprintf(` ORDER BY opened_at DESC, id DESC LIMIT $%d`, len(args)+1)
	args = append(args, limit)

	rows, err := q.c.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("case list: %w", err)
	}
	out, err := collect(rows, scanCase)
	if err != nil {
		return nil, fmt.Errorf("case list: %w", err)
	}
	return out, nil
}

// CaseUpdate changes the non-zero fields of p and sets UpdatedAt, which is
// required.
func (q *queries) CaseUpdate(ctx context.Context, p store.CaseUpdateParams) (store.Case, error) {
	if p.UpdatedAt.IsZero() {
		return store.Case{}, fmt.Errorf("case update %d: UpdatedAt is required", p.ID)
	}
	var risk, named any
	if p.RelationshipRisk != nil {
		risk = *p.RelationshipRisk
	}
	if p.ComplainedAbout != nil {
		named = jsonArg([]byte(idsArg(p.ComplainedAbout)))
	}
	c, err := scanCase(q.c.QueryRow(ctx, `
		UPDATE cases SET
			owner_id = coalesce($2, owner_id),
			status = coalesce($3, status),
			priority = coalesce($4, priority),
			summary = coalesce($5, summary),
			relationship_risk = coalesce($6, relationship_risk),
			complained_about = coalesce($7, complained_about),
			due_at = coalesce($8, due_at),
			resolved_at = CASE WHEN $9 THEN NULL ELSE coalesce($10, resolved_at) END,
			updated_at = $11
		WHERE id = $1
		RETURNING `+caseColumns,
		p.ID, idArg(p.OwnerID), textArg(p.Status), textArg(p.Priority), textArg(p.Summary), risk, named,
		timeArg(p.DueAt), p.ClearResolvedAt, timeArg(p.ResolvedAt), timeArg(p.UpdatedAt)))
	if err != nil {
		return store.Case{}, fmt.Errorf("case update %d: %w", p.ID, err)
	}
	return c, nil
}

const caseEventColumns = `id, case_id, occurred_at, actor, kind, data`

func scanCaseEvent(r Row) (store.CaseEvent, error) {
	var e store.CaseEvent
	err := r.Scan(&e.ID, &e.CaseID, timeDest{&e.At}, &e.Actor, &e.Kind, &e.Data)
	return e, err
}

// CaseEventInsert appends one event to a case's timeline. A zero At is the
// store's clock. Events are never changed afterwards: the database refuses
// UPDATE and DELETE on them (POLICY P9).
func (q *queries) CaseEventInsert(ctx context.Context, p store.CaseEventInsertParams) (store.CaseEvent, error) {
	if p.Kind == "" {
		return store.CaseEvent{}, errors.New("case event insert: kind is required")
	}
	e, err := scanCaseEvent(q.c.QueryRow(ctx, `
		INSERT INTO case_events (case_id, occurred_at, actor, kind, data)
		VALUES ($1, $2, $3, $4, $5)
		RETURNING `+caseEventColumns,
		p.CaseID, timeArg(q.orNow(p.At)), p.Actor, p.Kind, jsonArg(p.Data)))
	if err != nil {
		return store.CaseEvent{}, fmt.Errorf("case event insert %s for case %d: %w", p.Kind, p.CaseID, err)
	}
	return e, nil
}

// CaseEventList returns a case's timeline, oldest first.
func (q *queries) CaseEventList(ctx context.Context, caseID int64) ([]store.CaseEvent, error) {
	rows, err := q.c.Query(ctx, `SELECT `+caseEventColumns+` FROM case_events
		WHERE case_id = $1 ORDER BY occurred_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("case event list %d: %w", caseID, err)
	}
	out, err := collect(rows, scanCaseEvent)
	if err != nil {
		return nil, fmt.Errorf("case event list %d: %w", caseID, err)
	}
	return out, nil
}

// CaseEventListKind returns a case's events of one kind, oldest first.
func (q *queries) CaseEventListKind(ctx context.Context, caseID int64, kind string) ([]store.CaseEvent, error) {
	rows, err := q.c.Query(ctx, `SELECT `+caseEventColumns+` FROM case_events
		WHERE case_id = $1 AND kind = $2 ORDER BY occurred_at, id`, caseID, kind)
	if err != nil {
		return nil, fmt.Errorf("case event list %d %s: %w", caseID, kind, err)
	}
	out, err := collect(rows, scanCaseEvent)
	if err != nil {
		return nil, fmt.Errorf("case event list %d %s: %w", caseID, kind, err)
	}
	return out, nil
}

// CaseEventListByCustomer returns the events of the given kinds on any of
// a customer's cases at or after p.Since, oldest first.
func (q *queries) CaseEventListByCustomer(ctx context.Context, p store.CaseEventListByCustomerParams) ([]store.CaseEvent, error) {
	if len(p.Kinds) == 0 {
		return nil, nil
	}
	args := []any{p.CustomerID, timeArg(p.Since)}
	for _, k := range p.Kinds {
		args = append(args, k)
	}
	rows, err := q.c.Query(ctx, `SELECT `+caseEventColumns+` FROM case_events
		WHERE case_id IN (SELECT id FROM cases WHERE customer_id = $1) AND occurred_at >= $2
		AND kind IN (`+placeholders(3, len(p.Kinds))+`) ORDER BY occurred_at, id`, args...)
	if err != nil {
		return nil, fmt.Errorf("case event list of customer %d: %w", p.CustomerID, err)
	}
	out, err := collect(rows, scanCaseEvent)
	if err != nil {
		return nil, fmt.Errorf("case event list of customer %d: %w", p.CustomerID, err)
	}
	return out, nil
}
