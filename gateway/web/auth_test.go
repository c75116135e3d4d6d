package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestLoginStartsSessionWithSecureCookie(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.client(t)
	res := c.loginAs("alice@example.com", password)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/queue" {
		t.Fatalf("POST /login = %d to %q, want 303 to /queue", res.status, res.header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range (&http.Response{Header: res.header}).Cookies() {
		if ck.Name == sessionCookie {
			session = ck
		}
	}
	if session == nil {
		t.Fatalf("POST /login set no %s cookie; Set-Cookie: %q", sessionCookie, res.header.Values("Set-Cookie"))
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Errorf("session cookie = %+v, want HttpOnly, SameSite=Lax, Path=/", session)
	}
	// Only the hash of the token is stored.
	if _, err := f.st.SessionGet(context.Background(), session.Value); err == nil {
		t.Errorf("SessionGet(raw token) found a session: the token itself is stored")
	}
	if _, err := f.st.SessionGet(context.Background(), tokenHash(session.Value)); err != nil {
		t.Errorf("SessionGet(sha256(token)) error = %v, want the session", err)
	}
	if got := c.get("/queue"); got.status != http.StatusOK {
		t.Errorf("GET /queue after login = %d, want 200", got.status)
	}
}

func TestSecureCookiesUseHostPrefix(t *testing.T) {
	t.Parallel()
	f := setup(t, setupOptions{opts: func(o *Options) { o.SecureCookies = true }})
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/login", nil))
	cookies := rec.Result().Cookies()
	if len(cookies) == 0 || cookies[0].Name != "__Host-"+loginCSRFCookie || !cookies[0].Secure || cookies[0].Path != "/" {
		t.Errorf("GET /login with SecureCookies set cookies %+v, want __Host-%s, Secure, Path=/", cookies, loginCSRFCookie)
	}
}

func TestLoginFailuresLookAlike(t *testing.T) {
	t.Parallel()
	f := setup(t)
	cases := []struct{ name, email, pw string }{
		{"unknown user", "nobody@example.com", password},
		{"wrong password", "alice@example.com", "not the password at all"},
		{"inactive staff", "ian@example.com", password},
		{"no password set", "nora@example.com", ""},
		{"no password set, any guess", "nora@example.com", password},
	}
	for _, tc := range cases {
		c := f.client(t)
		res := c.loginAs(tc.email, tc.pw)
		if res.status != http.StatusUnauthorized || !strings.Contains(res.body, loginFailed) {
			t.Errorf("%s: POST /login = %d, want 401 with %q", tc.name, res.status, loginFailed)
		}
		if got := c.get("/queue"); got.status != http.StatusSeeOther {
			t.Errorf("%s: GET /queue after a failed login = %d, want 303 to /login", tc.name, got.status)
		}
	}
}

func TestLoginNeedsFormToken(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.client(t)
	c.get("/login") // sets the cookie half
	for _, token := range []string{"", "forged"} {
		res := c.post("/login", url.Values{"token": {token}, "email": {"alice@example.com"}, "password": {password}})
		if res.status != http.StatusForbidden {
			t.Errorf("POST /login with token %q = %d, want 403", token, res.status)
		}
	}
}

func TestLoginReplacesPlantedSession(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.client(t)
	u, _ := url.Parse(f.ts.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: "planted-by-attacker", Path: "/"}})
	c.loginAs("alice@example.com", password)
	var got string
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			got = ck.Value
		}
	}
	if got == "" || got == "planted-by-attacker" {
		t.Errorf("session cookie after login = %q, want a new token", got)
	}
}

func TestLoginRedirectsBackSafely(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.client(t)
	res := c.get(casePath(f.cases["a"]))
	if loc := res.header.Get("Location"); res.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("GET case without session = %d to %q, want 303 to /login?next=…", res.status, loc)
	}
	for next, want := range map[string]string{casePath(f.cases["a"]): casePath(f.cases["a"]), "//evil.example/": "/queue",
		"https://evil.example/": "/queue", "/\\evil.example": "/queue", "/\t/evil.example": "/queue", "": "/queue",
		"/queue?owner=3&q=late": "/queue?owner=3&q=late", "javascript:alert(1)": "/queue"} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

