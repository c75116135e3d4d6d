package audit

import (
	"slices"
	"testing"
	"time"
)

// groupWant is what a test checks of one group.
type groupWant struct {
	key                             string
	cases                           int
	callMedian, callP90             time.Duration
	callMet, callMissed             int
	breaches, escalations, violates int
}

func checkGroups(t *testing.T, by Dimension, p Params, want []groupWant) {
	t.Helper()
	rep := Compute(fixtureRows(), p)
	keys := make([]string, len(rep.Groups))
	for i, g := range rep.Groups {
		keys[i] = g.Key
	}
	wantKeys := make([]string, len(want))
	for i, w := range want {
		wantKeys[i] = w.key
	}
	if !slices.Equal(keys, wantKeys) {
		t.Fatalf("by %s: keys %q, want %q", by, keys, wantKeys)
	}
	sum := 0
	for i, w := range want {
		g := rep.Groups[i]
		sum += g.Cases
		if g.Cases != w.cases || g.FirstCall.Median != w.callMedian || g.FirstCall.P90 != w.callP90 ||
			g.FirstCall.Met != w.callMet || g.FirstCall.Missed != w.callMissed ||
			g.Breaches != w.breaches || g.Escalations != w.escalations || g.Violations != w.violates {
			t.Errorf("by %s: group %q = cases %d call %v/%v met %d missed %d breaches %d esc %d viol %d, want %+v",
				by, g.Key, g.Cases, g.FirstCall.Median, g.FirstCall.P90, g.FirstCall.Met, g.FirstCall.Missed,
				g.Breaches, g.Escalations, g.Violations, w)
		}
	}
	if sum != rep.Total.Cases {
		t.Errorf("by %s: groups hold %d cases, total %d", by, sum, rep.Total.Cases)
	}
}

func TestComputeByOwner(t *testing.T) {
	t.Parallel()
	h := time.Hour
	checkGroups(t, ByOwner, fixtureParams(ByOwner), []groupWant{
		// Anna: C1 (10m, met), C2 (50m, met), C8 (pending, not due).
		// Median rank 1 of [10m 50m] → 10m, P90 rank 2 → 50m.
		{"Anna", 3, 10 * minute, 50 * minute, 2, 0, 0, 0, 0},
		// Ben: C3 (5h, late, recorded breach, 2 escalations, 1
		// violation), C4 (no call past due, 1 escalation).
		{"Ben", 2, 5 * h, 5 * h, 0, 2, 2, 3, 1},
		// Cleo: C5 (15m at DueAt, met), C11 (48h, no due time).
		{"Cleo", 2, 15 * minute, 48 * h, 1, 0, 0, 0, 0},
		// Owner 4 has no name: C7 (30m, met, two recorded breaches).
		{"staff #4", 1, 30 * minute, 30 * minute, 1, 0, 1, 0, 0},
		// Owner 0: C6 (no call past due, 2 violations).
		{"unassigned", 1, 0, 0, 0, 1, 1, 0, 2},
	})
}

func TestComputeByOwnerSharedName(t *testing.T) {
	t.Parallel()
	p := fixtureParams(ByOwner)
	p.People.Names = map[int64]string{1: "Anna", 2: "Anna", 3: "Cleo"}
	rep := Compute(fixtureRows(), p)
	var keys []string
	for _, g := range rep.Groups {
		keys = append(keys, g.Key)
	}
	want := []string{"Anna (#1)", "Anna (#2)", "Cleo", "staff #4", "unassigned"}
	if !slices.Equal(keys, want) {
		t.Errorf("keys %q, want %q: two people named Anna stay apart", keys, want)
	}
}

