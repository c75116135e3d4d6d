package web

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/triage-gw/triage/gateway/audit"
	"github.com/triage-gw/triage/gateway/store"
)

// Audit period limits.
const (
	auditDefaultDays = 28
	auditMaxDays     = 732
	dateLayout       = "2006-01-02"
)

// errBadAuditQuery is a period or grouping the audit cannot use.
var errBadAuditQuery = errors.New("bad audit query")

// auditQuery is an audit request: the period (inclusive dates in the
// viewer's zone) and the grouping.
type auditQuery struct {
	FromDate, ToDate string
	By               audit.Dimension
	params           audit.Params
}

// encode is the query string that repeats the request.
func (q auditQuery) encode() string {
	return url.Values{"from": {q.FromDate}, "to": {q.ToDate}, "by": {string(q.By)}}.Encode()
}

// parseAuditQuery reads from, to (YYYY-MM-DD, inclusive; default the last
// 28 days) and by (default owner).
func (s *Server) parseAuditQuery(r *http.Request, v *viewer) (auditQuery, error) {
	q := r.URL.Query()
	loc := v.clock.loc
	now := s.now()
	today := time.Date(now.In(loc).Year(), now.In(loc).Month(), now.In(loc).Day(), 0, 0, 0, 0, loc)
	to, from := today, today.AddDate(0, 0, 1-auditDefaultDays)
	var err error
	if t := q.Get("to"); t != "" {
		if to, err = time.ParseInLocation(dateLayout, t, loc); err != nil {
			return auditQuery{}, fmt.Errorf("%w: to %q is not a date (YYYY-MM-DD)", errBadAuditQuery, t)
		}
		if q.Get("from") == "" {
			from = to.AddDate(0, 0, 1-auditDefaultDays)
		}
	}
	if f := q.Get("from"); f != "" {
		if from, err = time.ParseInLocation(dateLayout, f, loc); err != nil {
			return auditQuery{}, fmt.Errorf("%w: from %q is not a date (YYYY-MM-DD)", errBadAuditQuery, f)
		}
	}
	if from.After(to) {
		return auditQuery{}, fmt.Errorf("%w: from %s is after to %s", errBadAuditQuery, from.Format(dateLayout), to.Format(dateLayout))
	}
	end := to.AddDate(0, 0, 1)
	if end.Sub(from) > auditMaxDays*24*time.Hour {
		return auditQuery{}, fmt.Errorf("%w: at most %d days at a time", errBadAuditQuery, auditMaxDays)
	}
	by := audit.ByOwner
	if b := q.Get("by"); b != "" {
		if by, err = audit.ParseDimension(b); err != nil {
			return auditQuery{}, fmt.Errorf("%w: by %q: want owner, team, channel, priority or category", errBadAuditQuery, b)
		}
	}
	names := make(map[int64]string, len(v.list))
	teams := make(map[int64]string, len(v.list))
	for _, st := range v.list {
		names[st.ID] = st.Name
	}
	for _, st := range v.list {
		teams[st.ID] = st.Name
		if m, ok := names[st.ManagerID]; ok && st.ManagerID != 0 {
			teams[st.ID] = m
		}
	}
	return auditQuery{FromDate: from.Format(dateLayout), ToDate: to.Format(dateLayout), By: by,
		params: audit.Params{From: from, To: end, By: by, Now: now, Targets: s.targets,
			People: audit.People{Names: names, Teams: teams}}}, nil
}

// auditRows loads the period's cases that the viewer sees: their own, their
// chain's for managers, all for admin and QA.
func (s *Server) auditRows(r *http.Request, v *viewer, q auditQuery) ([]store.CaseAudit, error) {
	rows, err := s.store.CaseAuditList(r.Context(), store.CaseAuditParams{From: q.params.From, To: q.params.To})
	if err != nil {
		return nil, fmt.Errorf("load audit rows: %w", err)
	}
	out := rows[:0]
	for _, row := range rows {
		if v.seesStaff(row.OwnerID) {
			out = append(out, row)
		}
	}
	return out, nil
}

// auditPage shows the audit of a period.
type auditPage struct {
	page
	From, To string
	Dims     []option
	Total    groupRow
	Groups   []groupRow
	Charts   []template.HTML
	// Links to the same report as files.
	CSVURL, CasesCSVURL, JSONURL string
	Scope                        string
}

// groupRow is one group of the audit table.
type groupRow struct {
	Key                                                         string
	Cases                                                       int
	Stats                                                       []statCell
	Breaches, Escalations, Violations, RepeatContacts, FollowUp string
}

// statCell is one interval of a group.
type statCell struct {
	Count, Median, P90, Max, Met string
}

// statNames are the table's interval columns, in order.
var statNames = []string{"Notify", "First call", "Conversation", "Resolution", "Ingest lag"}

