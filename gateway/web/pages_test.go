package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestEveryPageForEveryRole(t *testing.T) {
	t.Parallel()
	f := setup(t)
	visible := map[string]string{"alice": "a", "mia": "b", "dana": "b", "max": "x", "ada": "x", "quinn": "x"}
	for who, caseKey := range visible {
		c := f.login(t, who)
		pages := []string{"/queue", casePath(f.cases[caseKey]), "/lessons", "/directory", "/audit", "/account/password"}
		for _, p := range pages {
			res := c.get(p)
			if res.status != http.StatusOK {
				t.Errorf("%s: GET %s = %d, want 200; body:\n%s", who, p, res.status, res.body)
				continue
			}
			h := res.header
			if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("%s: GET %s Content-Type = %q", who, p, ct)
			}
			if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") ||
				!strings.Contains(csp, "frame-ancestors 'none'") || strings.Contains(csp, "unsafe-inline") {
				t.Errorf("%s: GET %s CSP = %q", who, p, csp)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "same-origin" || h.Get("Cache-Control") != "no-store" {
				t.Errorf("%s: GET %s headers nosniff=%q referrer=%q cache=%q", who, p,
					h.Get("X-Content-Type-Options"), h.Get("Referrer-Policy"), h.Get("Cache-Control"))
			}
			if strings.Contains(res.body, "<script>") || strings.Contains(res.body, " style=") || strings.Contains(res.body, " onclick=") {
				t.Errorf("%s: GET %s has an inline script or style", who, p)
			}
		}
		if res := c.get("/"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/queue" {
			t.Errorf("%s: GET / = %d to %q, want 303 to /queue", who, res.status, res.header.Get("Location"))
		}
	}
	// The static files are served, with their own caching.
	c := f.client(t)
	for _, p := range []string{"/static/app.css", "/static/app.js"} {
		if res := c.get(p); res.status != http.StatusOK || res.header.Get("Cache-Control") == "no-store" {
			t.Errorf("GET %s = %d, Cache-Control %q", p, res.status, res.header.Get("Cache-Control"))
		}
	}
	if res := c.get("/no/such/page"); res.status != http.StatusNotFound || !strings.Contains(res.body, "There is nothing here") {
		t.Errorf("GET /no/such/page = %d, want the 404 page", res.status)
	}
	if res := c.get("/static/"); res.status != http.StatusNotFound {
		t.Errorf("GET /static/ = %d, want 404 (no listing)", res.status)
	}
}

// caseLinks returns which of the fixture's cases a page links to.
func caseLinks(f *fixture, body string) map[string]bool {
	out := map[string]bool{}
	for key, c := range f.cases {
		if strings.Contains(body, fmt.Sprintf(`href="/cases/%d"`, c.ID)) {
			out[key] = true
		}
	}
	return out
}

func TestVisibilityByRole(t *testing.T) {
	t.Parallel()
	f := setup(t)
	tests := []struct {
		who           string
		queue         []string // active cases in the queue
		hidden        []string // cases whose page is 404
		lessons       []string
		hiddenLessons []string
	}{
		{who: "alice", queue: []string{"a", "shared"}, hidden: []string{"b", "x", "rx"}, lessons: []string{"ra"}, hiddenLessons: []string{"rx"}},
		{who: "bob", queue: []string{"b"}, hidden: []string{"a", "x", "shared", "ra"}, hiddenLessons: []string{"ra", "rx"}},
		{who: "mia", queue: []string{"a", "b", "shared"}, hidden: []string{"x", "rx"}, lessons: []string{"ra"}, hiddenLessons: []string{"rx"}},
		{who: "dana", queue: []string{"a", "b", "shared"}, hidden: []string{"x", "rx"}, lessons: []string{"ra"}, hiddenLessons: []string{"rx"}},
		{who: "max", queue: []string{"x", "shared"}, hidden: []string{"a", "b", "ra"}, lessons: []string{"rx"}, hiddenLessons: []string{"ra"}},
		{who: "ada", queue: []string{"a", "b", "x", "shared"}, lessons: []string{"ra", "rx"}},
		{who: "quinn", queue: []string{"a", "b", "x", "shared"}, lessons: []string{"ra", "rx"}},
	}
	for _, tc := range tests {
		c := f.login(t, tc.who)
		got := caseLinks(f, c.get("/queue").body)
		for key := range f.cases {
			want := false
			for _, k := range tc.queue {
				want = want || k == key
			}
			if got[key] != want {
				t.Errorf("%s: queue lists case %s = %v, want %v", tc.who, key, got[key], want)
			}
		}
		for _, key := range tc.hidden {
			p := casePath(f.cases[key])
			if res := c.get(p); res.status != http.StatusNotFound {
				t.Errorf("%s: GET %s (case %s) = %d, want 404", tc.who, p, key, res.status)
			}
		}
		for _, key := range tc.queue {
			if res := c.get(casePath(f.cases[key])); res.status != http.StatusOK {
				t.Errorf("%s: GET case %s = %d, want 200", tc.who, key, res.status)
			}
		}
		lessons := c.get("/lessons").body
		links := caseLinks(f, lessons)
		for _, key := range tc.lessons {
			if !links[key] {
				t.Errorf("%s: /lessons does not show case %s's lesson", tc.who, key)
			}
		}
		for _, key := range tc.hiddenLessons {
			if links[key] {
				t.Errorf("%s: /lessons shows case %s's lesson", tc.who, key)
			}
		}
	}
	// A case that does not exist looks the same as a hidden one.
	c := f.login(t, "alice")
	if res := c.get("/cases/999999"); res.status != http.StatusNotFound {
		t.Errorf("GET /cases/999999 = %d, want 404", res.status)
	}
	if res := c.get("/cases/nope"); res.status != http.StatusNotFound {
		t.Errorf("GET /cases/nope = %d, want 404", res.status)
	}
}

