package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// readCSV parses CSV into maps keyed by the header's columns.
func readCSV(t *testing.T, data []byte) []map[string]string {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("read back the CSV: %v\n%s", err, data)
	}
	if len(recs) == 0 {
		t.Fatal("CSV has no header")
	}
	out := make([]map[string]string, 0, len(recs)-1)
	for _, rec := range recs[1:] {
		m := make(map[string]string, len(rec))
		for i, col := range recs[0] {
			m[col] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

func expectFields(t *testing.T, what string, got map[string]string, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s: %s = %q (present %v), want %q", what, k, g, ok, v)
		}
	}
}

func TestWriteCSV(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, Compute(fixtureRows(), fixtureParams(ByOwner))); err != nil {
		t.Fatalf("WriteCSV() = %v, want nil", err)
	}
	rows := readCSV(t, buf.Bytes())
	if len(rows) != 6 {
		t.Fatalf("CSV has %d rows, want 5 owners and the total", len(rows))
	}
	// The numbers of TestComputeTotal, in seconds.
	expectFields(t, "total row", rows[5], map[string]string{
		"dimension": "total", "key": "", "cases": "9",
		"notify_count": "8", "notify_pending": "1", "notify_median_s": "120", "notify_p90_s": "360",
		"notify_max_s": "360", "notify_met": "7", "notify_missed": "2", "notify_met_pct": "77.8",
		"first_call_count": "6", "first_call_median_s": "1800", "first_call_p90_s": "172800",
		"first_call_met_pct": "57.1", "conversation_met_pct": "37.5", "resolution_median_s": "86400",
		"resolution_met_pct": "50.0", "ingest_lag_median_s": "60", "ingest_lag_max_s": "3600",
		"ingest_lag_met_pct": "", "breaches": "4", "escalations": "3", "violations": "3",
		"repeat_contacts": "3", "follow_ups": "5", "follow_ups_done": "4", "follow_ups_on_time": "3",
	})
	expectFields(t, "Ben's row", rows[1], map[string]string{
		"dimension": "owner", "key": "Ben", "cases": "2", "first_call_median_s": "18000",
		"first_call_met": "0", "first_call_missed": "2", "first_call_met_pct": "0.0", "breaches": "2",
	})
}

func TestWriteCSVNeutralizesFormulas(t *testing.T) {
	t.Parallel()
	rows := fixtureRows()
	rows[0].Category = "=HYPERLINK(\"http://evil\")"
	var buf bytes.Buffer
	if err := WriteCSV(&buf, Compute(rows, fixtureParams(ByCategory))); err != nil {
		t.Fatalf("WriteCSV() = %v, want nil", err)
	}
	got := readCSV(t, buf.Bytes())
	if got[0]["key"] != "'=HYPERLINK(\"http://evil\")" {
		t.Errorf("key = %q, want the formula quoted", got[0]["key"])
	}
}

func TestWriteCasesCSV(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteCasesCSV(&buf, fixtureRows(), fixtureParams(ByNone)); err != nil {
		t.Fatalf("WriteCasesCSV() = %v, want nil", err)
	}
	rows := readCSV(t, buf.Bytes())
	byID := make(map[string]map[string]string)
	for _, r := range rows {
		byID[r["case_id"]] = r
	}
	if len(rows) != 9 || byID["9"] != nil || byID["10"] != nil {
		t.Fatalf("cases CSV has %d rows (C9 %v, C10 %v), want the 9 in the period", len(rows), byID["9"] != nil, byID["10"] != nil)
	}
	// C2: received Tue 4 March 10:00; notified at 6m (late), called at 50m.
	expectFields(t, "C2", byID["2"], map[string]string{
		"received_at": "2025-03-04T10:00:00Z", "opened_at": "2025-03-04T10:05:00Z", "owner": "Anna",
		"team": "Maria", "channel": "voicemail", "notify_s": "360", "notify_met": "no",
		"first_call_at": "2025-03-04T10:50:00Z", "first_call_s": "3000", "first_call_met": "yes",
		"ingest_lag_s": "300", "repeat_contacts": "1", "breached": "no", "follow_up_on_time": "no",
	})
	// C4: never called: empty times, missed, breached.
	expectFields(t, "C4", byID["4"], map[string]string{
		"first_call_at": "", "first_call_s": "", "first_call_met": "no", "breached": "yes",
		"category": "", "follow_up_due_at": "", "follow_up_on_time": "",
	})
	// C5: ReceivedAt unknown; times measured from OpenedAt.
	expectFields(t, "C5", byID["5"], map[string]string{
		"received_at": "", "first_call_s": "900", "first_call_met": "yes", "follow_up_on_time": "yes",
	})
	// C7: skewed SMS clamps to 0; no owner name.
	expectFields(t, "C7", byID["7"], map[string]string{
		"notify_s": "0", "notify_met": "yes", "owner": "staff #4", "team": "staff #4", "breached": "yes",
	})
	// C8: nothing judged yet.
	expectFields(t, "C8", byID["8"], map[string]string{"first_call_met": "", "conversation_met": "", "breached": "no"})
	// C11: no due time.
	expectFields(t, "C11", byID["11"], map[string]string{"due_at": "", "first_call_met": "", "first_call_s": "172800"})
}

