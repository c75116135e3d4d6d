package audit

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// checkStat compares a Stat with the hand-computed one; MetPct to 0.01.
func checkStat(t *testing.T, name string, got, want Stat) {
	t.Helper()
	if got.Count != want.Count || got.Pending != want.Pending ||
		got.Median != want.Median || got.P90 != want.P90 || got.Max != want.Max ||
		got.Met != want.Met || got.Missed != want.Missed || math.Abs(got.MetPct-want.MetPct) > 0.01 {
		t.Errorf("%s = %+v, want %+v", name, got, want)
	}
}

func TestComputeTotal(t *testing.T) {
	t.Parallel()
	rep := Compute(fixtureRows(), fixtureParams(ByNone))
	g := rep.Total

	// C9 and C10 were opened outside [From, To): 9 of the 11 rows count.
	if g.Key != "" || g.Cases != 9 {
		t.Fatalf("Total key %q cases %d, want \"\" and 9", g.Key, g.Cases)
	}
	if rep.Groups != nil {
		t.Errorf("Groups = %v, want nil for ByNone", rep.Groups)
	}

	// Notify (target 5m): reached by C1 2m, C2 6m, C3 1m, C4 3m, C5 1m,
	// C7 0 (skew clamped), C8 2m, C11 5m; C6 pending.
	// Sorted 0,1m,1m,2m,2m,3m,5m,6m: median rank ⌈4⌉=4 → 2m, P90 rank
	// ⌈7.2⌉=8 → 6m. Missed: C2 (6m) and C6 (pending, long past 5m); the
	// other 7 met (C11 at exactly 5m). 7/9 = 77.78%.
	checkStat(t, "Notify", g.Notify, Stat{Count: 8, Pending: 1, Median: 2 * minute, P90: 6 * minute,
		Max: 6 * minute, Met: 7, Missed: 2, MetPct: 700.0 / 9})

	// First call (target DueAt): reached by C1 10m, C5 15m, C7 30m, C2 50m,
	// C3 5h, C11 48h; pending C4, C6, C8. Median rank 3 → 30m, P90 rank
	// ⌈5.4⌉=6 → 48h. Met C1, C2, C5 (at DueAt exactly), C7; missed C3
	// (after DueAt), C4 and C6 (no call, Now past DueAt). C8 is pending
	// within its due time and C11 has none: neither. 4/7 = 57.14%.
	checkStat(t, "FirstCall", g.FirstCall, Stat{Count: 6, Pending: 3, Median: 30 * minute, P90: 48 * time.Hour,
		Max: 48 * time.Hour, Met: 4, Missed: 3, MetPct: 400.0 / 7})

	// Conversation (target 4h): reached by C1 10m, C5 20m, C2 3h, C3 5h,
	// C11 49h; pending C4, C6, C7, C8. Median rank ⌈2.5⌉=3 → 3h, P90 rank
	// ⌈4.5⌉=5 → 49h. Met C1, C2, C5; missed C3, C11 (late) and C4, C6, C7
	// (pending past 4h); C8 is pending at 1h: neither. 3/8 = 37.5%.
	checkStat(t, "Conversation", g.Conversation, Stat{Count: 5, Pending: 4, Median: 3 * time.Hour,
		P90: 49 * time.Hour, Max: 49 * time.Hour, Met: 3, Missed: 5, MetPct: 37.5})

	// Resolution (target 72h): reached by C5 1h, C1 2h, C2 24h, C11 50h,
	// C3 96h; pending C4, C6, C7, C8. Median 24h, P90 and max 96h. Met C1,
	// C2, C5, C11; missed C3 (96h) and C4, C6, C7 (pending past 72h); C8
	// neither. 4/8 = 50%.
	checkStat(t, "Resolution", g.Resolution, Stat{Count: 5, Pending: 4, Median: 24 * time.Hour,
		P90: 96 * time.Hour, Max: 96 * time.Hour, Met: 4, Missed: 4, MetPct: 50})

	// Ingest lag (no target): C3 0, C5 0 (receipt is OpenedAt), C1, C7, C8,
	// C11 1m, C4 2m, C2 5m, C6 1h. Median rank ⌈4.5⌉=5 → 1m, P90 rank
	// ⌈8.1⌉=9 → 1h.
	checkStat(t, "IngestLag", g.IngestLag, Stat{Count: 9, Median: minute, P90: time.Hour, Max: time.Hour, MetPct: -1})

	// Breaches: C3 (recorded, and late), C4 and C6 (no call past DueAt),
	// C7 (recorded, though called in time). C8 is not yet due.
	// Escalations C3 2 + C4 1; violations C3 1 + C6 2; repeat contacts C2 1
	// + C3 2 (C7's 0 contacts count as none).
	// Follow-ups C1, C2, C3, C5, C11; done C1, C2, C5, C11; on time C1 (an
	// hour early), C5 (exactly at due), C11 (no due time).
	want := Group{Cases: 9, Breaches: 4, Escalations: 3, Violations: 3, RepeatContacts: 3,
		FollowUps: 5, FollowUpsDone: 4, FollowUpsOnTime: 3}
	if g.Breaches != want.Breaches || g.Escalations != want.Escalations || g.Violations != want.Violations ||
		g.RepeatContacts != want.RepeatContacts || g.FollowUps != want.FollowUps ||
		g.FollowUpsDone != want.FollowUpsDone || g.FollowUpsOnTime != want.FollowUpsOnTime {
		t.Errorf("counts: breaches %d esc %d viol %d repeat %d follow-ups %d/%d/%d, want %d %d %d %d %d/%d/%d",
			g.Breaches, g.Escalations, g.Violations, g.RepeatContacts, g.FollowUps, g.FollowUpsDone, g.FollowUpsOnTime,
			want.Breaches, want.Escalations, want.Violations, want.RepeatContacts, want.FollowUps,
			want.FollowUpsDone, want.FollowUpsOnTime)
	}
}