func TestComputeByTeam(t *testing.T) {
	t.Parallel()
	h := time.Hour
	checkGroups(t, ByTeam, fixtureParams(ByTeam), []groupWant{
		// Cleo leads her own team: C5, C11.
		{"Cleo", 2, 15 * minute, 48 * h, 1, 0, 0, 0, 0},
		// Maria's team is Anna and Ben: C1 10m, C2 50m, C3 5h reached
		// (median rank 2 → 50m, P90 rank 3 → 5h); met C1 C2, missed C3 C4.
		{"Maria", 5, 50 * minute, 5 * h, 2, 2, 2, 3, 1},
		// No team known: the owner's name stands in.
		{"staff #4", 1, 30 * minute, 30 * minute, 1, 0, 1, 0, 0},
		{"unassigned", 1, 0, 0, 0, 1, 1, 0, 2},
	})
}

func TestComputeByChannel(t *testing.T) {
	t.Parallel()
	h := time.Hour
	checkGroups(t, ByChannel, fixtureParams(ByChannel), []groupWant{
		// email: C1 10m, C3 5h, C11 48h reached (median 5h, P90 48h);
		// met C1; missed C3, C4, C6. Breaches C3, C4, C6.
		{"email", 6, 5 * h, 48 * h, 1, 3, 3, 3, 3},
		// No channel: C7.
		{"unknown", 1, 30 * minute, 30 * minute, 1, 0, 1, 0, 0},
		// voicemail: C5 15m, C2 50m, both met.
		{"voicemail", 2, 15 * minute, 50 * minute, 2, 0, 0, 0, 0},
	})
}

func TestComputeByPriority(t *testing.T) {
	t.Parallel()
	h := time.Hour
	checkGroups(t, ByPriority, fixtureParams(ByPriority), []groupWant{
		// Ordered by urgency, not by name. critical: C1 10m, C5 15m.
		{"critical", 2, 10 * minute, 15 * minute, 2, 0, 0, 0, 0},
		// high: C7 30m, C2 50m, C11 48h (median rank 2 → 50m); C11 not
		// judged. C7's recorded breaches count.
		{"high", 3, 50 * minute, 48 * h, 2, 0, 1, 0, 0},
		// normal: C3 5h late, C8 pending.
		{"normal", 2, 5 * h, 5 * h, 0, 1, 1, 2, 1},
		// low: C4 never called.
		{"low", 1, 0, 0, 0, 1, 1, 1, 0},
		// No priority: C6.
		{"unknown", 1, 0, 0, 0, 1, 1, 0, 2},
	})
}

func TestComputeByCategory(t *testing.T) {
	t.Parallel()
	h := time.Hour
	checkGroups(t, ByCategory, fixtureParams(ByCategory), []groupWant{
		// billing: C1 10m, C3 5h, C11 48h reached, C6 and C8 not; met C1,
		// missed C3, C6. Violations C3 1 + C6 2.
		{"billing", 5, 5 * h, 48 * h, 1, 2, 2, 2, 3},
		// shipping: C5 15m, C7 30m, C2 50m, all met.
		{"shipping", 3, 30 * minute, 50 * minute, 3, 0, 1, 0, 0},
		// No category: C4.
		{"unknown", 1, 0, 0, 0, 1, 1, 1, 0},
	})
}

func TestComputeUnknownDimension(t *testing.T) {
	t.Parallel()
	rep := Compute(fixtureRows(), fixtureParams("customer"))
	if rep.Groups != nil || rep.Total.Cases != 9 {
		t.Errorf("by an unknown dimension: %d groups, %d cases, want none and 9", len(rep.Groups), rep.Total.Cases)
	}
}

func TestComputeDeterministic(t *testing.T) {
	t.Parallel()
	rows := fixtureRows()
	want := Compute(rows, fixtureParams(ByCategory))
	slices.Reverse(rows)
	got := Compute(rows, fixtureParams(ByCategory))
	for i := range want.Groups {
		if got.Groups[i] != want.Groups[i] {
			t.Errorf("group %d differs with the rows reversed: %+v, want %+v", i, got.Groups[i], want.Groups[i])
		}
	}
	if got.Total != want.Total {
		t.Errorf("Total differs with the rows reversed: %+v, want %+v", got.Total, want.Total)
	}
}
