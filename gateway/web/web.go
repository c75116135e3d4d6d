// Package web is the gateway's dashboard: server-rendered pages where staff
// log in, work their queue of call-backs, read a case's whole timeline
// (POLICY P9) with what the customer said (P5) and the playbook (P6), act on
// it, read the lessons learned (P8), keep the directory, and audit response
// times. It also serves the customer's signed link for picking a call-back
// time.
//
// Pages are html/template files and static assets embedded with go:embed,
// parsed once into the Server. Routes use net/http's method patterns. Every
// page and action is authorised on the server: agents see their own cases,
// managers and directors also their reports' (down the ManagerID chain),
// admins and QA everything (QA read-only). Sessions live in the store, keyed
// by the SHA-256 of the cookie's token. Cross-site requests are refused by
// http.CrossOriginProtection and, on top of it, every authenticated form
// carries the session's CSRF token; the login form carries a double-submit
// token of its own.
package web

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/triage-gw/triage/gateway/audit"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// Actions are the case changes that go through the gateway's policy
// (routing) and jobs; the gateway implements it.
type Actions interface {
	// Act carries out a command as if the staff member had sent it by SMS
	// (routing.Command: CommandAck, CommandCall, CommandDone with Note =
	// lessons learned, CommandNoAnswer, CommandSnooze, CommandUnhappy).
	// refused=true with reply=the reason when the policy refuses.
	Act(ctx context.Context, staffID int64, cmd routing.Command) (reply string, refused bool, err error)
	// AddNote appends a staff member's note to a case's timeline.
	AddNote(ctx context.Context, staffID, caseID int64, note string) error
	// Reassign moves the case (and its open call-back task) to another
	// active staff member and tells them by SMS.
	Reassign(ctx context.Context, staffID, caseID, toStaffID int64) (refused string, err error)
	// RecordCall records a call the staff member made outside the gateway:
	// outcome "connected" (talked minutes), "no_answer", "voicemail", "busy".
	RecordCall(ctx context.Context, staffID, caseID int64, outcome string, talked time.Duration, note string) (reply string, refused bool, err error)
	// PickSlot is the customer choosing when to be called: the case's due
	// time becomes at.
	PickSlot(ctx context.Context, caseID int64, at time.Time) error
	// Deactivate deactivates a staff member: their accounts and active
	// cases go to the default owner, with events.
	Deactivate(ctx context.Context, actorID, staffID int64) error
}

// Recordings streams a voicemail recording.
type Recordings interface {
	Recording(ctx context.Context, recordingSID string) (body io.ReadCloser, contentType string, err error)
}

// Options configure the dashboard. Zero durations and counts mean the
// defaults named beside them.
type Options struct {
	Store   store.Store // required
	Actions Actions     // required
	// Recordings plays voicemail recordings; nil means no playback.
	Recordings Recordings
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger // nil means slog.Default()

	SessionIdle time.Duration // default 30 minutes without a request
	SessionMax  time.Duration // default 12 hours after login

	// LoginAttempts failed logins per LoginWindow, per account and per
	// client address, before logins are refused for a while.
	LoginAttempts int           // default 5
	LoginWindow   time.Duration // default 15 minutes

	// SecureCookies marks cookies Secure and gives them the "__Host-"
	// prefix. False only for plain-http loopback (demo, tests).
	SecureCookies bool

	// LinkKey signs the customer's slot links and the flash messages; at
	// least 32 bytes.
	LinkKey []byte
	// SlotLinkTTL is how long a slot link works; default 72 hours.
	SlotLinkTTL time.Duration

	// Targets are the audit's response-time goals.
	Targets audit.Targets
	// PublicURL is where browsers reach the dashboard, e.g. behind a
	// reverse proxy that rewrites Host: its origin is trusted by the
	// cross-origin check. "" trusts only requests whose Origin matches Host.
	PublicURL string
}

// Defaults of Options.
const (
	DefaultSessionIdle   = 30 * time.Minute
	DefaultSessionMax    = 12 * time.Hour
	DefaultLoginAttempts = 5
	DefaultLoginWindow   = 15 * time.Minute
	DefaultSlotLinkTTL   = 72 * time.Hour
	minLinkKey           = 32
)

// Server is the dashboard, an http.Handler.
type Server struct {
	store      store.Store
	actions    Actions
	recordings Recordings
	now        func() time.Time
	log        *slog.Logger

	sessionIdle, sessionMax time.Duration
	secure                  bool
	linkKey                 []byte
	flashKey                []byte
	slotTTL                 time.Duration
	targets                 audit.Targets

	limiter *loginLimiter
	pages   map[string]*template.Template
	handler http.Handler
}

