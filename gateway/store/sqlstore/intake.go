package sqlstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/triage-gw/triage/gateway/store"
)

const quarantineColumns = `id, channel, external_id, reason, raw, created_at`

func scanQuarantine(r Row) (store.Quarantine, error) {
	var x store.Quarantine
	err := r.Scan(&x.ID, &x.Channel, &x.ExternalID, &x.Reason, &x.Raw, timeDest{&x.CreatedAt})
	return x, err
}

// QuarantineInsert keeps input that could not be processed. When (Channel,
// ExternalID) is already quarantined it changes nothing and returns the
// stored row with inserted=false.
func (q *queries) QuarantineInsert(ctx context.Context, p store.QuarantineInsertParams) (store.Quarantine, bool, error) {
	if p.Channel == "" || p.ExternalID == "" {
		return store.Quarantine{}, false, fmt.Errorf("quarantine insert: channel %q and external id %q are both required", p.Channel, p.ExternalID)
	}
	x, err := scanQuarantine(q.c.QueryRow(ctx, `
		INSERT INTO quarantine (channel, external_id, reason, raw, created_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (channel, external_id) DO NOTHING
		RETURNING `+quarantineColumns,
		p.Channel, p.ExternalID, p.Reason, blobArg(p.Raw), timeArg(q.nowUTC())))
	if err == nil {
		return x, true, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return store.Quarantine{}, false, fmt.Errorf("quarantine insert %s/%s: %w", p.Channel, p.ExternalID, err)
	}
	x, err = scanQuarantine(q.c.QueryRow(ctx,
		`SELECT `+quarantineColumns+` FROM quarantine WHERE channel = $1 AND external_id = $2`,
		p.Channel, p.ExternalID))
	if err != nil {
		return store.Quarantine{}, false, fmt.Errorf("quarantine insert %s/%s: read stored: %w", p.Channel, p.ExternalID, err)
	}
	return x, false, nil
}

// QuarantineList returns the newest quarantined inputs, at most limit of
// them (100 when limit <= 0).
func (q *queries) QuarantineList(ctx context.Context, limit int) ([]store.Quarantine, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := q.c.Query(ctx, `SELECT `+quarantineColumns+` FROM quarantine
		ORDER BY created_at DESC, id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, fmt.Errorf("quarantine list: %w", err)
	}
	out, err := collect(rows, scanQuarantine)
	if err != nil {
		return nil, fmt.Errorf("quarantine list: %w", err)
	}
	return out, nil
}

// MailboxCursorGet returns how far mailbox has been read.
func (q *queries) MailboxCursorGet(ctx context.Context, mailbox string) (store.MailboxCursor, error) {
	c := store.MailboxCursor{Mailbox: mailbox}
	var validity, last int64
	err := q.c.QueryRow(ctx,
		`SELECT uid_validity, last_uid, updated_at FROM mailbox_cursors WHERE mailbox = $1`, mailbox).
		Scan(&validity, &last, timeDest{&c.UpdatedAt})
	if err != nil {
		return store.MailboxCursor{}, fmt.Errorf("mailbox cursor get %q: %w", mailbox, err)
	}
	c.UIDValidity, c.LastUID = uint32(validity), uint32(last)
	return c, nil
}

// MailboxCursorSet records how far c.Mailbox has been read. A zero
// UpdatedAt is the store's clock.
func (q *queries) MailboxCursorSet(ctx context.Context, c store.MailboxCursor) error {
	if c.Mailbox == "" {
		return errors.New("mailbox cursor set: mailbox is required")
	}
	_, err := q.c.Exec(ctx, `
		INSERT INTO mailbox_cursors (mailbox, uid_validity, last_uid, updated_at)
		VALUES ($1, $2, $3, $4)
		ON CONFLICT (mailbox) DO UPDATE SET
			uid_validity = excluded.uid_validity, last_uid = excluded.last_uid,
			updated_at = excluded.updated_at`,
		c.Mailbox, int64(c.UIDValidity), int64(c.LastUID), timeArg(q.orNow(c.UpdatedAt)))
	if err != nil {
		return fmt.Errorf("mailbox cursor set %q: %w", c.Mailbox, err)
	}
	return nil
}
