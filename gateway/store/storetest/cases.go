package storetest

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

func testCase(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	owner := mustStaff(t, s, "owner@example.com", "")
	cust := mustCustomer(t, s, "C1", "c1@example.com")
	p := store.CaseInsertParams{
		CustomerID: cust.ID, OwnerID: owner.ID, Priority: "high", Category: "billing",
		Subject: "Charged twice", Summary: "Customer was charged twice", RelationshipRisk: true,
		ComplainedAbout: []int64{owner.ID}, DueAt: at(4 * time.Hour), OpenedAt: at(0),
	}
	c := mustCase(t, s, p)
	if c.ID == 0 || c.CustomerID != cust.ID || c.OwnerID != owner.ID || c.Status != store.CaseOpen ||
		c.Priority != "high" || c.Category != "billing" || c.Subject != p.Subject || c.Summary != p.Summary ||
		!c.RelationshipRisk || !slices.Equal(c.ComplainedAbout, p.ComplainedAbout) || !c.ResolvedAt.IsZero() {
		t.Errorf("CaseInsert(%+v) = %+v, want the fields back with status open", p, c)
	}
	checkTime(t, "CaseInsert().DueAt", c.DueAt, p.DueAt)
	checkTime(t, "CaseInsert().OpenedAt", c.OpenedAt, p.OpenedAt)
	checkTime(t, "CaseInsert().UpdatedAt", c.UpdatedAt, p.OpenedAt)
	got, err := s.CaseGetByID(ctx, c.ID)
	if err != nil || !reflect.DeepEqual(got, c) {
		t.Errorf("CaseGetByID(%d) = %+v, %v; want %+v", c.ID, got, err, c)
	}

	// A customer has at most one open (or in-progress) case: a second one
	// is a conflict, whatever its status; closed ones are not counted.
	if _, err := s.CaseGetOpenByCustomer(ctx, cust.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CaseGetOpenByCustomer(unknown) error = %v, want ErrNotFound", err)
	}
	for _, status := range []string{store.CaseOpen, store.CaseAcknowledged, store.CaseCallAttempted, store.CaseInConversation, store.CaseReopened} {
		if _, err := s.CaseInsert(ctx, store.CaseInsertParams{CustomerID: cust.ID, Status: status}); !errors.Is(err, store.ErrConflict) {
			t.Errorf("CaseInsert(second %s case of customer %d) error = %v, want ErrConflict", status, cust.ID, err)
		}
	}
	if _, err := s.CaseUpdate(ctx, store.CaseUpdateParams{ID: c.ID, Status: store.CaseResolved, ResolvedAt: at(time.Hour), UpdatedAt: at(time.Hour)}); err != nil {
		t.Fatalf("CaseUpdate(resolve %d) = %v", c.ID, err)
	}
	mustCase(t, s, store.CaseInsertParams{CustomerID: cust.ID, Status: store.CaseResolved, OpenedAt: at(2 * time.Hour)})
	newer := mustCase(t, s, store.CaseInsertParams{CustomerID: cust.ID, Status: store.CaseAcknowledged, OpenedAt: at(time.Hour)})
	open1, err := s.CaseGetOpenByCustomer(ctx, cust.ID)
	if err != nil || open1.ID != newer.ID {
		t.Errorf("CaseGetOpenByCustomer(%d) = case %d, %v; want %d (the one not resolved)", cust.ID, open1.ID, err, newer.ID)
	}

	// The last resolved case: the one resolved most recently.
	last, err := s.CaseGetLastResolvedByCustomer(ctx, cust.ID)
	if err != nil || last.ID != c.ID {
		t.Errorf("CaseGetLastResolvedByCustomer(%d) = case %d, %v; want %d", cust.ID, last.ID, err, c.ID)
	}
	if _, err := s.CaseGetLastResolvedByCustomer(ctx, cust.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CaseGetLastResolvedByCustomer(unknown) error = %v, want ErrNotFound", err)
	}

	// An unknown sender's case has no customer.
	anon := mustCase(t, s, store.CaseInsertParams{Priority: "low"})
	if anon.CustomerID != 0 || anon.OwnerID != 0 || anon.OpenedAt.IsZero() || !anon.DueAt.IsZero() {
		t.Errorf("CaseInsert(minimal) = %+v, want no customer, no owner, OpenedAt set, no DueAt", anon)
	}
	if _, err := s.CaseInsert(ctx, store.CaseInsertParams{Status: "bogus"}); err == nil {
		t.Errorf("CaseInsert(status bogus) error = nil, want an error")
	}
}