func TestLogout(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "alice")
	u, _ := url.Parse(f.ts.URL)
	var token string
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == sessionCookie {
			token = ck.Value
		}
	}
	res := c.postForm("/logout", nil)
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/login" {
		t.Fatalf("POST /logout = %d to %q, want 303 to /login", res.status, res.header.Get("Location"))
	}
	if got := c.get("/queue"); got.status != http.StatusSeeOther {
		t.Errorf("GET /queue after logout = %d, want 303", got.status)
	}
	// The old token is dead on the server, not only forgotten by the browser.
	replay := f.client(t)
	replay.http.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: token, Path: "/"}})
	if got := replay.get("/queue"); got.status != http.StatusSeeOther {
		t.Errorf("GET /queue with the logged-out token = %d, want 303", got.status)
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "alice")
	for i := range 3 { // each request within the idle limit keeps it alive
		f.clock.Advance(25 * time.Minute)
		if got := c.get("/queue"); got.status != http.StatusOK {
			t.Fatalf("GET /queue %d after 25 idle minutes = %d, want 200", i, got.status)
		}
	}
	f.clock.Advance(31 * time.Minute)
	if got := c.get("/queue"); got.status != http.StatusSeeOther {
		t.Errorf("GET /queue after 31 idle minutes = %d, want 303 to /login", got.status)
	}
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	t.Parallel()
	f := setup(t) // SessionMax 2h
	c := f.login(t, "alice")
	for elapsed := 20 * time.Minute; elapsed < 2*time.Hour; elapsed += 20 * time.Minute {
		f.clock.Advance(20 * time.Minute)
		if got := c.get("/queue"); got.status != http.StatusOK {
			t.Fatalf("GET /queue %s after login = %d, want 200", elapsed, got.status)
		}
	}
	f.clock.Advance(20 * time.Minute) // 2h after login, never idle
	if got := c.get("/queue"); got.status != http.StatusSeeOther {
		t.Errorf("GET /queue 2h after login = %d, want 303 to /login", got.status)
	}
}

func TestCSRF(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "alice")
	path := casePath(f.cases["a"]) + "/note"
	token := c.csrf()
	for name, form := range map[string]url.Values{
		"missing token": {"note": {"hello"}},
		"wrong token":   {"note": {"hello"}, "csrf": {"AAAA" + token[4:]}},
	} {
		if res := c.post(path, form); res.status != http.StatusForbidden {
			t.Errorf("%s: POST %s = %d, want 403", name, path, res.status)
		}
	}
	for name, headers := range map[string][]string{
		"cross-site fetch":    {"Sec-Fetch-Site", "cross-site"},
		"foreign origin":      {"Origin", "https://evil.example"},
		"same-site subdomain": {"Sec-Fetch-Site", "same-site"},
	} {
		res := c.post(path, url.Values{"note": {"hello"}, "csrf": {token}}, headers...)
		if res.status != http.StatusForbidden {
			t.Errorf("%s: POST %s = %d, want 403", name, path, res.status)
		}
	}
	if n := len(f.actions.snapshot().notes); n != 0 {
		t.Fatalf("AddNote called %d times by refused requests", n)
	}
	if res := c.post(path, url.Values{"note": {"hello"}, "csrf": {token}}, "Sec-Fetch-Site", "same-origin"); res.status != http.StatusSeeOther {
		t.Errorf("same-origin POST with the token = %d, want 303", res.status)
	}
	// A cross-site login is refused too.
	login := f.client(t)
	if res := login.post("/login", url.Values{"email": {"alice@example.com"}}, "Sec-Fetch-Site", "cross-site"); res.status != http.StatusForbidden {
		t.Errorf("cross-site POST /login = %d, want 403", res.status)
	}
}

// loginFrom posts a login from addr straight to the handler.
func loginFrom(t *testing.T, f *fixture, addr, email, pw string) *httptest.ResponseRecorder {
	t.Helper()
	form := url.Values{"token": {"tok"}, "email": {email}, "password": {pw}}
	req := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: loginCSRFCookie, Value: "tok"})
	req.RemoteAddr = addr + ":40000"
	rec := httptest.NewRecorder()
	f.srv.ServeHTTP(rec, req)
	return rec
}

