package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/sqlite"
	"github.com/triage-gw/triage/nlp"
	"github.com/triage-gw/triage/routing"
)

// xss is the hostile text seeded into names, subjects and bodies.
const (
	xss        = "<script>alert(1)</script>"
	xssEscaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
	password   = "correct horse battery staple"
)

// base is the fixture's start time: a Tuesday afternoon.
var base = time.Date(2026, 3, 10, 14, 0, 0, 0, time.UTC)

// testClock is the server's clock, moved by the tests.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fakeActions records what the dashboard asked of the gateway.
type fakeActions struct {
	mu  sync.Mutex
	got recorded
}

// recorded are the calls a fakeActions received.
type recorded struct {
	acts        []routing.Command
	actBy       []int64
	notes       []string
	reassigned  [][2]int64 // case, to
	calls       []string
	slots       []time.Time
	deactivated []int64
}

func (f *fakeActions) Act(_ context.Context, staffID int64, cmd routing.Command) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got.acts = append(f.got.acts, cmd)
	f.got.actBy = append(f.got.actBy, staffID)
	if cmd.Kind == routing.CommandUnhappy {
		return "no call on record <b>yet</b>", true, nil
	}
	return fmt.Sprintf("OK: %s on case %d", cmd.Kind, cmd.CaseID), false, nil
}

func (f *fakeActions) AddNote(_ context.Context, staffID, caseID int64, note string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got.notes = append(f.got.notes, fmt.Sprintf("%d:%d:%s", staffID, caseID, note))
	return nil
}

func (f *fakeActions) Reassign(_ context.Context, staffID, caseID, to int64) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got.reassigned = append(f.got.reassigned, [2]int64{caseID, to})
	return "", nil
}

func (f *fakeActions) RecordCall(_ context.Context, staffID, caseID int64, outcome string, talked time.Duration, note string) (string, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got.calls = append(f.got.calls, fmt.Sprintf("%d:%s:%s:%s", caseID, outcome, talked, note))
	return "", false, nil
}

func (f *fakeActions) PickSlot(_ context.Context, caseID int64, at time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got.slots = append(f.got.slots, at)
	return nil
}

func (f *fakeActions) Deactivate(_ context.Context, actorID, staffID int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got.deactivated = append(f.got.deactivated, staffID)
	return nil
}

// snapshot returns a copy of the recorded calls.
func (f *fakeActions) snapshot() recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.got
	return recorded{acts: slices.Clone(g.acts), actBy: slices.Clone(g.actBy), notes: slices.Clone(g.notes),
		reassigned: slices.Clone(g.reassigned), calls: slices.Clone(g.calls), slots: slices.Clone(g.slots),
		deactivated: slices.Clone(g.deactivated)}
}

// fakeRecordings serves any recording as a few bytes of audio.
type fakeRecordings struct{}

func (fakeRecordings) Recording(_ context.Context, sid string) (io.ReadCloser, string, error) {
	return io.NopCloser(strings.NewReader("audio of " + sid)), "audio/mpeg", nil
}

// fixture is a dashboard over a seeded SQLite store.
//
// Staff: director Dana > manager Mia > agents Alice and Bob; manager Max >
// agent Carl (whose name is hostile HTML); admin Ada; QA Quinn; inactive
// Ian; Nora without a password.
type fixture struct {
	st      store.Store
	srv     *Server
	ts      *httptest.Server
	clock   *testClock
	actions *fakeActions
	staff   map[string]store.Staff
	cases   map[string]store.Case
	custs   map[string]store.Customer
}

type setupOptions struct {
	noRecordings bool
	opts         func(*Options)
}

