package gateway

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promauto"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// scrapeTimeout bounds the store queries of one scrape.
const scrapeTimeout = 3 * time.Second

// metrics are one Gateway's Prometheus metrics, on a registry of its own
// (with the Go and process collectors), served at GET /metrics.
//
// Counters count what was committed: the gateway's store is wrapped
// (observedStore) so that each write metrics care about is counted when
// its transaction commits, never when it is rolled back (a duplicate
// message, a lost race to open a case, a repeated webhook). Outcomes are
// read from the case timeline's event kinds, the record the audit reads.
type metrics struct {
	now     func() time.Time
	handler http.Handler // the exposition, unguarded
	server  *http.Server // on Options.MetricsAddr; nil when unset

	ingested    *prometheus.CounterVec
	ingestLag   prometheus.Histogram
	quarantined *prometheus.CounterVec
	casesOpened *prometheus.CounterVec
	calls       *prometheus.CounterVec
	jobsFailed  *prometheus.CounterVec
	// events are the counters a timeline event adds to, by its kind.
	events map[string]prometheus.Counter
}

// newMetrics registers the metrics of a gateway built from opts; st is
// read at scrape time for the gauges.
func newMetrics(opts Options, st store.Querier) *metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		&storeCollector{st: st,
			openCases: prometheus.NewDesc("triage_open_cases",
				"Active (not resolved or closed) cases, by priority, read from the store at scrape time.", []string{"priority"}, nil),
			jobs: prometheus.NewDesc("triage_jobs",
				"Durable jobs by queue, kind and state (available, scheduled, running, retryable, …), read from the store at scrape time.",
				[]string{"queue", "kind", "state"}, nil)},
	)
	f := promauto.With(reg)
	m := &metrics{
		now: opts.Now,
		ingested: f.NewCounterVec(prometheus.CounterOpts{Name: "triage_messages_ingested_total",
			Help: "Inbound messages stored (not duplicates, not quarantined), by channel."}, []string{"channel"}),
		ingestLag: f.NewHistogram(prometheus.HistogramOpts{Name: "triage_ingest_lag_seconds",
			Help:    "Time from a message's own date (or its receipt, when the date is implausible) to its commit.",
			Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 2 * 3600, 6 * 3600, 12 * 3600, 24 * 3600}}),
		quarantined: f.NewCounterVec(prometheus.CounterOpts{Name: "triage_messages_quarantined_total",
			Help: "Inbound input quarantined because it could not be processed, by channel."}, []string{"channel"}),
		casesOpened: f.NewCounterVec(prometheus.CounterOpts{Name: "triage_cases_opened_total",
			Help: "Cases opened, by their priority at opening."}, []string{"priority"}),
		calls: f.NewCounterVec(prometheus.CounterOpts{Name: "triage_calls_total",
			Help: "Call-back outcomes: routing's call outcomes, agent_unreachable, and error when the gateway could not place or bridge a call."}, []string{"outcome"}),
		jobsFailed: f.NewCounterVec(prometheus.CounterOpts{Name: "triage_jobs_failed_total",
			Help: "Failed attempts of durable jobs (errors, cancellations and panics; not snoozes), by job kind."}, []string{"kind"}),
	}
	sms := f.NewCounterVec(prometheus.CounterOpts{Name: "triage_sms_total",
		Help: "SMS notification outcomes (sent, failed, retry, not_sent, not_possible, undelivered)."}, []string{"outcome"})
	emails := f.NewCounterVec(prometheus.CounterOpts{Name: "triage_emails_total",
		Help: "Customer email outcomes (sent, failed, retry, not_sent)."}, []string{"outcome"})
	m.events = map[string]prometheus.Counter{
		"sms_sent":           sms.WithLabelValues("sent"),
		"sms_failed":         sms.WithLabelValues("failed"),
		"sms_retry":          sms.WithLabelValues("retry"),
		"sms_not_sent":       sms.WithLabelValues("not_sent"),
		"sms_not_possible":   sms.WithLabelValues("not_possible"),
		"sms_undelivered":    sms.WithLabelValues("undelivered"),
		"email_sent":         emails.WithLabelValues("sent"),
		"email_failed":       emails.WithLabelValues("failed"),
		"email_retry":        emails.WithLabelValues("retry"),
		"email_not_sent":     emails.WithLabelValues("not_sent"),
		"call_not_connected": m.calls.WithLabelValues(string(routing.CallAgentUnreachable)),
		"call_failed":        m.calls.WithLabelValues("error"),
		"sla_breached": f.NewCounter(prometheus.CounterOpts{Name: "triage_sla_breaches_total",
			Help: "Call-backs not attempted by their due time (sla_breached on a case timeline)."}),
		"escalated": f.NewCounter(prometheus.CounterOpts{Name: "triage_escalations_total",
			Help: "Escalations: a missed due time's reminder or escalation level, or unanswered attempts told to a manager."}),
		"policy_violation": f.NewCounter(prometheus.CounterOpts{Name: "triage_policy_violations_total",
			Help: "Policy violations (P1: a complaint answered by email before any call attempt)."}),
	}
	// Series that exist from the start read 0 rather than missing.
	for _, ch := range []string{store.ChannelEmail, store.ChannelVoicemail, store.ChannelSMS} {
		m.ingested.WithLabelValues(ch)
		m.quarantined.WithLabelValues(ch)
	}
	for _, p := range priorities() {
		m.casesOpened.WithLabelValues(string(p))
	}
	for _, o := range []routing.CallOutcome{routing.CallConnected, routing.CallShort, routing.CallNoAnswer,
		routing.CallBusy, routing.CallVoicemail, routing.CallFailed} {
		m.calls.WithLabelValues(string(o))
	}

	m.handler = promhttp.HandlerFor(reg, promhttp.HandlerOpts{
		// A gauge whose query failed is left out; the rest is served.
		ErrorHandling: promhttp.ContinueOnError,
		ErrorLog:      slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
		Registry:      reg,
	})
	if opts.MetricsAddr != "" {
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", m.handler)
		m.server = &http.Server{
			Addr:              opts.MetricsAddr,
			Handler:           mux,
			ReadHeaderTimeout: 10 * time.Second,
			WriteTimeout:      30 * time.Second,
			ErrorLog:          slog.NewLogLogger(opts.Logger.Handler(), slog.LevelWarn),
		}
	}
	return m
}