func TestAgentCannotActOnAnothersCase(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "alice")
	for _, action := range []string{"note", "ack", "resolve", "reassign", "call", "unhappy"} {
		p := casePath(f.cases["b"]) + "/" + action
		if res := c.postForm(p, url.Values{"note": {"x"}, "to": {fmt.Sprint(f.staff["alice"].ID)}, "outcome": {"busy"}}); res.status != http.StatusNotFound {
			t.Errorf("alice POST %s (Bob's case) = %d, want 404", p, res.status)
		}
	}
	a := f.actions.snapshot()
	if len(a.acts)+len(a.notes)+len(a.reassigned)+len(a.calls) != 0 {
		t.Errorf("actions were called for a case alice may not see: %+v", a)
	}
}

func TestQueueFilters(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "ada")
	tests := []struct {
		query string
		want  []string
	}{
		{"?channel=voicemail", []string{"x"}},
		{"?channel=email&priority=high", []string{"a", "b", "shared"}},
		{"?priority=low", nil},
		{"?q=overcharge", []string{"b"}},
		{fmt.Sprintf("?q=%%23%d", f.cases["a"].ID), []string{"a"}}, // "#N"
		{fmt.Sprintf("?owner=%d", f.staff["bob"].ID), []string{"b"}},
		{"?category=missed_or_late_shipment", []string{"a", "b", "x", "shared"}},
		{"?category=bogus", []string{"a", "b", "x", "shared"}}, // unknown values do not filter
	}
	for _, tc := range tests {
		got := caseLinks(f, c.get("/queue"+tc.query).body)
		if len(got) != len(tc.want) {
			t.Errorf("GET /queue%s lists %v, want %v", tc.query, got, tc.want)
			continue
		}
		for _, k := range tc.want {
			if !got[k] {
				t.Errorf("GET /queue%s lists %v, want %v", tc.query, got, tc.want)
			}
		}
	}
	// A manager cannot filter to someone outside their chain.
	mia := f.login(t, "mia")
	if got := caseLinks(f, mia.get(fmt.Sprintf("/queue?owner=%d", f.staff["carl"].ID)).body); len(got) != 0 {
		t.Errorf("mia's queue filtered to Carl lists %v, want nothing", got)
	}
}

func TestQueueShowsDueTimesReasonsAndFlags(t *testing.T) {
	t.Parallel()
	f := setup(t)
	body := f.login(t, "mia").get("/queue").body
	for _, want := range []string{
		"due in 1h", "overdue by 30m", // case a and b
		`data-due="2026-03-10T15:00:00Z"`,
		"Lexicon: “unacceptable”", "Deadline: “by Friday”", // top reasons of tone and urgency
		"Relationship risk", "Reopened", "SLA breached",
		"Alice Agent", "Bob Agent",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("mia's queue lacks %q", want)
		}
	}
}

func TestCasePageShowsTheRecord(t *testing.T) {
	t.Parallel()
	f := setup(t)
	body := f.login(t, "alice").get(casePath(f.cases["a"])).body
	for _, want := range []string{
		"What we heard", "summary of Late shipment A", "the order PO-4471 was promised for Monday", "PO-4471", "$250.00",
		"Where is my order PO-4471? This is unacceptable.", // the text the analyser read
		"<details><summary>Original message",
		"Ask for the order number", "Check with the carrier", // playbook checklist
		"Case opened", "new complaint", // a note-shaped event
		"Mystery kind", "Assignee ID: Bob Agent", "Colour: teal", // an unknown kind, generically, staff resolved
		"Alice Agent", // actor resolved
		`action="/cases/` + fmt.Sprint(f.cases["a"].ID) + `/note"`, `action="/cases/` + fmt.Sprint(f.cases["a"].ID) + `/resolve"`,
		`<label for="note-text">`, `<label for="reassign-to">`, `<label for="call-outcome">`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("case page lacks %q", want)
		}
	}
}

