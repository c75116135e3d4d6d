package gateway

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// ErrDefaultOwner is returned when asked to deactivate the default owner:
// everything a deactivated person owned goes to the default owner, so the
// default owner must stay active (change policy.default_owner first).
var ErrDefaultOwner = errors.New("the default owner cannot be deactivated (change policy.default_owner first)")

// DeactivateParams names who is deactivated, who takes over, and why.
type DeactivateParams struct {
	StaffID int64
	// DefaultOwnerID receives the person's accounts, active cases and
	// unfinished tasks; it must be an active staff member.
	DefaultOwnerID int64
	// Actor is recorded on every change: "system", "staff:12", "import",
	// "cli".
	Actor string
	// At is when it happened; zero means now.
	At     time.Time
	Reason string
}

// DeactivateResult is what a deactivation changed. A second deactivation
// of the same person changes nothing: WasActive is false and the lists are
// empty.
type DeactivateResult struct {
	Staff     store.Staff // as stored afterwards (inactive)
	WasActive bool
	Customers []int64 // accounts moved to the default owner
	Cases     []int64 // active cases moved to the default owner
	Tasks     []int64 // open or snoozed tasks moved to the default owner
}

// Changed reports whether the deactivation changed anything.
func (r DeactivateResult) Changed() bool {
	return r.WasActive || len(r.Customers)+len(r.Cases)+len(r.Tasks) > 0
}

// ownerChangedEvent is the timeline entry of a case moved off a
// deactivated owner, and taskReassignedEvent that of a task.
type (
	ownerChangedEvent struct {
		From   int64  `json:"from"`
		To     int64  `json:"to"`
		Reason string `json:"reason,omitempty"`
	}
	taskReassignedEvent struct {
		TaskID int64  `json:"task_id"`
		Kind   string `json:"kind"`
		From   int64  `json:"from"`
		To     int64  `json:"to"`
		Reason string `json:"reason,omitempty"`
	}
)

// DeactivateStaff deactivates a staff member in one transaction: they can
// no longer log in (their sessions end), and their accounts, active cases
// and unfinished tasks move to the default owner, each move recorded (an
// owner change per account, POLICY P7; an owner_changed or task_reassigned
// event on each case's timeline, P9). Their history stays as it is. It is
// idempotent: deactivating an inactive person who owns nothing changes
// nothing.
func DeactivateStaff(ctx context.Context, st store.Store, p DeactivateParams) (DeactivateResult, error) {
	var res DeactivateResult
	err := st.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		var err error
		res, err = deactivateIn(ctx, tx, p)
		return err
	})
	return res, err
}

// deactivateIn is DeactivateStaff inside the caller's transaction q.
func deactivateIn(ctx context.Context, q store.Querier, p DeactivateParams) (DeactivateResult, error) {
	var res DeactivateResult
	if p.At.IsZero() {
		p.At = time.Now()
	}
	p.At = p.At.UTC()
	if p.Actor == "" {
		p.Actor = "system"
	}
	s, err := q.StaffGetByID(ctx, p.StaffID)
	if err != nil {
		return res, fmt.Errorf("deactivate staff %d: %w", p.StaffID, err)
	}
	if p.StaffID == p.DefaultOwnerID {
		return res, fmt.Errorf("deactivate %s: %w", s.Email, ErrDefaultOwner)
	}
	if p.DefaultOwnerID == 0 {
		return res, fmt.Errorf("deactivate %s: no default owner to take over their accounts and cases (policy.default_owner)", s.Email)
	}
	def, err := q.StaffGetByID(ctx, p.DefaultOwnerID)
	if err != nil {
		return res, fmt.Errorf("deactivate %s: default owner %d: %w", s.Email, p.DefaultOwnerID, err)
	}
	if !def.Active {
		return res, fmt.Errorf("deactivate %s: the default owner %s is inactive", s.Email, def.Email)
	}
	res.WasActive = s.Active
	res.Staff = s
	if s.Active {
		if res.Staff, err = q.StaffSetActive(ctx, s.ID, false); err != nil {
			return res, fmt.Errorf("deactivate %s: %w", s.Email, err)
		}
	}
	if err := q.SessionDeleteByStaff(ctx, s.ID); err != nil {
		return res, fmt.Errorf("deactivate %s: end sessions: %w", s.Email, err)
	}
	if res.Customers, err = moveCustomers(ctx, q, p); err != nil {
		return res, fmt.Errorf("deactivate %s: %w", s.Email, err)
	}
	if res.Cases, err = moveCases(ctx, q, p); err != nil {
		return res, fmt.Errorf("deactivate %s: %w", s.Email, err)
	}
	if res.Tasks, err = moveTasks(ctx, q, p); err != nil {
		return res, fmt.Errorf("deactivate %s: %w", s.Email, err)
	}
	return res, nil
}