func TestLoginRateLimitPerAccount(t *testing.T) {
	t.Parallel()
	f := setup(t) // 5 attempts per 15 minutes
	for i := range 5 {
		addr := "10.0.0." + strconv.Itoa(i+1)
		if rec := loginFrom(t, f, addr, "alice@example.com", "wrong guess number "+strconv.Itoa(i)); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d from %s = %d, want 401", i, addr, rec.Code)
		}
	}
	rec := loginFrom(t, f, "10.0.0.99", "alice@example.com", password)
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("6th login for alice (right password, new address) = %d, want 429", rec.Code)
	}
	if ra, err := strconv.Atoi(rec.Header().Get("Retry-After")); err != nil || ra <= 0 || ra > 15*60 {
		t.Errorf("Retry-After = %q, want seconds in (0, 900]", rec.Header().Get("Retry-After"))
	}
	if !strings.Contains(rec.Body.String(), "Too many failed logins") {
		t.Errorf("429 body does not say why:\n%s", rec.Body.String())
	}
	if rec := loginFrom(t, f, "10.0.0.99", "bob@example.com", password); rec.Code != http.StatusSeeOther {
		t.Errorf("bob from the same address = %d, want 303: the limit is per account", rec.Code)
	}
	f.clock.Advance(15*time.Minute + time.Second)
	if rec := loginFrom(t, f, "10.0.0.99", "alice@example.com", password); rec.Code != http.StatusSeeOther {
		t.Errorf("alice after the window = %d, want 303", rec.Code)
	}
}

func TestLoginRateLimitPerAddress(t *testing.T) {
	t.Parallel()
	f := setup(t)
	for i := range 5 {
		if rec := loginFrom(t, f, "10.0.1.1", "guess"+strconv.Itoa(i)+"@example.com", "x"); rec.Code != http.StatusUnauthorized {
			t.Fatalf("failure %d = %d, want 401", i, rec.Code)
		}
	}
	if rec := loginFrom(t, f, "10.0.1.1", "alice@example.com", password); rec.Code != http.StatusTooManyRequests {
		t.Errorf("alice from the address with 5 failures = %d, want 429", rec.Code)
	}
	if rec := loginFrom(t, f, "10.0.1.2", "alice@example.com", password); rec.Code != http.StatusSeeOther {
		t.Errorf("alice from another address = %d, want 303", rec.Code)
	}
}

func TestLoginSuccessDoesNotResetOtherFailures(t *testing.T) {
	t.Parallel()
	f := setup(t)
	const addr = "10.0.2.1"
	for i := range 3 {
		loginFrom(t, f, addr, "guess"+strconv.Itoa(i)+"@example.com", "x")
	}
	loginFrom(t, f, addr, "bob@example.com", "wrong")
	if rec := loginFrom(t, f, addr, "bob@example.com", password); rec.Code != http.StatusSeeOther {
		t.Fatalf("bob's login = %d, want 303", rec.Code)
	}
	// Bob's own failure is forgiven; the 3 guesses at other accounts are not.
	loginFrom(t, f, addr, "guess3@example.com", "x")
	if rec := loginFrom(t, f, addr, "guess4@example.com", "x"); rec.Code != http.StatusUnauthorized {
		t.Fatalf("5th failure = %d, want 401", rec.Code)
	}
	if rec := loginFrom(t, f, addr, "bob@example.com", password); rec.Code != http.StatusTooManyRequests {
		t.Errorf("login after 5 failures from the address (one success between) = %d, want 429", rec.Code)
	}
}

func TestClientAddr(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"192.0.2.7:5555":             "192.0.2.7",
		"[2001:db8:1:2:3:4:5:6]:443": "2001:db8:1:2::/64",
		"[2001:db8:1:2:ffff::1]:443": "2001:db8:1:2::/64",
		"[::ffff:192.0.2.7]:1":       "192.0.2.7",
		"not an address":             "not an address",
	} {
		if got := clientAddr(in); got != want {
			t.Errorf("clientAddr(%q) = %q, want %q", in, got, want)
		}
	}
}

// Behind a reverse proxy that rewrites Host, a browser that sends only
// Origin (no Sec-Fetch-Site) is trusted when Origin is the public URL's,
// and a foreign origin is still refused.
func TestCSRFTrustsThePublicOrigin(t *testing.T) {
	t.Parallel()
	f := setup(t, setupOptions{opts: func(o *Options) { o.PublicURL = "https://triage.example.com/" }})
	c := f.login(t, "alice")
	path := casePath(f.cases["a"]) + "/note"
	token := c.csrf()
	if res := c.post(path, url.Values{"note": {"via proxy"}, "csrf": {token}}, "Origin", "https://triage.example.com"); res.status != http.StatusSeeOther {
		t.Errorf("POST from the public origin = %d, want 303", res.status)
	}
	if res := c.post(path, url.Values{"note": {"forged"}, "csrf": {token}}, "Origin", "https://evil.example"); res.status != http.StatusForbidden {
		t.Errorf("POST from a foreign origin = %d, want 403", res.status)
	}
	if _, err := New(Options{Store: f.st, Actions: f.actions, LinkKey: make([]byte, 32), PublicURL: "not a url"}); err == nil {
		t.Errorf("New with a relative PublicURL = nil error, want one")
	}
}