func TestQAIsReadOnly(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "quinn")
	page := c.get(casePath(f.cases["a"])).body
	if strings.Contains(page, `/note"`) || strings.Contains(page, `/resolve"`) {
		t.Errorf("QA's case page offers action forms")
	}
	for _, p := range []string{casePath(f.cases["a"]) + "/note", casePath(f.cases["a"]) + "/ack",
		fmt.Sprintf("/customers/%d/owner", f.custs["acme"].ID), fmt.Sprintf("/staff/%d/password", f.staff["bob"].ID),
		fmt.Sprintf("/staff/%d/deactivate", f.staff["bob"].ID)} {
		res := c.postForm(p, url.Values{"note": {"qa was here"}, "owner": {fmt.Sprint(f.staff["bob"].ID)}, "password": {"a long enough password"}})
		if res.status != http.StatusForbidden {
			t.Errorf("QA POST %s = %d, want 403", p, res.status)
		}
	}
	a := f.actions.snapshot()
	if len(a.acts)+len(a.notes)+len(a.deactivated) != 0 {
		t.Errorf("QA's posts reached the gateway: %+v", a)
	}
	// QA may still change their own password.
	if res := c.get("/account/password"); res.status != http.StatusOK {
		t.Errorf("QA GET /account/password = %d", res.status)
	}
}

func TestHostileTextIsEscapedEverywhere(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "ada")
	pages := map[string]string{
		"queue":     "/queue",
		"case":      casePath(f.cases["x"]),
		"directory": "/directory",
		"lessons":   "/lessons",
		"audit":     "/audit?by=owner",
	}
	for name, p := range pages {
		res := c.get(p)
		if res.status != http.StatusOK {
			t.Fatalf("GET %s = %d", p, res.status)
		}
		if strings.Contains(res.body, xss) {
			t.Errorf("%s page (%s) contains the raw %s", name, p, xss)
		}
		if !strings.Contains(res.body, xssEscaped) {
			t.Errorf("%s page (%s) does not show the hostile text escaped", name, p)
		}
	}
	// The flash message of a refusal is escaped too.
	res := c.follow(c.postForm(casePath(f.cases["x"])+"/unhappy", url.Values{"note": {"still bad"}}))
	if strings.Contains(res.body, "<b>yet</b>") || !strings.Contains(res.body, "Refused: no call on record &lt;b&gt;yet&lt;/b&gt;") {
		t.Errorf("refusal flash not shown escaped")
	}
}

func TestRecordingRoute(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "ada")
	x := f.cases["x"]
	sid := "RE" + strings.Repeat("a", 31) + "2" // the voicemail of case x (seed index 2)
	page := c.get(casePath(x)).body
	if !strings.Contains(page, `<audio controls preload="none" src="/cases/`+fmt.Sprint(x.ID)+`/recordings/`+sid+`"`) {
		t.Fatalf("case x does not offer its recording %s", sid)
	}
	res := c.get(casePath(x) + "/recordings/" + sid)
	if res.status != http.StatusOK || res.header.Get("Content-Type") != "audio/mpeg" || res.body != "audio of "+sid {
		t.Errorf("GET recording = %d %q %q", res.status, res.header.Get("Content-Type"), res.body)
	}
	for _, p := range []string{
		casePath(x) + "/recordings/RE0000000000000000000000000000000", // not on the case
		casePath(f.cases["a"]) + "/recordings/" + sid,                 // another case's
		casePath(x) + "/recordings/RE..%2F..%2Fx",
	} {
		if res := c.get(p); res.status != http.StatusNotFound {
			t.Errorf("GET %s = %d, want 404", p, res.status)
		}
	}
	// Without a way to play recordings, no player and no route.
	g := setup(t, setupOptions{noRecordings: true})
	gc := g.login(t, "ada")
	if body := gc.get(casePath(g.cases["x"])).body; strings.Contains(body, "<audio") {
		t.Errorf("case page offers a player without Recordings")
	}
	if res := gc.get(casePath(g.cases["x"]) + "/recordings/" + sid); res.status != http.StatusNotFound {
		t.Errorf("GET recording without Recordings = %d, want 404", res.status)
	}
}