func setup(t *testing.T, so ...setupOptions) *fixture {
	t.Helper()
	ctx := context.Background()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "t.db"), store.OpenOptions{Migrate: true, Logger: logger})
	if err != nil {
		t.Fatalf("sqlite.Open() error = %v", err)
	}
	t.Cleanup(func() { st.Close() })
	f := &fixture{st: st, clock: &testClock{now: base}, actions: &fakeActions{},
		staff: map[string]store.Staff{}, cases: map[string]store.Case{}, custs: map[string]store.Customer{}}
	f.seed(t)

	opts := Options{Store: st, Actions: f.actions, Recordings: fakeRecordings{}, Now: f.clock.Now, Logger: logger,
		SessionIdle: 30 * time.Minute, SessionMax: 2 * time.Hour, LoginAttempts: 5, LoginWindow: 15 * time.Minute,
		LinkKey: bytes.Repeat([]byte("k"), 32), SlotLinkTTL: 48 * time.Hour}
	for _, o := range so {
		if o.noRecordings {
			opts.Recordings = nil
		}
		if o.opts != nil {
			o.opts(&opts)
		}
	}
	srv, err := New(opts)
	if err != nil {
		t.Fatalf("New() error = %v", err)
	}
	f.srv = srv
	f.ts = httptest.NewServer(srv)
	t.Cleanup(f.ts.Close)
	return f
}

