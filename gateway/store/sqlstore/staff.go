package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/triage-gw/triage/gateway/store"
)

const staffColumns = `id, name, email, phone, role, manager_id, time_zone, hours, aliases,
	password_hash, active, sms_opted_out, created_at`

func scanStaff(r Row) (store.Staff, error) {
	var s store.Staff
	err := r.Scan(&s.ID, &s.Name, &s.Email, &s.Phone, &s.Role, idDest{&s.ManagerID}, &s.TimeZone,
		&s.Hours, stringsDest{&s.Aliases}, &s.PasswordHash, &s.Active, &s.SMSOptedOut, timeDest{&s.CreatedAt})
	return s, err
}

// StaffUpsert creates or updates the staff member with p.Email (compared in
// lower case). CreatedAt is kept on update.
func (q *queries) StaffUpsert(ctx context.Context, p store.StaffUpsertParams) (store.Staff, error) {
	email := normalizeEmail(p.Email)
	if email == "" {
		return store.Staff{}, errors.New("staff upsert: email is required")
	}
	s, err := scanStaff(q.c.QueryRow(ctx, `
		INSERT INTO staff (name, email, phone, role, manager_id, time_zone, hours, aliases,
			password_hash, active, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (email) DO UPDATE SET
			name = excluded.name, phone = excluded.phone, role = excluded.role,
			manager_id = excluded.manager_id, time_zone = excluded.time_zone,
			hours = excluded.hours, aliases = excluded.aliases,
			password_hash = CASE WHEN excluded.password_hash = '' THEN staff.password_hash ELSE excluded.password_hash END,
			active = excluded.active
		RETURNING `+staffColumns,
		p.Name, email, strings.TrimSpace(p.Phone), p.Role, idArg(p.ManagerID), p.TimeZone, p.Hours,
		stringsArg(p.Aliases), p.PasswordHash, p.Active, timeArg(q.nowUTC())))
	if err != nil {
		return store.Staff{}, fmt.Errorf("staff upsert %s: %w", email, err)
	}
	return s, nil
}

// StaffGetByID returns the staff member with id.
func (q *queries) StaffGetByID(ctx context.Context, id int64) (store.Staff, error) {
	s, err := scanStaff(q.c.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, id))
	if err != nil {
		return store.Staff{}, fmt.Errorf("staff get %d: %w", id, err)
	}
	return s, nil
}

// StaffGetByPhone returns the staff member whose phone is phone (E.164).
func (q *queries) StaffGetByPhone(ctx context.Context, phone string) (store.Staff, error) {
	phone = strings.TrimSpace(phone)
	if phone == "" {
		return store.Staff{}, fmt.Errorf("staff get by phone %q: %w", phone, store.ErrNotFound)
	}
	s, err := scanStaff(q.c.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE phone = $1`, phone))
	if err != nil {
		return store.Staff{}, fmt.Errorf("staff get by phone %s: %w", phone, err)
	}
	return s, nil
}

// StaffGetByEmail returns the staff member with email, compared in lower
// case.
func (q *queries) StaffGetByEmail(ctx context.Context, email string) (store.Staff, error) {
	email = normalizeEmail(email)
	s, err := scanStaff(q.c.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE email = $1`, email))
	if err != nil {
		return store.Staff{}, fmt.Errorf("staff get by email %s: %w", email, err)
	}
	return s, nil
}

// StaffList returns every staff member, active or not, by name.
func (q *queries) StaffList(ctx context.Context) ([]store.Staff, error) {
	rows, err := q.c.Query(ctx, `SELECT `+staffColumns+` FROM staff ORDER BY name, id`)
	if err != nil {
		return nil, fmt.Errorf("staff list: %w", err)
	}
	out, err := collect(rows, scanStaff)
	if err != nil {
		return nil, fmt.Errorf("staff list: %w", err)
	}
	return out, nil
}

// normalizeEmail is the stored form of an email address: trimmed, lower case.
func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// collect scans every row of rows with scan and closes rows.
func collect[T any](rows Rows, scan func(Row) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// StaffSetSMSOptOut records a staff member's STOP (true) or START (false).
func (q *queries) StaffSetSMSOptOut(ctx context.Context, id int64, optedOut bool) (store.Staff, error) {
	s, err := scanStaff(q.c.QueryRow(ctx, `UPDATE staff SET sms_opted_out = $2 WHERE id = $1 RETURNING `+staffColumns, id, optedOut))
	if err != nil {
		return store.Staff{}, fmt.Errorf("staff set sms opt-out %d: %w", id, err)
	}
	return s, nil
}
