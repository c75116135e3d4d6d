package gateway_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
)

const metricsToken = "scrape-token-0123456789"

// freeAddr is a loopback address nothing listens on, for metrics.addr
// (which takes an address, not a listener). It is taken below the
// kernel's ephemeral range (32768 and up by default), so that the
// listeners other tests open on port 0 cannot take it between this check
// and the gateway's own listen.
func freeAddr(t *testing.T) string {
	t.Helper()
	for range 100 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(10000))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		ln.Close()
		return addr
	}
	t.Fatal("no free loopback port in 20000-29999")
	return ""
}

// waitListening waits until something accepts connections on addr (Run
// opens metrics.addr after it starts).
func waitListening(t *testing.T, addr string) {
	t.Helper()
	waitFor(t, "a listener on "+addr, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
}

// getMetrics GETs url with an Authorization header (none when "").
func getMetrics(t *testing.T, url, authorization string) *http.Response {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s = %v", url, err)
	}
	return resp
}

// scrape reads the metrics at url, sending token as a bearer token when
// it is not "".
func scrape(t *testing.T, url, token string) map[string]*dto.MetricFamily {
	t.Helper()
	auth := ""
	if token != "" {
		auth = "Bearer " + token
	}
	resp := getMetrics(t, url, auth)
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s = %s, want 200", url, resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse metrics of %s: %v", url, err)
	}
	return fams
}

// metricValue is the value of the series of family name with the label
// pairs given (a histogram's sample count); it fails the test when there
// is no such series.
func metricValue(t *testing.T, fams map[string]*dto.MetricFamily, name string, labelPairs ...string) float64 {
	t.Helper()
	want := map[string]string{}
	for i := 0; i+1 < len(labelPairs); i += 2 {
		want[labelPairs[i]] = labelPairs[i+1]
	}
	f, ok := fams[name]
	if !ok {
		t.Fatalf("no metric %s", name)
	}
next:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue next
			}
		}
		switch f.GetType() {
		case dto.MetricType_COUNTER:
			return m.GetCounter().GetValue()
		case dto.MetricType_GAUGE:
			return m.GetGauge().GetValue()
		case dto.MetricType_HISTOGRAM:
			return float64(m.GetHistogram().GetSampleCount())
		}
	}
	t.Fatalf("no series %s%v", name, want)
	return 0
}

