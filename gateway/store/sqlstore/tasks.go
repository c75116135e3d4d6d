package sqlstore

import (
	"context"
	"fmt"

	"github.com/triage-gw/triage/gateway/store"
)

const taskColumns = `id, case_id, kind, assignee_id, status, due_at, checklist, created_at, updated_at`

func scanTask(r Row) (store.Task, error) {
	var t store.Task
	err := r.Scan(&t.ID, &t.CaseID, &t.Kind, idDest{&t.AssigneeID}, &t.Status, timeDest{&t.DueAt},
		stringsDest{&t.Checklist}, timeDest{&t.CreatedAt}, timeDest{&t.UpdatedAt})
	return t, err
}

// TaskInsert creates a task. An empty Status is store.TaskOpen; a zero
// CreatedAt is the store's clock; UpdatedAt starts equal to CreatedAt.
func (q *queries) TaskInsert(ctx context.Context, p store.TaskInsertParams) (store.Task, error) {
	status := p.Status
	if status == "" {
		status = store.TaskOpen
	}
	created := q.orNow(p.CreatedAt)
	t, err := scanTask(q.c.QueryRow(ctx, `
		INSERT INTO tasks (case_id, kind, assignee_id, status, due_at, checklist, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING `+taskColumns,
		p.CaseID, p.Kind, idArg(p.AssigneeID), status, timeArg(p.DueAt), stringsArg(p.Checklist),
		timeArg(created), timeArg(created)))
	if err != nil {
		return store.Task{}, fmt.Errorf("task insert %s for case %d: %w", p.Kind, p.CaseID, err)
	}
	return t, nil
}

// TaskGetByID returns the task with id.
func (q *queries) TaskGetByID(ctx context.Context, id int64) (store.Task, error) {
	t, err := scanTask(q.c.QueryRow(ctx, `SELECT `+taskColumns+` FROM tasks WHERE id = $1`, id))
	if err != nil {
		return store.Task{}, fmt.Errorf("task get %d: %w", id, err)
	}
	return t, nil
}

// TaskListByCase returns a case's tasks in the order they were created.
func (q *queries) TaskListByCase(ctx context.Context, caseID int64) ([]store.Task, error) {
	rows, err := q.c.Query(ctx, `SELECT `+taskColumns+` FROM tasks
		WHERE case_id = $1 ORDER BY created_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("task list by case %d: %w", caseID, err)
	}
	out, err := collect(rows, scanTask)
	if err != nil {
		return nil, fmt.Errorf("task list by case %d: %w", caseID, err)
	}
	return out, nil
}

// TaskListOpenByAssignee returns the staff member's unfinished tasks (open
// or snoozed; not done or cancelled), soonest due first, undated last.
func (q *queries) TaskListOpenByAssignee(ctx context.Context, staffID int64) ([]store.Task, error) {
	rows, err := q.c.Query(ctx, `SELECT `+taskColumns+` FROM tasks
		WHERE assignee_id = $1 AND status IN ($2, $3)
		ORDER BY due_at IS NULL, due_at, id`, staffID, store.TaskOpen, store.TaskSnoozed)
	if err != nil {
		return nil, fmt.Errorf("task list open for staff %d: %w", staffID, err)
	}
	out, err := collect(rows, scanTask)
	if err != nil {
		return nil, fmt.Errorf("task list open for staff %d: %w", staffID, err)
	}
	return out, nil
}

// TaskUpdate changes the non-zero fields of p and sets UpdatedAt, which is
// required.
func (q *queries) TaskUpdate(ctx context.Context, p store.TaskUpdateParams) (store.Task, error) {
	if p.UpdatedAt.IsZero() {
		return store.Task{}, fmt.Errorf("task update %d: UpdatedAt is required", p.ID)
	}
	t, err := scanTask(q.c.QueryRow(ctx, `
		UPDATE tasks SET
			assignee_id = coalesce($2, assignee_id),
			status = coalesce($3, status),
			due_at = coalesce($4, due_at),
			updated_at = $5
		WHERE id = $1
		RETURNING `+taskColumns,
		p.ID, idArg(p.AssigneeID), textArg(p.Status), timeArg(p.DueAt), timeArg(p.UpdatedAt)))
	if err != nil {
		return store.Task{}, fmt.Errorf("task update %d: %w", p.ID, err)
	}
	return t, nil
}
