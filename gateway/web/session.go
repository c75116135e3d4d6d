package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// Cookie base names; with SecureCookies they get the "__Host-" prefix,
// which browsers only accept from a secure origin with Path=/ and no
// Domain, so a sibling subdomain cannot plant them.
const (
	sessionCookie   = "triage_session"
	loginCSRFCookie = "triage_login"
	flashCookie     = "triage_flash"
)

// touchEvery is how often a session's LastSeenAt is written at most.
const touchEvery = time.Minute

// maxFormBytes bounds a posted form.
const maxFormBytes = 64 << 10

// cookieName returns base with the "__Host-" prefix when cookies are
// secure.
func (s *Server) cookieName(base string) string {
	if s.secure {
		return "__Host-" + base
	}
	return base
}

// setCookie sets an HttpOnly, SameSite=Lax cookie on Path=/; maxAge < 0
// deletes it, 0 makes a browser-session cookie.
func (s *Server) setCookie(w http.ResponseWriter, base, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     s.cookieName(base),
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   s.secure,
		SameSite: http.SameSiteLaxMode,
	})
}

// cookieValue returns the value of the cookie base, or "".
func (s *Server) cookieValue(r *http.Request, base string) string {
	c, err := r.Cookie(s.cookieName(base))
	if err != nil {
		return ""
	}
	return c.Value
}

// randomToken returns 32 random bytes, base64url without padding.
func randomToken() string {
	b := make([]byte, 32)
	// crypto/rand.Read never fails (it crashes the program instead).
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// tokenHash is how a session token is stored: hex SHA-256.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// equalToken compares secrets in constant time.
func equalToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// startSession creates a fresh session for staffID and sets its cookie.
// A session the request already carried is ended first, so that a token
// planted before login never becomes a logged-in one.
func (s *Server) startSession(ctx context.Context, w http.ResponseWriter, r *http.Request, staffID int64) error {
	if old := s.cookieValue(r, sessionCookie); old != "" {
		if err := s.store.SessionDelete(ctx, tokenHash(old)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("end previous session: %w", err)
		}
	}
	now := s.now()
	token := randomToken()
	sess := store.Session{
		IDHash:     tokenHash(token),
		StaffID:    staffID,
		CSRFToken:  randomToken(),
		CreatedAt:  now,
		ExpiresAt:  now.Add(s.sessionMax),
		LastSeenAt: now,
	}
	if err := s.store.SessionInsert(ctx, sess); err != nil {
		return fmt.Errorf("start session of staff %d: %w", staffID, err)
	}
	s.setCookie(w, sessionCookie, token, int(s.sessionMax/time.Second))
	return nil
}

// errNoSession is a request without a live session.
var errNoSession = errors.New("no live session")

// session returns the request's live session: one that exists, is not
// past its absolute end, and was used within the idle limit. An expired
// session is deleted.
func (s *Server) session(ctx context.Context, r *http.Request) (store.Session, error) {
	token := s.cookieValue(r, sessionCookie)
	if token == "" {
		return store.Session{}, errNoSession
	}
	id := tokenHash(token)
	sess, err := s.store.SessionGet(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Session{}, errNoSession
	}
	if err != nil {
		return store.Session{}, fmt.Errorf("load session: %w", err)
	}
	now := s.now()
	if !now.Before(sess.ExpiresAt) || now.Sub(sess.LastSeenAt) >= s.sessionIdle {
		if err := s.store.SessionDelete(ctx, id); err != nil && !errors.Is(err, store.ErrNotFound) {
			return store.Session{}, fmt.Errorf("end expired session: %w", err)
		}
		return store.Session{}, errNoSession
	}
	if now.Sub(sess.LastSeenAt) >= touchEvery {
		if err := s.store.SessionTouch(ctx, id, now); err != nil {
			return store.Session{}, fmt.Errorf("touch session: %w", err)
		}
		sess.LastSeenAt = now
	}
	return sess, nil
}

// authedHandler is a handler that runs for a logged-in staff member.
type authedHandler func(w http.ResponseWriter, r *http.Request, v *viewer)

// authed wraps h: it needs a live session of an active staff member and,
// on a POST, the session's CSRF token in the form field "csrf". Without a
// session a GET goes to the login page and anything else is refused.
func (s *Server) authed(h authedHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		sess, err := s.session(ctx, r)
		if err != nil && !errors.Is(err, errNoSession) {
			s.internalError(w, r, nil, err)
			return
		}
		var v *viewer
		if err == nil {
			v, err = s.loadViewer(ctx, sess)
			if err != nil && !errors.Is(err, errNoSession) {
				s.internalError(w, r, nil, err)
				return
			}
		}
		if v == nil {
			s.setCookie(w, sessionCookie, "", -1)
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, nil, http.StatusForbidden, "Your session has ended. Please log in again.")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
			if err := r.ParseForm(); err != nil {
				s.fail(w, r, v, http.StatusBadRequest, "The form could not be read.")
				return
			}
			if !equalToken(r.PostForm.Get("csrf"), sess.CSRFToken) {
				s.log.Warn("form without a valid CSRF token refused", "path", r.URL.Path, "staff_id", v.staff.ID)
				s.fail(w, r, v, http.StatusForbidden, "This form has expired. Please go back, reload the page and try again.")
				return
			}
		}
		h(w, r, v)
	}
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := s.store.SessionDelete(r.Context(), v.session.IDHash); err != nil && !errors.Is(err, store.ErrNotFound) {
		s.internalError(w, r, v, fmt.Errorf("log out staff %d: %w", v.staff.ID, err))
		return
	}
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}
