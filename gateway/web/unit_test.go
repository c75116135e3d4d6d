package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/triage-gw/triage/gateway/store"
)

func TestNewChecksOptions(t *testing.T) {
	t.Parallel()
	_, err := New(Options{LinkKey: []byte("short"), SessionIdle: -time.Second})
	if err == nil {
		t.Fatal("New(bad options) error = nil")
	}
	for _, want := range []string{"Store is required", "Actions is required", "LinkKey has 5 bytes", "SessionIdle is negative"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("New(bad options) error = %q, want it to name %q", err, want)
		}
	}
}

func TestDueText(t *testing.T) {
	t.Parallel()
	now := base
	for d, want := range map[time.Duration]string{
		12 * time.Minute:                 "due in 12m",
		90 * time.Minute:                 "due in 1h 30m",
		2 * time.Hour:                    "due in 2h",
		-3 * time.Minute:                 "overdue by 3m",
		-(50*time.Hour + 10*time.Minute): "overdue by 2d 2h",
		30 * time.Second:                 "due in 0m",
		-(48 * time.Hour):                "overdue by 2d",
	} {
		if got := dueText(now.Add(d), now); got != want {
			t.Errorf("dueText(now%+v) = %q, want %q", d, got, want)
		}
	}
	if got := dueText(time.Time{}, now); got != "no due time" {
		t.Errorf("dueText(zero) = %q", got)
	}
}

func TestDescribeEvent(t *testing.T) {
	t.Parallel()
	v := &viewer{clock: clock{loc: time.UTC}, byID: map[int64]store.Staff{7: {ID: 7, Name: "Tom Rep"}}}
	tests := []struct {
		kind, data string
		want       []string
	}{
		{"status_changed", `{"from":"open","to":"acknowledged"}`, []string{"Status changed from Open to Acknowledged"}},
		{"sms_queued", `{"notification_id":3,"staff_id":7,"role":"owner"}`, []string{"SMS queued to Tom Rep (Owner)"}},
		{"sms_failed", `{"staff_id":7,"error":"unreachable","attempt":2}`, []string{"SMS failed to Tom Rep", "error: unreachable", "attempt 2"}},
		{"task_created", `{"task_id":1,"kind":"callback","assignee_id":7,"due_at":"2026-03-10T15:00:00Z"}`, []string{"Callback task for Tom Rep, due Tue 10 Mar 2026 15:00 UTC"}},
		{"call_attempted", `{"note":"no answer; 5m late","number":2,"outcome":"no_answer","late":true}`, []string{"no answer; 5m late", "attempt 2, outcome No answer", "after the due time"}},
		{"sms_command", `{"command":"done","text":"DONE 4 reshipped","reply":"Resolved"}`, []string{"Texted DONE: “DONE 4 reshipped”", "reply: Resolved"}},
		{"escalated", `{"note":"overdue; Mia told"}`, []string{"overdue; Mia told"}},
		{"message_received", `{"message_id":12,"channel":"email","from":"jane@acme.example","forwarded_by":"sales@example.com"}`,
			[]string{"Email received from jane@acme.example", "forwarded by sales@example.com"}},
		{"email_sent", `{"kind":"acknowledge","to":"jane@acme.example","message_id":"<a1@triage.example>"}`, []string{"Email sent: Acknowledge to jane@acme.example"}},
		{"staff_email", `{"message_id":"<s1@acme.example>","subject":"Re: order","excerpt":"We will refund you","kind":"resolution","violation":true}`,
			[]string{"Staff email: Re: order", "read as: Resolution", "“We will refund you”"}},
		{"policy_violation", `{"policy":"P1","staff_id":7,"reason":"answered by email before any call","message_id":"<s1@acme.example>"}`,
			[]string{"Policy violation (P1): answered by email before any call"}},
		{"brand_new_kind", `{"owner_id":7,"weight":1.5,"tags":["a","b"]}`, []string{"Owner ID: Tom Rep", "Weight: 1.5", `Tags: ["a","b"]`}},
		{"odd_shape", `{"to":42}`, []string{"To: 42"}},
		{"not_json", `<b>`, []string{"<b>"}},
		{"empty", ``, nil},
	}
	for _, tc := range tests {
		row := describeEvent(v, store.CaseEvent{Kind: tc.kind, Actor: "staff:7", At: base, Data: []byte(tc.data)})
		all := row.Text + "\n" + strings.Join(row.Details, "\n")
		for _, w := range tc.want {
			if !strings.Contains(all, w) {
				t.Errorf("describeEvent(%s, %s) = %q, want it to contain %q", tc.kind, tc.data, all, w)
			}
		}
		if row.Kind != humanize(tc.kind) {
			t.Errorf("describeEvent kind = %q, want %q", row.Kind, humanize(tc.kind))
		}
		if row.Actor != "Tom Rep" {
			t.Errorf("describeEvent actor = %q, want Tom Rep", row.Actor)
		}
	}
}

