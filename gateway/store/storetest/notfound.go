package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// testNotFound checks that every Get reports a missing row as
// store.ErrNotFound, wrapped, and never as a zero value with a nil error.
func testNotFound(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	const id = 424242
	gets := map[string]func() error{
		"StaffGetByID":    func() error { _, err := s.StaffGetByID(ctx, id); return err },
		"StaffGetByPhone": func() error { _, err := s.StaffGetByPhone(ctx, "+15559999999"); return err },
		"StaffGetByEmail": func() error { _, err := s.StaffGetByEmail(ctx, "nobody@example.com"); return err },
		"CustomerGetByID": func() error { _, err := s.CustomerGetByID(ctx, id); return err },
		"CustomerGetByContact": func() error {
			_, err := s.CustomerGetByContact(ctx, store.ContactEmail, "nobody@example.com")
			return err
		},
		"MessageGetByID":              func() error { _, err := s.MessageGetByID(ctx, id); return err },
		"AssessmentGetByMessage":      func() error { _, err := s.AssessmentGetByMessage(ctx, id); return err },
		"MailboxCursorGet":            func() error { _, err := s.MailboxCursorGet(ctx, "nobody/INBOX"); return err },
		"CaseGetByID":                 func() error { _, err := s.CaseGetByID(ctx, id); return err },
		"CaseGetOpenByCustomer":       func() error { _, err := s.CaseGetOpenByCustomer(ctx, id); return err },
		"TaskGetByID":                 func() error { _, err := s.TaskGetByID(ctx, id); return err },
		"NotificationGetByID":         func() error { _, err := s.NotificationGetByID(ctx, id); return err },
		"NotificationGetByProviderID": func() error { _, err := s.NotificationGetByProviderID(ctx, "SMnone"); return err },
		"SessionGet":                  func() error { _, err := s.SessionGet(ctx, "nohash"); return err },
		"SettingGet":                  func() error { _, err := s.SettingGet(ctx, "nokey"); return err },
		"StaffSetPassword":            func() error { return s.StaffSetPassword(ctx, id, "x") },
		"StaffSetActive":              func() error { _, err := s.StaffSetActive(ctx, id, false); return err },
		"CustomerSetOwner": func() error {
			_, err := s.CustomerSetOwner(ctx, store.CustomerSetOwnerParams{CustomerID: id})
			return err
		},
	}
	for name, get := range gets {
		err := get()
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s(missing) error = %v, want ErrNotFound", name, err)
		} else if err == store.ErrNotFound { // deliberately ==: the error must be wrapped
			t.Errorf("%s(missing) error = bare ErrNotFound, want it wrapped with context", name)
		}
	}
	// Lists of nothing are empty, not errors.
	if l, err := s.CaseEventList(ctx, id); err != nil || len(l) != 0 {
		t.Errorf("CaseEventList(missing case) = %v, %v; want empty, nil", l, err)
	}
	if l, err := s.MessageListByCase(ctx, id); err != nil || len(l) != 0 {
		t.Errorf("MessageListByCase(missing case) = %v, %v; want empty, nil", l, err)
	}
}

// testTimesUTC stores times given in another zone and with nanoseconds, and
// checks they come back as the same instant in UTC, to the microsecond,
// while the zero time stays zero (NULL).
func testTimesUTC(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	tokyo := time.FixedZone("JST", 9*3600)
	due := time.Date(2030, 12, 31, 23, 59, 59, 999999999, tokyo)
	opened := time.Date(1999, 1, 2, 3, 4, 5, 6000, tokyo)
	c := mustCase(t, s, store.CaseInsertParams{DueAt: due, OpenedAt: opened})
	got, err := s.CaseGetByID(ctx, c.ID)
	if err != nil {
		t.Fatalf("CaseGetByID(%d) error = %v", c.ID, err)
	}
	for _, x := range []store.Case{c, got} {
		checkTime(t, "Case.DueAt", x.DueAt, due)
		checkTime(t, "Case.OpenedAt", x.OpenedAt, opened)
		checkTime(t, "Case.ResolvedAt", x.ResolvedAt, time.Time{})
	}
	// Comparisons use the instant, not the zone it was written in.
	list, err := s.CaseList(ctx, store.CaseListParams{OpenedAfter: opened.UTC(), OpenedBefore: opened.Add(time.Microsecond).In(time.Local)})
	if err != nil || len(list) != 1 || list[0].ID != c.ID {
		t.Errorf("CaseList(window around %v) = %+v, %v; want case %d", opened, list, err, c.ID)
	}
}
