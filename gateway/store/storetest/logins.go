package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

func testStaffLogin(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	ada := mustStaff(t, s, "ada@example.com", "")

	if err := s.StaffSetPassword(ctx, ada.ID, "$2a$10$hash"); err != nil {
		t.Fatalf("StaffSetPassword(%d) error = %v", ada.ID, err)
	}
	if got, err := s.StaffGetByID(ctx, ada.ID); err != nil || got.PasswordHash != "$2a$10$hash" {
		t.Errorf("StaffGetByID(%d) after StaffSetPassword = hash %q, %v; want $2a$10$hash", ada.ID, got.PasswordHash, err)
	}
	if err := s.StaffSetPassword(ctx, ada.ID, ""); err != nil {
		t.Fatalf(`StaffSetPassword(%d, "") error = %v`, ada.ID, err)
	}
	if got, err := s.StaffGetByID(ctx, ada.ID); err != nil || got.PasswordHash != "" {
		t.Errorf(`StaffGetByID(%d) after StaffSetPassword("") = hash %q, %v; want no login`, ada.ID, got.PasswordHash, err)
	}
	if err := s.StaffSetPassword(ctx, ada.ID+1000, "x"); !errors.Is(err, store.ErrNotFound) || err == store.ErrNotFound {
		t.Errorf("StaffSetPassword(unknown) error = %v, want ErrNotFound wrapped", err)
	}

	off, err := s.StaffSetActive(ctx, ada.ID, false)
	if err != nil || off.ID != ada.ID || off.Active || off.Email != ada.Email {
		t.Errorf("StaffSetActive(%d, false) = %+v, %v; want ada, inactive", ada.ID, off, err)
	}
	if got, err := s.StaffGetByID(ctx, ada.ID); err != nil || got.Active {
		t.Errorf("StaffGetByID(%d) after deactivation = active %t, %v; want inactive", ada.ID, got.Active, err)
	}
	if on, err := s.StaffSetActive(ctx, ada.ID, true); err != nil || !on.Active {
		t.Errorf("StaffSetActive(%d, true) = %+v, %v; want active", ada.ID, on, err)
	}
	if _, err := s.StaffSetActive(ctx, ada.ID+1000, true); !errors.Is(err, store.ErrNotFound) || err == store.ErrNotFound {
		t.Errorf("StaffSetActive(unknown) error = %v, want ErrNotFound wrapped", err)
	}
}

