package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// testStaffEmailOnce: a case records a staff mail once (migration 0006):
// a second staff_email event with the same data.message_id on the same
// case is ErrConflict, even inside a transaction, which is then rolled
// back whole; the same message_id on another case, another message_id,
// and events of other kinds are not limited.
func testStaffEmailOnce(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	c := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(0)})
	other := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(0)})
	event := func(caseID int64, kind, data string) store.CaseEventInsertParams {
		return store.CaseEventInsertParams{CaseID: caseID, At: at(time.Minute), Actor: "staff:1", Kind: kind, Data: []byte(data)}
	}
	for _, p := range []store.CaseEventInsertParams{
		event(c.ID, "staff_email", `{"message_id":"a@example.com","kind":"answer"}`),
		event(c.ID, "staff_email", `{"message_id":"b@example.com","kind":"answer"}`),
		event(other.ID, "staff_email", `{"message_id":"a@example.com","kind":"answer"}`),
		event(c.ID, "policy_violation", `{"message_id":"a@example.com","policy":"P1"}`),
		event(c.ID, "policy_violation", `{"message_id":"a@example.com","policy":"P1"}`),
		event(c.ID, "note", `{"message_id":"a@example.com"}`),
	} {
		if _, err := s.CaseEventInsert(ctx, p); err != nil {
			t.Fatalf("CaseEventInsert(%s on case %d, %s) error = %v, want nil", p.Kind, p.CaseID, p.Data, err)
		}
	}
	again := event(c.ID, "staff_email", `{"message_id":"a@example.com","kind":"scheduling"}`)
	if _, err := s.CaseEventInsert(ctx, again); !errors.Is(err, store.ErrConflict) {
		t.Errorf("CaseEventInsert(second staff_email a@example.com on case %d) error = %v, want ErrConflict", c.ID, err)
	}

	// Inside a transaction: the conflict rolls back what came before it.
	errStop := errors.New("stop")
	err := s.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		if _, err := tx.CaseEventInsert(ctx, event(c.ID, "note", `{}`)); err != nil {
			return err
		}
		if _, err := tx.CaseEventInsert(ctx, again); !errors.Is(err, store.ErrConflict) {
			t.Errorf("tx.CaseEventInsert(second staff_email on case %d) error = %v, want ErrConflict", c.ID, err)
		}
		return errStop
	})
	if !errors.Is(err, errStop) {
		t.Errorf("InTx() = %v, want the function's error", err)
	}
	for kind, want := range map[string]int{"staff_email": 2, "policy_violation": 2, "note": 1} {
		if got, err := s.CaseEventListKind(ctx, c.ID, kind); err != nil || len(got) != want {
			t.Errorf("CaseEventListKind(%d, %s) = %d events, %v; want %d", c.ID, kind, len(got), err, want)
		}
	}
}