// moveCustomers gives the staff member's accounts to the default owner.
func moveCustomers(ctx context.Context, q store.Querier, p DeactivateParams) ([]int64, error) {
	owned, err := q.CustomerListByOwner(ctx, p.StaffID)
	if err != nil {
		return nil, fmt.Errorf("list accounts: %w", err)
	}
	var ids []int64
	for _, c := range owned {
		if _, err := q.CustomerSetOwner(ctx, store.CustomerSetOwnerParams{
			CustomerID: c.ID, OwnerID: p.DefaultOwnerID, At: p.At, Actor: p.Actor, Reason: p.Reason,
		}); err != nil {
			return ids, fmt.Errorf("move account %s: %w", c.ExternalRef, err)
		}
		ids = append(ids, c.ID)
	}
	return ids, nil
}

// moveCases gives the staff member's active cases to the default owner.
// CaseList returns a page at a time; every case listed is moved off the
// staff member, so listing again returns the next ones.
func moveCases(ctx context.Context, q store.Querier, p DeactivateParams) ([]int64, error) {
	var ids []int64
	for {
		cases, err := q.CaseList(ctx, store.CaseListParams{OwnerID: p.StaffID, Status: store.ActiveStatuses(), Limit: 500})
		if err != nil {
			return ids, fmt.Errorf("list active cases: %w", err)
		}
		if len(cases) == 0 {
			return ids, nil
		}
		for _, c := range cases {
			if !store.CaseActive(c.Status) || c.OwnerID != p.StaffID {
				return ids, fmt.Errorf("list active cases: case %d (%s, owner %d) does not match the filter", c.ID, c.Status, c.OwnerID)
			}
			if _, err := q.CaseUpdate(ctx, store.CaseUpdateParams{ID: c.ID, OwnerID: p.DefaultOwnerID, UpdatedAt: p.At}); err != nil {
				return ids, fmt.Errorf("move case %d: %w", c.ID, err)
			}
			tl := timeline{tx: q, caseID: c.ID, at: p.At}
			tl.add(ctx, p.Actor, "owner_changed", ownerChangedEvent{From: p.StaffID, To: p.DefaultOwnerID, Reason: p.Reason})
			if tl.err != nil {
				return ids, tl.err
			}
			ids = append(ids, c.ID)
		}
	}
}

// moveTasks gives the staff member's open and snoozed tasks to the default
// owner.
func moveTasks(ctx context.Context, q store.Querier, p DeactivateParams) ([]int64, error) {
	tasks, err := q.TaskListOpenByAssignee(ctx, p.StaffID)
	if err != nil {
		return nil, fmt.Errorf("list open tasks: %w", err)
	}
	var ids []int64
	for _, t := range tasks {
		if _, err := q.TaskUpdate(ctx, store.TaskUpdateParams{ID: t.ID, AssigneeID: p.DefaultOwnerID, UpdatedAt: p.At}); err != nil {
			return ids, fmt.Errorf("move task %d: %w", t.ID, err)
		}
		tl := timeline{tx: q, caseID: t.CaseID, at: p.At}
		tl.add(ctx, p.Actor, "task_reassigned", taskReassignedEvent{TaskID: t.ID, Kind: t.Kind, From: p.StaffID, To: p.DefaultOwnerID, Reason: p.Reason})
		if tl.err != nil {
			return ids, tl.err
		}
		ids = append(ids, t.ID)
	}
	return ids, nil
}