// auditShow shows the audit table and charts.
func (s *Server) auditShow(w http.ResponseWriter, r *http.Request, v *viewer) {
	q, err := s.parseAuditQuery(r, v)
	if err != nil {
		s.fail(w, r, v, http.StatusBadRequest, err.Error())
		return
	}
	rows, err := s.auditRows(r, v, q)
	if err != nil {
		s.internalError(w, r, v, err)
		return
	}
	rep := audit.Compute(rows, q.params)
	enc := q.encode()
	p := auditPage{page: s.basePage(w, r, v, "Audit", "audit"), From: q.FromDate, To: q.ToDate,
		Total: newGroupRow(rep.Total, "All cases"),
		Charts: []template.HTML{
			audit.CallHistogramSVG(rep),
			audit.WeeklyTrendSVG(rep),
			audit.GroupComparisonSVG(rep, func(g audit.Group) audit.Stat { return g.FirstCall }),
		},
		CSVURL: "/audit.csv?" + enc, CasesCSVURL: "/audit/cases.csv?" + enc, JSONURL: "/audit.json?" + enc}
	switch {
	case v.all:
		p.Scope = "all cases"
	case v.isManager():
		p.Scope = "the cases owned by you and the staff who report to you"
	default:
		p.Scope = "your own cases"
	}
	for _, d := range audit.Dimensions() {
		label := humanize(string(d))
		if d == audit.ByNone {
			label = "Nothing (total only)"
		}
		p.Dims = append(p.Dims, option{Value: string(d), Label: label, Selected: d == q.By})
	}
	for _, g := range rep.Groups {
		p.Groups = append(p.Groups, newGroupRow(g, g.Key))
	}
	s.render(w, r, http.StatusOK, "audit", p)
}

// newGroupRow formats a group for the table.
func newGroupRow(g audit.Group, key string) groupRow {
	row := groupRow{Key: key, Cases: g.Cases, Breaches: strconv.Itoa(g.Breaches), Escalations: strconv.Itoa(g.Escalations),
		Violations: strconv.Itoa(g.Violations), RepeatContacts: strconv.Itoa(g.RepeatContacts),
		FollowUp: fmt.Sprintf("%d of %d done, %d on time", g.FollowUpsDone, g.FollowUps, g.FollowUpsOnTime)}
	for _, st := range []audit.Stat{g.Notify, g.FirstCall, g.Conversation, g.Resolution, g.IngestLag} {
		c := statCell{Count: strconv.Itoa(st.Count), Median: "—", P90: "—", Max: "—", Met: "—"}
		if st.Count > 0 {
			c.Median, c.P90, c.Max = audit.FormatDuration(st.Median), audit.FormatDuration(st.P90), audit.FormatDuration(st.Max)
		}
		if st.MetPct >= 0 {
			c.Met = fmt.Sprintf("%.0f%%", st.MetPct)
		}
		if st.Pending > 0 {
			c.Count += fmt.Sprintf(" (+%d pending)", st.Pending)
		}
		row.Stats = append(row.Stats, c)
	}
	return row
}

// auditCSV downloads the audit table as CSV.
func (s *Server) auditCSV(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.auditDownload(w, r, v, "text/csv; charset=utf-8", "audit.csv", func(out io.Writer, rows []store.CaseAudit, q auditQuery) error {
		return audit.WriteCSV(out, audit.Compute(rows, q.params))
	})
}

// auditCasesCSV downloads the period's cases, one row each, as CSV.
func (s *Server) auditCasesCSV(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.auditDownload(w, r, v, "text/csv; charset=utf-8", "audit-cases.csv", func(out io.Writer, rows []store.CaseAudit, q auditQuery) error {
		return audit.WriteCasesCSV(out, rows, q.params)
	})
}

// auditJSON downloads the report and its cases as JSON.
func (s *Server) auditJSON(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.auditDownload(w, r, v, "application/json", "audit.json", func(out io.Writer, rows []store.CaseAudit, q auditQuery) error {
		return audit.WriteJSON(out, audit.Compute(rows, q.params), rows)
	})
}

// auditDownload writes a file of the audit: whole into a buffer first, so
// that a failure is a clean error rather than a cut file.
func (s *Server) auditDownload(w http.ResponseWriter, r *http.Request, v *viewer, contentType, name string,
	write func(io.Writer, []store.CaseAudit, auditQuery) error) {
	q, err := s.parseAuditQuery(r, v)
	if err != nil {
		s.fail(w, r, v, http.StatusBadRequest, err.Error())
		return
	}
	rows, err := s.auditRows(r, v, q)
	if err != nil {
		s.internalError(w, r, v, err)
		return
	}
	var buf bytes.Buffer
	if err := write(&buf, rows, q); err != nil {
		s.internalError(w, r, v, fmt.Errorf("write %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", q.FromDate+"_"+q.ToDate+"_"+name))
	_, _ = w.Write(buf.Bytes())
}