// observe wraps st so that the writes metrics count are counted once
// committed.
func (m *metrics) observe(st store.Store) store.Store { return observedStore{Store: st, m: m} }

// messageStored counts a committed message; received is when it reached
// its server, as ingest records it (receivedAt).
func (m *metrics) messageStored(channel string, received time.Time) {
	m.ingested.WithLabelValues(channel).Inc()
	m.ingestLag.Observe(max(m.now().Sub(received), 0).Seconds())
}

// eventCounter is the counter a timeline event adds to, nil for kinds not
// counted.
func (m *metrics) eventCounter(kind string, data []byte) prometheus.Counter {
	if kind == "call_attempted" {
		var a attemptEvent
		if err := json.Unmarshal(data, &a); err != nil || a.Outcome == "" {
			a.Outcome = "unknown"
		}
		return m.calls.WithLabelValues(a.Outcome)
	}
	return m.events[kind]
}

// jobMiddleware counts the failed attempts of durable jobs, by kind.
func (m *metrics) jobMiddleware() []rivertype.Middleware {
	return []rivertype.Middleware{river.WorkerMiddlewareFunc(
		func(ctx context.Context, job *rivertype.JobRow, doInner func(context.Context) error) error {
			failed := true // unless doInner returns: a panic is a failure too
			defer func() {
				if failed {
					m.jobsFailed.WithLabelValues(job.Kind).Inc()
				}
			}()
			err := doInner(ctx)
			var snooze *river.JobSnoozeError
			failed = err != nil && !errors.As(err, &snooze)
			return err
		})}
}

// serveMetrics serves /metrics on Options.MetricsAddr until shutdown; it
// returns at once when that is unset, noting when metrics are not served
// at all.
func (g *Gateway) serveMetrics() error {
	srv := g.metrics.server
	if srv == nil {
		if g.opts.MetricsToken == "" || (g.opts.Listener == nil && g.opts.HTTPAddr == "") {
			g.log.Info("metrics are off: set metrics.addr (a listener of their own) or metrics.token (on the HTTP server, with a bearer token) to serve GET /metrics")
		}
		return nil
	}
	ln, err := net.Listen("tcp", srv.Addr)
	if err != nil {
		return fmt.Errorf("metrics: listen %s: %w", srv.Addr, err)
	}
	g.log.Info("metrics listening", "addr", ln.Addr().String())
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("metrics http: %w", err)
	}
	return nil
}

// shutdownMetrics stops the listener of Options.MetricsAddr, if any.
func (g *Gateway) shutdownMetrics(ctx context.Context) {
	if g.metrics.server == nil {
		return
	}
	if err := g.metrics.server.Shutdown(ctx); err != nil {
		g.log.Warn("metrics http shutdown", "err", err)
	}
}

