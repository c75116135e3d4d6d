package sqlstore

import (
	"context"
	"errors"
	"fmt"
)

// SettingGet returns the value stored under key; store.ErrNotFound when
// none is.
func (q *queries) SettingGet(ctx context.Context, key string) (string, error) {
	var v string
	if err := q.c.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v); err != nil {
		return "", fmt.Errorf("setting get %s: %w", key, err)
	}
	return v, nil
}

// SettingSetIfAbsent stores value under key unless a value is already
// stored there, and returns the stored value: value itself, or the one a
// concurrent or earlier caller stored first.
func (q *queries) SettingSetIfAbsent(ctx context.Context, key, value string) (string, error) {
	if key == "" {
		return "", errors.New("setting set: key is required")
	}
	if _, err := q.c.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`,
		key, value); err != nil {
		return "", fmt.Errorf("setting set %s: %w", key, err)
	}
	return q.SettingGet(ctx, key)
}

// SettingSet stores value under key, replacing what was there.
func (q *queries) SettingSet(ctx context.Context, key, value string) error {
	if key == "" {
		return errors.New("setting set: key is required")
	}
	if _, err := q.c.Exec(ctx, `INSERT INTO settings (key, value) VALUES ($1, $2)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
		return fmt.Errorf("setting set %s: %w", key, err)
	}
	return nil
}