func TestComputeHistogram(t *testing.T) {
	t.Parallel()
	rep := Compute(fixtureRows(), fixtureParams(ByNone))
	// First calls: C1 10m and C5 15m (≤15m, inclusive); C7 30m and C2 50m
	// (≤1h); none ≤4h; C3 5h (≤1d); C11 48h (≤3d); none beyond; C4, C6 and
	// C8 not called.
	want := []struct {
		label string
		upper time.Duration
		count int
	}{
		{"≤15m", 15 * minute, 2}, {"≤1h", time.Hour, 2}, {"≤4h", 4 * time.Hour, 0},
		{"≤1d", day, 1}, {"≤3d", 3 * day, 1}, {">3d", 0, 0}, {"no call yet", 0, 3},
	}
	if len(rep.CallHistogram) != len(want) {
		t.Fatalf("CallHistogram has %d buckets, want %d", len(rep.CallHistogram), len(want))
	}
	for i, w := range want {
		if b := rep.CallHistogram[i]; b.Label != w.label || b.Upper != w.upper || b.Count != w.count {
			t.Errorf("bucket %d = %+v, want %+v", i, b, w)
		}
	}
}

func TestComputeWeekly(t *testing.T) {
	t.Parallel()
	rep := Compute(fixtureRows(), fixtureParams(ByNone))
	// Week of 3 March: C1, C2, C3, C4; calls met C1, C2, missed C3, C4: 50%.
	// Week of 10 March: C5, C6, C7, C8, C11; met C5, C7, missed C6; C8 and
	// C11 not judged: 2/3.
	want := []Week{
		{Start: t0, Cases: 4, CallMet: 2, CallMissed: 2, CallMetPct: 50},
		{Start: t0.Add(7 * day), Cases: 5, CallMet: 2, CallMissed: 1, CallMetPct: 200.0 / 3},
	}
	if len(rep.Weekly) != len(want) {
		t.Fatalf("Weekly = %+v, want %d weeks", rep.Weekly, len(want))
	}
	for i, w := range want {
		g := rep.Weekly[i]
		if !g.Start.Equal(w.Start) || g.Cases != w.Cases || g.CallMet != w.CallMet ||
			g.CallMissed != w.CallMissed || math.Abs(g.CallMetPct-w.CallMetPct) > 0.01 {
			t.Errorf("week %d = %+v, want %+v", i, g, w)
		}
	}
}

