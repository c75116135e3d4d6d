package gateway

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// smsWorker sends one notification. The notification row is the source of
// truth: a sent one is never sent again, whatever the queue does.
type smsWorker struct {
	river.WorkerDefaults[SendSMSArgs]
	g *Gateway
}

func (w *smsWorker) Work(ctx context.Context, job *river.Job[SendSMSArgs]) error {
	g := w.g
	n, err := g.store.NotificationGetByID(ctx, job.Args.NotificationID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("notification %d: %w", job.Args.NotificationID, err))
	}
	if err != nil {
		return fmt.Errorf("load notification %d: %w", job.Args.NotificationID, err)
	}
	if n.Status == store.NotificationSent {
		return nil
	}
	log := g.log.With("notification_id", n.ID, "case_id", n.CaseID, "attempt", job.Attempt)
	if g.opts.SMS == nil {
		log.Warn("sms channel is off: notification not sent")
		return g.smsOutcome(ctx, n, job.Attempt, store.NotificationFailed, "", "sms channel is off", "sms_not_sent")
	}
	res, err := g.opts.SMS.SendSMS(ctx, twilio.SMS{To: n.To, Body: n.Body})
	if err != nil {
		if twilio.IsPermanent(err) {
			log.Error("sms refused for good", "err", err)
			if oerr := g.smsOutcome(ctx, n, job.Attempt, store.NotificationFailed, "", err.Error(), "sms_failed"); oerr != nil {
				return oerr
			}
			return river.JobCancel(err)
		}
		log.Warn("sms not sent, will retry", "err", err)
		if oerr := g.smsOutcome(ctx, n, job.Attempt, store.NotificationQueued, "", err.Error(), "sms_retry"); oerr != nil {
			return oerr
		}
		return fmt.Errorf("send sms %d: %w", n.ID, err)
	}
	log.Info("sms sent", "sid", res.SID)
	return g.smsOutcome(ctx, n, job.Attempt, store.NotificationSent, res.SID, "", "sms_sent")
}

// smsOutcome records an attempt on the notification and the case timeline.
func (g *Gateway) smsOutcome(ctx context.Context, n store.Notification, attempt int, status, sid, errText, kind string) error {
	now := g.now().UTC()
	return g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		p := store.NotificationUpdateParams{ID: n.ID, Status: status, ProviderID: sid, Error: errText, Attempts: attempt}
		if status == store.NotificationSent {
			p.SentAt = now
		}
		if _, err := tx.NotificationUpdate(ctx, p); err != nil {
			return fmt.Errorf("update notification %d: %w", n.ID, err)
		}
		tl := timeline{tx: tx, caseID: n.CaseID, at: now}
		tl.add(ctx, "system", kind, smsEvent{NotificationID: n.ID, StaffID: n.StaffID, ProviderID: sid, Error: errText, Attempt: attempt})
		return tl.err
	})
}

// escalateWorker runs one escalation level of a case when its timer fires.
type escalateWorker struct {
	river.WorkerDefaults[EscalateArgs]
	g *Gateway
}

// callEvents are the timeline kinds that count as a call attempt.
var callEvents = []string{"call_attempted", "call_connected"}

func (w *escalateWorker) Work(ctx context.Context, job *river.Job[EscalateArgs]) error {
	g := w.g
	c, err := g.store.CaseGetByID(ctx, job.Args.CaseID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("case %d: %w", job.Args.CaseID, err))
	}
	if err != nil {
		return fmt.Errorf("load case %d: %w", job.Args.CaseID, err)
	}
	events, err := g.store.CaseEventList(ctx, c.ID)
	if err != nil {
		return fmt.Errorf("load case %d timeline: %w", c.ID, err)
	}
	dir, _, err := g.directory(ctx)
	if err != nil {
		return err
	}
	state := routing.CaseState{ID: c.ID, OwnerID: c.OwnerID, Priority: routing.Priority(c.Priority), DueAt: c.DueAt,
		Closed:        c.Status == store.CaseResolved || c.Status == store.CaseClosed,
		CallAttempted: slices.ContainsFunc(events, func(e store.CaseEvent) bool { return slices.Contains(callEvents, e.Kind) })}
	now := g.now().UTC()
	e := routing.Escalate(g.opts.Policy, state, job.Args.Level, dir, now)
	if e.Next != nil && e.Next.Level == job.Args.Level {
		// Fired before the due time (it moved): wait for it.
		return river.JobSnooze(e.Next.At.Sub(now))
	}
	return g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		tl := timeline{tx: tx, caseID: c.ID, at: now}
		for _, ev := range e.Events {
			tl.add(ctx, "system", ev.Kind, noteEvent{Note: ev.Note})
		}
		if tl.err != nil {
			return tl.err
		}
		for _, n := range e.Notices {
			if _, err := g.notify(ctx, tx, notifyParams{
				key:    fmt.Sprintf("case:%d:escalation:%d:%d", c.ID, job.Args.Level, n.StaffID),
				caseID: c.ID, notice: n, dir: dir, now: now,
				sms: routing.SMSInput{CaseID: c.ID, Role: n.Role, Priority: state.Priority, Summary: c.Summary,
					Why: []string{n.Reason}, DueAt: c.DueAt},
			}); err != nil {
				return err
			}
		}
		if e.Next != nil {
			if err := tx.JobInsert(ctx, escalateJob(c.ID, e.Next.Level, e.Next.At)); err != nil {
				return fmt.Errorf("schedule escalation level %d: %w", e.Next.Level, err)
			}
		}
		return nil
	})
}
