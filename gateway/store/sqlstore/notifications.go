package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/triage-gw/triage/gateway/store"
)

const notificationColumns = `id, idempotency_key, case_id, task_id, staff_id, to_number, body,
	status, provider_id, last_error, attempts, created_at, sent_at`

func scanNotification(r Row) (store.Notification, error) {
	var n store.Notification
	var attempts int64
	err := r.Scan(&n.ID, &n.Key, idDest{&n.CaseID}, idDest{&n.TaskID}, idDest{&n.StaffID}, &n.To,
		&n.Body, &n.Status, &n.ProviderID, &n.Error, &attempts, timeDest{&n.CreatedAt},
		timeDest{&n.SentAt})
	n.Attempts = int(attempts)
	return n, err
}

// NotificationInsert queues one SMS with status store.NotificationQueued. It
// is idempotent on Key: a second insert with the same key changes nothing
// and returns the stored row with inserted=false. A zero CreatedAt is the
// store's clock.
func (q *queries) NotificationInsert(ctx context.Context, p store.NotificationInsertParams) (store.Notification, bool, error) {
	if p.Key == "" {
		return store.Notification{}, false, errors.New("notification insert: key is required")
	}
	n, err := scanNotification(q.c.QueryRow(ctx, `
		INSERT INTO notifications (idempotency_key, case_id, task_id, staff_id, to_number, body,
			status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (idempotency_key) DO NOTHING
		RETURNING `+notificationColumns,
		p.Key, idArg(p.CaseID), idArg(p.TaskID), idArg(p.StaffID), p.To, p.Body,
		store.NotificationQueued, timeArg(q.orNow(p.CreatedAt))))
	if err == nil {
		return n, true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Notification{}, false, fmt.Errorf("notification insert %s: %w", p.Key, err)
	}
	n, err = scanNotification(q.c.QueryRow(ctx,
		`SELECT `+notificationColumns+` FROM notifications WHERE idempotency_key = $1`, p.Key))
	if err != nil {
		return store.Notification{}, false, fmt.Errorf("notification insert %s: read stored: %w", p.Key, err)
	}
	return n, false, nil
}

// NotificationGetByID returns the notification with id.
func (q *queries) NotificationGetByID(ctx context.Context, id int64) (store.Notification, error) {
	n, err := scanNotification(q.c.QueryRow(ctx,
		`SELECT `+notificationColumns+` FROM notifications WHERE id = $1`, id))
	if err != nil {
		return store.Notification{}, fmt.Errorf("notification get %d: %w", id, err)
	}
	return n, nil
}

// NotificationGetByProviderID returns the notification the provider
// accepted under providerID (a Twilio Message SID).
func (q *queries) NotificationGetByProviderID(ctx context.Context, providerID string) (store.Notification, error) {
	if providerID == "" {
		return store.Notification{}, fmt.Errorf("notification get by provider id %q: %w", providerID, store.ErrNotFound)
	}
	n, err := scanNotification(q.c.QueryRow(ctx,
		`SELECT `+notificationColumns+` FROM notifications WHERE provider_id = $1 ORDER BY id LIMIT 1`, providerID))
	if err != nil {
		return store.Notification{}, fmt.Errorf("notification get by provider id %s: %w", providerID, err)
	}
	return n, nil
}

// NotificationListByCase returns a case's notifications, oldest first.
func (q *queries) NotificationListByCase(ctx context.Context, caseID int64) ([]store.Notification, error) {
	rows, err := q.c.Query(ctx, `SELECT `+notificationColumns+` FROM notifications
		WHERE case_id = $1 ORDER BY created_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("notification list by case %d: %w", caseID, err)
	}
	out, err := collect(rows, scanNotification)
	if err != nil {
		return nil, fmt.Errorf("notification list by case %d: %w", caseID, err)
	}
	return out, nil
}

// NotificationUpdate records a send attempt's outcome: non-zero fields of p
// replace the stored ones (Attempts when > 0).
func (q *queries) NotificationUpdate(ctx context.Context, p store.NotificationUpdateParams) (store.Notification, error) {
	var attempts any
	if p.Attempts > 0 {
		attempts = int64(p.Attempts)
	}
	n, err := scanNotification(q.c.QueryRow(ctx, `
		UPDATE notifications SET
			status = coalesce($2, status),
			provider_id = coalesce($3, provider_id),
			last_error = coalesce($4, last_error),
			attempts = coalesce($5, attempts),
			sent_at = coalesce($6, sent_at)
		WHERE id = $1
		RETURNING `+notificationColumns,
		p.ID, textArg(p.Status), textArg(p.ProviderID), textArg(p.Error), attempts, timeArg(p.SentAt)))
	if err != nil {
		return store.Notification{}, fmt.Errorf("notification update %d: %w", p.ID, err)
	}
	return n, nil
}
