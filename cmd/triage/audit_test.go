package main

import (
	"encoding/csv"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// seedAudit stores four cases with hand-checkable milestones: three opened
// on 2026-03-02 (Tom's A and B, Anna's C) and one, D, at midnight after.
// Times to the first SMS: A 2m, B 6m, C 10m.
func seedAudit(t *testing.T, r cliRig) {
	t.Helper()
	tom, anna := r.staff(t, "tom@example.com"), r.staff(t, "anna@example.com")
	st := r.store(t)
	defer st.Close()
	ctx := t.Context()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	at := func(h, m int) time.Time { return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute) }
	type event struct {
		kind string
		at   time.Time
	}
	for _, c := range []struct {
		owner            int64
		received, opened time.Time
		events           []event
	}{
		{tom.ID, at(10, 0), at(10, 0).Add(30 * time.Second), []event{{"sms_sent", at(10, 2)}, {"call_attempted", at(10, 30)}, {"call_connected", at(10, 30)}}},
		{tom.ID, at(11, 0), at(11, 0), []event{{"sms_sent", at(11, 6)}}},
		{anna.ID, at(23, 50), at(23, 50), []event{{"sms_sent", at(24, 0)}}},
		{anna.ID, at(24, 0), at(24, 0), []event{{"sms_sent", at(24, 1)}}},
	} {
		k, err := st.CaseInsert(ctx, store.CaseInsertParams{OwnerID: c.owner, Channel: store.ChannelEmail, ReceivedAt: c.received,
			Status: store.CaseOpen, Priority: "high", Category: "billing_error", Subject: "s",
			DueAt: c.received.Add(time.Hour), OpenedAt: c.opened})
		if err != nil {
			t.Fatalf("CaseInsert() = %v", err)
		}
		for _, e := range c.events {
			if _, err := st.CaseEventInsert(ctx, store.CaseEventInsertParams{CaseID: k.ID, At: e.at, Actor: "system", Kind: e.kind, Data: []byte(`{}`)}); err != nil {
				t.Fatalf("CaseEventInsert(%s) = %v", e.kind, err)
			}
		}
	}
}

// audit over one day (-to is included, the next midnight is not): the
// median time to the first SMS of 2m, 6m and 10m is 6m, and one of the
// three met the 5m target.
func TestAuditCommand(t *testing.T) {
	t.Parallel()
	forCLIEngines(t, func(t *testing.T, r cliRig) {
		seedAudit(t, r)
		period := []string{"audit", "-config", r.cfgPath, "--from", "2026-03-02", "--to", "2026-03-02"}

		out, errOut, err := r.run(t, "", append(period, "--format", "json", "--by", "owner")...)
		if err != nil {
			t.Fatalf("audit --format json = %v\n%s", err, errOut)
		}
		var doc struct {
			Params struct{ From, To string }
			Total  struct {
				Cases     int
				Notify    map[string]any
				FirstCall map[string]any `json:"first_call"`
			}
			Groups []struct {
				Key    string
				Cases  int
				Notify map[string]any
			}
			Cases []any
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("audit json: %v\n%s", err, out)
		}
		if doc.Params.From != "2026-03-02T00:00:00Z" || doc.Params.To != "2026-03-03T00:00:00Z" {
			t.Errorf("period = %s to %s, want 2026-03-02T00:00:00Z to 2026-03-03T00:00:00Z", doc.Params.From, doc.Params.To)
		}
		n := doc.Total.Notify
		if doc.Total.Cases != 3 || n["median_s"] != 360.0 || n["max_s"] != 600.0 || n["met"] != 1.0 || n["missed"] != 2.0 {
			t.Errorf("total = %d cases, notify %v; want 3 cases, median 360s, max 600s, 1 met, 2 missed", doc.Total.Cases, n)
		}
		if doc.Total.FirstCall["count"] != 1.0 || doc.Total.FirstCall["median_s"] != 1800.0 {
			t.Errorf("first call = %v, want one, after 30m", doc.Total.FirstCall)
		}
		if len(doc.Groups) != 2 || doc.Groups[0].Key != "Anna Kowalski" || doc.Groups[1].Key != "Tom Baker" ||
			doc.Groups[1].Cases != 2 || doc.Groups[1].Notify["median_s"] != 120.0 {
			t.Errorf("groups = %+v, want Anna's 1 case and Tom's 2 (median 2m to the SMS)", doc.Groups)
		}
		if doc.Cases != nil {
			t.Errorf("audit json without --cases lists %d cases", len(doc.Cases))
		}

		out, _, err = r.run(t, "", append(period, "--by", "owner")...)
		if err != nil {
			t.Fatalf("audit (table) = %v", err)
		}
		for _, want := range []string{`(?m)^all cases +3 +6m / 10m / 10m `, `(?m)^Tom Baker +2 +2m / 6m / 6m `, `(?m)^all cases +33\.3% \(1/3\) `} {
			if !regexp.MustCompile(want).MatchString(out) {
				t.Errorf("audit table does not match %q:\n%s", want, out)
			}
		}

		out, _, err = r.run(t, "", append(period, "--format", "csv")...)
		if err != nil {
			t.Fatalf("audit --format csv = %v", err)
		}
		recs := readCSV(t, out)
		if len(recs) != 2 || recs[1][0] != "total" || field(recs, 1, "cases") != "3" || field(recs, 1, "notify_median_s") != "360" {
			t.Errorf("audit csv = %v, want a header and the total row: 3 cases, notify median 360", recs)
		}

		out, _, err = r.run(t, "", append(period, "--cases")...)
		if err != nil {
			t.Fatalf("audit --cases = %v", err)
		}
		recs = readCSV(t, out)
		if len(recs) != 4 {
			t.Fatalf("audit --cases printed %d records, want a header and 3 cases:\n%s", len(recs), out)
		}
		var notify []string
		for i := 1; i < len(recs); i++ {
			notify = append(notify, field(recs, i, "notify_s"))
		}
		if got := strings.Join(notify, ","); !strings.Contains(got, "120") || !strings.Contains(got, "360") || !strings.Contains(got, "600") {
			t.Errorf("audit --cases notify_s = %s, want 120, 360 and 600", got)
		}

		out, _, err = r.run(t, "", append(period, "--cases", "--format", "json")...)
		if err != nil {
			t.Fatalf("audit --cases --format json = %v", err)
		}
		doc.Cases = nil
		if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Cases) != 3 {
			t.Errorf("audit --cases --format json: %v, %d cases, want 3", err, len(doc.Cases))
		}
	})
}

