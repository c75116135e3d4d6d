package audit_test

import (
	"fmt"
	"os"
	"time"

	"github.com/triage-gw/triage/gateway/audit"
	"github.com/triage-gw/triage/gateway/store"
)

func ExampleCompute() {
	monday := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)
	rows := []store.CaseAudit{
		// Called back 10 minutes after the email arrived, 5 before its due time.
		{CaseID: 1, OwnerID: 7, Priority: "critical", ReceivedAt: monday, OpenedAt: monday,
			DueAt: monday.Add(15 * time.Minute), FirstCallAt: monday.Add(10 * time.Minute)},
		// Not called, and long past its due time.
		{CaseID: 2, OwnerID: 7, Priority: "normal", ReceivedAt: monday, OpenedAt: monday,
			DueAt: monday.Add(4 * time.Hour)},
	}
	r := audit.Compute(rows, audit.Params{
		From: monday.AddDate(0, 0, -1), To: monday.AddDate(0, 0, 6), By: audit.ByOwner,
		Now:    monday.Add(24 * time.Hour),
		People: audit.People{Names: map[int64]string{7: "Anna"}},
	})
	g := r.Groups[0]
	fmt.Printf("%s: %d cases, first call median %s, %.1f%% by due time, %d breach\n",
		g.Key, g.Cases, audit.FormatDuration(g.FirstCall.Median), g.FirstCall.MetPct, g.Breaches)
	// Output: Anna: 2 cases, first call median 10m, 50.0% by due time, 1 breach
}

func ExampleWriteCSV() {
	r := audit.Compute(nil, audit.Params{})
	if err := audit.WriteCSV(os.Stdout, r); err != nil {
		fmt.Println(err)
	}
	// Output:
	// dimension,key,cases,notify_count,notify_pending,notify_median_s,notify_p90_s,notify_max_s,notify_met,notify_missed,notify_met_pct,first_call_count,first_call_pending,first_call_median_s,first_call_p90_s,first_call_max_s,first_call_met,first_call_missed,first_call_met_pct,conversation_count,conversation_pending,conversation_median_s,conversation_p90_s,conversation_max_s,conversation_met,conversation_missed,conversation_met_pct,resolution_count,resolution_pending,resolution_median_s,resolution_p90_s,resolution_max_s,resolution_met,resolution_missed,resolution_met_pct,ingest_lag_count,ingest_lag_pending,ingest_lag_median_s,ingest_lag_p90_s,ingest_lag_max_s,ingest_lag_met,ingest_lag_missed,ingest_lag_met_pct,breaches,escalations,violations,repeat_contacts,follow_ups,follow_ups_done,follow_ups_on_time
	// total,,0,0,0,0,0,0,0,0,,0,0,0,0,0,0,0,,0,0,0,0,0,0,0,,0,0,0,0,0,0,0,,0,0,0,0,0,0,0,,0,0,0,0,0,0,0
}

func ExampleFormatDuration() {
	for _, d := range []time.Duration{45 * time.Second, 14 * time.Minute, 185 * time.Minute, 52 * time.Hour} {
		fmt.Println(audit.FormatDuration(d))
	}
	// Output:
	// 45s
	// 14m
	// 3h05m
	// 2d4h
}