func testSession(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	ada := mustStaff(t, s, "ada@example.com", "")
	bob := mustStaff(t, s, "bob@example.com", "")

	in := store.Session{IDHash: "aa11", StaffID: ada.ID, CSRFToken: "csrf-1", CreatedAt: at(0),
		ExpiresAt: at(12 * time.Hour), LastSeenAt: at(time.Minute)}
	if err := s.SessionInsert(ctx, in); err != nil {
		t.Fatalf("SessionInsert(%+v) error = %v", in, err)
	}
	got, err := s.SessionGet(ctx, "aa11")
	if err != nil || got.IDHash != in.IDHash || got.StaffID != ada.ID || got.CSRFToken != "csrf-1" {
		t.Errorf("SessionGet(aa11) = %+v, %v; want %+v", got, err, in)
	}
	checkTime(t, "SessionGet().CreatedAt", got.CreatedAt, in.CreatedAt)
	checkTime(t, "SessionGet().ExpiresAt", got.ExpiresAt, in.ExpiresAt)
	checkTime(t, "SessionGet().LastSeenAt", got.LastSeenAt, in.LastSeenAt)
	if err := s.SessionInsert(ctx, in); !errors.Is(err, store.ErrConflict) {
		t.Errorf("SessionInsert(same id hash) error = %v, want ErrConflict", err)
	}
	for _, bad := range []store.Session{
		{StaffID: ada.ID, ExpiresAt: at(time.Hour)},
		{IDHash: "x", ExpiresAt: at(time.Hour)},
		{IDHash: "x", StaffID: ada.ID},
	} {
		if err := s.SessionInsert(ctx, bad); err == nil {
			t.Errorf("SessionInsert(%+v) error = nil, want an error (a required field is missing)", bad)
		}
	}
	if err := s.SessionInsert(ctx, store.Session{IDHash: "x", StaffID: ada.ID + 1000, ExpiresAt: at(time.Hour)}); err == nil {
		t.Errorf("SessionInsert(unknown staff) error = nil, want a foreign key error")
	}

	// A zero LastSeenAt starts at CreatedAt.
	if err := s.SessionInsert(ctx, store.Session{IDHash: "bb22", StaffID: ada.ID, CreatedAt: at(time.Hour), ExpiresAt: at(2 * time.Hour)}); err != nil {
		t.Fatalf("SessionInsert(bb22) error = %v", err)
	}
	if got, err := s.SessionGet(ctx, "bb22"); err != nil {
		t.Errorf("SessionGet(bb22) error = %v", err)
	} else {
		checkTime(t, "SessionGet(bb22).LastSeenAt", got.LastSeenAt, at(time.Hour))
	}

	// Touch moves LastSeenAt forward, never back.
	if err := s.SessionTouch(ctx, "aa11", at(time.Hour)); err != nil {
		t.Fatalf("SessionTouch(aa11) error = %v", err)
	}
	if err := s.SessionTouch(ctx, "aa11", at(30*time.Minute)); err != nil {
		t.Fatalf("SessionTouch(aa11, earlier) error = %v", err)
	}
	if got, err := s.SessionGet(ctx, "aa11"); err != nil {
		t.Errorf("SessionGet(aa11) error = %v", err)
	} else {
		checkTime(t, "SessionGet(aa11).LastSeenAt after touches at +1h then +30m", got.LastSeenAt, at(time.Hour))
	}
	if err := s.SessionTouch(ctx, "nope", at(time.Hour)); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SessionTouch(missing) error = %v, want ErrNotFound", err)
	}

	// Expiry: a session expiring exactly at t stays; earlier ones go.
	if err := s.SessionInsert(ctx, store.Session{IDHash: "cc33", StaffID: bob.ID, CreatedAt: at(0), ExpiresAt: at(3 * time.Hour)}); err != nil {
		t.Fatalf("SessionInsert(cc33) error = %v", err)
	}
	n, err := s.SessionDeleteExpired(ctx, at(3*time.Hour))
	if err != nil || n != 1 {
		t.Errorf("SessionDeleteExpired(+3h) = %d, %v; want 1 (bb22, expired at +2h)", n, err)
	}
	if _, err := s.SessionGet(ctx, "bb22"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SessionGet(bb22) after expiry error = %v, want ErrNotFound", err)
	}
	if _, err := s.SessionGet(ctx, "cc33"); err != nil {
		t.Errorf("SessionGet(cc33, expiring at the cut-off) error = %v, want it kept", err)
	}

	// Ending sessions: by staff, one by one, and again (not an error).
	if err := s.SessionDeleteByStaff(ctx, ada.ID); err != nil {
		t.Fatalf("SessionDeleteByStaff(%d) error = %v", ada.ID, err)
	}
	if _, err := s.SessionGet(ctx, "aa11"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("SessionGet(aa11) after SessionDeleteByStaff error = %v, want ErrNotFound", err)
	}
	if _, err := s.SessionGet(ctx, "cc33"); err != nil {
		t.Errorf("SessionGet(cc33, another staff's) after SessionDeleteByStaff error = %v, want it kept", err)
	}
	for range 2 {
		if err := s.SessionDelete(ctx, "cc33"); err != nil {
			t.Errorf("SessionDelete(cc33) error = %v, want nil", err)
		}
	}
	if _, err := s.SessionGet(ctx, "cc33"); !errors.Is(err, store.ErrNotFound) || err == store.ErrNotFound {
		t.Errorf("SessionGet(cc33) after SessionDelete error = %v, want ErrNotFound wrapped", err)
	}
}

func testSetting(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	if _, err := s.SettingGet(ctx, "slot_key"); !errors.Is(err, store.ErrNotFound) || err == store.ErrNotFound {
		t.Errorf("SettingGet(missing) error = %v, want ErrNotFound wrapped", err)
	}
	if got, err := s.SettingSetIfAbsent(ctx, "slot_key", "first"); err != nil || got != "first" {
		t.Errorf("SettingSetIfAbsent(slot_key, first) = %q, %v; want first", got, err)
	}
	if got, err := s.SettingSetIfAbsent(ctx, "slot_key", "second"); err != nil || got != "first" {
		t.Errorf("SettingSetIfAbsent(slot_key, second) = %q, %v; want first (the stored value)", got, err)
	}
	if got, err := s.SettingGet(ctx, "slot_key"); err != nil || got != "first" {
		t.Errorf("SettingGet(slot_key) = %q, %v; want first", got, err)
	}
	if err := s.SettingSet(ctx, "slot_key", "rotated"); err != nil {
		t.Fatalf("SettingSet(slot_key, rotated) error = %v", err)
	}
	if err := s.SettingSet(ctx, "other", ""); err != nil {
		t.Fatalf(`SettingSet(other, "") error = %v`, err)
	}
	if got, err := s.SettingGet(ctx, "slot_key"); err != nil || got != "rotated" {
		t.Errorf("SettingGet(slot_key) after SettingSet = %q, %v; want rotated", got, err)
	}
	if got, err := s.SettingGet(ctx, "other"); err != nil || got != "" {
		t.Errorf(`SettingGet(other) = %q, %v; want "" stored`, got, err)
	}
	if _, err := s.SettingSetIfAbsent(ctx, "", "x"); err == nil {
		t.Errorf(`SettingSetIfAbsent("", x) error = nil, want an error`)
	}
}
