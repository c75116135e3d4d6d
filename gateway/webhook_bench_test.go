package gateway_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// benchWorkers is the size of the client's pool of concurrent requests.
const benchWorkers = 16

// BenchmarkInboundSMSWebhook measures signed inbound-SMS webhooks (POST
// /twilio/sms) handled and committed, from a pool of benchWorkers
// goroutines sharing one keep-alive http.Client on loopback: requests/s and
// the p50 and p99 latency of the requests. Each request comes from the
// owner's phone with a unique MessageSid, signed as Twilio signs it.
// "snooze" commits a command (timeline events, a reminder job, the webhook
// receipt) on cases seeded for the run, snoozesPerCase requests a case;
// "snooze-one-case" sends them all to one case; "help" is the read-only
// baseline (the receipt only). Seeding is not timed. The goal is at least
// 1,000 requests/s with p99 under 50 ms.
//
// The postgres engine runs when TRIAGE_TEST_DATABASE_URL is set.
func BenchmarkInboundSMSWebhook(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			dbURL := ""
			if engine == "postgres" {
				dbURL = storetest.PostgresSchemaURL(b)
			}
			e := startWebhookBench(b, dbURL)
			// snooze: each case gets at most snoozesPerCase commands, as
			// in life; one-case: every command on the same case, whose
			// timeline grows by two events a request.
			b.Run("snooze", func(b *testing.B) {
				cases := e.seed(b, (b.N+snoozesPerCase-1)/snoozesPerCase)
				e.run(b, func(i int) string { return fmt.Sprintf("SNOOZE %d 30m", cases[i%len(cases)]) }, "remind you at")
			})
			b.Run("snooze-one-case", func(b *testing.B) {
				id := e.seed(b, 1)[0]
				e.run(b, func(int) string { return fmt.Sprintf("SNOOZE %d 30m", id) }, "remind you at")
			})
			b.Run("help", func(b *testing.B) {
				e.run(b, func(int) string { return "HELP" }, "SNOOZE n 30m")
			})
		})
	}
}

// snoozesPerCase is how many SNOOZE commands the snooze benchmark sends
// per case.
const snoozesPerCase = 8

// run times b.N inbound SMS webhooks, the ith with text(i), each of whose
// answers must have want in it, and reports requests/s and latencies.
func (e *webhookBench) run(b *testing.B, text func(i int) string, want string) {
	reqs := e.requests(b, b.N, text)
	lat, elapsed, err := e.fire(reqs, want, b.ResetTimer, b.StopTimer)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "req/s")
	b.ReportMetric(ms(percentile(lat, 0.50)), "p50-ms")
	b.ReportMetric(ms(percentile(lat, 0.99)), "p99-ms")
}

// webhookBench is a running gateway, the Twilio stand-in it sends its SMS
// to, and the client that sends it webhooks.
type webhookBench struct {
	g      *gateway.Gateway
	sms    *twiliotest.Server
	sent   int // SMS the seeded cases sent so far
	seeded int // complaints ingested so far
	client *http.Client
	url    string // http.public_url + PathSMS: what Twilio signs
}

// startWebhookBench opens and runs a gateway on dbURL ("" for SQLite in a
// temporary directory) with IMAP off and Twilio on against the stand-in,
// serving HTTP on a loopback listener that is its public URL, with a warm
// pool of client connections.
func startWebhookBench(b *testing.B, dbURL string) *webhookBench {
	b.Helper()
	sms := twiliotest.NewServer(accountSID, authToken)
	b.Cleanup(sms.Close)
	dir := b.TempDir()
	customers := filepath.Join(dir, "customers.yaml")
	if err := os.WriteFile(customers, []byte(`
- {ref: C-1, name: Jane Doe, company: Acme, tier: standard, account_value: 25, owner: tom@example.com, emails: [jane@acme.example]}
`), 0o600); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.CustomersFile = customers
	cfg.Database.URL = dbURL
	cfg.Staff = []config.Staff{
		{Name: "Tom Baker", Email: "tom@example.com", Phone: "+16175550102", Manager: "anna@example.com", TimeZone: "UTC"},
		{Name: "Anna Kowalski", Email: "anna@example.com", Phone: "+16175550103", Role: "manager", TimeZone: "UTC"},
	}
	cfg.Policy.DefaultOwner = "tom@example.com"
	cfg.IMAP.Enabled = false
	cfg.Twilio = config.Twilio{Enabled: true, AccountSID: accountSID, AuthToken: config.NewSecret(authToken),
		From: "+16175550199", APIBaseURL: sms.URL()}
	cfg.HTTP.Addr = ln.Addr().String()
	cfg.HTTP.PublicURL = "http://" + ln.Addr().String()
	if err := cfg.Validate(); err != nil {
		ln.Close()
		b.Fatalf("config.Validate() = %v", err)
	}
	g, err := gateway.Open(context.Background(), cfg, gateway.SetupOptions{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Listener: ln,
	})
	if err != nil {
		ln.Close()
		b.Fatalf("gateway.Open() = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	b.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			b.Errorf("Run() = %v, want nil after cancel", err)
		}
		if err := g.Close(); err != nil {
			b.Errorf("Close() = %v", err)
		}
	})

	client := &http.Client{
		Transport: &http.Transport{MaxIdleConns: benchWorkers, MaxIdleConnsPerHost: benchWorkers, IdleConnTimeout: time.Minute},
		Timeout:   30 * time.Second,
	}
	b.Cleanup(client.CloseIdleConnections)
	e := &webhookBench{g: g, sms: sms, client: client, url: strings.TrimRight(cfg.HTTP.PublicURL, "/") + gateway.PathSMS}
	// Warm up: open the pool's connections and the server's first paths.
	help := func(int) string { return "HELP" }
	if _, _, err := e.fire(e.requests(b, 4*benchWorkers, help), "SNOOZE n 30m", func() {}, func() {}); err != nil {
		b.Fatalf("warm-up: %v", err)
	}
	return e
}

