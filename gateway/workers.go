package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

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
	if n.StaffID != 0 {
		// Deactivated since it was queued: it is no longer theirs to hear.
		if st, err := g.store.StaffGetByID(ctx, n.StaffID); err == nil && !st.Active && n.Status == store.NotificationQueued {
			log.Info("staff deactivated since the sms was queued: not sent", "staff_id", n.StaffID)
			return g.smsOutcome(ctx, n, smsAttempt{attempt: job.Attempt, status: store.NotificationFailed, errText: "staff deactivated", kind: "sms_not_possible"})
		}
	}
	if g.opts.SMS == nil {
		log.Warn("sms channel is off: notification not sent")
		return g.smsOutcome(ctx, n, smsAttempt{attempt: job.Attempt, status: store.NotificationFailed, errText: "sms channel is off", kind: "sms_not_sent"})
	}
	// A retry may follow an attempt whose message the provider took although
	// its answer was lost (the attempt recorded a retryable error), or one
	// that stopped before it could record anything: look before sending again.
	if f, ok := g.opts.SMS.(sentFinder); ok && job.Attempt > 1 && n.Status == store.NotificationQueued {
		if settled, err := g.reconcileSMS(ctx, f, n, job.Attempt, log); settled || err != nil {
			return err
		}
	}
	res, err := g.opts.SMS.SendSMS(ctx, twilio.SMS{To: n.To, Body: n.Body})
	if err != nil {
		if twilio.IsPermanent(err) {
			log.Error("sms refused for good", "err", err)
			if oerr := g.smsOutcome(ctx, n, smsAttempt{attempt: job.Attempt, status: store.NotificationFailed, errText: err.Error(), kind: "sms_failed"}); oerr != nil {
				return oerr
			}
			return river.JobCancel(err)
		}
		log.Warn("sms not sent, will retry", "err", err)
		if oerr := g.smsOutcome(ctx, n, smsAttempt{attempt: job.Attempt, status: store.NotificationQueued, errText: err.Error(), kind: "sms_retry"}); oerr != nil {
			return oerr
		}
		return fmt.Errorf("send sms %d: %w", n.ID, err)
	}
	log.Info("sms sent", "sid", res.SID)
	return g.smsOutcome(ctx, n, smsAttempt{attempt: job.Attempt, status: store.NotificationSent, sid: res.SID, kind: "sms_sent"})
}

// sentFinder is an optional ability of an SMSSender: finding a message the
// provider accepted although its answer was lost, created at or after since
// (less the provider's allowance for clock skew). *twilio.Client has it.
type sentFinder interface {
	FindSent(ctx context.Context, to, body string, since time.Time) (twilio.SendResult, bool, error)
}

// reconcileSMS runs before a notification is sent again. The earlier
// attempt may have failed after the provider took the message (a timeout, a
// reset connection, a proxy's 5xx), or after it was sent but before the
// outcome was stored; sending again would double it. reconcileSMS asks the
// provider for a message to n.To with n.Body since n.CreatedAt. It reports
// settled when the job must not send: the message was found and the
// notification recorded as sent (a reconciled sms_sent), or the lookup
// failed in a way worth retrying (an sms_retry, and the error for River).
// When the lookup cannot work at all (IsPermanent) it lets the job send:
// a doubled SMS beats a lost one.
func (g *Gateway) reconcileSMS(ctx context.Context, f sentFinder, n store.Notification, attempt int, log *slog.Logger) (settled bool, err error) {
	res, found, err := f.FindSent(ctx, n.To, n.Body, n.CreatedAt)
	switch {
	case err != nil && twilio.IsPermanent(err):
		log.Warn("cannot look for an sms an earlier attempt may have sent: sending again", "err", err)
		return false, nil
	case err != nil:
		log.Warn("cannot look for an sms an earlier attempt may have sent: not sending, will retry", "err", err)
		if oerr := g.smsOutcome(ctx, n, smsAttempt{attempt: attempt, status: store.NotificationQueued, errText: err.Error(), kind: "sms_retry"}); oerr != nil {
			return true, oerr
		}
		return true, fmt.Errorf("find sms %d: %w", n.ID, err)
	case !found:
		return false, nil
	}
	log.Info("sms already accepted by an earlier attempt whose answer was lost: recorded as sent, not sent again", "sid", res.SID)
	return true, g.smsOutcome(ctx, n, smsAttempt{attempt: attempt, status: store.NotificationSent, sid: res.SID, kind: "sms_sent", reconciled: true})
}

