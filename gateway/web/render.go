package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pageFiles are the pages, each parsed with the layout.
var pageFiles = []string{"login", "queue", "case", "lessons", "directory", "account", "audit", "slot", "error"}

// parsePages parses every page with the layout, once.
func parsePages() (map[string]*template.Template, error) {
	pages := make(map[string]*template.Template, len(pageFiles))
	for _, name := range pageFiles {
		t, err := template.New("layout.html").ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("parse template %s: %w", name, err)
		}
		pages[name] = t
	}
	return pages, nil
}

// staticHandler serves the embedded CSS and JavaScript.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		// The directory is embedded at build time; this cannot fail.
		return http.NotFoundHandler()
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r) // no directory listings
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
}

// page is what every page's data carries for the layout.
type page struct {
	Title string
	// Viewer is the logged-in staff member; nil on public pages.
	Viewer *viewerInfo
	// CSRF is the token every form of a logged-in page carries.
	CSRF  string
	Flash *flash
	// Nav names the menu entry to mark as current.
	Nav string
}

// viewerInfo is what the layout shows of the logged-in staff member.
type viewerInfo struct {
	ID       int64
	Name     string
	Role     string
	ReadOnly bool
}

// basePage fills the layout's part of a logged-in page and takes the
// pending flash message.
func (s *Server) basePage(w http.ResponseWriter, r *http.Request, v *viewer, title, nav string) page {
	return page{
		Title:  title,
		Viewer: &viewerInfo{ID: v.staff.ID, Name: v.staff.Name, Role: v.staff.Role, ReadOnly: v.readOnly},
		CSRF:   v.session.CSRFToken,
		Flash:  s.takeFlash(w, r),
		Nav:    nav,
	}
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	t, ok := s.pages[name]
	if !ok {
		s.log.Error("render: no such page", "page", name, "path", r.URL.Path)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		s.log.Error("render page", "page", name, "path", r.URL.Path, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// errorPage is a page that only says what went wrong.
type errorPage struct {
	page
	Message string
}

// fail renders a plain error page with status.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, v *viewer, status int, msg string) {
	p := errorPage{Message: msg}
	p.Title = http.StatusText(status)
	if v != nil {
		p.Viewer = &viewerInfo{ID: v.staff.ID, Name: v.staff.Name, Role: v.staff.Role, ReadOnly: v.readOnly}
		p.CSRF = v.session.CSRFToken
	}
	s.render(w, r, status, "error", p)
}

// notFound is the answer for a missing page and for a case the viewer may
// not see (which must not be told apart from a missing one).
func (s *Server) notFound(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.fail(w, r, v, http.StatusNotFound, "There is nothing here, or you may not see it.")
}

// internalError logs err once and answers 500.
func (s *Server) internalError(w http.ResponseWriter, r *http.Request, v *viewer, err error) {
	s.log.Error("dashboard request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	s.fail(w, r, v, http.StatusInternalServerError, "Something went wrong. Please try again.")
}

// pathID reads a positive numeric path value.
func pathID(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

// shortDuration formats d as "45m", "2h 5m" or "3d 4h" (rounded down to
// the minute; under a minute is "0m").
func shortDuration(d time.Duration) string {
	if d < 0 {
		d = -d
	}
	m := int64(d / time.Minute)
	switch {
	case m < 60:
		return fmt.Sprintf("%dm", m)
	case m < 24*60:
		if m%60 == 0 {
			return fmt.Sprintf("%dh", m/60)
		}
		return fmt.Sprintf("%dh %dm", m/60, m%60)
	default:
		days, hours := m/(24*60), (m%(24*60))/60
		if hours == 0 {
			return fmt.Sprintf("%dd", days)
		}
		return fmt.Sprintf("%dd %dh", days, hours)
	}
}

// dueText says how long is left until due, or how long it is overdue.
func dueText(due, now time.Time) string {
	if due.IsZero() {
		return "no due time"
	}
	if d := due.Sub(now); d >= 0 {
		return "due in " + shortDuration(d)
	}
	return "overdue by " + shortDuration(now.Sub(due))
}

// clock formats times for people: in the viewer's zone, with the zone.
type clock struct {
	loc *time.Location
}

// format shows t as "Mon 2 Jan 2006 15:04 MST"; the zero time is "—".
func (c clock) format(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(c.loc).Format("Mon 2 Jan 2006 15:04 MST")
}

// loadLocation loads an IANA zone name, falling back to UTC.
func loadLocation(name string) *time.Location {
	if name == "" {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// humanize turns a snake_case word into words: "call_attempted" →
// "Call attempted".
func humanize(s string) string {
	words := strings.Fields(strings.ReplaceAll(s, "_", " "))
	for i, w := range words {
		switch w {
		case "sms", "sla", "qa", "id", "csv":
			words[i] = strings.ToUpper(w)
		}
	}
	s = strings.Join(words, " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