func TestWriteJSON(t *testing.T) {
	t.Parallel()
	p := fixtureParams(ByPriority)
	var buf bytes.Buffer
	if err := WriteJSON(&buf, Compute(fixtureRows(), p), fixtureRows()); err != nil {
		t.Fatalf("WriteJSON() = %v, want nil", err)
	}
	var doc struct {
		Params struct {
			From    string `json:"from"`
			By      string `json:"by"`
			Targets struct {
				NotifyS *int64 `json:"notify_s"`
			} `json:"targets"`
		} `json:"params"`
		Total struct {
			Cases     int `json:"cases"`
			FirstCall struct {
				Count   int      `json:"count"`
				MedianS int64    `json:"median_s"`
				P90S    int64    `json:"p90_s"`
				MetPct  *float64 `json:"met_pct"`
			} `json:"first_call"`
			IngestLag struct {
				MetPct *float64 `json:"met_pct"`
			} `json:"ingest_lag"`
			FollowUpsOnTime int `json:"follow_ups_on_time"`
		} `json:"total"`
		Groups []struct {
			Key   string `json:"key"`
			Cases int    `json:"cases"`
		} `json:"groups"`
		Weekly []struct {
			Start      string   `json:"start"`
			CallMetPct *float64 `json:"call_met_pct"`
		} `json:"weekly"`
		Histogram []struct {
			Label  string `json:"label"`
			UpperS *int64 `json:"upper_s"`
			Count  int    `json:"count"`
		} `json:"call_histogram"`
		Cases []struct {
			CaseID       int64  `json:"case_id"`
			FirstCallMet *bool  `json:"first_call_met"`
			FirstCallS   *int64 `json:"first_call_s"`
			Breached     bool   `json:"breached"`
		} `json:"cases"`
	}
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("decode the JSON: %v", err)
	}
	if doc.Params.From != "2025-03-03T00:00:00Z" || doc.Params.By != "priority" ||
		doc.Params.Targets.NotifyS == nil || *doc.Params.Targets.NotifyS != 300 {
		t.Errorf("params = %+v, want from 2025-03-03, by priority, notify target 300s", doc.Params)
	}
	fc := doc.Total.FirstCall
	if doc.Total.Cases != 9 || fc.Count != 6 || fc.MedianS != 1800 || fc.P90S != 172800 ||
		fc.MetPct == nil || *fc.MetPct < 57.14 || *fc.MetPct > 57.15 {
		t.Errorf("total = %+v, want 9 cases, first call 6 / 1800s / 172800s / 57.14%%", doc.Total)
	}
	if doc.Total.IngestLag.MetPct != nil || doc.Total.FollowUpsOnTime != 3 {
		t.Errorf("ingest lag met_pct = %v, follow-ups on time %d, want null and 3",
			doc.Total.IngestLag.MetPct, doc.Total.FollowUpsOnTime)
	}
	if len(doc.Groups) != 5 || doc.Groups[0].Key != "critical" || doc.Groups[4].Key != "unknown" {
		t.Errorf("groups = %+v, want critical … unknown", doc.Groups)
	}
	if len(doc.Weekly) != 2 || doc.Weekly[1].Start != "2025-03-10T00:00:00Z" || doc.Weekly[0].CallMetPct == nil {
		t.Errorf("weekly = %+v, want the weeks of 3 and 10 March", doc.Weekly)
	}
	if h := doc.Histogram; len(h) != 7 || h[0].UpperS == nil || *h[0].UpperS != 900 || h[6].UpperS != nil || h[6].Count != 3 {
		t.Errorf("histogram = %+v, want ≤15m (900s) … no call yet (null, 3)", h)
	}
	if len(doc.Cases) != 9 {
		t.Fatalf("%d cases, want 9", len(doc.Cases))
	}
	for _, c := range doc.Cases {
		switch c.CaseID {
		case 3:
			if c.FirstCallMet == nil || *c.FirstCallMet || c.FirstCallS == nil || *c.FirstCallS != 18000 || !c.Breached {
				t.Errorf("case 3 = %+v, want called late at 18000s and breached", c)
			}
		case 8:
			if c.FirstCallMet != nil || c.FirstCallS != nil || c.Breached {
				t.Errorf("case 8 = %+v, want nothing judged and no call", c)
			}
		}
	}
}