// smsAttempt is the outcome of one attempt to send a notification.
type smsAttempt struct {
	attempt    int
	status     string // store.NotificationQueued, Sent or Failed
	sid        string // the provider's message id, if it took the message
	errText    string
	kind       string // the timeline event: sms_sent, sms_retry, ...
	reconciled bool   // sent by an earlier attempt, found by reconcileSMS
}

// smsOutcome records an attempt on the notification and the case timeline.
func (g *Gateway) smsOutcome(ctx context.Context, n store.Notification, a smsAttempt) error {
	now := g.now().UTC()
	return g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		p := store.NotificationUpdateParams{ID: n.ID, Status: a.status, ProviderID: a.sid, Error: a.errText, Attempts: a.attempt}
		if a.status == store.NotificationSent {
			p.SentAt = now
		}
		if _, err := tx.NotificationUpdate(ctx, p); err != nil {
			return fmt.Errorf("update notification %d: %w", n.ID, err)
		}
		tl := timeline{tx: tx, caseID: n.CaseID, at: now}
		tl.add(ctx, "system", a.kind, smsEvent{NotificationID: n.ID, StaffID: n.StaffID, ProviderID: a.sid,
			Error: a.errText, Attempt: a.attempt, Reconciled: a.reconciled})
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

// restartEvents are the timeline kinds after which a case needs a first
// call attempt again: it was reopened, or the customer is still unhappy.
var restartEvents = []string{"case_reopened", "customer_unhappy"}

// callAttemptedSince reports whether a call attempt is on the timeline
// since the case last needed one.
func callAttemptedSince(events []store.CaseEvent) bool {
	attempted := false
	for _, e := range events {
		switch {
		case slices.Contains(restartEvents, e.Kind):
			attempted = false
		case slices.Contains(callEvents, e.Kind):
			attempted = true
		}
	}
	return attempted
}

func (w *escalateWorker) Work(ctx context.Context, job *river.Job[EscalateArgs]) error {
	g := w.g
	c, err := g.store.CaseGetByID(ctx, job.Args.CaseID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("case %d: %w", job.Args.CaseID, err))
	}
	if err != nil {
		return fmt.Errorf("load case %d: %w", job.Args.CaseID, err)
	}
	if !job.Args.DueAt.IsZero() && !job.Args.DueAt.Equal(timerDue(c.DueAt)) {
		// The due time moved since this timer was set; the timer queued
		// for the new due time carries on.
		g.log.Info("escalation timer dropped: the case's due time moved", "case_id", c.ID, "level", job.Args.Level,
			"timer_due_at", job.Args.DueAt, "case_due_at", c.DueAt)
		return nil
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
		ComplainedAbout: c.ComplainedAbout,
		Closed:          !store.CaseActive(c.Status),
		CallAttempted:   callAttemptedSince(events)}
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
		// policy.calls.auto_call: at the due time with no attempt yet, the
		// gateway places the owner's call-back by itself.
		if job.Args.Level == 1 && g.opts.Policy.Calls.AutoCall && len(e.Events) > 0 {
			if err := g.autoCall(ctx, tx, c.ID, now); err != nil {
				return err
			}
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
			if err := tx.JobInsert(ctx, escalateJob(c.ID, e.Next.Level, e.Next.At, c.DueAt)); err != nil {
				return fmt.Errorf("schedule escalation level %d: %w", e.Next.Level, err)
			}
		}
		return nil
	})
}

// autoCall queues the bridged call-back of case id to its call-back's
// assignee (or owner), when both ends have a phone number.
func (g *Gateway) autoCall(ctx context.Context, tx store.Querier, id int64, now time.Time) error {
	v, err := g.loadCase(ctx, tx, id)
	if err != nil {
		return err
	}
	agent := v.facts.AssigneeID
	if agent == 0 {
		agent = v.c.OwnerID
	}
	st, err := tx.StaffGetByID(ctx, agent)
	if err != nil {
		return fmt.Errorf("auto call agent %d: %w", agent, err)
	}
	if v.facts.CustomerPhone == "" || st.Phone == "" {
		tl := timeline{tx: tx, caseID: id, at: now}
		tl.add(ctx, "system", "call_not_possible", noteEvent{Note: "automatic call-back skipped: no phone number for the customer or the owner"})
		return tl.err
	}
	return g.queueCall(ctx, tx, v, agent, "system", fmt.Sprintf("auto:%d", v.c.DueAt.Unix()), now)
}