// What the gateway commits is counted once, and what it does not store
// (a duplicate) is not; the gauges read the store.
func TestMetricsCountCommittedWork(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.Metrics.Addr = freeAddr(t)
	g, _ := b.start(t)
	waitListening(t, b.cfg.Metrics.Addr)
	url := "http://" + b.cfg.Metrics.Addr + "/metrics"
	before := scrape(t, url, "")

	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	r := b.next(t)
	if r.CaseID == 0 || len(r.Notifications) == 0 {
		t.Fatalf("ingest = case %d, %d notifications; want a case and an SMS", r.CaseID, len(r.Notifications))
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	if _, err := b.sms.Wait(ctx, len(r.Notifications)); err != nil {
		t.Fatalf("sms.Wait() = %v", err)
	}
	// The stand-in took the SMS; the worker records it next.
	sent := float64(len(r.Notifications))
	delta := func(after map[string]*dto.MetricFamily, name string, labels ...string) float64 {
		return metricValue(t, after, name, labels...) - metricValue(t, before, name, labels...)
	}
	var after map[string]*dto.MetricFamily
	waitFor(t, "the SMS sent to be counted", func() bool {
		after = scrape(t, url, "")
		return delta(after, "triage_sms_total", "outcome", "sent") >= sent
	})
	priority := string(r.Plan.Priority)
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"triage_messages_ingested_total", []string{"channel", store.ChannelEmail}, 1},
		{"triage_ingest_lag_seconds", nil, 1},
		{"triage_cases_opened_total", []string{"priority", priority}, 1},
		{"triage_sms_total", []string{"outcome", "sent"}, sent},
		{"triage_messages_quarantined_total", []string{"channel", store.ChannelEmail}, 0},
		{"triage_open_cases", []string{"priority", priority}, 1},
	} {
		if got := delta(after, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v went up by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	// River marks a job completed a moment after it returns.
	waitFor(t, "the SMS jobs to show as completed in triage_jobs", func() bool {
		fams := scrape(t, url, "")
		for _, m := range fams["triage_jobs"].GetMetric() {
			l := map[string]string{}
			for _, p := range m.GetLabel() {
				l[p.GetName()] = p.GetValue()
			}
			if l["queue"] == "notify" && l["kind"] == "send_sms" && l["state"] == "completed" {
				return m.GetGauge().GetValue() >= sent
			}
		}
		return false
	})

	// The case is resolved, long enough ago that the same mail again
	// would open a new case; but it is a duplicate, so its transaction
	// (the new case with it) rolls back, and nothing of it is counted.
	// Mail that cannot be read is quarantined.
	st := openStore(t, b.cfg)
	if _, err := st.CaseUpdate(ctx, store.CaseUpdateParams{ID: r.CaseID, Status: store.CaseResolved,
		ResolvedAt: time.Now().Add(-30 * 24 * time.Hour), UpdatedAt: time.Now()}); err != nil {
		t.Fatalf("CaseUpdate(resolve case %d) = %v", r.CaseID, err)
	}
	raw := fmt.Sprintf("From: Jane Doe <jane@acme.example>\r\nTo: support@example.com\r\nSubject: Order #48213 - third time\r\n"+
		"Date: %s\r\nMessage-ID: <m1@example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", time.Now().Format(time.RFC1123Z), angry)
	if res, err := g.IngestEmail(ctx, []byte(raw), "test:again"); err != nil || !res.Duplicate {
		t.Fatalf("IngestEmail(same mail) = %+v, %v; want a duplicate", res, err)
	}
	if res, err := g.IngestEmail(ctx, []byte("X-Garbage: \x00\x01\x02\r\n\r\n"), "test:garbage"); err != nil || !res.Quarantined {
		t.Fatalf("IngestEmail(garbage) = %+v, %v; want it quarantined", res, err)
	}
	last := scrape(t, url, "")
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"triage_messages_ingested_total", []string{"channel", store.ChannelEmail}, 0},
		{"triage_cases_opened_total", []string{"priority", priority}, 0},
		{"triage_messages_quarantined_total", []string{"channel", store.ChannelEmail}, 1},
		{"triage_open_cases", []string{"priority", priority}, -1},
	} {
		if got := metricValue(t, last, c.name, c.labels...) - metricValue(t, after, c.name, c.labels...); got != c.want {
			t.Errorf("after a duplicate and a quarantine, %s%v moved by %v, want %v", c.name, c.labels, got, c.want)
		}
	}
}