func TestWriteJSONWithoutCases(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		rep     Report
		rows    bool
		want    string
		notWant string
	}{
		{"nil rows", Compute(fixtureRows(), fixtureParams(ByNone)), false, `"groups": []`, `"cases": [`},
		{"empty rows", Compute(nil, Params{}), true, `"cases": []`, `"weekly": null`},
	} {
		var buf bytes.Buffer
		var rows = fixtureRows()[:0]
		if !tc.rows {
			rows = nil
		}
		if err := WriteJSON(&buf, tc.rep, rows); err != nil {
			t.Fatalf("%s: WriteJSON() = %v, want nil", tc.name, err)
		}
		if s := buf.String(); !strings.Contains(s, tc.want) || strings.Contains(s, tc.notWant) {
			t.Errorf("%s: JSON lacks %q or has %q:\n%s", tc.name, tc.want, tc.notWant, s)
		}
	}
}

func TestWriteTable(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	rows := fixtureRows()
	rows[0].Category = "bill\ting\x1b[31m"
	if err := WriteTable(&buf, Compute(rows, fixtureParams(ByCategory))); err != nil {
		t.Fatalf("WriteTable() = %v, want nil", err)
	}
	out := buf.String()
	for _, want := range []string{
		"from 2025-03-03 00:00 UTC until 2025-03-17 00:00 UTC, by category",
		"notified within 5m; conversation within 4h; resolved within 3d",
		"30m / 2d / 2d",             // total first call median / p90 / max
		"2m / 6m / 6m",              // total notify
		"1m / 1h / 1h",              // total ingest lag
		"57.1% (4/7), 3 pending",    // first call by due
		"77.8% (7/9), 1 pending",    // notify
		"50.0% (4/8), 4 pending",    // resolution
		"all cases",                 // the total row
		"2025-03-10  5      2    1", // the second week
		"no call yet  3",
		"bill ing [31m", // control characters are blanked
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.ContainsRune(out, 0x1b) {
		t.Error("table carries an escape character")
	}
}

func TestWriteTableEmpty(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteTable(&buf, Compute(nil, Params{})); err != nil {
		t.Fatalf("WriteTable() = %v, want nil", err)
	}
	if out := buf.String(); !strings.Contains(out, "all cases") || !strings.Contains(out, "—") {
		t.Errorf("empty table lacks the total or the dash:\n%s", out)
	}
}

// failWriter fails every write.
type failWriter struct{}

var errDiskFull = errors.New("disk full")

func (failWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWritersReportErrors(t *testing.T) {
	t.Parallel()
	rep := Compute(fixtureRows(), fixtureParams(ByOwner))
	for name, err := range map[string]error{
		"WriteTable":    WriteTable(failWriter{}, rep),
		"WriteCSV":      WriteCSV(failWriter{}, rep),
		"WriteCasesCSV": WriteCasesCSV(failWriter{}, fixtureRows(), rep.Params),
		"WriteJSON":     WriteJSON(failWriter{}, rep, fixtureRows()),
	} {
		if !errors.Is(err, errDiskFull) {
			t.Errorf("%s() = %v, want it to wrap the write error", name, err)
		}
	}
}