func testCaseList(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	a := mustStaff(t, s, "a@example.com", "")
	b := mustStaff(t, s, "b@example.com", "")
	mk := func(owner int64, status string, d time.Duration) int64 {
		return mustCase(t, s, store.CaseInsertParams{OwnerID: owner, Status: status, OpenedAt: at(d)}).ID
	}
	c1 := mk(a.ID, store.CaseOpen, 0)
	c2 := mk(a.ID, store.CaseResolved, time.Hour)
	c3 := mk(b.ID, store.CaseOpen, 2*time.Hour)
	c4 := mk(a.ID, store.CaseAcknowledged, 3*time.Hour)

	tests := []struct {
		p    store.CaseListParams
		want []int64
	}{
		{store.CaseListParams{}, []int64{c4, c3, c2, c1}},
		{store.CaseListParams{OwnerID: a.ID}, []int64{c4, c2, c1}},
		{store.CaseListParams{Status: []string{store.CaseOpen, store.CaseAcknowledged}}, []int64{c4, c3, c1}},
		{store.CaseListParams{OwnerID: a.ID, Status: []string{store.CaseOpen}}, []int64{c1}},
		{store.CaseListParams{OpenedAfter: at(time.Hour)}, []int64{c4, c3, c2}},
		{store.CaseListParams{OpenedBefore: at(time.Hour)}, []int64{c1}},
		{store.CaseListParams{OpenedAfter: at(30 * time.Minute), OpenedBefore: at(150 * time.Minute)}, []int64{c3, c2}},
		{store.CaseListParams{Limit: 2}, []int64{c4, c3}},
		{store.CaseListParams{OwnerID: b.ID + 1000}, nil},
	}
	for _, tt := range tests {
		got, err := s.CaseList(ctx, tt.p)
		var ids []int64
		for _, c := range got {
			ids = append(ids, c.ID)
		}
		if err != nil || !equalIDs(ids, tt.want) {
			t.Errorf("CaseList(%+v) = %v, %v; want %v", tt.p, ids, err, tt.want)
		}
	}
}

func testCaseUpdate(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	a := mustStaff(t, s, "a@example.com", "")
	b := mustStaff(t, s, "b@example.com", "")
	c := mustCase(t, s, store.CaseInsertParams{OwnerID: a.ID, Priority: "normal", Summary: "s", RelationshipRisk: true, DueAt: at(time.Hour), OpenedAt: at(0)})

	p := store.CaseUpdateParams{ID: c.ID, OwnerID: b.ID, Status: store.CaseAcknowledged, UpdatedAt: at(time.Minute)}
	got, err := s.CaseUpdate(ctx, p)
	if err != nil || got.OwnerID != b.ID || got.Status != store.CaseAcknowledged || got.Priority != "normal" ||
		got.Summary != "s" || !got.RelationshipRisk || !got.DueAt.Equal(c.DueAt) {
		t.Errorf("CaseUpdate(%+v) = %+v, %v; want owner and status changed, the rest kept", p, got, err)
	}
	checkTime(t, "CaseUpdate().UpdatedAt", got.UpdatedAt, p.UpdatedAt)

	no := false
	p = store.CaseUpdateParams{ID: c.ID, Priority: "critical", Summary: "t", RelationshipRisk: &no,
		DueAt: at(2 * time.Hour), Status: store.CaseResolved, ResolvedAt: at(90 * time.Minute), UpdatedAt: at(90 * time.Minute)}
	got, err = s.CaseUpdate(ctx, p)
	if err != nil || got.OwnerID != b.ID || got.Priority != "critical" || got.Summary != "t" || got.RelationshipRisk {
		t.Errorf("CaseUpdate(%+v) = %+v, %v; want priority, summary changed, risk cleared, owner kept", p, got, err)
	}
	checkTime(t, "CaseUpdate().DueAt", got.DueAt, p.DueAt)
	checkTime(t, "CaseUpdate().ResolvedAt", got.ResolvedAt, p.ResolvedAt)
	if again, err := s.CaseGetByID(ctx, c.ID); err != nil || !reflect.DeepEqual(again, got) {
		t.Errorf("CaseGetByID(%d) = %+v, %v; want %+v", c.ID, again, err, got)
	}

	// Whom the complaint is about: replaced when given, kept when nil; a
	// reopened case loses its resolution time.
	p = store.CaseUpdateParams{ID: c.ID, ComplainedAbout: []int64{a.ID, b.ID}, Status: store.CaseReopened,
		ClearResolvedAt: true, UpdatedAt: at(2 * time.Hour)}
	got, err = s.CaseUpdate(ctx, p)
	if err != nil || !slices.Equal(got.ComplainedAbout, []int64{a.ID, b.ID}) || got.Status != store.CaseReopened || !got.ResolvedAt.IsZero() {
		t.Errorf("CaseUpdate(%+v) = %+v, %v; want complained about [%d %d], reopened, no resolution time", p, got, err, a.ID, b.ID)
	}
	got, err = s.CaseUpdate(ctx, store.CaseUpdateParams{ID: c.ID, Priority: "high", UpdatedAt: at(3 * time.Hour)})
	if err != nil || !slices.Equal(got.ComplainedAbout, []int64{a.ID, b.ID}) {
		t.Errorf("CaseUpdate(priority only) = %+v, %v; want complained about kept", got, err)
	}

	if _, err := s.CaseUpdate(ctx, store.CaseUpdateParams{ID: c.ID, Status: store.CaseClosed}); err == nil {
		t.Errorf("CaseUpdate(no UpdatedAt) error = nil, want an error")
	}
	if _, err := s.CaseUpdate(ctx, store.CaseUpdateParams{ID: c.ID + 1000, UpdatedAt: at(0)}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CaseUpdate(unknown id) error = %v, want ErrNotFound", err)
	}
}