func TestWeekStart(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want time.Time }{
		{time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC), t0},                                             // Monday midnight
		{time.Date(2025, 3, 9, 23, 59, 59, 0, time.UTC), t0},                                          // Sunday night
		{time.Date(2025, 3, 10, 0, 30, 0, 0, time.FixedZone("CET", 3600)), t0},                        // Sunday 23:30 UTC
		{time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC), time.Date(2024, 12, 30, 0, 0, 0, 0, time.UTC)}, // across a year
	} {
		if got := weekStart(tc.in); !got.Equal(tc.want) || got.Location() != time.UTC {
			t.Errorf("weekStart(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestComputeLongPeriodKeepsLastWeeks(t *testing.T) {
	t.Parallel()
	p := Params{From: time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC), To: fixtureTo}
	rep := Compute(fixtureRows(), p)
	if len(rep.Weekly) != MaxWeeks {
		t.Fatalf("len(Weekly) = %d, want MaxWeeks (%d)", len(rep.Weekly), MaxWeeks)
	}
	// To is exclusive: the last week is the one of 10 March.
	if last := rep.Weekly[MaxWeeks-1]; !last.Start.Equal(t0.Add(7*day)) || last.Cases != 5 {
		t.Errorf("last week = %+v, want the week of 10 March with 5 cases", last)
	}
	if first := rep.Weekly[0]; !first.Start.Equal(t0.Add(-7 * day * (MaxWeeks - 2))) {
		t.Errorf("first week starts %v, want %d weeks before the last", first.Start, MaxWeeks-1)
	}
}

func TestPercentile(t *testing.T) {
	t.Parallel()
	d := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n)
		}
		return out
	}
	for _, tc := range []struct {
		in     []time.Duration
		p      int
		want   time.Duration
		reason string
	}{
		{nil, 50, 0, "no values"},
		{d(7), 50, 7, "one value is every percentile"},
		{d(7), 90, 7, "one value is every percentile"},
		{d(1, 2), 50, 1, "rank ⌈1⌉ = 1"},
		{d(1, 2), 90, 2, "rank ⌈1.8⌉ = 2"},
		{d(1, 2, 3), 50, 2, "rank ⌈1.5⌉ = 2"},
		{d(1, 2, 3, 4), 50, 2, "rank ⌈2⌉ = 2: the lower middle, not 2.5"},
		{d(1, 2, 3, 4, 5), 90, 5, "rank ⌈4.5⌉ = 5"},
		{d(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), 90, 9, "rank ⌈9⌉ = 9"},
		{d(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), 90, 10, "rank ⌈9.9⌉ = 10"},
		{d(1, 2, 3), 100, 3, "the maximum"},
	} {
		if got := percentile(tc.in, tc.p); got != tc.want {
			t.Errorf("percentile(%v, %d) = %v, want %v (%s)", tc.in, tc.p, got, tc.want, tc.reason)
		}
	}
}

func TestComputeEmpty(t *testing.T) {
	t.Parallel()
	for _, p := range []Params{{}, fixtureParams(ByOwner)} {
		rep := Compute(nil, p)
		g := rep.Total
		if g.Cases != 0 || len(rep.Groups) != 0 {
			t.Errorf("Compute(nil, %v): cases %d groups %d, want 0 and 0", p.By, g.Cases, len(rep.Groups))
		}
		for name, s := range map[string]Stat{"Notify": g.Notify, "FirstCall": g.FirstCall,
			"Conversation": g.Conversation, "Resolution": g.Resolution, "IngestLag": g.IngestLag} {
			checkStat(t, name, s, Stat{MetPct: -1})
		}
		total := 0
		for _, b := range rep.CallHistogram {
			total += b.Count
		}
		if len(rep.CallHistogram) != 7 || total != 0 {
			t.Errorf("CallHistogram = %+v, want 7 empty buckets", rep.CallHistogram)
		}
	}
	// A bounded period still lists its weeks, with nothing to judge.
	rep := Compute(nil, fixtureParams(ByNone))
	if len(rep.Weekly) != 2 || rep.Weekly[0].CallMetPct != -1 || rep.Weekly[1].Cases != 0 {
		t.Errorf("Weekly = %+v, want two empty weeks at -1", rep.Weekly)
	}
	if rep := Compute(nil, Params{}); rep.Weekly != nil {
		t.Errorf("Weekly = %+v, want none for an unbounded period without cases", rep.Weekly)
	}
}

