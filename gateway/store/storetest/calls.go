package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

func testCall(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	agent := mustStaff(t, s, "a@example.com", "+15550000001")
	c := mustCase(t, s, store.CaseInsertParams{OwnerID: agent.ID, OpenedAt: at(0)})
	p := store.CallInsertParams{Key: "case:1:call:1", CaseID: c.ID, StaffID: agent.ID, AgentNumber: agent.Phone,
		CustomerNumber: "+15550000009", RequestedBy: "staff:1", CreatedAt: at(0)}
	call, inserted, err := s.CallInsert(ctx, p)
	if err != nil || !inserted {
		t.Fatalf("CallInsert(%+v) = inserted %v, %v; want inserted", p, inserted, err)
	}
	if call.ID == 0 || call.Key != p.Key || call.CaseID != c.ID || call.TaskID != 0 || call.StaffID != agent.ID ||
		call.AgentNumber != p.AgentNumber || call.CustomerNumber != p.CustomerNumber || call.Status != store.CallQueued ||
		call.RequestedBy != p.RequestedBy || call.ProviderID != "" || call.Attempts != 0 || !call.PlacedAt.IsZero() {
		t.Errorf("CallInsert(%+v) = %+v, want the fields back, queued", p, call)
	}
	checkTime(t, "CallInsert().CreatedAt", call.CreatedAt, p.CreatedAt)
	again, inserted, err := s.CallInsert(ctx, p)
	if err != nil || inserted || again.ID != call.ID {
		t.Errorf("CallInsert(same key) = %+v, inserted %v, %v; want row %d, inserted=false", again, inserted, err, call.ID)
	}
	if _, _, err := s.CallInsert(ctx, store.CallInsertParams{CaseID: c.ID}); err == nil {
		t.Errorf("CallInsert(no key) error = nil, want an error")
	}

	up := store.CallUpdateParams{ID: call.ID, Status: store.CallPlaced, ProviderID: "CA1", Attempts: 1, PlacedAt: at(time.Minute)}
	got, err := s.CallUpdate(ctx, up)
	if err != nil || got.Status != store.CallPlaced || got.ProviderID != "CA1" || got.Attempts != 1 {
		t.Errorf("CallUpdate(%+v) = %+v, %v; want placed CA1, 1 attempt", up, got, err)
	}
	checkTime(t, "CallUpdate().PlacedAt", got.PlacedAt, up.PlacedAt)
	up = store.CallUpdateParams{ID: call.ID, Status: store.CallEnded, Outcome: "connected", CustomerLegID: "CA2",
		AnsweredBy: "human", DurationSeconds: 95, EndedAt: at(3 * time.Minute)}
	got, err = s.CallUpdate(ctx, up)
	if err != nil || got.Status != store.CallEnded || got.Outcome != "connected" || got.CustomerLegID != "CA2" ||
		got.AnsweredBy != "human" || got.DurationSeconds != 95 || got.ProviderID != "CA1" || got.Attempts != 1 {
		t.Errorf("CallUpdate(%+v) = %+v, %v; want ended, connected, 95 s, the rest kept", up, got, err)
	}
	checkTime(t, "CallUpdate().EndedAt", got.EndedAt, up.EndedAt)
	if byID, err := s.CallGetByID(ctx, call.ID); err != nil || byID.Outcome != "connected" || !byID.EndedAt.Equal(got.EndedAt) {
		t.Errorf("CallGetByID(%d) = %+v, %v; want %+v", call.ID, byID, err, got)
	}
	second, _, err := s.CallInsert(ctx, store.CallInsertParams{Key: "case:1:call:2", CaseID: c.ID, AgentNumber: "+1", CustomerNumber: "+2", CreatedAt: at(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	list, err := s.CallListByCase(ctx, c.ID)
	if err != nil || len(list) != 2 || list[0].ID != call.ID || list[1].ID != second.ID {
		t.Errorf("CallListByCase(%d) = %+v, %v; want calls %d and %d, oldest first", c.ID, list, err, call.ID, second.ID)
	}
	if _, err := s.CallGetByID(ctx, second.ID+1000); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CallGetByID(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := s.CallUpdate(ctx, store.CallUpdateParams{ID: second.ID + 1000, Status: store.CallFailed}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CallUpdate(unknown) error = %v, want ErrNotFound", err)
	}
}

// A webhook is recorded once, with its answer; concurrent deliveries of
// the same one all see the first answer.
func testWebhookReceipt(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	r := store.WebhookReceipt{Kind: "sms", Key: "SM1", Response: "<Response/>", ReceivedAt: at(0)}
	got, inserted, err := s.WebhookReceiptInsert(ctx, r)
	if err != nil || !inserted || got.Kind != "sms" || got.Key != "SM1" || got.Response != r.Response {
		t.Fatalf("WebhookReceiptInsert(%+v) = %+v, inserted %v, %v; want it back, inserted", r, got, inserted, err)
	}
	checkTime(t, "WebhookReceiptInsert().ReceivedAt", got.ReceivedAt, r.ReceivedAt)
	r2 := r
	r2.Response = "other"
	got, inserted, err = s.WebhookReceiptInsert(ctx, r2)
	if err != nil || inserted || got.Response != r.Response {
		t.Errorf("WebhookReceiptInsert(again) = %+v, inserted %v, %v; want the first answer, inserted=false", got, inserted, err)
	}
	if _, inserted, err := s.WebhookReceiptInsert(ctx, store.WebhookReceipt{Kind: "call_status", Key: "SM1"}); err != nil || !inserted {
		t.Errorf("WebhookReceiptInsert(other kind, same key) = inserted %v, %v; want inserted", inserted, err)
	}
	if _, _, err := s.WebhookReceiptInsert(ctx, store.WebhookReceipt{Kind: "sms"}); err == nil {
		t.Errorf("WebhookReceiptInsert(no key) error = nil, want an error")
	}

	const n = 4
	var wg sync.WaitGroup
	firsts := make(chan bool, n)
	for i := range n {
		wg.Go(func() {
			err := s.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
				_, inserted, err := tx.WebhookReceiptInsert(ctx, store.WebhookReceipt{Kind: "sms", Key: "SM-race", Response: string(rune('a' + i))})
				firsts <- inserted
				return err
			})
			if err != nil {
				t.Errorf("concurrent WebhookReceiptInsert: %v", err)
			}
		})
	}
	wg.Wait()
	close(firsts)
	count := 0
	for f := range firsts {
		if f {
			count++
		}
	}
	if count != 1 {
		t.Errorf("%d concurrent deliveries of one webhook: %d recorded it first, want 1", n, count)
	}
}

func testStaffSMSOptOut(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	a := mustStaff(t, s, "a@example.com", "+15550000001")
	if a.SMSOptedOut {
		t.Fatalf("new staff SMSOptedOut = true, want false")
	}
	got, err := s.StaffSetSMSOptOut(ctx, a.ID, true)
	if err != nil || !got.SMSOptedOut {
		t.Fatalf("StaffSetSMSOptOut(true) = %+v, %v; want opted out", got, err)
	}
	// A directory sync (upsert) keeps the staff member's own choice.
	again := mustStaff(t, s, "a@example.com", "+15550000001")
	if !again.SMSOptedOut {
		t.Errorf("after StaffUpsert, SMSOptedOut = false, want the STOP kept")
	}
	if got, err := s.StaffSetSMSOptOut(ctx, a.ID, false); err != nil || got.SMSOptedOut {
		t.Errorf("StaffSetSMSOptOut(false) = %+v, %v; want opted in", got, err)
	}
	if _, err := s.StaffSetSMSOptOut(ctx, a.ID+1000, true); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("StaffSetSMSOptOut(unknown) error = %v, want ErrNotFound", err)
	}
}
