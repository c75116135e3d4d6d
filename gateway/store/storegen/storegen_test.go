package storegen_test

import (
	"context"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storegen"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// TestFill generates a small year on each engine and reads it back the way
// the dashboard does: the audit rows carry the milestones the triggers set,
// and the queue holds exactly the active cases.
func TestFill(t *testing.T) {
	for name, open := range map[string]func(testing.TB) store.Store{"sqlite": storetest.OpenSQLite, "postgres": storetest.OpenPostgres} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := open(t)
			ctx := context.Background()
			start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			p := storegen.Params{Start: start, Days: 30, Cases: 600, MessagesPerCase: 3, Customers: 200, Agents: 12, Active: 25, Seed: 7}
			res, err := storegen.Fill(ctx, st, p)
			if err != nil {
				t.Fatalf("Fill() = %v", err)
			}
			rows, err := st.CaseAuditList(ctx, store.CaseAuditParams{From: start, To: res.End})
			if err != nil {
				t.Fatalf("CaseAuditList() = %v", err)
			}
			if len(rows) != p.Cases {
				t.Fatalf("CaseAuditList() = %d rows, want %d", len(rows), p.Cases)
			}
			var notified, resolved, followUps int
			for _, r := range rows {
				if r.Contacts != p.MessagesPerCase {
					t.Fatalf("case %d: contacts = %d, want %d (message_received events)", r.CaseID, r.Contacts, p.MessagesPerCase)
				}
				if !r.FirstNotifiedAt.IsZero() {
					notified++
				}
				if !r.ResolvedAt.IsZero() {
					resolved++
				}
				if !r.FollowUpDueAt.IsZero() {
					followUps++
				}
			}
			if notified != p.Cases || resolved != p.Cases-p.Active || followUps != resolved {
				t.Errorf("notified %d, resolved %d, follow-ups %d; want %d, %d, %d", notified, resolved, followUps, p.Cases, p.Cases-p.Active, p.Cases-p.Active)
			}
			queue, err := st.CaseQueue(ctx, store.CaseQueueParams{Limit: 1000})
			if err != nil {
				t.Fatalf("CaseQueue() = %v", err)
			}
			if len(queue) != p.Active {
				t.Errorf("CaseQueue() = %d cases, want the %d active", len(queue), p.Active)
			}
			// Ids continue after the generated ones.
			c, err := st.CaseInsert(ctx, store.CaseInsertParams{CustomerID: int64(p.Customers), OwnerID: res.AgentID, Status: store.CaseOpen,
				Priority: "high", OpenedAt: res.End, DueAt: res.End.Add(time.Hour)})
			if err != nil {
				t.Fatalf("CaseInsert after Fill = %v", err)
			}
			if c.ID != int64(p.Cases+1) {
				t.Errorf("next case id = %d, want %d", c.ID, p.Cases+1)
			}
		})
	}
}