func TestDummyHashCostsLikeARealOne(t *testing.T) {
	t.Parallel()
	// An unknown account is checked against dummyHash: it must take as long
	// as a real hash does.
	if cost, err := bcrypt.Cost([]byte(dummyHash)); err != nil || cost != bcryptCost {
		t.Errorf("bcrypt.Cost(dummyHash) = %d, %v; want %d", cost, err, bcryptCost)
	}
	if CheckPassword(dummyHash, "") || CheckPassword(dummyHash, password) {
		t.Errorf("dummyHash matches a guess")
	}
}

func TestLoginLimiterPrunes(t *testing.T) {
	t.Parallel()
	l := newLoginLimiter(3, time.Minute)
	now := base
	for i := range 10 {
		l.fail(now, "a@example.com", "192.0.2.1")
		if n := len(l.byAccount["a@example.com"]); n > 3 {
			t.Fatalf("after %d failures the account holds %d entries, want at most 3", i+1, n)
		}
	}
	if wait := l.retryAfter(now.Add(30*time.Second), "a@example.com", "192.0.2.99"); wait != 30*time.Second {
		t.Errorf("retryAfter 30s later = %s, want 30s", wait)
	}
	later := now.Add(2 * time.Minute)
	l.fail(later, "b@example.com", "192.0.2.2") // sweeps
	if _, ok := l.byAccount["a@example.com"]; ok {
		t.Errorf("stale account entry kept after the window")
	}
	if _, ok := l.byAddr["192.0.2.1"]; ok {
		t.Errorf("stale address entry kept after the window")
	}
	if wait := l.retryAfter(later, "a@example.com", "192.0.2.1"); wait != 0 {
		t.Errorf("retryAfter after the window = %s, want 0", wait)
	}
}

func TestFlashIsSigned(t *testing.T) {
	t.Parallel()
	f := setup(t)
	rec := httptest.NewRecorder()
	f.srv.setFlash(rec, flash{Error: true, Message: "Refused: nope"})
	ck := rec.Result().Cookies()[0]

	read := func(value string) *flash {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.AddCookie(&http.Cookie{Name: ck.Name, Value: value})
		return f.srv.takeFlash(httptest.NewRecorder(), req)
	}
	if got := read(ck.Value); got == nil || !got.Error || got.Message != "Refused: nope" {
		t.Errorf("takeFlash(own cookie) = %+v", got)
	}
	enc, sig, _ := strings.Cut(ck.Value, ".")
	if got := read("aUNhbGwgNTU1LTAxMDA." + sig); got != nil {
		t.Errorf("takeFlash(forged message) = %+v, want nil", got)
	}
	if got := read(enc + ".AAAA"); got != nil {
		t.Errorf("takeFlash(forged signature) = %+v, want nil", got)
	}
}

func FuzzParseSlotToken(f *testing.F) {
	s := &Server{linkKey: []byte(strings.Repeat("k", 32)), slotTTL: time.Hour}
	good := strings.TrimPrefix(s.SlotLink(42, base), "/slot/")
	f.Add(good)
	f.Add("")
	f.Add(good[:len(good)-1] + "A")
	f.Fuzz(func(t *testing.T, token string) {
		id, err := s.parseSlotToken(token, base)
		if err == nil && (token != good || id != 42) {
			t.Errorf("parseSlotToken(%q) = %d, nil; only the issued token may verify", token, id)
		}
	})
}

func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/queue", "//evil", "/\\evil", "/\t/evil", "https://x", "/cases/1?x=/\\"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := safeNext(next)
		if got != "/queue" && got != next {
			t.Fatalf("safeNext(%q) = %q: neither the input nor the default", next, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\t\r\n") {
			t.Errorf("safeNext(%q) = %q, which a browser may read as another site", next, got)
		}
	})
}
