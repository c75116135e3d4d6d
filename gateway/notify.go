package gateway

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

type notifyParams struct {
	key            string // idempotency key of the notification
	caseID, taskID int64
	notice         routing.Notice
	dir            routing.Directory
	sms            routing.SMSInput
	body           string // the text as it is, instead of rendering sms
	now            time.Time
}

// notify records one SMS notification and queues the job that sends it,
// both inside tx. A staff member with no phone gets a timeline event
// instead, so the gap is visible rather than silent.
func (g *Gateway) notify(ctx context.Context, tx store.Querier, p notifyParams) (store.Notification, error) {
	tl := timeline{tx: tx, caseID: p.caseID, at: p.now}
	st, ok := p.dir[p.notice.StaffID]
	if !ok || st.Phone == "" {
		tl.add(ctx, "system", "sms_not_possible", noteEvent{Note: fmt.Sprintf("staff %d (%s) has no phone number: %s not told by SMS", p.notice.StaffID, st.Name, p.notice.Role)})
		return store.Notification{}, tl.err
	}
	if !st.Active {
		tl.add(ctx, "system", "sms_not_possible", noteEvent{Note: fmt.Sprintf("%s is no longer active staff: %s not told by SMS", st.Name, p.notice.Role)})
		return store.Notification{}, tl.err
	}
	if st.SMSOptedOut {
		tl.add(ctx, "system", "sms_not_possible", noteEvent{Note: fmt.Sprintf("%s texted STOP: %s not told by SMS", st.Name, p.notice.Role)})
		return store.Notification{}, tl.err
	}
	body := p.body
	if body == "" {
		p.sms.Location = st.Hours.Location()
		p.sms.Link = g.caseLink(p.caseID)
		body = routing.SMSText(p.sms)
	}
	n, inserted, err := tx.NotificationInsert(ctx, store.NotificationInsertParams{
		Key: p.key, CaseID: p.caseID, TaskID: p.taskID, StaffID: st.ID, To: st.Phone,
		Body: body, CreatedAt: p.now,
	})
	if err != nil {
		return n, fmt.Errorf("record notification %s: %w", p.key, err)
	}
	if !inserted {
		return n, nil
	}
	tl.add(ctx, "system", "sms_queued", smsEvent{NotificationID: n.ID, StaffID: st.ID, Role: p.notice.Role})
	if tl.err != nil {
		return n, tl.err
	}
	if err := tx.JobInsert(ctx, smsJob(n.ID)); err != nil {
		return n, fmt.Errorf("queue sms %d: %w", n.ID, err)
	}
	return n, nil
}

// caseLink is the dashboard page of a case, for SMS; "" when there is no
// dashboard or no public URL to reach it by.
func (g *Gateway) caseLink(caseID int64) string {
	if g.opts.Dashboard == nil || g.opts.PublicURL == "" || caseID == 0 {
		return ""
	}
	return fmt.Sprintf("%s/cases/%d", strings.TrimRight(g.opts.PublicURL, "/"), caseID)
}
