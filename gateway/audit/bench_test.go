package audit

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// generatedRows makes n plausible rows over 13 weeks from a fixed seed:
// 40 owners, four channels, priorities and categories, most cases called
// within hours, some never.
func generatedRows(n int) []store.CaseAudit {
	rng := rand.New(rand.NewPCG(42, 7))
	channels := []string{"email", "voicemail", "email", ""}
	priorities := []string{"critical", "high", "normal", "low"}
	categories := []string{"billing", "shipping", "wrong_item", "refund", "service_visit"}
	after := func(t time.Time, mean time.Duration) time.Time {
		if rng.IntN(10) == 0 {
			return time.Time{}
		}
		return t.Add(time.Duration(rng.ExpFloat64() * float64(mean)))
	}
	rows := make([]store.CaseAudit, n)
	for i := range rows {
		received := t0.Add(time.Duration(rng.Int64N(int64(13 * 7 * day))))
		due := []time.Duration{15 * minute, time.Hour, 4 * time.Hour, day}[rng.IntN(4)]
		call := after(received, due)
		rows[i] = store.CaseAudit{
			CaseID: int64(i + 1), CustomerID: rng.Int64N(5000), OwnerID: rng.Int64N(41),
			Channel: channels[rng.IntN(len(channels))], Priority: priorities[rng.IntN(len(priorities))],
			Category: categories[rng.IntN(len(categories))], Status: "open",
			ReceivedAt: received, OpenedAt: received.Add(time.Duration(rng.IntN(120)) * time.Second),
			DueAt: received.Add(due), FirstNotifiedAt: after(received, 2*minute), FirstCallAt: call,
			FirstConversationAt: after(call, time.Hour), ResolvedAt: after(call, 2*day),
			Escalations: rng.IntN(3), Breaches: rng.IntN(2), Violations: rng.IntN(2), Contacts: 1 + rng.IntN(3),
			FollowUpDueAt: after(received, 8*day), FollowUpDoneAt: after(received, 8*day),
		}
	}
	return rows
}

func BenchmarkCompute(b *testing.B) {
	rows := generatedRows(50_000)
	names := make(map[int64]string, 40)
	for i := int64(1); i <= 40; i++ {
		names[i] = fmt.Sprintf("Agent %02d", i)
	}
	for _, by := range []Dimension{ByNone, ByOwner, ByCategory} {
		p := Params{From: t0, To: t0.Add(13 * 7 * day), By: by, Now: t0.Add(14 * 7 * day),
			Targets: Targets{Notify: 5 * minute, Conversation: 4 * time.Hour, Resolution: 3 * day},
			People:  People{Names: names}}
		name := string(by)
		if by == ByNone {
			name = "none"
		}
		b.Run("by="+name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if r := Compute(rows, p); r.Total.Cases != len(rows) {
					b.Fatalf("Compute counted %d cases, want %d", r.Total.Cases, len(rows))
				}
			}
		})
	}
}
