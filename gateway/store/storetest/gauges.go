package storetest

import (
	"maps"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/gateway/store"
)

// testGauges checks the counts /metrics reads: active cases by priority
// (resolved and closed ones left out) and jobs by queue, kind and state.
func testGauges(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	got, err := s.CaseCountActive(ctx)
	if err != nil || len(got) != 0 {
		t.Fatalf("CaseCountActive() on an empty store = %v, %v; want none", got, err)
	}
	owner := mustStaff(t, s, "owner@example.com", "+15550000001")
	for i, c := range []struct{ priority, status string }{
		{"critical", store.CaseOpen}, {"high", store.CaseAcknowledged}, {"high", store.CaseReopened},
		{"high", store.CaseResolved}, {"low", store.CaseClosed}, {"normal", store.CaseCallAttempted},
	} {
		cu := mustCustomer(t, s, "C-"+string(rune('a'+i)), string(rune('a'+i))+"@example.com")
		mustCase(t, s, store.CaseInsertParams{CustomerID: cu.ID, OwnerID: owner.ID, Status: c.status, Priority: c.priority, OpenedAt: at(time.Duration(i) * time.Minute)})
	}
	got, err = s.CaseCountActive(ctx)
	want := map[string]int{"critical": 1, "high": 2, "normal": 1}
	if err != nil || !maps.Equal(got, want) {
		t.Errorf("CaseCountActive() = %v, %v; want %v", got, err, want)
	}

	for n := range 3 {
		if err := s.JobInsert(ctx, river.InsertManyParams{Args: pingArgs{N: n}}); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.JobInsert(ctx, river.InsertManyParams{Args: pingArgs{N: 9}, InsertOpts: &river.InsertOpts{ScheduledAt: time.Now().Add(time.Hour)}}); err != nil {
		t.Fatal(err)
	}
	jobs, err := s.JobCountList(ctx)
	if err != nil {
		t.Fatalf("JobCountList() = %v", err)
	}
	byState := map[string]int{}
	for _, j := range jobs {
		if j.Kind != (pingArgs{}).Kind() || j.Queue != river.QueueDefault {
			t.Errorf("JobCountList() row %+v, want only %s on %s", j, pingArgs{}.Kind(), river.QueueDefault)
		}
		byState[j.State] += j.Count
	}
	if want := map[string]int{"available": 3, "scheduled": 1}; !maps.Equal(byState, want) {
		t.Errorf("JobCountList() by state = %v, want %v", byState, want)
	}
}
