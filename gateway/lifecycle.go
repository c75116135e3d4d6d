package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// caseView is a case with what routing's lifecycle needs to know of it,
// read inside one transaction.
type caseView struct {
	c        store.Case
	facts    routing.CaseFacts
	callback *store.Task // the open call-back task, nil when none
	followUp *store.Task // the open follow-up task, nil when none
	customer store.Customer
}

// loadCase reads case id and its tasks, customer and call history.
func (g *Gateway) loadCase(ctx context.Context, q store.Querier, id int64) (caseView, error) {
	c, err := q.CaseGetByID(ctx, id)
	if err != nil {
		return caseView{}, err
	}
	v := caseView{c: c}
	tasks, err := q.TaskListByCase(ctx, id)
	if err != nil {
		return v, fmt.Errorf("tasks of case %d: %w", id, err)
	}
	for i := range tasks {
		t := &tasks[i]
		if t.Status != store.TaskOpen && t.Status != store.TaskSnoozed {
			continue
		}
		switch t.Kind {
		case store.TaskCallback:
			v.callback = t
		case store.TaskFollowUp:
			v.followUp = t
		}
	}
	if c.CustomerID != 0 {
		if v.customer, err = q.CustomerGetByID(ctx, c.CustomerID); err != nil {
			return v, fmt.Errorf("customer of case %d: %w", id, err)
		}
	}
	events, err := q.CaseEventListKind(ctx, id, "call_attempted")
	if err != nil {
		return v, fmt.Errorf("timeline of case %d: %w", id, err)
	}
	v.facts = routing.CaseFacts{
		ID: c.ID, Status: routing.Status(c.Status), OwnerID: c.OwnerID, Priority: routing.Priority(c.Priority),
		DueAt: c.DueAt, ComplainedAbout: c.ComplainedAbout, FollowUpOpen: v.followUp != nil,
		Customer: customerLabel(v.customer.Name, v.customer.Company),
	}
	if len(v.customer.Phones) > 0 {
		v.facts.CustomerPhone = v.customer.Phones[0]
	}
	if v.callback != nil {
		v.facts.AssigneeID = v.callback.AssigneeID
	}
	for _, e := range events {
		if e.Kind != "call_attempted" {
			continue
		}
		var a attemptEvent
		if err := json.Unmarshal(e.Data, &a); err != nil {
			return v, fmt.Errorf("case %d event %d: %w", id, e.ID, err)
		}
		if v.facts.FirstAttemptAt.IsZero() {
			v.facts.FirstAttemptAt = e.At
		}
		v.facts.Attempts, v.facts.Unanswered = a.Number, a.Unanswered
	}
	return v, nil
}

// applyParams is what apply needs besides the outcome.
type applyParams struct {
	actor  string // timeline actor: "staff:12", "system"
	callID int64  // the call whose end this is, 0 for a command
	dir    routing.Directory
	now    time.Time
}

