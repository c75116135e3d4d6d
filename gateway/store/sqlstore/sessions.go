package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// StaffSetPassword stores the dashboard password hash of staff member id;
// "" removes the login. An unknown id is store.ErrNotFound. The staff
// member's sessions are left alone: ending them is the caller's choice
// (SessionDeleteByStaff).
func (q *queries) StaffSetPassword(ctx context.Context, id int64, hash string) error {
	n, err := q.c.Exec(ctx, `UPDATE staff SET password_hash = $2 WHERE id = $1`, id, hash)
	if err != nil {
		return fmt.Errorf("staff set password %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("staff set password %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// StaffSetActive deactivates (false) or reactivates (true) staff member id
// and returns the updated row. An unknown id is store.ErrNotFound.
func (q *queries) StaffSetActive(ctx context.Context, id int64, active bool) (store.Staff, error) {
	s, err := scanStaff(q.c.QueryRow(ctx, `UPDATE staff SET active = $2 WHERE id = $1 RETURNING `+staffColumns, id, active))
	if err != nil {
		return store.Staff{}, fmt.Errorf("staff set active %d to %t: %w", id, active, err)
	}
	return s, nil
}

const sessionColumns = `id_hash, staff_id, csrf_token, created_at, expires_at, last_seen_at`

func scanSession(r Row) (store.Session, error) {
	var s store.Session
	err := r.Scan(&s.IDHash, &s.StaffID, &s.CSRFToken, timeDest{&s.CreatedAt}, timeDest{&s.ExpiresAt}, timeDest{&s.LastSeenAt})
	return s, err
}

// SessionInsert stores a new session. IDHash, StaffID and ExpiresAt are
// required; a zero CreatedAt is the store's clock and a zero LastSeenAt is
// CreatedAt. An IDHash already stored is store.ErrConflict.
func (q *queries) SessionInsert(ctx context.Context, s store.Session) error {
	if s.IDHash == "" || s.StaffID == 0 || s.ExpiresAt.IsZero() {
		return fmt.Errorf("session insert for staff %d: id hash, staff id and expiry are all required", s.StaffID)
	}
	created := q.orNow(s.CreatedAt)
	seen := created
	if !s.LastSeenAt.IsZero() {
		seen = normalizeTime(s.LastSeenAt)
	}
	if _, err := q.c.Exec(ctx, `INSERT INTO sessions (`+sessionColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		s.IDHash, s.StaffID, s.CSRFToken, timeArg(created), timeArg(s.ExpiresAt), timeArg(seen)); err != nil {
		return fmt.Errorf("session insert for staff %d: %w", s.StaffID, err)
	}
	return nil
}

// SessionGet returns the session stored under idHash, expired or not (the
// caller judges expiry); store.ErrNotFound when there is none.
func (q *queries) SessionGet(ctx context.Context, idHash string) (store.Session, error) {
	s, err := scanSession(q.c.QueryRow(ctx, `SELECT `+sessionColumns+` FROM sessions WHERE id_hash = $1`, idHash))
	if err != nil {
		return store.Session{}, fmt.Errorf("session get: %w", err)
	}
	return s, nil
}

// SessionTouch moves the session's LastSeenAt forward to lastSeen (never
// back: requests may finish out of order); store.ErrNotFound when the
// session is gone.
func (q *queries) SessionTouch(ctx context.Context, idHash string, lastSeen time.Time) error {
	if lastSeen.IsZero() {
		return errors.New("session touch: last seen time is required")
	}
	n, err := q.c.Exec(ctx, `UPDATE sessions
		SET last_seen_at = CASE WHEN last_seen_at < $2 THEN $2 ELSE last_seen_at END
		WHERE id_hash = $1`, idHash, timeArg(lastSeen))
	if err != nil {
		return fmt.Errorf("session touch: %w", err)
	}
	if n == 0 {
		return fmt.Errorf("session touch: %w", store.ErrNotFound)
	}
	return nil
}

// SessionDelete ends one session; ending one that is gone is not an error
// (a second logout).
func (q *queries) SessionDelete(ctx context.Context, idHash string) error {
	if _, err := q.c.Exec(ctx, `DELETE FROM sessions WHERE id_hash = $1`, idHash); err != nil {
		return fmt.Errorf("session delete: %w", err)
	}
	return nil
}

// SessionDeleteByStaff ends every session of staff member staffID.
func (q *queries) SessionDeleteByStaff(ctx context.Context, staffID int64) error {
	if _, err := q.c.Exec(ctx, `DELETE FROM sessions WHERE staff_id = $1`, staffID); err != nil {
		return fmt.Errorf("session delete for staff %d: %w", staffID, err)
	}
	return nil
}

// SessionDeleteExpired removes the sessions whose ExpiresAt is before t and
// returns how many it removed. Idle expiry (LastSeenAt) is the caller's
// rule and is not applied here.
func (q *queries) SessionDeleteExpired(ctx context.Context, t time.Time) (int, error) {
	n, err := q.c.Exec(ctx, `DELETE FROM sessions WHERE expires_at < $1`, timeArg(t))
	if err != nil {
		return 0, fmt.Errorf("session delete expired before %s: %w", t.UTC().Format(time.RFC3339), err)
	}
	return int(n), nil
}
