package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/audit"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/sqlite"
	"github.com/triage-gw/triage/gateway/store/storegen"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// The dashboard on a year of generated work (storegen.Year: 200,000 cases,
// 1,000,000 messages): the audit page and its CSV for a quarter, and the
// queue, as an admin sees them (everything). Goals: audit page and CSV
// under 1 s, queue under 100 ms.
//
// SQLite's generated database is kept between runs (in
// $TRIAGE_BENCH_DIR, default the system's temporary directory), since
// making it takes a minute or two; PostgreSQL's is made afresh in a new
// schema when TRIAGE_TEST_DATABASE_URL is set. TRIAGE_BENCH_CASES scales
// the data down for a quick look (messages stay five per case).
//
//	go test ./gateway/web/ -run '^$' -bench Dashboard -benchtime 10x
func BenchmarkDashboard(b *testing.B) {
	p := storegen.Year(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC))
	if v := os.Getenv("TRIAGE_BENCH_CASES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < p.Active {
			b.Fatalf("TRIAGE_BENCH_CASES=%q: want a number ≥ %d", v, p.Active)
		}
		p.Cases = n
	}
	b.Run("sqlite", func(b *testing.B) {
		st, res := benchSQLite(b, p)
		benchPages(b, st, res, p)
	})
	b.Run("postgres", func(b *testing.B) {
		st := storetest.OpenPostgres(b)
		start := time.Now()
		res, err := storegen.Fill(b.Context(), st, p)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("generated %d cases in %s", p.Cases, time.Since(start).Round(time.Second))
		benchPages(b, st, res, p)
	})
}

// benchSQLite opens the cached generated database of p, making it first
// when it is not there.
func benchSQLite(b *testing.B, p storegen.Params) (store.Store, storegen.Result) {
	dir := os.Getenv("TRIAGE_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, fmt.Sprintf("triage-bench-%d-cases-%d-seed-%d.db", p.Cases, p.MessagesPerCase, p.Seed))
	done := path + ".done"
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	_, err := os.Stat(done)
	fresh := err != nil
	if fresh {
		for _, f := range []string{path, path + "-wal", path + "-shm"} {
			_ = os.Remove(f)
		}
	}
	st, err := sqlite.Open(b.Context(), path, store.OpenOptions{Migrate: true, Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	if !fresh {
		return st, benchResult(b, st, p)
	}
	start := time.Now()
	res, err := storegen.Fill(b.Context(), st, p)
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d cases in %s into %s", p.Cases, time.Since(start).Round(time.Second), path)
	if err := os.WriteFile(done, nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return st, res
}

// benchResult finds the admin of an already generated database.
func benchResult(b *testing.B, st store.Store, p storegen.Params) storegen.Result {
	admin, err := st.StaffGetByEmail(b.Context(), "admin@bench.example")
	if err != nil {
		b.Fatal(err)
	}
	return storegen.Result{AdminID: admin.ID, End: p.Start.Add(time.Duration(p.Days) * 24 * time.Hour)}
}

// benchPages logs in as the admin and times the pages.
func benchPages(b *testing.B, st store.Store, res storegen.Result, p storegen.Params) {
	ctx := b.Context()
	const pw = "bench password 123"
	hash, err := HashPassword(pw)
	if err != nil {
		b.Fatal(err)
	}
	if err := st.StaffSetPassword(ctx, res.AdminID, hash); err != nil {
		b.Fatal(err)
	}
	srv, err := New(Options{Store: st, Actions: &fakeActions{}, Now: func() time.Time { return res.End },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), LinkKey: make([]byte, 32),
		Targets: audit.Targets{Notify: 5 * time.Minute, Conversation: 24 * time.Hour, Resolution: 72 * time.Hour}})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	b.Cleanup(ts.Close)
	c := benchLogin(b, ts.URL, "admin@bench.example", pw)

	// The second quarter of the generated year.
	from := p.Start.AddDate(0, 3, 0).Format(time.DateOnly)
	to := p.Start.AddDate(0, 6, 0).AddDate(0, 0, -1).Format(time.DateOnly)
	q := "?from=" + from + "&to=" + to + "&by=owner"
	for _, page := range []struct{ name, path string }{
		{"queue", "/queue"},
		{"audit_page_quarter", "/audit" + q},
		{"audit_csv_quarter", "/audit/cases.csv" + q},
		{"audit_json_quarter", "/audit.json" + q},
	} {
		b.Run(page.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				size = benchGet(b, c, ts.URL+page.path)
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

func benchLogin(b *testing.B, base, email, pw string) *http.Client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		b.Fatal(err)
	}
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Get(base + "/login")
	if err != nil {
		b.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	m := tokenRE.FindSubmatch(body)
	if m == nil {
		b.Fatalf("no login token in:\n%s", body)
	}
	res, err = c.PostForm(base+"/login", url.Values{"token": {string(m[1])}, "email": {email}, "password": {pw}})
	if err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		b.Fatalf("login: status %d, want 303", res.StatusCode)
	}
	return c
}

func benchGet(b *testing.B, c *http.Client, u string) int {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet, u, nil)
	if err != nil {
		b.Fatal(err)
	}
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, err := io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if err != nil || res.StatusCode != http.StatusOK {
		b.Fatalf("GET %s: status %d, %v", u, res.StatusCode, err)
	}
	return int(n)
}