func (f *fixture) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	addStaff := func(key, name, role string, manager string, active bool, withPassword bool) {
		p := store.StaffUpsertParams{Name: name, Email: key + "@example.com", Phone: fmt.Sprintf("+1555010%04d", len(f.staff)),
			Role: role, TimeZone: "UTC", Hours: "Mon-Fri 09:00-17:00", Active: active}
		if manager != "" {
			p.ManagerID = f.staff[manager].ID
		}
		if withPassword {
			p.PasswordHash = string(hash)
		}
		s, err := f.st.StaffUpsert(ctx, p)
		if err != nil {
			t.Fatalf("StaffUpsert(%s) error = %v", key, err)
		}
		f.staff[key] = s
	}
	addStaff("dana", "Dana Director", RoleDirector, "", true, true)
	addStaff("mia", "Mia Manager", RoleManager, "dana", true, true)
	addStaff("alice", "Alice Agent", RoleAgent, "mia", true, true)
	addStaff("bob", "Bob Agent", RoleAgent, "mia", true, true)
	addStaff("max", "Max Manager", RoleManager, "", true, true)
	addStaff("carl", "Carl "+xss, RoleAgent, "max", true, true)
	addStaff("ada", "Ada Admin", RoleAdmin, "", true, true)
	addStaff("quinn", "Quinn QA", RoleQA, "", true, true)
	addStaff("ian", "Ian Inactive", RoleAgent, "mia", false, true)
	addStaff("nora", "Nora Nopass", RoleAgent, "mia", true, false)

	addCustomer := func(key, name, owner string) {
		c, err := f.st.CustomerUpsert(ctx, store.CustomerUpsertParams{ExternalRef: key, Name: name, Company: name + " Ltd",
			Tier: "standard", OwnerID: f.staff[owner].ID, OwnerSince: base.Add(-90 * 24 * time.Hour),
			Emails: []string{key + "@customer.example"}, Phones: []string{fmt.Sprintf("+1555020%04d", len(f.custs))}})
		if err != nil {
			t.Fatalf("CustomerUpsert(%s) error = %v", key, err)
		}
		f.custs[key] = c
	}
	addCustomer("acme", "Acme", "alice")
	addCustomer("bolt", "Bolt", "bob")
	addCustomer("evil", xss, "carl")
	addCustomer("dyna", "Dyna", "carl")
	addCustomer("echo", "Echo", "alice")
	addCustomer("fox", "Fox", "carl")

	detail, err := json.Marshal(nlp.Assessment{
		Tone:     nlp.Tone{Score: -0.7, Label: nlp.ToneAngry, Evidence: []nlp.Evidence{{Rule: "lexicon", Phrase: "unacceptable", Weight: -0.4}}},
		Urgency:  nlp.Urgency{Score: 0.8, Level: nlp.LevelHigh, Evidence: []nlp.Evidence{{Rule: "deadline", Phrase: "by Friday", Weight: 0.3}}},
		Category: nlp.CategoryResult{Primary: nlp.CategoryMissedOrLateShipment, Evidence: []nlp.Evidence{{Rule: "keyword", Phrase: "shipment"}}},
		Facts:    nlp.Facts{OrderNumbers: []string{"PO-4471"}, Amounts: []nlp.Amount{{Text: "$250.00", Value: 250, Currency: "USD"}}},
		Summary:  "Order PO-4471 has not arrived", Heard: []string{"the order PO-4471 was promised for Monday"},
	})
	if err != nil {
		t.Fatal(err)
	}
	type caseSeed struct {
		key, cust, owner, subject, body, channel, status string
		opened, due                                      time.Duration // from base
		risk                                             bool
	}
	seeds := []caseSeed{
		{"a", "acme", "alice", "Late shipment A", "Where is my order PO-4471? This is unacceptable.", store.ChannelEmail, store.CaseOpen, -2 * time.Hour, time.Hour, false},
		{"b", "bolt", "bob", "Overcharge B", "You charged me twice.", store.ChannelEmail, store.CaseReopened, -5 * time.Hour, -30 * time.Minute, true},
		{"x", "evil", "carl", xss, xss, store.ChannelVoicemail, store.CaseOpen, -3 * time.Hour, 2 * time.Hour, false},
		{"shared", "dyna", "carl", "Shared D", "Please call back.", store.ChannelEmail, store.CaseAcknowledged, -4 * time.Hour, 3 * time.Hour, false},
		{"ra", "echo", "alice", "Resolved E", "Wrong item.", store.ChannelEmail, store.CaseOpen, -48 * time.Hour, -47 * time.Hour, false},
		{"rx", "fox", "carl", xss + " resolved", "Bad visit.", store.ChannelEmail, store.CaseOpen, -72 * time.Hour, -71 * time.Hour, false},
	}
	for i, s := range seeds {
		opened := base.Add(s.opened)
		c, err := f.st.CaseInsert(ctx, store.CaseInsertParams{CustomerID: f.custs[s.cust].ID, OwnerID: f.staff[s.owner].ID,
			Channel: s.channel, Status: s.status, Priority: "high", Category: string(nlp.CategoryMissedOrLateShipment),
			Subject: s.subject, Summary: "summary of " + s.subject, RelationshipRisk: s.risk, DueAt: base.Add(s.due), OpenedAt: opened})
		if err != nil {
			t.Fatalf("CaseInsert(%s) error = %v", s.key, err)
		}
		ext := fmt.Sprintf("msg-%d@example.com", i)
		if s.channel == store.ChannelVoicemail {
			ext = "RE" + strings.Repeat("a", 31) + fmt.Sprint(i)
			if _, err := f.st.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: "CA" + strings.Repeat("b", 32), From: "+15550300000",
				RecordingSID: ext, DurationSeconds: 42, TranscriptStatus: store.TranscriptCompleted, CalledAt: opened}); err != nil {
				t.Fatalf("VoicemailUpsert error = %v", err)
			}
		}
		m, _, err := f.st.MessageInsert(ctx, store.MessageInsertParams{Channel: s.channel, ExternalID: ext, CustomerID: f.custs[s.cust].ID,
			CaseID: c.ID, FromAddr: s.cust + "@customer.example", FromName: f.custs[s.cust].Name, Subject: s.subject, Body: s.body,
			SentAt: opened, ReceivedAt: opened, Raw: []byte("Subject: " + s.subject + "\r\n\r\n" + s.body)})
		if err != nil {
			t.Fatalf("MessageInsert(%s) error = %v", s.key, err)
		}
		if _, err := f.st.AssessmentInsert(ctx, store.AssessmentInsertParams{MessageID: m.ID, ToneScore: -0.7, ToneLabel: "angry",
			UrgencyScore: 0.8, UrgencyLevel: "high", Category: string(nlp.CategoryMissedOrLateShipment), IsComplaint: true,
			Summary: "Order PO-4471 has not arrived", Language: "en", Detail: detail}); err != nil {
			t.Fatalf("AssessmentInsert(%s) error = %v", s.key, err)
		}
		received := map[string]any{"message_id": m.ID, "channel": s.channel, "from": s.cust + "@customer.example", "subject": s.subject}
		if s.channel == store.ChannelVoicemail {
			received["recording_sid"] = ext
		}
		f.event(t, c.ID, opened, "customer", "message_received", received)
		f.event(t, c.ID, opened, "system", "case_opened", map[string]any{"note": "new complaint"})
		if _, err := f.st.TaskInsert(ctx, store.TaskInsertParams{CaseID: c.ID, Kind: store.TaskCallback, AssigneeID: c.OwnerID,
			Status: store.TaskOpen, DueAt: c.DueAt, Checklist: []string{"Ask for the order number", "Check with the carrier"}, CreatedAt: opened}); err != nil {
			t.Fatalf("TaskInsert(%s) error = %v", s.key, err)
		}
		f.cases[s.key] = c
	}
	// Alice holds an open follow-up on Carl's shared case.
	if _, err := f.st.TaskInsert(ctx, store.TaskInsertParams{CaseID: f.cases["shared"].ID, Kind: store.TaskFollowUp,
		AssigneeID: f.staff["alice"].ID, Status: store.TaskOpen, DueAt: base.Add(24 * time.Hour), CreatedAt: base}); err != nil {
		t.Fatal(err)
	}
	f.event(t, f.cases["b"].ID, base.Add(-30*time.Minute), "system", "sla_breached", map[string]any{"note": "the call-back is overdue"})
	f.event(t, f.cases["a"].ID, base.Add(-time.Hour), "staff:"+fmt.Sprint(f.staff["alice"].ID), "mystery_kind",
		map[string]any{"assignee_id": f.staff["bob"].ID, "colour": "teal"})
	for key, lesson := range map[string]string{"ra": "check the packing list twice", "rx": "lesson " + xss} {
		c := f.cases[key]
		at := c.OpenedAt.Add(time.Hour)
		f.event(t, c.ID, at, "staff:"+fmt.Sprint(c.OwnerID), "resolved", map[string]any{"note": "resolved by owner; lessons learned: " + lesson})
		up, err := f.st.CaseUpdate(ctx, store.CaseUpdateParams{ID: c.ID, Status: store.CaseResolved, ResolvedAt: at, UpdatedAt: at})
		if err != nil {
			t.Fatalf("CaseUpdate(%s) error = %v", key, err)
		}
		f.cases[key] = up
	}
}