// seed ingests n complaints, each from a new customer, and returns their
// cases, open and owned by Tom (the default owner), once the SMS that told
// him of them are sent.
func (e *webhookBench) seed(b *testing.B, n int) []int64 {
	b.Helper()
	ctx := context.Background()
	ids := make([]int64, n)
	for i := range ids {
		e.seeded++
		r, err := e.g.Ingest(ctx, gateway.Inbound{Channel: store.ChannelEmail, ExternalID: fmt.Sprintf("bench-%d", e.seeded),
			FromAddr: fmt.Sprintf("customer%d@example.net", e.seeded), FromName: fmt.Sprintf("Customer %d", e.seeded),
			Subject: "Order #48213 - third time", Text: angry, SentAt: time.Now()})
		if err != nil {
			b.Fatalf("Ingest() = %v", err)
		}
		if r.CaseID == 0 || len(r.Notifications) == 0 {
			b.Fatalf("Ingest() = case %d, %d SMS (plan %s: %s); want a case and an SMS", r.CaseID, len(r.Notifications), r.Plan.Action, r.Plan.Reason)
		}
		ids[i] = r.CaseID
		e.sent += len(r.Notifications)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if _, err := e.sms.Wait(ctx, e.sent); err != nil {
		b.Fatalf("sms.Wait(%d) = %v", e.sent, err)
	}
	return ids
}

// signedSMS is one inbound SMS webhook, ready to send.
type signedSMS struct {
	body      []byte
	signature string
}

// requests builds n inbound SMS webhooks, the ith with text(i), from Tom's phone, each
// with a MessageSid of its own, signed as Twilio signs them: the form
// Twilio posts to a number's messaging webhook.
func (e *webhookBench) requests(b *testing.B, n int, text func(i int) string) []signedSMS {
	b.Helper()
	out := make([]signedSMS, n)
	for i := range out {
		sid := "SM" + randomHex(b, 16)
		form := url.Values{
			"ToCountry": {"US"}, "ToState": {"MA"}, "ToCity": {"BOSTON"}, "ToZip": {"02108"},
			"FromCountry": {"US"}, "FromState": {"MA"}, "FromCity": {"BOSTON"}, "FromZip": {"02108"},
			"SmsMessageSid": {sid}, "SmsSid": {sid}, "MessageSid": {sid}, "SmsStatus": {"received"},
			"NumMedia": {"0"}, "NumSegments": {"1"}, "ApiVersion": {"2010-04-01"},
			"AccountSid": {accountSID}, "From": {"+16175550102"}, "To": {"+16175550199"}, "Body": {text(i)},
		}
		out[i] = signedSMS{body: []byte(form.Encode()), signature: twiliotest.Sign(authToken, e.url, form)}
	}
	return out
}

// fire sends reqs from benchWorkers goroutines and returns each request's
// latency and the time all took. start is called once every goroutine is
// ready, just before the first request, and stop just after the last
// answer. Every answer must be 200 with want in its body.
func (e *webhookBench) fire(reqs []signedSMS, want string, start, stop func()) ([]time.Duration, time.Duration, error) {
	lat := make([]time.Duration, len(reqs))
	var (
		next     atomic.Int64
		failed   atomic.Bool
		firstErr error
		errOnce  sync.Once
		ready    sync.WaitGroup
		wg       sync.WaitGroup
	)
	fail := func(err error) {
		errOnce.Do(func() { firstErr = err })
		failed.Store(true)
	}
	gate := make(chan struct{})
	for range min(benchWorkers, len(reqs)) {
		ready.Add(1)
		wg.Go(func() {
			ready.Done()
			<-gate
			for !failed.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) {
					return
				}
				req, err := http.NewRequest(http.MethodPost, e.url, bytes.NewReader(reqs[i].body))
				if err != nil {
					fail(err)
					return
				}
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Twilio-Signature", reqs[i].signature)
				t0 := time.Now()
				resp, err := e.client.Do(req)
				if err != nil {
					fail(err)
					return
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(t0)
				switch {
				case err != nil:
					fail(fmt.Errorf("request %d: read answer: %w", i, err))
				case resp.StatusCode != http.StatusOK:
					fail(fmt.Errorf("request %d: status %d, want 200: %s", i, resp.StatusCode, body))
				case !bytes.Contains(body, []byte(want)):
					fail(fmt.Errorf("request %d: answer %s, want %q in it", i, body, want))
				}
			}
		})
	}
	ready.Wait()
	start()
	t0 := time.Now()
	close(gate)
	wg.Wait()
	elapsed := time.Since(t0)
	stop()
	return lat, elapsed, firstErr
}

// percentile returns the q quantile of d (nearest rank); it sorts d.
func percentile(d []time.Duration, q float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	i := int(math.Ceil(q*float64(len(d)))) - 1
	return d[max(0, min(i, len(d)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func randomHex(tb testing.TB, n int) string {
	buf := make([]byte, n)
	if _, err := rand.Read(buf); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(buf)
}
