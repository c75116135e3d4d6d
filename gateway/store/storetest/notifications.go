package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

func testNotification(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	agent := mustStaff(t, s, "a@example.com", "+15550000001")
	c := mustCase(t, s, store.CaseInsertParams{OwnerID: agent.ID, OpenedAt: at(0)})
	task, err := s.TaskInsert(ctx, store.TaskInsertParams{CaseID: c.ID, Kind: store.TaskCallback, AssigneeID: agent.ID})
	if err != nil {
		t.Fatalf("TaskInsert() error = %v", err)
	}
	p := store.NotificationInsertParams{Key: "case:1:callback", CaseID: c.ID, TaskID: task.ID, StaffID: agent.ID,
		To: agent.Phone, Body: "Call back Carol", CreatedAt: at(0)}
	n, inserted, err := s.NotificationInsert(ctx, p)
	if err != nil || !inserted {
		t.Fatalf("NotificationInsert(%+v) = inserted %v, %v; want inserted", p, inserted, err)
	}
	if n.ID == 0 || n.Key != p.Key || n.CaseID != c.ID || n.TaskID != task.ID || n.StaffID != agent.ID ||
		n.To != p.To || n.Body != p.Body || n.Status != store.NotificationQueued || n.ProviderID != "" ||
		n.Error != "" || n.Attempts != 0 || !n.SentAt.IsZero() {
		t.Errorf("NotificationInsert(%+v) = %+v, want the fields back, queued", p, n)
	}
	checkTime(t, "NotificationInsert().CreatedAt", n.CreatedAt, p.CreatedAt)

	again := p
	again.Body = "changed"
	n2, inserted, err := s.NotificationInsert(ctx, again)
	if err != nil || inserted || n2.ID != n.ID || n2.Body != p.Body {
		t.Errorf("NotificationInsert(same key) = %+v, inserted %v, %v; want row %d unchanged, inserted=false", n2, inserted, err, n.ID)
	}
	if _, _, err := s.NotificationInsert(ctx, store.NotificationInsertParams{To: "+1"}); err == nil {
		t.Errorf("NotificationInsert(no key) error = nil, want an error")
	}

	up := store.NotificationUpdateParams{ID: n.ID, Status: store.NotificationFailed, Error: "timeout", Attempts: 1}
	got, err := s.NotificationUpdate(ctx, up)
	if err != nil || got.Status != store.NotificationFailed || got.Error != "timeout" || got.Attempts != 1 || got.ProviderID != "" {
		t.Errorf("NotificationUpdate(%+v) = %+v, %v; want failed, error timeout, 1 attempt", up, got, err)
	}
	up = store.NotificationUpdateParams{ID: n.ID, Status: store.NotificationSent, ProviderID: "SM123", Attempts: 2, SentAt: at(time.Minute)}
	got, err = s.NotificationUpdate(ctx, up)
	if err != nil || got.Status != store.NotificationSent || got.ProviderID != "SM123" || got.Attempts != 2 || got.Error != "timeout" {
		t.Errorf("NotificationUpdate(%+v) = %+v, %v; want sent, SM123, 2 attempts, old error kept", up, got, err)
	}
	checkTime(t, "NotificationUpdate().SentAt", got.SentAt, up.SentAt)

	if byProvider, err := s.NotificationGetByProviderID(ctx, "SM123"); err != nil || byProvider.ID != n.ID {
		t.Errorf("NotificationGetByProviderID(SM123) = %+v, %v; want notification %d", byProvider, err, n.ID)
	}
	if byID, err := s.NotificationGetByID(ctx, n.ID); err != nil || byID.ProviderID != "SM123" || !byID.SentAt.Equal(got.SentAt) {
		t.Errorf("NotificationGetByID(%d) = %+v, %v; want %+v", n.ID, byID, err, got)
	}
	if _, err := s.NotificationGetByProviderID(ctx, ""); !errors.Is(err, store.ErrNotFound) {
		t.Errorf(`NotificationGetByProviderID("") error = %v, want ErrNotFound`, err)
	}

	n3, _, err := s.NotificationInsert(ctx, store.NotificationInsertParams{Key: "k2", CaseID: c.ID, To: "+1", Body: "b", CreatedAt: at(time.Hour)})
	if err != nil {
		t.Fatalf("NotificationInsert(k2) error = %v", err)
	}
	list, err := s.NotificationListByCase(ctx, c.ID)
	if err != nil || len(list) != 2 || list[0].ID != n.ID || list[1].ID != n3.ID {
		t.Errorf("NotificationListByCase(%d) = %+v, %v; want %d, %d", c.ID, list, err, n.ID, n3.ID)
	}
	if _, err := s.NotificationUpdate(ctx, store.NotificationUpdateParams{ID: n.ID + 1000, Status: "sent"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("NotificationUpdate(unknown id) error = %v, want ErrNotFound", err)
	}
}