func (f *fixture) event(t *testing.T, caseID int64, at time.Time, actor, kind string, data any) {
	t.Helper()
	b, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.CaseEventInsert(context.Background(), store.CaseEventInsertParams{CaseID: caseID, At: at, Actor: actor, Kind: kind, Data: b}); err != nil {
		t.Fatalf("CaseEventInsert(%s) error = %v", kind, err)
	}
}

// client is one browser: a cookie jar that does not follow redirects.
type client struct {
	t    *testing.T
	f    *fixture
	http *http.Client
}

func (f *fixture) client(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, f: f, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login logs in as the staff member key and fails the test otherwise.
func (f *fixture) login(t *testing.T, key string) *client {
	t.Helper()
	c := f.client(t)
	res := c.loginAs(key+"@example.com", password)
	if res.status != http.StatusSeeOther {
		t.Fatalf("login as %s: status %d, want 303; body:\n%s", key, res.status, res.body)
	}
	return c
}

// response is what a request got.
type response struct {
	status int
	header http.Header
	body   string
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s error = %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatalf("read %s %s: %v", req.Method, req.URL, err)
	}
	return response{status: res.StatusCode, header: res.Header, body: string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.f.ts.URL+path, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(req)
}

// post sends a form; headers are extra request headers.
func (c *client) post(path string, form url.Values, headers ...string) response {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.f.ts.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return c.do(req)
}

var (
	tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)
	csrfRE  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
)

// loginAs fetches the login form and posts it.
func (c *client) loginAs(email, pw string) response {
	c.t.Helper()
	form := c.get("/login")
	m := tokenRE.FindStringSubmatch(form.body)
	if m == nil {
		c.t.Fatalf("GET /login: no token in the form:\n%s", form.body)
	}
	return c.post("/login", url.Values{"token": {m[1]}, "email": {email}, "password": {pw}})
}

// csrf reads the session's form token from a page.
func (c *client) csrf() string {
	c.t.Helper()
	res := c.get("/account/password")
	m := csrfRE.FindStringSubmatch(res.body)
	if m == nil {
		c.t.Fatalf("GET /account/password (status %d): no csrf token", res.status)
	}
	return m[1]
}

// postForm posts form with the session's CSRF token.
func (c *client) postForm(path string, form url.Values) response {
	c.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", c.csrf())
	return c.post(path, form)
}

// follow fetches where a 303 points.
func (c *client) follow(res response) response {
	c.t.Helper()
	if res.status != http.StatusSeeOther {
		c.t.Fatalf("status %d, want 303; body:\n%s", res.status, res.body)
	}
	return c.get(res.header.Get("Location"))
}

func casePath(c store.Case) string { return fmt.Sprintf("/cases/%d", c.ID) }