func testCaseEvent(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	c := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(0)})
	other := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(0)})
	ps := []store.CaseEventInsertParams{
		{CaseID: c.ID, At: at(time.Minute), Actor: "system", Kind: "case_opened", Data: []byte(`{"priority":"high"}`)},
		{CaseID: c.ID, At: at(0), Actor: "customer", Kind: "message_received", Data: []byte(`{"message_id": 1}`)},
		{CaseID: c.ID, At: at(time.Minute), Actor: "staff:12", Kind: "note"},
		{CaseID: other.ID, At: at(0), Actor: "system", Kind: "case_opened"},
	}
	var ids []int64
	for _, p := range ps {
		e, err := s.CaseEventInsert(ctx, p)
		if err != nil {
			t.Fatalf("CaseEventInsert(%+v) error = %v", p, err)
		}
		if e.ID == 0 || e.CaseID != p.CaseID || e.Actor != p.Actor || e.Kind != p.Kind || !bytes.Equal(e.Data, p.Data) {
			t.Errorf("CaseEventInsert(%+v) = %+v, want the fields back", p, e)
		}
		checkTime(t, "CaseEventInsert().At", e.At, p.At)
		ids = append(ids, e.ID)
	}
	list, err := s.CaseEventList(ctx, c.ID)
	var got []int64
	for _, e := range list {
		got = append(got, e.ID)
	}
	if want := []int64{ids[1], ids[0], ids[2]}; err != nil || !equalIDs(got, want) {
		t.Errorf("CaseEventList(%d) = %v, %v; want %v (by time, then insertion)", c.ID, got, err, want)
	}
	if len(list) == 3 && (!bytes.Equal(list[1].Data, ps[0].Data) || list[2].Data != nil) {
		t.Errorf("CaseEventList(%d) data = %s, %s; want %s and nil", c.ID, list[1].Data, list[2].Data, ps[0].Data)
	}
	kind, err := s.CaseEventListKind(ctx, c.ID, "case_opened")
	if err != nil || len(kind) != 1 || kind[0].ID != ids[0] {
		t.Errorf("CaseEventListKind(%d, case_opened) = %+v, %v; want event %d only", c.ID, kind, err, ids[0])
	}
	if none, err := s.CaseEventListKind(ctx, c.ID, "resolved"); err != nil || len(none) != 0 {
		t.Errorf("CaseEventListKind(%d, resolved) = %+v, %v; want none", c.ID, none, err)
	}
	if _, err := s.CaseEventInsert(ctx, store.CaseEventInsertParams{CaseID: c.ID + 1000, Actor: "system", Kind: "x"}); err == nil {
		t.Errorf("CaseEventInsert(unknown case) error = nil, want a foreign key error")
	}
}

