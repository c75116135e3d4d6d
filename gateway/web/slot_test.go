package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

var slotValueRE = regexp.MustCompile(`name="slot" value="([^"]+)"`)

func TestSlotLinkPicksATime(t *testing.T) {
	t.Parallel()
	f := setup(t)
	a := f.cases["a"] // Alice's, Mon-Fri 09:00-17:00 UTC; now is Tuesday 14:00
	link := f.srv.SlotLink(a.ID, f.clock.Now())
	if !strings.HasPrefix(link, "/slot/") {
		t.Fatalf("SlotLink() = %q, want /slot/<token>", link)
	}
	c := f.client(t) // no login
	page := c.get(link)
	if page.status != http.StatusOK {
		t.Fatalf("GET %s = %d, want 200; body:\n%s", link, page.status, page.body)
	}
	for _, want := range []string{"Alice would like to call you", "Late shipment A", `<label for="slot-0">14:30</label>`, "Tuesday 10 March", "Thursday 12 March"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("slot page lacks %q", want)
		}
	}
	// Nothing else of the case: not the surname, the summary, the customer or the body.
	for _, secret := range []string{"Agent", "summary of", "Acme", "PO-4471", "Friday"} {
		if strings.Contains(page.body, secret) {
			t.Errorf("slot page reveals %q", secret)
		}
	}
	values := slotValueRE.FindAllStringSubmatch(page.body, -1)
	// Tue 14:30-16:30 (5), Wed and Thu 09:00-16:30 (16 each); Alice's case
	// a is this case, so nothing is busy.
	if len(values) != 5+16+16 {
		t.Errorf("slot page offers %d slots, want 37", len(values))
	}
	pick := values[3][1]
	res := c.post(link, url.Values{"slot": {pick}})
	done := c.follow(res)
	if !strings.Contains(done.body, "Thank you. Alice will call you on Tuesday 10 March at 16:00 (UTC).") {
		t.Errorf("after picking, the page does not confirm; body:\n%s", done.body)
	}
	want, _ := time.Parse(time.RFC3339, pick)
	if got := f.actions.snapshot().slots; len(got) != 1 || !got[0].Equal(want) {
		t.Errorf("PickSlot calls = %v, want [%s]", got, want)
	}
	// A time that was never offered is refused.
	res = c.post(link, url.Values{"slot": {"2026-03-10T03:00:00Z"}})
	if page := c.follow(res); !strings.Contains(page.body, "That time is no longer free.") {
		t.Errorf("an unoffered time was not refused")
	}
	if got := f.actions.snapshot().slots; len(got) != 1 {
		t.Errorf("PickSlot called %d times, want 1", len(got))
	}
}

func TestSlotLinkSkipsBusyTimes(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	// Give Alice a second active case due Wednesday 10:00.
	cu, err := f.st.CustomerUpsert(ctx, store.CustomerUpsertParams{ExternalRef: "busy", Name: "Busy", OwnerID: f.staff["alice"].ID})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.CaseInsert(ctx, store.CaseInsertParams{CustomerID: cu.ID, OwnerID: f.staff["alice"].ID, Channel: store.ChannelEmail,
		Status: store.CaseOpen, Priority: "normal", Category: "wrong_item", Subject: "busy", DueAt: time.Date(2026, 3, 11, 10, 0, 0, 0, time.UTC),
		OpenedAt: base}); err != nil {
		t.Fatal(err)
	}
	page := f.client(t).get(f.srv.SlotLink(f.cases["a"].ID, f.clock.Now())).body
	for _, v := range slotValueRE.FindAllStringSubmatch(page, -1) {
		if v[1] == "2026-03-11T10:00:00Z" {
			t.Errorf("slot page offers Wednesday 10:00, when Alice's other case is due")
		}
	}
	for _, free := range []string{"2026-03-11T09:30:00Z", "2026-03-11T10:30:00Z"} {
		if !strings.Contains(page, `value="`+free+`"`) {
			t.Errorf("slot page does not offer %s (30 minutes from the busy time)", free)
		}
	}
}

func TestSlotLinkRefusals(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.client(t)
	link := f.srv.SlotLink(f.cases["a"].ID, f.clock.Now())
	token := strings.TrimPrefix(link, "/slot/")
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == 'A' {
			b[i] = 'B'
		} else {
			b[i] = 'A'
		}
		return string(b)
	}
	for name, bad := range map[string]string{
		"tampered case id":   flip(token, 2),
		"tampered expiry":    flip(token, 15),
		"tampered signature": flip(token, len(token)-3),
		"truncated":          token[:40],
		"garbage":            "not-a-token!",
	} {
		if res := c.get("/slot/" + bad); res.status != http.StatusNotFound || !strings.Contains(res.body, "This link is not valid.") {
			t.Errorf("%s: GET = %d, want 404 with a plain message", name, res.status)
		}
		if res := c.post("/slot/"+bad, url.Values{"slot": {"2026-03-10T15:00:00Z"}}); res.status != http.StatusNotFound {
			t.Errorf("%s: POST = %d, want 404", name, res.status)
		}
	}
	// Another server's key does not verify.
	other := setup(t, setupOptions{opts: func(o *Options) { o.LinkKey = []byte(strings.Repeat("z", 32)) }})
	if res := c.get(other.srv.SlotLink(f.cases["a"].ID, f.clock.Now())); res.status != http.StatusNotFound {
		t.Errorf("a link signed with another key: GET = %d, want 404", res.status)
	}
	// A closed case's link is of no more use.
	if res := c.get(f.srv.SlotLink(f.cases["ra"].ID, f.clock.Now())); res.status != http.StatusGone {
		t.Errorf("resolved case's link: GET = %d, want 410", res.status)
	}
	f.clock.Advance(48*time.Hour + time.Second) // SlotLinkTTL
	if res := c.get(link); res.status != http.StatusGone || !strings.Contains(res.body, "This link has expired.") {
		t.Errorf("expired link: GET = %d, want 410 with a plain message", res.status)
	}
	if res := c.post(link, url.Values{"slot": {"2026-03-12T15:00:00Z"}}); res.status != http.StatusGone {
		t.Errorf("expired link: POST = %d, want 410", res.status)
	}
	if got := f.actions.snapshot().slots; len(got) != 0 {
		t.Errorf("PickSlot called by refused links: %v", got)
	}
}

func TestSlotsFromBusinessDays(t *testing.T) {
	t.Parallel()
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Skipf("no zone database: %v", err)
	}
	hours, err := routing.ParseHours("Mon-Fri 09:00-12:00,13:00-17:00", ny)
	if err != nil {
		t.Fatal(err)
	}
	// Friday 16:20 in New York: with 15 minutes' lead the first slot would
	// be 17:00, after closing; so Monday, Tuesday and Wednesday, 14 each.
	now := time.Date(2026, 3, 13, 16, 20, 0, 0, ny)
	got := slotsFrom(hours, nil, now)
	days := map[string]int{}
	for _, s := range got {
		lt := s.In(ny)
		days[lt.Format("Mon")]++
		if !hours.IsOpen(s) || lt.Hour() == 12 {
			t.Errorf("slot %s is outside business hours", lt)
		}
	}
	want := map[string]int{"Mon": 14, "Tue": 14, "Wed": 14}
	if len(days) != len(want) || days["Mon"] != 14 || days["Tue"] != 14 || days["Wed"] != 14 {
		t.Errorf("slots per day = %v, want %v", days, want)
	}
	if first := got[0].In(ny); first.Format("Mon 15:04") != "Mon 09:00" {
		t.Errorf("first slot = %s, want Mon 09:00", first)
	}
}