// A failed SMS attempt counts as a retry and as a failed job; an
// escalation timer that tells the manager counts as an escalation. A new
// gateway's counters start at 0.
func TestMetricsCountRetriesAndEscalations(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.Metrics.Token = config.NewSecret(metricsToken)
	b.sms.FailNext(1, http.StatusInternalServerError)
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	b.start(t)
	url := "http://" + b.cfg.HTTP.Addr + "/metrics"
	r := b.next(t)
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	if _, err := b.sms.Wait(ctx, len(r.Notifications)); err != nil {
		t.Fatalf("sms.Wait() = %v", err)
	}
	sent := float64(len(r.Notifications))
	var fams map[string]*dto.MetricFamily
	waitFor(t, "the SMS sent to be counted", func() bool {
		fams = scrape(t, url, metricsToken)
		return metricValue(t, fams, "triage_sms_total", "outcome", "sent") >= sent
	})
	for _, c := range []struct {
		name   string
		labels []string
		want   float64
	}{
		{"triage_sms_total", []string{"outcome", "sent"}, sent},
		{"triage_sms_total", []string{"outcome", "retry"}, 1},
		{"triage_jobs_failed_total", []string{"kind", "send_sms"}, 1},
		{"triage_escalations_total", nil, 0},
	} {
		if got := metricValue(t, fams, c.name, c.labels...); got != c.want {
			t.Errorf("after one failed SMS attempt, %s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}

	// Past the due time, escalation level 2 tells the owner's manager.
	b.clock.advance(r.Plan.DueAt.Sub(b.clock.now()) + time.Hour)
	if err := openStore(t, b.cfg).JobInsert(ctx, gateway.EscalateJob(r.CaseID, 2, time.Now(), r.Plan.DueAt)); err != nil {
		t.Fatalf("JobInsert(escalate level 2) = %v", err)
	}
	waitFor(t, "the escalation to be counted", func() bool {
		fams = scrape(t, url, metricsToken)
		return metricValue(t, fams, "triage_escalations_total") >= 1
	})
	// Level 2 is no new breach: level 1 records it, and its timer has not
	// fired (River runs it at the real due time).
	if got, want := metricValue(t, fams, "triage_escalations_total"), 1.0; got != want {
		t.Errorf("triage_escalations_total = %v, want %v", got, want)
	}
	if got := metricValue(t, fams, "triage_sla_breaches_total"); got != 0 {
		t.Errorf("triage_sla_breaches_total = %v, want 0", got)
	}
}

// With metrics.token, the main server serves /metrics to a bearer of the
// token only.
func TestMetricsNeedTheToken(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.IMAP.Enabled = false
	b.cfg.Metrics.Token = config.NewSecret(metricsToken)
	b.start(t)
	url := "http://" + b.cfg.HTTP.Addr + "/metrics"

	for _, c := range []struct{ name, auth, challenge string }{
		{"no token", "", `Bearer realm="triage metrics"`},
		{"wrong token", "Bearer not-" + metricsToken, `Bearer realm="triage metrics", error="invalid_token"`},
		{"token as basic credentials", "Basic " + metricsToken, `Bearer realm="triage metrics", error="invalid_token"`},
		{"token with a suffix", "Bearer " + metricsToken + "x", `Bearer realm="triage metrics", error="invalid_token"`},
	} {
		resp := getMetrics(t, url, c.auth)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("%s: GET /metrics = %s, want 401", c.name, resp.Status)
		}
		if got := resp.Header.Get("WWW-Authenticate"); got != c.challenge {
			t.Errorf("%s: WWW-Authenticate = %q, want %q", c.name, got, c.challenge)
		}
	}
	fams := scrape(t, url, metricsToken)
	for _, name := range []string{"triage_messages_ingested_total", "triage_sms_total", "triage_open_cases", "go_goroutines", "process_start_time_seconds"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("GET /metrics with the token has no %s", name)
		}
	}
	// The scheme is case-insensitive (RFC 9110 §11.1).
	resp := getMetrics(t, url, "bearer "+metricsToken)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf(`GET /metrics with "bearer <token>" = %s, want 200`, resp.Status)
	}
}

// With metrics.addr, /metrics is served there without a token, and not
// on the main server.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.IMAP.Enabled = false
	b.cfg.Metrics.Addr = freeAddr(t)
	b.start(t)
	waitListening(t, b.cfg.Metrics.Addr)

	fams := scrape(t, "http://"+b.cfg.Metrics.Addr+"/metrics", "")
	if _, ok := fams["triage_cases_opened_total"]; !ok {
		t.Errorf("metrics listener: no triage_cases_opened_total in %d families", len(fams))
	}
	for _, url := range []string{"http://" + b.cfg.HTTP.Addr + "/metrics", "http://" + b.cfg.Metrics.Addr + "/healthz"} {
		resp := getMetrics(t, url, "")
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s = %s, want 404", url, resp.Status)
		}
	}
}

// A metrics.addr that cannot be listened on stops the gateway with an
// error, as a broken HTTP listener would.
func TestMetricsListenFailureStopsRun(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.IMAP.Enabled = false
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	b.cfg.Metrics.Addr = taken.Addr().String()
	g, err := gateway.Open(t.Context(), b.cfg, gateway.SetupOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: b.clock.now})
	if err != nil {
		t.Fatalf("gateway.Open() = %v", err)
	}
	defer g.Close()
	ctx, cancel := context.WithTimeout(t.Context(), waitLonger)
	defer cancel()
	err = g.Run(ctx)
	if err == nil || !strings.Contains(err.Error(), b.cfg.Metrics.Addr) {
		t.Errorf("Run() with metrics.addr taken = %v, want an error naming %s", err, b.cfg.Metrics.Addr)
	}
	if ctx.Err() != nil {
		t.Errorf("Run() returned only when its context ended")
	}
}

// With neither metrics.addr nor metrics.token, /metrics is not served.
func TestMetricsOffByDefault(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.IMAP.Enabled = false
	b.start(t)
	for _, auth := range []string{"", "Bearer " + metricsToken} {
		resp := getMetrics(t, "http://"+b.cfg.HTTP.Addr+"/metrics", auth)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET /metrics (with a token: %v) = %s, want 404", auth != "", resp.Status)
		}
	}
}
