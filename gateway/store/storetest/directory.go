package storetest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

func testStaff(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	boss := mustStaff(t, s, "boss@example.com", "+15550000001")

	p := store.StaffUpsertParams{
		Name: "Ada Agent", Email: "  Ada@Example.COM ", Phone: "+15550000002", Role: "agent",
		ManagerID: boss.ID, TimeZone: "America/New_York", Hours: "Mon-Fri 09:00-17:00",
		Aliases: []string{"Ada", "A. Agent"}, PasswordHash: "$argon2id$x", Active: true,
	}
	ada, err := s.StaffUpsert(ctx, p)
	if err != nil {
		t.Fatalf("StaffUpsert(%+v) error = %v", p, err)
	}
	want := store.Staff{
		ID: ada.ID, Name: p.Name, Email: "ada@example.com", Phone: p.Phone, Role: p.Role,
		ManagerID: boss.ID, TimeZone: p.TimeZone, Hours: p.Hours, Aliases: p.Aliases,
		PasswordHash: p.PasswordHash, Active: true, CreatedAt: ada.CreatedAt,
	}
	if ada.ID == 0 || ada.CreatedAt.IsZero() || !equalStaff(ada, want) {
		t.Errorf("StaffUpsert(%+v) = %+v, want %+v with an id and a creation time", p, ada, want)
	}

	// Upsert again, keyed by email in any case: same row, new fields.
	p2 := store.StaffUpsertParams{Name: "Ada A.", Email: "ADA@example.com", Phone: "+15550000003", Role: "manager", Active: false}
	ada2, err := s.StaffUpsert(ctx, p2)
	if err != nil {
		t.Fatalf("StaffUpsert(%+v) error = %v", p2, err)
	}
	if ada2.ID != ada.ID || ada2.Name != "Ada A." || ada2.Role != "manager" || ada2.Active ||
		ada2.ManagerID != 0 || ada2.Aliases != nil || !ada2.CreatedAt.Equal(ada.CreatedAt) {
		t.Errorf("StaffUpsert(%+v) = %+v, want id %d updated, manager and aliases cleared, CreatedAt kept", p2, ada2, ada.ID)
	}
	// An upsert without a password hash keeps the stored login.
	if ada2.PasswordHash != p.PasswordHash {
		t.Errorf("StaffUpsert without a hash: PasswordHash = %q, want the stored %q kept", ada2.PasswordHash, p.PasswordHash)
	}

	for name, get := range map[string]func() (store.Staff, error){
		"StaffGetByID":    func() (store.Staff, error) { return s.StaffGetByID(ctx, ada.ID) },
		"StaffGetByPhone": func() (store.Staff, error) { return s.StaffGetByPhone(ctx, "+15550000003") },
		"StaffGetByEmail": func() (store.Staff, error) { return s.StaffGetByEmail(ctx, "Ada@EXAMPLE.com") },
	} {
		got, err := get()
		if err != nil || !equalStaff(got, ada2) {
			t.Errorf("%s(ada) = %+v, %v; want %+v", name, got, err, ada2)
		}
	}
	if _, err := s.StaffGetByPhone(ctx, "+15550000002"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("StaffGetByPhone(old phone) error = %v, want ErrNotFound", err)
	}

	list, err := s.StaffList(ctx)
	if err != nil {
		t.Fatalf("StaffList() error = %v", err)
	}
	var names []string
	for _, st := range list {
		names = append(names, st.Name)
	}
	if want := []string{"Ada A.", "boss@example.com"}; !slices.Equal(names, want) {
		t.Errorf("StaffList() names = %v, want %v (by name)", names, want)
	}

	if _, err := s.StaffUpsert(ctx, store.StaffUpsertParams{Name: "x"}); err == nil {
		t.Errorf("StaffUpsert(no email) error = nil, want an error")
	}
}

func testStaffConflicts(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	mustStaff(t, s, "one@example.com", "+15550000010")
	p := store.StaffUpsertParams{Name: "two", Email: "two@example.com", Phone: "+15550000010"}
	if _, err := s.StaffUpsert(ctx, p); !errors.Is(err, store.ErrConflict) {
		t.Errorf("StaffUpsert(phone of another) error = %v, want ErrConflict", err)
	}
	// Empty phones do not collide.
	mustStaff(t, s, "three@example.com", "")
	mustStaff(t, s, "four@example.com", "")
}

func equalStaff(a, b store.Staff) bool {
	return a.ID == b.ID && a.Name == b.Name && a.Email == b.Email && a.Phone == b.Phone &&
		a.Role == b.Role && a.ManagerID == b.ManagerID && a.TimeZone == b.TimeZone &&
		a.Hours == b.Hours && slices.Equal(a.Aliases, b.Aliases) &&
		a.PasswordHash == b.PasswordHash && a.Active == b.Active && a.CreatedAt.Equal(b.CreatedAt)
}

