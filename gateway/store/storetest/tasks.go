package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

func testTask(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	a := mustStaff(t, s, "a@example.com", "")
	b := mustStaff(t, s, "b@example.com", "")
	c := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(0)})
	p := store.TaskInsertParams{CaseID: c.ID, Kind: store.TaskCallback, AssigneeID: a.ID, DueAt: at(time.Hour),
		Checklist: []string{"apologise", "refund"}, CreatedAt: at(0)}
	task, err := s.TaskInsert(ctx, p)
	if err != nil {
		t.Fatalf("TaskInsert(%+v) error = %v", p, err)
	}
	if task.ID == 0 || task.CaseID != c.ID || task.Kind != store.TaskCallback || task.AssigneeID != a.ID ||
		task.Status != store.TaskOpen || !slices.Equal(task.Checklist, p.Checklist) {
		t.Errorf("TaskInsert(%+v) = %+v, want the fields back with status open", p, task)
	}
	checkTime(t, "TaskInsert().DueAt", task.DueAt, p.DueAt)
	checkTime(t, "TaskInsert().CreatedAt", task.CreatedAt, p.CreatedAt)
	checkTime(t, "TaskInsert().UpdatedAt", task.UpdatedAt, p.CreatedAt)
	if got, err := s.TaskGetByID(ctx, task.ID); err != nil || !equalTask(got, task) {
		t.Errorf("TaskGetByID(%d) = %+v, %v; want %+v", task.ID, got, err, task)
	}

	second, err := s.TaskInsert(ctx, store.TaskInsertParams{CaseID: c.ID, Kind: store.TaskFollowUp, CreatedAt: at(time.Minute)})
	if err != nil || second.AssigneeID != 0 || second.Checklist != nil || !second.DueAt.IsZero() {
		t.Errorf("TaskInsert(minimal) = %+v, %v; want no assignee, no checklist, no due time", second, err)
	}
	list, err := s.TaskListByCase(ctx, c.ID)
	if err != nil || len(list) != 2 || list[0].ID != task.ID || list[1].ID != second.ID {
		t.Errorf("TaskListByCase(%d) = %+v, %v; want tasks %d, %d", c.ID, list, err, task.ID, second.ID)
	}

	up := store.TaskUpdateParams{ID: task.ID, AssigneeID: b.ID, Status: store.TaskSnoozed, DueAt: at(2 * time.Hour), UpdatedAt: at(time.Minute)}
	got, err := s.TaskUpdate(ctx, up)
	if err != nil || got.AssigneeID != b.ID || got.Status != store.TaskSnoozed || !slices.Equal(got.Checklist, p.Checklist) {
		t.Errorf("TaskUpdate(%+v) = %+v, %v; want assignee and status changed, checklist kept", up, got, err)
	}
	checkTime(t, "TaskUpdate().DueAt", got.DueAt, up.DueAt)
	checkTime(t, "TaskUpdate().UpdatedAt", got.UpdatedAt, up.UpdatedAt)
	checkTime(t, "TaskUpdate().CreatedAt", got.CreatedAt, p.CreatedAt)

	up = store.TaskUpdateParams{ID: task.ID, Status: store.TaskDone, UpdatedAt: at(time.Hour)}
	if got, err = s.TaskUpdate(ctx, up); err != nil || got.Status != store.TaskDone || got.AssigneeID != b.ID {
		t.Errorf("TaskUpdate(%+v) = %+v, %v; want done, assignee kept", up, got, err)
	}
	if _, err := s.TaskUpdate(ctx, store.TaskUpdateParams{ID: task.ID, Status: store.TaskOpen}); err == nil {
		t.Errorf("TaskUpdate(no UpdatedAt) error = nil, want an error")
	}
	if _, err := s.TaskUpdate(ctx, store.TaskUpdateParams{ID: task.ID + 1000, UpdatedAt: at(0)}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("TaskUpdate(unknown id) error = %v, want ErrNotFound", err)
	}
}

func testTaskListOpenByAssignee(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	a := mustStaff(t, s, "a@example.com", "")
	b := mustStaff(t, s, "b@example.com", "")
	c := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(0)})
	mk := func(assignee int64, status string, due time.Time) int64 {
		p := store.TaskInsertParams{CaseID: c.ID, Kind: store.TaskCallback, AssigneeID: assignee, Status: status, DueAt: due}
		task, err := s.TaskInsert(ctx, p)
		if err != nil {
			t.Fatalf("TaskInsert(%+v) error = %v", p, err)
		}
		return task.ID
	}
	undated := mk(a.ID, store.TaskOpen, time.Time{})
	late := mk(a.ID, store.TaskOpen, at(3*time.Hour))
	snoozed := mk(a.ID, store.TaskSnoozed, at(2*time.Hour))
	soon := mk(a.ID, store.TaskOpen, at(time.Hour))
	mk(a.ID, store.TaskDone, at(0))
	mk(a.ID, store.TaskCancelled, at(0))
	mk(b.ID, store.TaskOpen, at(0))

	got, err := s.TaskListOpenByAssignee(ctx, a.ID)
	var ids []int64
	for _, task := range got {
		ids = append(ids, task.ID)
	}
	if want := []int64{soon, snoozed, late, undated}; err != nil || !slices.Equal(ids, want) {
		t.Errorf("TaskListOpenByAssignee(%d) = %v, %v; want %v (open and snoozed, soonest due first, undated last)", a.ID, ids, err, want)
	}
	if got, err := s.TaskListOpenByAssignee(ctx, b.ID+1000); err != nil || len(got) != 0 {
		t.Errorf("TaskListOpenByAssignee(unknown) = %+v, %v; want none", got, err)
	}
}

func equalTask(a, b store.Task) bool {
	return a.ID == b.ID && a.CaseID == b.CaseID && a.Kind == b.Kind && a.AssigneeID == b.AssigneeID &&
		a.Status == b.Status && a.DueAt.Equal(b.DueAt) && slices.Equal(a.Checklist, b.Checklist) &&
		a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}
