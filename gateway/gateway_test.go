package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/imap/imaptest"
	"github.com/triage-gw/triage/channels/smtp"
	"github.com/triage-gw/triage/channels/twilio/twiliotest"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

const (
	accountSID = "AC0123456789abcdef0123456789abcdef"
	authToken  = "testauthtoken0123"
)

// bundle is one gateway wired to real peers: an in-memory IMAP server over
// TLS, the Twilio stand-in and a SQLite file.
type bundle struct {
	cfg     config.Config
	mailbox *imaptest.Server
	sms     *twiliotest.Server
	clock   *clock
	results chan gateway.IngestResult
	// maxMessageSize, when set, limits the size the poller fetches.
	maxMessageSize int64
	// smtp carries the relay's TLS trust, for tests with customer email.
	smtp smtp.Config
}

type clock struct{ offset atomic.Int64 }

func (c *clock) now() time.Time          { return time.Now().Add(time.Duration(c.offset.Load())) }
func (c *clock) advance(d time.Duration) { c.offset.Add(int64(d)) }

func setup(t *testing.T) *bundle {
	t.Helper()
	ctx := t.Context()
	mailbox, err := imaptest.Start(ctx, imaptest.ServerOptions{Username: "support@example.com", Password: "imap-pw", TLS: true})
	if err != nil {
		t.Fatalf("imaptest.Start() = %v", err)
	}
	t.Cleanup(func() { mailbox.Close() })
	sms := twiliotest.NewServer(accountSID, authToken)
	t.Cleanup(sms.Close)

	dir := t.TempDir()
	customers := filepath.Join(dir, "customers.yaml")
	if err := os.WriteFile(customers, []byte(`
- {ref: C-1, name: Jane Doe, company: Acme, tier: standard, account_value: 25, owner: tom@example.com, emails: [jane@acme.example]}
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Default()
	cfg.DataDir = dir
	cfg.CustomersFile = customers
	cfg.Staff = []config.Staff{
		{Name: "Tom Baker", Email: "tom@example.com", Phone: "+16175550102", Manager: "anna@example.com", TimeZone: "UTC"},
		{Name: "Anna Kowalski", Email: "anna@example.com", Phone: "+16175550103", Role: "manager", TimeZone: "UTC"},
	}
	cfg.Policy.DefaultOwner = "tom@example.com"
	cfg.IMAP = config.IMAP{Enabled: true, Addr: mailbox.Addr, Username: "support@example.com", Password: config.NewSecret("imap-pw"),
		Mailbox: "INBOX", Security: "tls", PollInterval: time.Second}
	cfg.Twilio = config.Twilio{Enabled: true, AccountSID: accountSID, AuthToken: config.NewSecret(authToken),
		From: "+16175550199", APIBaseURL: sms.URL()}
	cfg.HTTP.PublicURL = "http://127.0.0.1:1" // start sets the listener's
	if err := cfg.Validate(); err != nil {
		t.Fatalf("config.Validate() = %v", err)
	}
	return &bundle{cfg: cfg, mailbox: mailbox, sms: sms, clock: &clock{}, results: make(chan gateway.IngestResult, 100)}
}

// start opens and runs a gateway on b's data; the returned function stops
// it and checks that Run returned nil.
func (b *bundle) start(t *testing.T) (*gateway.Gateway, func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b.cfg.HTTP.Addr = ln.Addr().String()
	b.cfg.HTTP.PublicURL = "http://" + ln.Addr().String()
	g, err := gateway.Open(t.Context(), b.cfg, gateway.SetupOptions{
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Listener: ln, Now: b.clock.now,
		IMAP:            imap.Config{TLSConfig: b.mailbox.ClientTLSConfig(), MaxMessageSize: b.maxMessageSize},
		SMTP:            b.smtp,
		OnIngest:        func(r gateway.IngestResult) { b.results <- r },
		JobPollInterval: 100 * time.Millisecond,
	})
	if err != nil {
		t.Fatalf("gateway.Open() = %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- g.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Run() = %v, want nil after cancel", err)
			}
			if err := g.Close(); err != nil {
				t.Errorf("Close() = %v", err)
			}
		})
	}
	t.Cleanup(stop)
	return g, stop
}

func (b *bundle) appendMail(t *testing.T, id, from, subject, body string) {
	t.Helper()
	raw := fmt.Sprintf("From: %s\r\nTo: support@example.com\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@example>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n",
		from, subject, time.Now().Format(time.RFC1123Z), id, body)
	if err := b.mailbox.Append(t.Context(), "INBOX", []byte(raw), time.Now()); err != nil {
		t.Fatalf("Append(%s) = %v", id, err)
	}
}

// next waits for the next ingest result.
func (b *bundle) next(t *testing.T) gateway.IngestResult {
	t.Helper()
	select {
	case r := <-b.results:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("no message ingested within 30s")
	}
	return gateway.IngestResult{}
}

func openStore(t *testing.T, cfg config.Config) store.Store {
	t.Helper()
	st, err := gateway.OpenStore(t.Context(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatalf("OpenStore() = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

const angry = "This is the THIRD time I write about order #48213. It is still not here and it is unacceptable!! " +
	"Our production line has stopped. If it is not fixed by tomorrow morning we will cancel the contract."

// The thin path: mailbox → parse → score → route → store → SMS, and a
// second run over the same mailbox sends nothing new; on SQLite, and on
// PostgreSQL when TRIAGE_TEST_DATABASE_URL is set.
func TestEmailBecomesCaseAndSMS(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testEmailBecomesCaseAndSMS(t, setup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.cfg.Database.URL = storetest.PostgresSchemaURL(t)
		testEmailBecomesCaseAndSMS(t, b)
	})
}

func testEmailBecomesCaseAndSMS(t *testing.T, b *bundle) {
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := b.start(t)

	r := b.next(t)
	if r.CaseID == 0 || len(r.Notifications) == 0 {
		t.Fatalf("ingest = case %d, %d notifications (plan %s: %s); want a case and an SMS", r.CaseID, len(r.Notifications), r.Plan.Action, r.Plan.Reason)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	msgs, err := b.sms.Wait(ctx, len(r.Notifications))
	if err != nil {
		t.Fatalf("sms.Wait() = %v", err)
	}
	stop()

	st := openStore(t, b.cfg)
	c, err := st.CaseGetByID(t.Context(), r.CaseID)
	if err != nil {
		t.Fatalf("CaseGetByID(%d) = %v", r.CaseID, err)
	}
	sms := msgs[0]
	if want := "[" + strings.ToUpper(c.Priority) + "]"; !strings.Contains(sms.Body, want) || !strings.Contains(sms.Body, "Jane Doe") {
		t.Errorf("SMS body = %q, want the case priority %s and the customer's name", sms.Body, want)
	}
	if sms.To != "+16175550102" || sms.From != "+16175550199" {
		t.Errorf("SMS to %s from %s, want to the owner +16175550102 from +16175550199", sms.To, sms.From)
	}
	notifs, err := st.NotificationListByCase(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notifs {
		if n.Status != store.NotificationSent || n.ProviderID == "" {
			t.Errorf("notification %d: status %s sid %q, want sent with a SID", n.ID, n.Status, n.ProviderID)
		}
	}
	events, err := st.CaseEventList(t.Context(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, e := range events {
		kinds[e.Kind]++
	}
	for _, k := range []string{"message_received", "assessed", "case_opened", "routed", "task_created", "sms_queued", "sms_sent"} {
		if kinds[k] == 0 {
			t.Errorf("timeline has no %s event; kinds: %v", k, kinds)
		}
	}
	st.Close()

	// Second run: forget the cursor so the mailbox is read again from the
	// start; the old message is a duplicate and nothing new is sent.
	st2 := openStore(t, b.cfg)
	if err := st2.MailboxCursorSet(t.Context(), store.MailboxCursor{Mailbox: "support@example.com/INBOX", UpdatedAt: time.Now()}); err != nil {
		t.Fatalf("MailboxCursorSet() = %v", err)
	}
	st2.Close()
	b.appendMail(t, "m2", "Jane Doe <jane@acme.example>", "Thanks", "Thank you for the great service last month, much appreciated!")
	_, stop2 := b.start(t)
	if r := b.next(t); !r.Duplicate {
		t.Errorf("second run, first message: duplicate = false (case %d), want a duplicate", r.CaseID)
	}
	if r := b.next(t); r.Duplicate || len(r.Notifications) != 0 {
		t.Errorf("second run, praise: duplicate %v, %d notifications; want a new message with none", r.Duplicate, len(r.Notifications))
	}
	stop2()
	if got := len(b.sms.Messages()); got != len(msgs) {
		t.Errorf("stand-in got %d SMS after the second run, want %d (nothing new)", got, len(msgs))
	}
}

func TestBadMailIsQuarantinedAndIntakeMovesOn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	if err := b.mailbox.Append(t.Context(), "INBOX", []byte("X-Garbage: \x00\x01\x02\r\nSubject: no sender, no body\r\n\r\n"), time.Now()); err != nil {
		t.Fatal(err)
	}
	b.appendMail(t, "ok", "Jane Doe <jane@acme.example>", "Question", "What are your opening hours on Saturday?")
	_, stop := b.start(t)
	first, second := b.next(t), b.next(t)
	stop()
	if !first.Quarantined || first.Reason == "" {
		t.Errorf("bad mail: quarantined %v reason %q, want quarantined with a reason", first.Quarantined, first.Reason)
	}
	if second.Quarantined || second.MessageID == 0 {
		t.Errorf("good mail after it: %+v, want it stored", second)
	}
	q, err := openStore(t, b.cfg).QuarantineList(t.Context(), 10)
	if err != nil || len(q) != 1 || q[0].Reason == "" || len(q[0].Raw) == 0 {
		t.Errorf("QuarantineList() = %+v, %v; want one entry with its reason and raw bytes", q, err)
	}
}

func TestSMSRetriedOnceNotDoubled(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.sms.FailNext(1, http.StatusInternalServerError)
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := b.start(t)
	r := b.next(t)
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if _, err := b.sms.Wait(ctx, len(r.Notifications)); err != nil {
		t.Fatalf("sms.Wait() = %v", err)
	}
	stop()
	if got := len(b.sms.Messages()); got != len(r.Notifications) {
		t.Errorf("stand-in got %d SMS, want %d (one per notification)", got, len(r.Notifications))
	}
	events, err := openStore(t, b.cfg).CaseEventList(t.Context(), r.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	var retry, sent int
	for _, e := range events {
		switch e.Kind {
		case "sms_retry":
			retry++
		case "sms_sent":
			sent++
		}
	}
	if retry != 1 || sent != len(r.Notifications) {
		t.Errorf("timeline: %d sms_retry, %d sms_sent; want 1 and %d", retry, sent, len(r.Notifications))
	}
}

// Twilio takes an SMS but its answer is lost (a proxy's 504): the retry
// finds the message at Twilio and records it as sent instead of sending it
// a second time.
func TestSMSAcceptedButAnswerLostIsNotResent(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.sms.AcceptThenFail(1, http.StatusGatewayTimeout)
	listed := make(chan url.Values, 1)
	b.sms.OnList(func(q url.Values) {
		select {
		case listed <- q:
		default:
		}
	})
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := b.start(t)
	r := b.next(t)
	if len(r.Notifications) == 0 {
		t.Fatalf("ingest = case %d with no notification (plan %s: %s); want an SMS", r.CaseID, r.Plan.Action, r.Plan.Reason)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	if _, err := b.sms.Wait(ctx, len(r.Notifications)); err != nil {
		t.Fatalf("sms.Wait() = %v", err)
	}
	// River retries the attempt whose answer was lost after about a second;
	// the retry lists Twilio's messages before anything else. Stop waits for
	// that job to finish. A retry that sends again ends the wait too, and the
	// checks below say so.
	doubled := make(chan struct{})
	go func() {
		if _, err := b.sms.Wait(ctx, len(r.Notifications)+1); err == nil {
			close(doubled)
		}
	}()
	var query url.Values
	select {
	case query = <-listed:
	case <-doubled:
	case <-ctx.Done():
		t.Fatalf("the stand-in got no Messages list request within 60s (%d list requests); want the retry to look for the lost SMS", len(b.sms.Lists()))
	}
	stop()

	msgs := b.sms.Messages()
	if len(msgs) != len(r.Notifications) {
		t.Errorf("stand-in got %d SMS, want %d (one per notification)", len(msgs), len(r.Notifications))
	}
	var lost twiliotest.Message
	for _, m := range msgs {
		if m.LostAnswer != 0 {
			lost = m
		}
	}
	if lost.SID == "" {
		t.Fatalf("stand-in has no message whose answer was lost: %+v", msgs)
	}
	if query.Get("To") != lost.To || query.Get("From") != lost.From || query.Get("DateSent>") == "" {
		t.Errorf("list query = %v; want To %s, From %s and DateSent>", query, lost.To, lost.From)
	}

	st := openStore(t, b.cfg)
	notifs, err := st.NotificationListByCase(t.Context(), r.CaseID)
	if err != nil {
		t.Fatalf("NotificationListByCase(%d) = %v", r.CaseID, err)
	}
	var reconciled store.Notification
	sids := map[string]bool{}
	for _, n := range notifs {
		if n.Status != store.NotificationSent || n.ProviderID == "" || sids[n.ProviderID] {
			t.Errorf("notification %d: status %s sid %q, want sent with a SID of its own", n.ID, n.Status, n.ProviderID)
		}
		sids[n.ProviderID] = true
		if n.ProviderID == lost.SID {
			reconciled = n
		}
	}
	if reconciled.ID == 0 {
		t.Fatalf("no notification has the lost message's SID %s: %+v", lost.SID, notifs)
	}
	if reconciled.To != lost.To || reconciled.Body != lost.Body || reconciled.Attempts != 2 {
		t.Errorf("notification %d: to %s, %d attempts, body %q; want to %s, 2 attempts, the lost message's body %q",
			reconciled.ID, reconciled.To, reconciled.Attempts, reconciled.Body, lost.To, lost.Body)
	}

	events, err := st.CaseEventList(t.Context(), r.CaseID)
	if err != nil {
		t.Fatalf("CaseEventList(%d) = %v", r.CaseID, err)
	}
	var got []string
	for _, e := range events {
		var data struct {
			NotificationID int64 `json:"notification_id"`
			Reconciled     bool  `json:"reconciled"`
		}
		if err := json.Unmarshal(e.Data, &data); err != nil {
			t.Fatalf("event %d (%s) data %s: %v", e.ID, e.Kind, e.Data, err)
		}
		if data.NotificationID != reconciled.ID {
			continue
		}
		kind := e.Kind
		if data.Reconciled {
			kind += " reconciled"
		}
		got = append(got, kind)
	}
	if want := "sms_queued, sms_retry, sms_sent reconciled"; strings.Join(got, ", ") != want {
		t.Errorf("timeline of notification %d = %s; want %s", reconciled.ID, strings.Join(got, ", "), want)
	}
}

func TestHealthAndReadiness(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.IMAP.Enabled = false
	_, stop := b.start(t)
	defer stop()
	for _, path := range []string{"/healthz", "/readyz"} {
		resp, err := http.Get("http://" + b.cfg.HTTP.Addr + path)
		if err != nil {
			t.Fatalf("GET %s = %v", path, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("GET %s = %d, want 200", path, resp.StatusCode)
		}
	}
}

// A missed due time escalates: the timer fires, the owner's manager is told
// by SMS and the timeline shows it.
func TestMissedDueTimeEscalatesToManager(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := b.start(t)
	r := b.next(t)
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	before, err := b.sms.Wait(ctx, len(r.Notifications))
	if err != nil {
		t.Fatalf("sms.Wait() = %v", err)
	}
	b.clock.advance(r.Plan.DueAt.Sub(b.clock.now()) + time.Hour)
	st := openStore(t, b.cfg)
	// A timer set for a due time the case no longer has is dropped.
	if err := st.JobInsert(t.Context(), gateway.EscalateJob(r.CaseID, 2, time.Now(), r.Plan.DueAt.Add(-time.Hour))); err != nil {
		t.Fatalf("JobInsert(stale escalate level 2) = %v", err)
	}
	if err := st.JobInsert(t.Context(), gateway.EscalateJob(r.CaseID, 2, time.Now(), r.Plan.DueAt)); err != nil {
		t.Fatalf("JobInsert(escalate level 2) = %v", err)
	}
	after, err := b.sms.Wait(ctx, len(before)+1)
	if err != nil {
		t.Fatalf("sms.Wait() after escalation = %v", err)
	}
	stop()
	if got := len(b.sms.Messages()); got != len(before)+1 {
		t.Errorf("stand-in got %d SMS after two level-2 timers, one stale; want %d", got, len(before)+1)
	}
	esc := after[len(after)-1]
	if esc.To != "+16175550103" || !strings.Contains(esc.Body, "ESCALATED") {
		t.Errorf("escalation SMS to %s: %q; want the manager +16175550103, marked ESCALATED", esc.To, esc.Body)
	}
	events, err := st.CaseEventList(t.Context(), r.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range events {
		found = found || e.Kind == "escalated"
	}
	if !found {
		t.Errorf("timeline has no escalated event")
	}
}

// Messages from one customer ingested at the same time end up on one case.
func TestConcurrentMessagesFromOneCustomerShareOneCase(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.IMAP.Enabled = false
	g, err := gateway.Open(t.Context(), b.cfg, gateway.SetupOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("gateway.Open() = %v", err)
	}
	defer g.Close()
	const n = 6
	results := make([]gateway.IngestResult, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			results[i], errs[i] = g.Ingest(t.Context(), gateway.Inbound{
				Channel: store.ChannelEmail, ExternalID: fmt.Sprintf("race-%d", i),
				FromAddr: "new.customer@example.net", FromName: "New Customer", Subject: "Order #4821 still missing",
				Text: "This is the third time I write: order #4821 is still not here and it is unacceptable!", SentAt: time.Now(),
			})
		})
	}
	wg.Wait()
	cases := map[int64]bool{}
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Ingest(race-%d) = %v", i, errs[i])
		}
		cases[results[i].CaseID] = true
	}
	if len(cases) != 1 || cases[0] {
		t.Errorf("%d concurrent messages from one customer landed on cases %v, want one case", n, cases)
	}
}

// POLICY P4: when a follow-up complains about the case's owner, the case
// and its open call-back task move to the owner's manager, who is told.
func TestComplaintAboutOwnerMovesTheCallBack(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.IMAP.Enabled = false
	b.cfg.Twilio.Enabled = false
	g, err := gateway.Open(t.Context(), b.cfg, gateway.SetupOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatalf("gateway.Open() = %v", err)
	}
	defer g.Close()
	ingest := func(id, text string) gateway.IngestResult {
		t.Helper()
		r, err := g.Ingest(t.Context(), gateway.Inbound{Channel: store.ChannelEmail, ExternalID: id,
			FromAddr: "jane@acme.example", FromName: "Jane Doe", Subject: "Order #48213", Text: text, SentAt: time.Now()})
		if err != nil {
			t.Fatalf("Ingest(%s) = %v", id, err)
		}
		return r
	}
	first := ingest("p4-1", angry)
	second := ingest("p4-2", "And your rep Tom Baker was rude to me on the phone yesterday and hung up on me. Unacceptable.")
	if second.CaseID != first.CaseID || !second.Plan.RelationshipRisk {
		t.Fatalf("follow-up: case %d (first %d), relationship risk %v; want the same case, marked", second.CaseID, first.CaseID, second.Plan.RelationshipRisk)
	}
	st := openStore(t, b.cfg)
	c, err := st.CaseGetByID(t.Context(), first.CaseID)
	if err != nil {
		t.Fatal(err)
	}
	anna, err := st.StaffGetByEmail(t.Context(), "anna@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if c.OwnerID != anna.ID || !c.RelationshipRisk {
		t.Errorf("case owner %d risk %v, want Anna (%d) and a relationship risk", c.OwnerID, c.RelationshipRisk, anna.ID)
	}
	tasks, err := st.TaskListByCase(t.Context(), c.ID)
	if err != nil || len(tasks) != 1 || tasks[0].AssigneeID != anna.ID {
		t.Errorf("call-back tasks = %+v, %v; want one, assigned to Anna (%d)", tasks, err, anna.ID)
	}
	if len(second.Notifications) != 1 || second.Notifications[0].StaffID != anna.ID {
		t.Errorf("follow-up notifications = %+v, want one to Anna", second.Notifications)
	}
}
