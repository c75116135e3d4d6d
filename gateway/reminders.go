package gateway

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/nlp"
	"github.com/triage-gw/triage/routing"
)

// reminderWorker runs a reminder timer: the end of a SNOOZE, the next call
// attempt (placed by itself with policy.calls.auto_call), or a resolved
// case's follow-up (P8). A reminder whose reason has gone (the case was
// resolved, the follow-up done) does nothing.
type reminderWorker struct {
	river.WorkerDefaults[ReminderArgs]
	g *Gateway
}

func (w *reminderWorker) Work(ctx context.Context, job *river.Job[ReminderArgs]) error {
	g, a := w.g, job.Args
	now := g.now().UTC()
	if now.Before(a.At) {
		return river.JobSnooze(a.At.Sub(now))
	}
	return g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		v, err := g.loadCase(ctx, tx, a.CaseID)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		dir, _, err := g.directoryIn(ctx, tx)
		if err != nil {
			return err
		}
		// The reminder goes to whoever has the work now: the person it
		// was set for may have been deactivated since (their tasks moved).
		if s, ok := dir[a.StaffID]; !ok || !s.Active {
			a.StaffID = cmp.Or(v.facts.AssigneeID, v.c.OwnerID)
			if a.What == reminderFollowUp && v.followUp != nil {
				a.StaffID = cmp.Or(v.followUp.AssigneeID, a.StaffID)
			}
		}
		var why string
		switch a.What {
		case reminderFollowUp:
			if v.followUp == nil || v.followUp.ID != a.TaskID {
				return nil
			}
			if store.CaseActive(v.c.Status) {
				// Reopened since: the open call-back comes first, and
				// the next resolution schedules a new follow-up.
				return nil
			}
			why = fmt.Sprintf("follow-up due (P8): call %s to check all is well, then text DONE %d", routingCustomer(v), v.c.ID)
		case reminderSnooze, reminderRetry:
			if !store.CaseActive(v.c.Status) {
				return nil
			}
			why = "snooze over: the call-back is still to make"
			if a.What == reminderRetry {
				why = "time for the next call attempt"
				if g.opts.Policy.Calls.AutoCall && v.facts.CustomerPhone != "" && dir[a.StaffID].Phone != "" {
					return g.queueCall(ctx, tx, v, a.StaffID, "system", fmt.Sprintf("retry:%d", a.At.Unix()), now)
				}
			}
		default:
			return river.JobCancel(fmt.Errorf("unknown reminder %q", a.What))
		}
		_, err = g.notify(ctx, tx, notifyParams{
			key:    fmt.Sprintf("case:%d:remind:%s:%d:%d", a.CaseID, a.What, a.StaffID, a.At.Unix()),
			caseID: a.CaseID, notice: routing.Notice{StaffID: a.StaffID, Role: "owner", Reason: why}, dir: dir, now: now,
			sms: routing.SMSInput{CaseID: a.CaseID, Role: "owner", Priority: routing.Priority(v.c.Priority), Customer: v.facts.Customer,
				Summary: v.c.Summary, Why: []string{why}, DueAt: v.c.DueAt},
		})
		return err
	})
}

func routingCustomer(v caseView) string {
	if v.facts.Customer == "" {
		return "the customer"
	}
	return v.facts.Customer
}

// smsStatus records a delivery report of an SMS the gateway sent: delivery
// failures are on the case's timeline.
func (g *Gateway) smsStatus(w http.ResponseWriter, r *http.Request, form url.Values) {
	st, err := twilio.ParseStatusCallback(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	ctx := r.Context()
	n, err := g.store.NotificationGetByProviderID(ctx, st.MessageSID)
	if errors.Is(err, store.ErrNotFound) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	err = g.onceWebhook(ctx, "sms_status", st.MessageSID+":"+st.MessageStatus, func(ctx context.Context, tx store.Querier, now time.Time) error {
		tl := timeline{tx: tx, caseID: n.CaseID, at: now}
		kind := "sms_status"
		if st.MessageStatus == "failed" || st.MessageStatus == "undelivered" {
			kind = "sms_undelivered"
		}
		tl.add(ctx, "system", kind, smsEvent{NotificationID: n.ID, StaffID: n.StaffID, ProviderID: st.MessageSID,
			Error: deliveryError(st)})
		return tl.err
	})
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func deliveryError(st twilio.StatusCallback) string {
	if st.ErrorCode == 0 {
		return st.MessageStatus
	}
	return fmt.Sprintf("%s (Twilio error %d)", st.MessageStatus, st.ErrorCode)
}

// decodeFacts reads the facts out of a stored assessment's detail.
func decodeFacts(detail []byte) (nlp.Facts, error) {
	var a nlp.Assessment
	if err := json.Unmarshal(detail, &a); err != nil {
		return nlp.Facts{}, fmt.Errorf("decode assessment: %w", err)
	}
	return a.Facts, nil
}
