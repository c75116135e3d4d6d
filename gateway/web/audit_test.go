package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// auditJSON is the part of the JSON report the tests read.
type auditJSON struct {
	Params struct {
		From, To, By string
	} `json:"params"`
	Total struct {
		Cases int `json:"cases"`
	} `json:"total"`
	Cases []struct {
		CaseID  int64  `json:"case_id"`
		OwnerID int64  `json:"owner_id"`
		Team    string `json:"team"`
	} `json:"cases"`
}

func TestAuditDownloads(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "ada")
	const q = "?from=2026-03-01&to=2026-03-10&by=team"

	res := c.get("/audit.csv" + q)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		!strings.HasPrefix(res.header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("GET /audit.csv = %d, %q, %q", res.status, res.header.Get("Content-Type"), res.header.Get("Content-Disposition"))
	}
	table, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil {
		t.Fatalf("/audit.csv does not parse: %v", err)
	}
	var keys []string
	for _, rec := range table[1:] {
		keys = append(keys, rec[1])
	}
	// Teams are the managers' names; staff with no manager are their own.
	for _, want := range []string{"Mia Manager", "Max Manager"} {
		if !slices.Contains(keys, want) {
			t.Errorf("/audit.csv by team has keys %q, want %q among them", keys, want)
		}
	}
	if last := table[len(table)-1]; last[0] != "total" || last[2] != "6" {
		t.Errorf("/audit.csv total row = %q, want total over 6 cases", last)
	}

	res = c.get("/audit/cases.csv" + q)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("GET /audit/cases.csv = %d, %q", res.status, res.header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(strings.NewReader(res.body)).ReadAll()
	if err != nil || len(rows) != 7 || rows[0][0] != "case_id" {
		t.Errorf("/audit/cases.csv: %d rows (err %v), want a header and 6 cases", len(rows), err)
	}

	res = c.get("/audit.json" + q)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "application/json" {
		t.Fatalf("GET /audit.json = %d, %q", res.status, res.header.Get("Content-Type"))
	}
	var doc auditJSON
	if err := json.Unmarshal([]byte(res.body), &doc); err != nil {
		t.Fatalf("/audit.json does not parse: %v", err)
	}
	if doc.Params.By != "team" || doc.Total.Cases != 6 || len(doc.Cases) != 6 {
		t.Errorf("/audit.json by %q, total %d, %d cases; want team, 6, 6", doc.Params.By, doc.Total.Cases, len(doc.Cases))
	}

	for _, bad := range []string{"?from=yesterday", "?to=2026-13-01", "?from=2026-03-10&to=2026-03-01", "?by=shoe-size", "?from=2020-01-01&to=2026-01-01"} {
		if res := c.get("/audit" + bad); res.status != http.StatusBadRequest {
			t.Errorf("GET /audit%s = %d, want 400", bad, res.status)
		}
		if res := c.get("/audit.json" + bad); res.status != http.StatusBadRequest {
			t.Errorf("GET /audit.json%s = %d, want 400", bad, res.status)
		}
	}
}

func TestAuditIsLimitedToWhatTheViewerSees(t *testing.T) {
	t.Parallel()
	f := setup(t)
	owners := func(who string) map[int64]bool {
		var doc auditJSON
		res := f.login(t, who).get("/audit.json") // the default period: the last 28 days
		if err := json.Unmarshal([]byte(res.body), &doc); err != nil {
			t.Fatalf("%s: /audit.json = %d, does not parse: %v", who, res.status, err)
		}
		out := map[int64]bool{}
		for _, c := range doc.Cases {
			out[c.OwnerID] = true
		}
		return out
	}
	id := func(k string) int64 { return f.staff[k].ID }
	tests := map[string][]int64{
		"alice": {id("alice")},
		"mia":   {id("alice"), id("bob")},
		"max":   {id("carl")},
		"quinn": {id("alice"), id("bob"), id("carl")},
	}
	for who, want := range tests {
		got := owners(who)
		if len(got) != len(want) {
			t.Errorf("%s: audit covers owners %v, want %v", who, got, want)
		}
		for _, o := range want {
			if !got[o] {
				t.Errorf("%s: audit covers owners %v, want %v", who, got, want)
			}
		}
	}
	// The page says whose cases it covers, and links the files with the same query.
	page := f.login(t, "alice").get("/audit?from=2026-03-01&to=2026-03-10&by=channel").body
	for _, want := range []string{"your own cases", `href="/audit.csv?by=channel&amp;from=2026-03-01&amp;to=2026-03-10"`, "<svg"} {
		if !strings.Contains(page, want) {
			t.Errorf("alice's audit page lacks %q", want)
		}
	}
}
