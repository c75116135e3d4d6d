package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

const messageColumns = `id, channel, external_id, customer_id, case_id, from_addr, from_name,
	subject, body, auto_kind, sent_at, received_at, raw`

func scanMessage(r Row) (store.Message, error) {
	var m store.Message
	err := r.Scan(&m.ID, &m.Channel, &m.ExternalID, idDest{&m.CustomerID}, idDest{&m.CaseID},
		&m.FromAddr, &m.FromName, &m.Subject, &m.Body, &m.AutoKind, timeDest{&m.SentAt},
		timeDest{&m.ReceivedAt}, &m.Raw)
	return m, err
}

// MessageInsert stores one inbound message. When (Channel, ExternalID) is
// already stored it changes nothing and returns the stored message with
// inserted=false. A zero ReceivedAt is the store's clock.
func (q *queries) MessageInsert(ctx context.Context, p store.MessageInsertParams) (store.Message, bool, error) {
	if p.Channel == "" || p.ExternalID == "" {
		return store.Message{}, false, fmt.Errorf("message insert: channel %q and external id %q are both required", p.Channel, p.ExternalID)
	}
	m, err := scanMessage(q.c.QueryRow(ctx, `
		INSERT INTO inbound_messages (channel, external_id, customer_id, case_id, from_addr, from_name,
			subject, body, auto_kind, sent_at, received_at, raw)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
		ON CONFLICT (channel, external_id) DO NOTHING
		RETURNING `+messageColumns,
		p.Channel, p.ExternalID, idArg(p.CustomerID), idArg(p.CaseID), p.FromAddr, p.FromName,
		p.Subject, p.Body, p.AutoKind, timeArg(p.SentAt), timeArg(q.orNow(p.ReceivedAt)), blobArg(p.Raw)))
	if err == nil {
		return m, true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Message{}, false, fmt.Errorf("message insert %s/%s: %w", p.Channel, p.ExternalID, err)
	}
	m, err = scanMessage(q.c.QueryRow(ctx,
		`SELECT `+messageColumns+` FROM inbound_messages WHERE channel = $1 AND external_id = $2`,
		p.Channel, p.ExternalID))
	if err != nil {
		return store.Message{}, false, fmt.Errorf("message insert %s/%s: read stored: %w", p.Channel, p.ExternalID, err)
	}
	return m, false, nil
}

// MessageGetByID returns the message with id.
func (q *queries) MessageGetByID(ctx context.Context, id int64) (store.Message, error) {
	m, err := scanMessage(q.c.QueryRow(ctx, `SELECT `+messageColumns+` FROM inbound_messages WHERE id = $1`, id))
	if err != nil {
		return store.Message{}, fmt.Errorf("message get %d: %w", id, err)
	}
	return m, nil
}

// MessageGetByExternalID returns the message (channel, externalID).
func (q *queries) MessageGetByExternalID(ctx context.Context, channel, externalID string) (store.Message, error) {
	m, err := scanMessage(q.c.QueryRow(ctx, `SELECT `+messageColumns+` FROM inbound_messages WHERE channel = $1 AND external_id = $2`, channel, externalID))
	if err != nil {
		return store.Message{}, fmt.Errorf("message get %s/%s: %w", channel, externalID, err)
	}
	return m, nil
}

// MessageListByCase returns the messages of a case, oldest first.
func (q *queries) MessageListByCase(ctx context.Context, caseID int64) ([]store.Message, error) {
	rows, err := q.c.Query(ctx, `SELECT `+messageColumns+` FROM inbound_messages
		WHERE case_id = $1 ORDER BY received_at, id`, caseID)
	if err != nil {
		return nil, fmt.Errorf("message list by case %d: %w", caseID, err)
	}
	out, err := collect(rows, scanMessage)
	if err != nil {
		return nil, fmt.Errorf("message list by case %d: %w", caseID, err)
	}
	return out, nil
}

// MessageCountSince counts the customer's messages received at or after
// since (all of them when since is zero).
func (q *queries) MessageCountSince(ctx context.Context, customerID int64, since time.Time) (int, error) {
	query := `SELECT count(*) FROM inbound_messages WHERE customer_id = $1`
	args := []any{customerID}
	if !since.IsZero() {
		query += ` AND received_at >= $2`
		args = append(args, timeArg(since))
	}
	var n int64
	if err := q.c.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("message count for customer %d: %w", customerID, err)
	}
	return int(n), nil
}

const assessmentColumns = `message_id, tone_score, tone_label, urgency_score, urgency_level,
	category, is_complaint, summary, language, detail, created_at`

func scanAssessment(r Row) (store.Assessment, error) {
	var a store.Assessment
	err := r.Scan(&a.MessageID, &a.ToneScore, &a.ToneLabel, &a.UrgencyScore, &a.UrgencyLevel,
		&a.Category, &a.IsComplaint, &a.Summary, &a.Language, &a.Detail, timeDest{&a.CreatedAt})
	return a, err
}

// AssessmentInsert stores the assessment of p.MessageID; a second one for
// the same message fails with store.ErrConflict.
func (q *queries) AssessmentInsert(ctx context.Context, p store.AssessmentInsertParams) (store.Assessment, error) {
	a, err := scanAssessment(q.c.QueryRow(ctx, `
		INSERT INTO assessments (message_id, tone_score, tone_label, urgency_score, urgency_level,
			category, is_complaint, summary, language, detail, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		RETURNING `+assessmentColumns,
		p.MessageID, p.ToneScore, p.ToneLabel, p.UrgencyScore, p.UrgencyLevel, p.Category,
		p.IsComplaint, p.Summary, p.Language, jsonArg(p.Detail), timeArg(q.nowUTC())))
	if err != nil {
		return store.Assessment{}, fmt.Errorf("assessment insert for message %d: %w", p.MessageID, err)
	}
	return a, nil
}

// AssessmentGetByMessage returns the assessment of a message.
func (q *queries) AssessmentGetByMessage(ctx context.Context, messageID int64) (store.Assessment, error) {
	a, err := scanAssessment(q.c.QueryRow(ctx,
		`SELECT `+assessmentColumns+` FROM assessments WHERE message_id = $1`, messageID))
	if err != nil {
		return store.Assessment{}, fmt.Errorf("assessment get for message %d: %w", messageID, err)
	}
	return a, nil
}