func testCustomer(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	owner := mustStaff(t, s, "owner@example.com", "")
	p := store.CustomerUpsertParams{
		ExternalRef: "CRM-1", Name: "Carol", Company: "Acme", Tier: "key",
		AccountValueCents: 12_345_600, OwnerID: owner.ID, OwnerSince: at(-72 * time.Hour),
		Emails: []string{"Carol@Acme.example", "carol@acme.example", "c@home.example"},
		Phones: []string{"+15551230000"},
	}
	c, err := s.CustomerUpsert(ctx, p)
	if err != nil {
		t.Fatalf("CustomerUpsert(%+v) error = %v", p, err)
	}
	if c.ID == 0 || c.ExternalRef != "CRM-1" || c.Name != "Carol" || c.Company != "Acme" || c.Tier != "key" ||
		c.AccountValueCents != 12_345_600 || c.OwnerID != owner.ID || c.CreatedAt.IsZero() ||
		!slices.Equal(c.Emails, []string{"carol@acme.example", "c@home.example"}) ||
		!slices.Equal(c.Phones, []string{"+15551230000"}) {
		t.Errorf("CustomerUpsert(%+v) = %+v, want the fields back, emails lower case and once each", p, c)
	}
	checkTime(t, "CustomerUpsert().OwnerSince", c.OwnerSince, p.OwnerSince)

	for _, tc := range []struct {
		kind  store.ContactKind
		value string
	}{
		{store.ContactEmail, "CAROL@ACME.EXAMPLE"},
		{store.ContactEmail, " c@Home.example"},
		{store.ContactPhone, "+15551230000"},
	} {
		got, err := s.CustomerGetByContact(ctx, tc.kind, tc.value)
		if err != nil || got.ID != c.ID || !slices.Equal(got.Emails, c.Emails) {
			t.Errorf("CustomerGetByContact(%s, %q) = %+v, %v; want customer %d", tc.kind, tc.value, got, err, c.ID)
		}
	}
	if _, err := s.CustomerGetByContact(ctx, store.ContactPhone, "carol@acme.example"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CustomerGetByContact(phone, an email) error = %v, want ErrNotFound", err)
	}

	// Upsert replaces the contact points and keeps the id.
	p.Name, p.Emails, p.Phones, p.OwnerID, p.OwnerSince = "Carol C.", []string{"carol@new.example"}, nil, 0, time.Time{}
	c2, err := s.CustomerUpsert(ctx, p)
	if err != nil {
		t.Fatalf("CustomerUpsert(again) error = %v", err)
	}
	if c2.ID != c.ID || c2.Name != "Carol C." || c2.OwnerID != 0 ||
		!slices.Equal(c2.Emails, []string{"carol@new.example"}) || c2.Phones != nil || !c2.CreatedAt.Equal(c.CreatedAt) {
		t.Errorf("CustomerUpsert(again) = %+v, want id %d, new name and contacts, no owner, CreatedAt kept", c2, c.ID)
	}
	if _, err := s.CustomerGetByContact(ctx, store.ContactEmail, "c@home.example"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CustomerGetByContact(removed email) error = %v, want ErrNotFound", err)
	}
	got, err := s.CustomerGetByID(ctx, c.ID)
	if err != nil || got.Name != "Carol C." || !slices.Equal(got.Emails, c2.Emails) {
		t.Errorf("CustomerGetByID(%d) = %+v, %v; want %+v", c.ID, got, err, c2)
	}

	mustCustomer(t, s, "CRM-0", "zed@example.com")
	list, err := s.CustomerList(ctx)
	if err != nil {
		t.Fatalf("CustomerList() error = %v", err)
	}
	if len(list) != 2 || list[0].Name != "CRM-0" || list[1].Name != "Carol C." ||
		!slices.Equal(list[0].Emails, []string{"zed@example.com"}) || !slices.Equal(list[1].Emails, c2.Emails) {
		t.Errorf("CustomerList() = %+v, want CRM-0 then Carol C., each with its emails", list)
	}

	if _, err := s.CustomerUpsert(ctx, store.CustomerUpsertParams{Name: "no ref"}); err == nil {
		t.Errorf("CustomerUpsert(no external ref) error = nil, want an error")
	}
}

func testCustomerContactConflict(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	mustCustomer(t, s, "A", "shared@example.com")
	p := store.CustomerUpsertParams{ExternalRef: "B", Name: "B", Emails: []string{"b@example.com", "Shared@example.com"}}
	if _, err := s.CustomerUpsert(ctx, p); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CustomerUpsert(%+v) error = %v, want ErrConflict", p, err)
	}
	// The failed upsert left nothing behind.
	if _, err := s.CustomerGetByContact(ctx, store.ContactEmail, "b@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CustomerGetByContact(b@example.com) after a failed upsert error = %v, want ErrNotFound", err)
	}
	list, err := s.CustomerList(ctx)
	if err != nil || len(list) != 1 {
		t.Errorf("CustomerList() after a failed upsert = %d customers, %v; want 1", len(list), err)
	}
}