// requireToken lets through only requests whose Authorization header
// carries token as a bearer token (RFC 6750); the others get 401 and a
// challenge. The comparison takes the same time whatever the tokens.
func requireToken(token string, next http.Handler) http.Handler {
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, cred, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		cred = strings.TrimSpace(cred)
		got := sha256.Sum256([]byte(cred))
		if subtle.ConstantTimeCompare(got[:], want[:]) != 1 || !strings.EqualFold(scheme, "Bearer") {
			challenge := `Bearer realm="triage metrics"`
			if cred != "" {
				challenge += `, error="invalid_token"`
			}
			w.Header().Set("WWW-Authenticate", challenge)
			http.Error(w, "metrics need a bearer token\n", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// storeCollector reports, from the store when Prometheus scrapes, the
// active cases by priority and the job queue's depth by queue, kind and
// state.
type storeCollector struct {
	st        store.Querier
	openCases *prometheus.Desc
	jobs      *prometheus.Desc
}

// Describe implements prometheus.Collector.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.openCases
	ch <- c.jobs
}

// Collect implements prometheus.Collector. A failed read is reported as an
// invalid metric (the scrape shows the error), the rest is still served.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), scrapeTimeout)
	defer cancel()
	counts, err := c.st.CaseCountActive(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.openCases, fmt.Errorf("count open cases: %w", err))
	} else {
		for _, p := range priorities() {
			counts[string(p)] += 0 // every priority is reported, 0 included
		}
		for p, n := range counts {
			ch <- prometheus.MustNewConstMetric(c.openCases, prometheus.GaugeValue, float64(n), p)
		}
	}
	jobs, err := c.st.JobCountList(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.jobs, fmt.Errorf("count jobs: %w", err))
		return
	}
	for _, j := range jobs {
		ch <- prometheus.MustNewConstMetric(c.jobs, prometheus.GaugeValue, float64(j.Count), j.Queue, j.Kind, j.State)
	}
}

// priorities are the four case priorities, most urgent first.
func priorities() []routing.Priority {
	return []routing.Priority{routing.PriorityCritical, routing.PriorityHigh, routing.PriorityNormal, routing.PriorityLow}
}

// observedStore is the store as the gateway uses it: the writes metrics
// count are counted at once outside a transaction, and when InTx commits
// inside one.
type observedStore struct {
	store.Store
	m *metrics
}

// InTx implements store.Store.
func (s observedStore) InTx(ctx context.Context, fn func(ctx context.Context, tx store.Querier) error) error {
	var committed []func()
	err := s.Store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		committed = committed[:0] // an engine may run fn again after a conflict
		return fn(ctx, observedQuerier{Querier: tx, m: s.m, count: func(inc func()) { committed = append(committed, inc) }})
	})
	if err == nil {
		for _, inc := range committed {
			inc()
		}
	}
	return err
}

// direct is s outside a transaction, where each write commits at once.
func (s observedStore) direct() observedQuerier {
	return observedQuerier{Querier: s.Store, m: s.m, count: func(inc func()) { inc() }}
}

// MessageInsert implements store.Querier.
func (s observedStore) MessageInsert(ctx context.Context, p store.MessageInsertParams) (store.Message, bool, error) {
	return s.direct().MessageInsert(ctx, p)
}

// QuarantineInsert implements store.Querier.
func (s observedStore) QuarantineInsert(ctx context.Context, p store.QuarantineInsertParams) (store.Quarantine, bool, error) {
	return s.direct().QuarantineInsert(ctx, p)
}

// CaseInsert implements store.Querier.
func (s observedStore) CaseInsert(ctx context.Context, p store.CaseInsertParams) (store.Case, error) {
	return s.direct().CaseInsert(ctx, p)
}

// CaseEventInsert implements store.Querier.
func (s observedStore) CaseEventInsert(ctx context.Context, p store.CaseEventInsertParams) (store.CaseEvent, error) {
	return s.direct().CaseEventInsert(ctx, p)
}

// observedQuerier notes the writes metrics count; count runs an increment
// now or once the transaction commits.
type observedQuerier struct {
	store.Querier
	m     *metrics
	count func(inc func())
}

// MessageInsert counts a stored message and its ingest lag.
func (q observedQuerier) MessageInsert(ctx context.Context, p store.MessageInsertParams) (store.Message, bool, error) {
	msg, inserted, err := q.Querier.MessageInsert(ctx, p)
	if err == nil && inserted {
		q.count(func() { q.m.messageStored(p.Channel, receivedAt(p.SentAt, p.ReceivedAt)) })
	}
	return msg, inserted, err
}

// QuarantineInsert counts quarantined input.
func (q observedQuerier) QuarantineInsert(ctx context.Context, p store.QuarantineInsertParams) (store.Quarantine, bool, error) {
	qr, inserted, err := q.Querier.QuarantineInsert(ctx, p)
	if err == nil && inserted {
		q.count(q.m.quarantined.WithLabelValues(p.Channel).Inc)
	}
	return qr, inserted, err
}

// CaseInsert counts an opened case.
func (q observedQuerier) CaseInsert(ctx context.Context, p store.CaseInsertParams) (store.Case, error) {
	c, err := q.Querier.CaseInsert(ctx, p)
	if err == nil {
		q.count(q.m.casesOpened.WithLabelValues(p.Priority).Inc)
	}
	return c, err
}

// CaseEventInsert counts the outcomes a timeline event records.
func (q observedQuerier) CaseEventInsert(ctx context.Context, p store.CaseEventInsertParams) (store.CaseEvent, error) {
	e, err := q.Querier.CaseEventInsert(ctx, p)
	if err == nil {
		if c := q.m.eventCounter(p.Kind, p.Data); c != nil {
			q.count(c.Inc)
		}
	}
	return e, err
}