func TestComputeZeroTargetsAndNow(t *testing.T) {
	t.Parallel()
	p := fixtureParams(ByNone)
	p.Targets = Targets{}
	p.Now = time.Time{}
	g := Compute(fixtureRows(), p).Total
	// Without targets nothing is judged but the first call (DueAt); without
	// Now no pending case is missed: met C1, C2, C5, C7, missed only C3.
	for name, s := range map[string]Stat{"Notify": g.Notify, "Conversation": g.Conversation, "Resolution": g.Resolution} {
		if s.Met != 0 || s.Missed != 0 || s.MetPct != -1 {
			t.Errorf("%s = %+v, want nothing judged", name, s)
		}
	}
	if s := g.FirstCall; s.Met != 4 || s.Missed != 1 {
		t.Errorf("FirstCall met %d missed %d, want 4 and 1", s.Met, s.Missed)
	}
	// Breaches: C3 (recorded and late) and C7 (recorded).
	if g.Breaches != 2 {
		t.Errorf("Breaches = %d, want 2", g.Breaches)
	}
}

func TestParseDimension(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]Dimension{
		"": ByNone, "none": ByNone, " Total ": ByNone, "owner": ByOwner, "TEAM": ByTeam,
		"channel": ByChannel, "priority": ByPriority, " category\n": ByCategory,
	} {
		if got, err := ParseDimension(in); got != want || err != nil {
			t.Errorf("ParseDimension(%q) = %q, %v, want %q, nil", in, got, err, want)
		}
	}
	for _, in := range []string{"customer", "owners", "own er", "<script>"} {
		if _, err := ParseDimension(in); !errors.Is(err, ErrUnknownDimension) {
			t.Errorf("ParseDimension(%q) error = %v, want ErrUnknownDimension", in, err)
		}
	}
	for _, d := range Dimensions() {
		if got, err := ParseDimension(string(d)); got != d || err != nil {
			t.Errorf("ParseDimension(%q) = %q, %v, want it back", d, got, err)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	t.Parallel()
	for d, want := range map[time.Duration]string{
		-time.Hour:                      "0s",
		0:                               "0s",
		45 * time.Second:                "45s",
		time.Minute:                     "1m",
		14*time.Minute + 59*time.Second: "14m",
		3 * time.Hour:                   "3h",
		3*time.Hour + 5*time.Minute:     "3h05m",
		2 * day:                         "2d",
		2*day + 4*time.Hour + 59*minute: "2d4h",
		math.MaxInt64:                   "106751d23h",
	} {
		if got := FormatDuration(d); got != want {
			t.Errorf("FormatDuration(%v) = %q, want %q", d, got, want)
		}
	}
}

func TestComputeResolvedWithoutCall(t *testing.T) {
	t.Parallel()
	r := t0.Add(9 * time.Hour)
	row := fixtureRows()[0]
	row.FirstCallAt, row.FirstConversationAt = time.Time{}, time.Time{}
	row.ReceivedAt, row.OpenedAt, row.DueAt, row.ResolvedAt = r, r, r.Add(15*minute), r.Add(time.Hour)
	g := Compute([]store.CaseAudit{row}, fixtureParams(ByNone)).Total
	// Resolved in an hour (met), but never called: the first call stays
	// pending and, past its due time, missed and a breach.
	if s := g.FirstCall; s.Count != 0 || s.Pending != 1 || s.Missed != 1 || g.Breaches != 1 {
		t.Errorf("FirstCall = %+v, breaches %d, want pending, missed and 1 breach", s, g.Breaches)
	}
	if s := g.Resolution; s.Count != 1 || s.Met != 1 {
		t.Errorf("Resolution = %+v, want 1 met", s)
	}
}