// apply carries out a lifecycle outcome inside tx: the case's status and
// owner, its tasks, the timeline, the SMS to others and the timers. It
// returns the notifications it queued.
func (g *Gateway) apply(ctx context.Context, tx store.Querier, v caseView, out routing.Outcome, p applyParams) ([]store.Notification, error) {
	if out.Refused {
		return nil, nil
	}
	c, now := v.c, p.now
	tl := timeline{tx: tx, caseID: c.ID, at: now}
	for _, e := range out.Events {
		if e.Kind == "call_attempted" && out.Attempt != nil {
			a := out.Attempt
			tl.add(ctx, p.actor, e.Kind, attemptEvent{Note: e.Note, CallID: p.callID, Number: a.Number, Outcome: string(a.Outcome),
				ByAgent: a.ByAgent, Late: a.Late, Unanswered: a.Unanswered})
			continue
		}
		ne := noteEvent{Note: e.Note}
		if e.Kind == "resolved" {
			// Kept apart, so managers read the lessons together (P8).
			ne.Lessons = out.LessonsLearned
		}
		tl.add(ctx, p.actor, e.Kind, ne)
	}
	if tl.err != nil {
		return nil, tl.err
	}

	up := store.CaseUpdateParams{ID: c.ID, Status: string(out.Status), OwnerID: out.NewOwnerID, UpdatedAt: now}
	if out.Resolve {
		up.ResolvedAt = now
	}
	if out.Status == routing.StatusReopened {
		up.ClearResolvedAt = true
	}
	if !out.NewDueAt.IsZero() {
		up.DueAt = out.NewDueAt
	}
	if out.Status != "" && string(out.Status) != c.Status {
		tl.add(ctx, p.actor, "status_changed", statusEvent{From: c.Status, To: string(out.Status)})
	}
	if up.Status != "" || up.OwnerID != 0 || !up.DueAt.IsZero() || up.ClearResolvedAt {
		updated, err := tx.CaseUpdate(ctx, up)
		if err != nil {
			return nil, fmt.Errorf("update case %d: %w", c.ID, err)
		}
		c = updated
	}

	taskDone := func(t *store.Task) {
		if t == nil || tl.err != nil {
			return
		}
		u, err := tx.TaskUpdate(ctx, store.TaskUpdateParams{ID: t.ID, Status: store.TaskDone, UpdatedAt: now})
		if err != nil {
			tl.err = fmt.Errorf("close task %d: %w", t.ID, err)
			return
		}
		tl.add(ctx, p.actor, "task_done", taskEvent{TaskID: u.ID, Kind: u.Kind, AssigneeID: u.AssigneeID, DueAt: u.DueAt})
	}
	if out.CallbackDone {
		taskDone(v.callback)
	}
	if out.FollowUpDone {
		taskDone(v.followUp)
	}
	if out.Resolve && !out.FollowUpAt.IsZero() {
		t, err := tx.TaskInsert(ctx, store.TaskInsertParams{CaseID: c.ID, Kind: store.TaskFollowUp, AssigneeID: c.OwnerID,
			Status: store.TaskOpen, DueAt: out.FollowUpAt, CreatedAt: now})
		if err != nil {
			return nil, fmt.Errorf("create follow-up task: %w", err)
		}
		tl.add(ctx, "system", "follow_up_scheduled", taskEvent{TaskID: t.ID, Kind: t.Kind, AssigneeID: t.AssigneeID, DueAt: t.DueAt})
		if tl.err == nil {
			if err := tx.JobInsert(ctx, reminderJob(c.ID, t.ID, c.OwnerID, reminderFollowUp, t.DueAt)); err != nil {
				return nil, fmt.Errorf("schedule follow-up: %w", err)
			}
		}
	}
	if err := g.moveCallback(ctx, tx, &tl, v, c, out, p); err != nil {
		return nil, err
	}
	if tl.err != nil {
		return nil, tl.err
	}

	agent := v.facts.AssigneeID
	if agent == 0 {
		agent = c.OwnerID
	}
	if !out.SnoozeUntil.IsZero() {
		if id, ok := staffID(p.actor); ok {
			agent = id
		}
		if err := tx.JobInsert(ctx, reminderJob(c.ID, 0, agent, reminderSnooze, out.SnoozeUntil)); err != nil {
			return nil, fmt.Errorf("schedule snooze reminder: %w", err)
		}
	}
	if !out.RetryAt.IsZero() {
		tl.add(ctx, "system", "call_retry_scheduled", retryEvent{At: out.RetryAt, AssigneeID: agent})
		if err := tx.JobInsert(ctx, reminderJob(c.ID, 0, agent, reminderRetry, out.RetryAt)); err != nil {
			return nil, fmt.Errorf("schedule call retry: %w", err)
		}
	}
	if out.VoicemailEmail {
		tl.add(ctx, "system", "email_queued", emailEvent{Kind: emailVoicemailLeft, To: firstOf(v.customer.Emails)})
		if err := tx.JobInsert(ctx, customerEmailJob(c.ID, p.callID, emailVoicemailLeft)); err != nil {
			return nil, fmt.Errorf("queue voicemail email: %w", err)
		}
	}
	if tl.err != nil {
		return nil, tl.err
	}

	var sent []store.Notification
	for i, n := range out.Notices {
		key := fmt.Sprintf("case:%d:%s:%d:%s:%d:%d", c.ID, p.actor, p.callID, n.Role, n.StaffID, now.UnixMicro()+int64(i))
		notif, err := g.notify(ctx, tx, notifyParams{key: key, caseID: c.ID, notice: n, dir: p.dir, now: now,
			sms: routing.SMSInput{CaseID: c.ID, Role: n.Role, Priority: routing.Priority(c.Priority), Customer: v.facts.Customer,
				Summary: c.Summary, Why: []string{n.Reason}, DueAt: c.DueAt}})
		if err != nil {
			return nil, err
		}
		if notif.ID != 0 {
			sent = append(sent, notif)
		}
	}
	return sent, nil
}

// moveCallback follows an outcome that hands the call-back to someone else
// or gives it a new due time (UNHAPPY): the open call-back task moves, or a
// new one is created when the case had none (it was resolved), with
// escalation timers for the new due time.
func (g *Gateway) moveCallback(ctx context.Context, tx store.Querier, tl *timeline, v caseView, c store.Case, out routing.Outcome, p applyParams) error {
	if out.NewOwnerID == 0 && out.NewDueAt.IsZero() {
		return nil
	}
	if v.callback != nil {
		u, err := tx.TaskUpdate(ctx, store.TaskUpdateParams{ID: v.callback.ID, AssigneeID: c.OwnerID, DueAt: out.NewDueAt, UpdatedAt: p.now})
		if err != nil {
			return fmt.Errorf("move call-back task %d: %w", v.callback.ID, err)
		}
		tl.add(ctx, p.actor, "task_updated", taskEvent{TaskID: u.ID, Kind: u.Kind, AssigneeID: u.AssigneeID, DueAt: u.DueAt})
	} else {
		t, err := tx.TaskInsert(ctx, store.TaskInsertParams{CaseID: c.ID, Kind: store.TaskCallback, AssigneeID: c.OwnerID,
			Status: store.TaskOpen, DueAt: c.DueAt, Checklist: nil, CreatedAt: p.now})
		if err != nil {
			return fmt.Errorf("create call-back task: %w", err)
		}
		tl.add(ctx, p.actor, "task_created", taskEvent{TaskID: t.ID, Kind: t.Kind, AssigneeID: t.AssigneeID, DueAt: t.DueAt})
	}
	for _, t := range out.Timers {
		if err := tx.JobInsert(ctx, escalateJob(c.ID, t.Level, t.At, c.DueAt)); err != nil {
			return fmt.Errorf("schedule escalation: %w", err)
		}
	}
	return nil
}

// staffID reads the id out of a "staff:12" actor.
func staffID(actor string) (int64, bool) {
	rest, ok := strings.CutPrefix(actor, "staff:")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil
}

func staffActor(id int64) string { return "staff:" + strconv.FormatInt(id, 10) }

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}