// testCaseEventListByCustomer: a customer's events of some kinds, across
// their cases, from a time on; other customers' events and other kinds are
// left out.
func testCaseEventListByCustomer(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	jane := mustCustomer(t, s, "jane", "jane@example.com")
	bob := mustCustomer(t, s, "bob", "bob@example.com")
	first := mustCase(t, s, store.CaseInsertParams{CustomerID: jane.ID, OpenedAt: at(0)})
	if _, err := s.CaseUpdate(ctx, store.CaseUpdateParams{ID: first.ID, Status: store.CaseResolved, ResolvedAt: at(time.Hour), UpdatedAt: at(time.Hour)}); err != nil {
		t.Fatalf("CaseUpdate(resolve %d) error = %v", first.ID, err)
	}
	second := mustCase(t, s, store.CaseInsertParams{CustomerID: jane.ID, OpenedAt: at(2 * time.Hour)})
	other := mustCase(t, s, store.CaseInsertParams{CustomerID: bob.ID, OpenedAt: at(0)})
	var ids []int64
	for _, p := range []store.CaseEventInsertParams{
		{CaseID: first.ID, At: at(-time.Hour), Kind: "email_sent"}, // before Since
		{CaseID: first.ID, At: at(time.Minute), Kind: "email_sent"},
		{CaseID: first.ID, At: at(time.Minute), Kind: "note"},
		{CaseID: second.ID, At: at(2 * time.Hour), Kind: "email_queued"},
		{CaseID: second.ID, At: at(0), Kind: "email_queued"},
		{CaseID: other.ID, At: at(time.Minute), Kind: "email_sent"},
	} {
		p.Actor = "system"
		e, err := s.CaseEventInsert(ctx, p)
		if err != nil {
			t.Fatalf("CaseEventInsert(%+v) error = %v", p, err)
		}
		ids = append(ids, e.ID)
	}
	p := store.CaseEventListByCustomerParams{CustomerID: jane.ID, Kinds: []string{"email_sent", "email_queued"}, Since: at(0)}
	list, err := s.CaseEventListByCustomer(ctx, p)
	var got []int64
	for _, e := range list {
		got = append(got, e.ID)
	}
	if want := []int64{ids[4], ids[1], ids[3]}; err != nil || !equalIDs(got, want) {
		t.Errorf("CaseEventListByCustomer(%+v) = %v, %v; want %v (at or after Since, by time)", p, got, err, want)
	}
	if len(list) == 3 && (list[0].CaseID != second.ID || list[1].CaseID != first.ID || list[1].Kind != "email_sent") {
		t.Errorf("CaseEventListByCustomer(%+v) = %+v; want each event's case and kind back", p, list)
	}
	p.Kinds = []string{"email_sent"}
	if list, err := s.CaseEventListByCustomer(ctx, p); err != nil || len(list) != 1 || list[0].ID != ids[1] {
		t.Errorf("CaseEventListByCustomer(%+v) = %+v, %v; want event %d only", p, list, err, ids[1])
	}
	for _, p := range []store.CaseEventListByCustomerParams{
		{CustomerID: jane.ID, Since: at(0)},
		{CustomerID: jane.ID + bob.ID + 1000, Kinds: []string{"email_sent"}},
	} {
		if none, err := s.CaseEventListByCustomer(ctx, p); err != nil || len(none) != 0 {
			t.Errorf("CaseEventListByCustomer(%+v) = %+v, %v; want none", p, none, err)
		}
	}
}

// testCaseEventAppendOnly checks POLICY P9 at the database: UPDATE and
// DELETE on case_events are refused even in raw SQL.
func testCaseEventAppendOnly(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	ex, ok := s.(SQLExecer)
	if !ok {
		t.Skipf("%T has no ExecSQL: append-only triggers not checked here", s)
	}
	c := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(0)})
	e, err := s.CaseEventInsert(ctx, store.CaseEventInsertParams{CaseID: c.ID, At: at(0), Actor: "system", Kind: "case_opened"})
	if err != nil {
		t.Fatalf("CaseEventInsert() error = %v", err)
	}
	for _, q := range []string{
		`UPDATE case_events SET kind = 'edited' WHERE id = $1`,
		`DELETE FROM case_events WHERE id = $1`,
		`DELETE FROM case_events WHERE id >= $1`,
	} {
		err := ex.ExecSQL(ctx, q, e.ID)
		if err == nil || !containsFold(err.Error(), "append-only") {
			t.Errorf("ExecSQL(%q, %d) error = %v, want a refusal naming append-only", q, e.ID, err)
		}
	}
	list, err := s.CaseEventList(ctx, c.ID)
	if err != nil || len(list) != 1 || list[0].Kind != "case_opened" {
		t.Errorf("CaseEventList(%d) after refused changes = %+v, %v; want the event unchanged", c.ID, list, err)
	}
}

func equalIDs(a, b []int64) bool { return slices.Equal(a, b) }

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}