// audit's flags are checked before anything is opened.
func TestAuditFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--from", "2026-03-05", "--to", "2026-03-01"}, "empty"},
		{[]string{"--from", "yesterday"}, "neither a date"},
		{[]string{"--by", "colour"}, "unknown audit dimension"},
		{[]string{"--format", "xml"}, "table, csv or json"},
		{[]string{"--cases", "--format", "table"}, "-cases prints CSV or JSON"},
	} {
		_, _, err := runCmd(t, t.Context(), append([]string{"audit"}, tc.args...)...)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("audit %s = %v, want an error with %q", strings.Join(tc.args, " "), err, tc.want)
		}
	}
	_, errOut, err := runCmd(t, t.Context(), "audit", "-h")
	if err == nil || !strings.Contains(errOut, "-to's day is included") {
		t.Errorf("audit -h = %v, printed:\n%s\nwant the period documented", err, errOut)
	}
}

// The period: dates are whole UTC days with -to included, RFC 3339 times
// are instants, and the default is the last 28 days, today included.
func TestAuditPeriod(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 10, 15, 4, 5, 0, time.UTC)
	day := func(d int) time.Time { return time.Date(2026, 3, d, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		from, to   string
		start, end time.Time
	}{
		{"", "", day(11).AddDate(0, 0, -28), day(11)},
		{"2026-03-01", "2026-03-01", day(1), day(2)},
		{"2026-03-01", "", day(1), day(29)},
		{"", "2026-03-05", day(6).AddDate(0, 0, -28), day(6)},
		{"2026-03-01T09:00:00+01:00", "2026-03-01T10:00:00Z", day(1).Add(8 * time.Hour), day(1).Add(10 * time.Hour)},
	} {
		start, end, err := auditPeriod(tc.from, tc.to, now)
		if err != nil || !start.Equal(tc.start) || !end.Equal(tc.end) {
			t.Errorf("auditPeriod(%q, %q) = %s, %s, %v; want %s, %s", tc.from, tc.to, start, end, err, tc.start, tc.end)
		}
	}
}

func readCSV(t *testing.T, s string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatalf("read csv: %v\n%s", err, s)
	}
	return recs
}

// field is the value of column name in record i (record 0 is the header).
func field(recs [][]string, i int, name string) string {
	for j, h := range recs[0] {
		if h == name && j < len(recs[i]) {
			return recs[i][j]
		}
	}
	return ""
}