// New checks opts, parses the templates and builds the route table.
func New(opts Options) (*Server, error) {
	var errs []error
	if opts.Store == nil {
		errs = append(errs, errors.New("web: Store is required"))
	}
	if opts.Actions == nil {
		errs = append(errs, errors.New("web: Actions is required"))
	}
	if len(opts.LinkKey) < minLinkKey {
		errs = append(errs, fmt.Errorf("web: LinkKey has %d bytes, want at least %d", len(opts.LinkKey), minLinkKey))
	}
	for name, d := range map[string]time.Duration{"SessionIdle": opts.SessionIdle, "SessionMax": opts.SessionMax,
		"LoginWindow": opts.LoginWindow, "SlotLinkTTL": opts.SlotLinkTTL} {
		if d < 0 {
			errs = append(errs, fmt.Errorf("web: %s is negative (%s)", name, d))
		}
	}
	if opts.LoginAttempts < 0 {
		errs = append(errs, fmt.Errorf("web: LoginAttempts is negative (%d)", opts.LoginAttempts))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	s := &Server{
		store:       opts.Store,
		actions:     opts.Actions,
		recordings:  opts.Recordings,
		now:         opts.Now,
		log:         opts.Logger,
		sessionIdle: orDefault(opts.SessionIdle, DefaultSessionIdle),
		sessionMax:  orDefault(opts.SessionMax, DefaultSessionMax),
		secure:      opts.SecureCookies,
		linkKey:     append([]byte(nil), opts.LinkKey...),
		slotTTL:     orDefault(opts.SlotLinkTTL, DefaultSlotLinkTTL),
		targets:     opts.Targets,
		limiter:     newLoginLimiter(orDefault(opts.LoginAttempts, DefaultLoginAttempts), orDefault(opts.LoginWindow, DefaultLoginWindow)),
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.Default()
	}
	mac := hmac.New(sha256.New, s.linkKey)
	mac.Write([]byte("triage web flash messages"))
	s.flashKey = mac.Sum(nil)
	pages, err := parsePages()
	if err != nil {
		return nil, err
	}
	s.pages = pages
	cop := http.NewCrossOriginProtection()
	if opts.PublicURL != "" {
		u, err := url.Parse(opts.PublicURL)
		if err != nil || u.Scheme == "" || u.Host == "" {
			return nil, fmt.Errorf("web: PublicURL %q is not an absolute URL", opts.PublicURL)
		}
		if err := cop.AddTrustedOrigin(u.Scheme + "://" + u.Host); err != nil {
			return nil, fmt.Errorf("web: trust %s: %w", opts.PublicURL, err)
		}
	}
	s.handler = securityHeaders(cop.Handler(s.routes()))
	return s, nil
}

// orDefault returns v, or def when v is the zero value.
func orDefault[T comparable](v, def T) T {
	var zero T
	if v == zero {
		return def
	}
	return v
}

// ServeHTTP serves the dashboard.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.handler.ServeHTTP(w, r)
}

// routes is the dashboard's route table.
func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", staticHandler())

	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.loginSubmit)
	mux.HandleFunc("POST /logout", s.authed(s.logout))
	mux.HandleFunc("GET /{$}", s.authed(func(w http.ResponseWriter, r *http.Request, _ *viewer) {
		http.Redirect(w, r, "/queue", http.StatusSeeOther)
	}))

	mux.HandleFunc("GET /queue", s.authed(s.queueShow))
	mux.HandleFunc("GET /cases/{id}", s.authed(s.caseShow))
	mux.HandleFunc("GET /cases/{id}/recordings/{sid}", s.authed(s.recordingShow))
	mux.HandleFunc("POST /cases/{id}/{action}", s.authed(s.caseAction))
	mux.HandleFunc("GET /lessons", s.authed(s.lessonsShow))

	mux.HandleFunc("GET /directory", s.authed(s.directoryShow))
	mux.HandleFunc("POST /customers/{id}/owner", s.authed(s.customerOwnerSet))
	mux.HandleFunc("POST /staff/{id}/password", s.authed(s.staffPasswordSet))
	mux.HandleFunc("POST /staff/{id}/deactivate", s.authed(s.staffDeactivate))
	mux.HandleFunc("GET /account/password", s.authed(s.accountPasswordForm))
	mux.HandleFunc("POST /account/password", s.authed(s.accountPasswordSet))

	mux.HandleFunc("GET /audit", s.authed(s.auditShow))
	mux.HandleFunc("GET /audit.csv", s.authed(s.auditCSV))
	mux.HandleFunc("GET /audit/cases.csv", s.authed(s.auditCasesCSV))
	mux.HandleFunc("GET /audit.json", s.authed(s.auditJSON))

	mux.HandleFunc("GET /slot/{token}", s.slotShow)
	mux.HandleFunc("POST /slot/{token}", s.slotPick)

	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { s.notFound(w, r, nil) })
	return mux
}

// contentSecurityPolicy allows the dashboard's own scripts, styles, media
// and forms, and nothing inline or framed.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		// Pages show private data: no copy in any cache. Static files
		// override this.
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}
