package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

func testCustomerSetOwner(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	ann := mustStaff(t, s, "ann@example.com", "")
	bob := mustStaff(t, s, "bob@example.com", "")
	acme := mustCustomer(t, s, "ACME", "ops@acme.example")
	zeta := mustCustomer(t, s, "ZETA", "ops@zeta.example")

	set := func(p store.CustomerSetOwnerParams) store.Customer {
		t.Helper()
		c, err := s.CustomerSetOwner(ctx, p)
		if err != nil {
			t.Fatalf("CustomerSetOwner(%+v) error = %v", p, err)
		}
		return c
	}
	c := set(store.CustomerSetOwnerParams{CustomerID: acme.ID, OwnerID: ann.ID, At: at(0), Actor: "staff:1", Reason: "new account"})
	if c.ID != acme.ID || c.OwnerID != ann.ID || len(c.Emails) != 1 {
		t.Errorf("CustomerSetOwner(acme → ann) = %+v, want acme owned by %d, contacts loaded", c, ann.ID)
	}
	checkTime(t, "CustomerSetOwner().OwnerSince", c.OwnerSince, at(0))

	// Unchanged owner: nothing is written, OwnerSince stays.
	c = set(store.CustomerSetOwnerParams{CustomerID: acme.ID, OwnerID: ann.ID, At: at(time.Hour), Actor: "system"})
	checkTime(t, "CustomerSetOwner(same owner).OwnerSince", c.OwnerSince, at(0))

	set(store.CustomerSetOwnerParams{CustomerID: acme.ID, OwnerID: bob.ID, At: at(2 * time.Hour), Actor: "staff:1", Reason: "Ann left"})
	set(store.CustomerSetOwnerParams{CustomerID: zeta.ID, OwnerID: ann.ID, At: at(3 * time.Hour), Actor: "import"})
	c = set(store.CustomerSetOwnerParams{CustomerID: zeta.ID, OwnerID: 0, At: at(4 * time.Hour), Actor: "staff:1", Reason: "unassigned"})
	if c.OwnerID != 0 || !c.OwnerSince.IsZero() {
		t.Errorf("CustomerSetOwner(zeta → nobody) = owner %d since %v, want no owner and no OwnerSince", c.OwnerID, c.OwnerSince)
	}

	changes, err := s.OwnerChangeList(ctx, acme.ID, 0)
	if err != nil || len(changes) != 2 {
		t.Fatalf("OwnerChangeList(acme, 0) = %+v, %v; want 2 changes (the no-op recorded none)", changes, err)
	}
	want := []store.OwnerChange{
		{ID: changes[0].ID, CustomerID: acme.ID, FromOwnerID: 0, ToOwnerID: ann.ID, Actor: "staff:1", Reason: "new account"},
		{ID: changes[1].ID, CustomerID: acme.ID, FromOwnerID: ann.ID, ToOwnerID: bob.ID, Actor: "staff:1", Reason: "Ann left"},
	}
	for i, w := range want {
		g := changes[i]
		g.At = time.Time{}
		if g != w || changes[i].ID == 0 {
			t.Errorf("OwnerChangeList(acme)[%d] = %+v, want %+v", i, changes[i], w)
		}
	}
	checkTime(t, "OwnerChangeList(acme)[0].At", changes[0].At, at(0))
	checkTime(t, "OwnerChangeList(acme)[1].At", changes[1].At, at(2*time.Hour))
	if last, err := s.OwnerChangeList(ctx, acme.ID, 1); err != nil || len(last) != 1 || last[0].ToOwnerID != bob.ID {
		t.Errorf("OwnerChangeList(acme, 1) = %+v, %v; want the latest change only (to %d)", last, err, bob.ID)
	}

	all, err := s.OwnerChangeList(ctx, 0, 0)
	var tos []int64
	for _, ch := range all {
		tos = append(tos, ch.ToOwnerID)
	}
	if wantTos := []int64{0, ann.ID, bob.ID, ann.ID}; err != nil || !equalIDs(tos, wantTos) {
		t.Errorf("OwnerChangeList(0, 0) to-owners = %v, %v; want %v (newest first)", tos, err, wantTos)
	}
	if len(all) > 0 && (all[0].CustomerID != zeta.ID || all[0].FromOwnerID != ann.ID) {
		t.Errorf("OwnerChangeList(0, 0)[0] = %+v, want zeta from %d to nobody", all[0], ann.ID)
	}
	if two, err := s.OwnerChangeList(ctx, 0, 2); err != nil || len(two) != 2 {
		t.Errorf("OwnerChangeList(0, 2) = %d changes, %v; want 2", len(two), err)
	}
	if none, err := s.OwnerChangeList(ctx, zeta.ID+1000, 0); err != nil || len(none) != 0 {
		t.Errorf("OwnerChangeList(unknown customer) = %+v, %v; want none", none, err)
	}

	listed := func(owner int64) []int64 {
		t.Helper()
		cs, err := s.CustomerListByOwner(ctx, owner)
		if err != nil {
			t.Fatalf("CustomerListByOwner(%d) error = %v", owner, err)
		}
		var ids []int64
		for _, c := range cs {
			if len(c.Emails) != 1 {
				t.Errorf("CustomerListByOwner(%d) customer %d emails = %v, want its one email", owner, c.ID, c.Emails)
			}
			ids = append(ids, c.ID)
		}
		return ids
	}
	if got := listed(bob.ID); !equalIDs(got, []int64{acme.ID}) {
		t.Errorf("CustomerListByOwner(bob) = %v, want [%d]", got, acme.ID)
	}
	if got := listed(ann.ID); len(got) != 0 {
		t.Errorf("CustomerListByOwner(ann) = %v, want none", got)
	}
	if got := listed(0); !equalIDs(got, []int64{zeta.ID}) {
		t.Errorf("CustomerListByOwner(0) = %v, want the unowned [%d]", got, zeta.ID)
	}

	if _, err := s.CustomerSetOwner(ctx, store.CustomerSetOwnerParams{CustomerID: zeta.ID + 1000, OwnerID: ann.ID}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CustomerSetOwner(unknown customer) error = %v, want ErrNotFound", err)
	}
	if _, err := s.CustomerSetOwner(ctx, store.CustomerSetOwnerParams{CustomerID: acme.ID, OwnerID: bob.ID + 1000}); err == nil {
		t.Errorf("CustomerSetOwner(unknown owner) error = nil, want a foreign key error")
	}
	if changes, err := s.OwnerChangeList(ctx, acme.ID, 0); err != nil || len(changes) != 2 {
		t.Errorf("OwnerChangeList(acme) after a failed move = %d changes, %v; want still 2", len(changes), err)
	}
}
