package web

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/triage-gw/triage/gateway/store"
)

// dummyHash is a bcrypt hash (cost 12, like real ones) of a random
// password nobody knows. A login for an unknown or password-less account is
// checked against it, so that it takes as long as a wrong password.
const dummyHash = "$2a$12$RNutnHHuZhIAEC4efFZQ7.7zEXuBfR28eX.nbWN727fIEq9/Df60W"

// loginFailed is the one answer to every failed login: it does not say
// whether the account exists.
const loginFailed = "The email or password is not right."

// maxEmailLength bounds the email a login form may carry.
const maxEmailLength = 254

// loginPage is the login form.
type loginPage struct {
	page
	Email string
	Next  string
	// Token is the login form's double-submit token.
	Token string
	Error string
}

// loginForm shows the login form, or sends a logged-in viewer on.
func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.URL.Query().Get("next"))
	if sess, err := s.session(r.Context(), r); err == nil {
		if _, err := s.loadViewer(r.Context(), sess); err == nil {
			http.Redirect(w, r, next, http.StatusSeeOther)
			return
		}
	}
	s.renderLogin(w, r, http.StatusOK, loginPage{Next: next})
}

// renderLogin shows the login form with a fresh double-submit token.
func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	p.Title = "Log in"
	p.Token = randomToken()
	s.setCookie(w, loginCSRFCookie, p.Token, 3600)
	s.render(w, r, status, "login", p)
}

// loginSubmit checks an email and password and starts a session.
func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.fail(w, r, nil, http.StatusBadRequest, "The form could not be read.")
		return
	}
	// Login CSRF: http.CrossOriginProtection already refuses cross-site
	// posts from browsers that say where a request comes from; the
	// double-submit token covers those that do not.
	if !equalToken(r.PostForm.Get("token"), s.cookieValue(r, loginCSRFCookie)) {
		s.fail(w, r, nil, http.StatusForbidden, "This login form has expired. Please reload the page and try again.")
		return
	}
	email := strings.ToLower(strings.TrimSpace(r.PostForm.Get("email")))
	password := r.PostForm.Get("password")
	next := safeNext(r.PostForm.Get("next"))
	p := loginPage{Email: email, Next: next}
	if len(email) > maxEmailLength {
		email = email[:maxEmailLength]
		p.Email = ""
	}
	addr := clientAddr(r.RemoteAddr)
	now := s.now()
	if wait := s.limiter.retryAfter(now, email, addr); wait > 0 {
		secs := int(math.Ceil(wait.Seconds()))
		w.Header().Set("Retry-After", strconv.Itoa(secs))
		s.log.Warn("login refused: too many failures", "addr", addr)
		p.Error = fmt.Sprintf("Too many failed logins. Please wait %s and try again.", shortDuration(wait+time.Minute-time.Nanosecond))
		s.renderLogin(w, r, http.StatusTooManyRequests, p)
		return
	}

	st, err := s.store.StaffGetByEmail(ctx, email)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internalError(w, r, nil, fmt.Errorf("log in: %w", err))
		return
	}
	hash := st.PasswordHash
	if err != nil || hash == "" {
		hash = dummyHash
	}
	ok := CheckPassword(hash, password) && err == nil && st.PasswordHash != "" && st.Active
	if !ok {
		s.limiter.fail(now, email, addr)
		s.log.Info("login failed", "addr", addr)
		p.Error = loginFailed
		s.renderLogin(w, r, http.StatusUnauthorized, p)
		return
	}
	s.limiter.succeed(email, addr)
	if _, err := s.store.SessionDeleteExpired(ctx, now); err != nil {
		s.log.Warn("could not remove expired sessions", "err", err)
	}
	if err := s.startSession(ctx, w, r, st.ID); err != nil {
		s.internalError(w, r, nil, err)
		return
	}
	s.setCookie(w, loginCSRFCookie, "", -1)
	s.log.Info("logged in", "staff_id", st.ID)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// safeNext returns next when it is a path on this site, else "/queue".
// Backslashes and control characters are refused outright: browsers drop
// tabs and read "\" as "/", which would turn "/\t/evil" into "//evil".
func safeNext(next string) string {
	const home = "/queue"
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return home
	}
	for _, r := range next {
		if r < 0x20 || r == 0x7f || r == '\\' || unicode.IsSpace(r) {
			return home
		}
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.Opaque != "" {
		return home
	}
	return next
}
