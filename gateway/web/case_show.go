package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/nlp"
)

// maxRawShown bounds how much of a message's original bytes the case page
// shows.
const maxRawShown = 64 << 10

// casePage is one case with everything on record about it.
type casePage struct {
	page
	Case    caseHeader
	Heard   heardView
	Events  []eventRow
	Msgs    []messageRow
	SMS     []smsRow
	Calls   []callRow
	Tasks   []taskRow
	CanAct  bool
	Staff   []option // reassignment targets
	Outcome []option // call outcomes
}

// caseHeader is the case's own fields, for people.
type caseHeader struct {
	ID                                     int64
	Subject, Status, Priority, Category    string
	Customer, Company, Tier                string
	Owner, ComplainedAbout                 string
	Due, DueISO, DueText, Opened, Resolved string
	Overdue, Active, RelationshipRisk      bool
}

// heardView is "what we heard" (POLICY P5): the summary, the customer's
// points and the facts from the latest assessment.
type heardView struct {
	Summary string
	Points  []string
	Facts   []factRow
}

// factRow is one kind of fact with its values.
type factRow struct {
	Label  string
	Values []string
}

// messageRow is one inbound message with its assessment.
type messageRow struct {
	ID                               int64
	Channel, From, Subject, AutoKind string
	Sent, Received                   string
	Body, Raw                        string
	RawTruncated                     bool
	Assessment                       *assessmentView
	Recording                        *recordingView
}

// assessmentView is a message's scores with the evidence behind them.
type assessmentView struct {
	Tone, Urgency, Category, Summary, Language string
	Deadline                                   string
	Evidence                                   []evidenceTable
	Facts                                      []factRow
}

// evidenceTable is the evidence behind one score.
type evidenceTable struct {
	Title string
	Rows  []evidenceRow
}

// evidenceRow is one phrase or rule that moved a score.
type evidenceRow struct {
	Rule, Phrase, Weight string
}

// recordingView is a voicemail's recording.
type recordingView struct {
	SID, Length, Transcript string
	// URL plays it; empty when recordings cannot be played here.
	URL string
}

// smsRow is one SMS to staff.
type smsRow struct {
	To, Number, Status, Body, Created, Sent, Error string
	Attempts                                       int
}

// callRow is one bridged call-back.
type callRow struct {
	Staff, Status, Outcome, Talked, Created, Ended, RequestedBy, Error string
}

// taskRow is one task with its playbook checklist (POLICY P6).
type taskRow struct {
	Kind, Assignee, Status, Due string
	Checklist                   []string
}

// callOutcomes are the outcomes a staff member may record for a call made
// outside the gateway.
var callOutcomes = []string{"connected", "no_answer", "voicemail", "busy"}

// loadCase returns the case id if the viewer may see it; ok=false (and
// no error) when it does not exist or they may not.
func (s *Server) loadCase(ctx context.Context, v *viewer, id int64) (store.Case, []store.Task, bool, error) {
	c, err := s.store.CaseGetByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return store.Case{}, nil, false, nil
	}
	if err != nil {
		return store.Case{}, nil, false, fmt.Errorf("load case %d: %w", id, err)
	}
	tasks, err := s.store.TaskListByCase(ctx, id)
	if err != nil {
		return store.Case{}, nil, false, fmt.Errorf("load tasks of case %d: %w", id, err)
	}
	if !v.seesCase(c, tasks) {
		return store.Case{}, nil, false, nil
	}
	return c, tasks, true, nil
}

// caseShow shows a case's whole record.
func (s *Server) caseShow(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r, v)
		return
	}
	c, tasks, ok := s.caseOr404(w, r, v, id)
	if !ok {
		return
	}
	p, err := s.buildCasePage(ctx, v, c, tasks)
	if err != nil {
		s.internalError(w, r, v, err)
		return
	}
	p.page = s.basePage(w, r, v, fmt.Sprintf("Case %d", c.ID), "queue")
	s.render(w, r, http.StatusOK, "case", p)
}

// buildCasePage reads everything the case page shows.
func (s *Server) buildCasePage(ctx context.Context, v *viewer, c store.Case, tasks []store.Task) (casePage, error) {
	now := s.now()
	p := casePage{CanAct: !v.readOnly}
	h := caseHeader{ID: c.ID, Subject: c.Subject, Status: humanize(c.Status), Priority: c.Priority, Category: humanize(c.Category),
		Owner: v.name(c.OwnerID), Due: v.clock.format(c.DueAt), DueText: dueText(c.DueAt, now),
		Opened: v.clock.format(c.OpenedAt), Active: store.CaseActive(c.Status), RelationshipRisk: c.RelationshipRisk,
		Overdue: !c.DueAt.IsZero() && now.After(c.DueAt)}
	if !c.DueAt.IsZero() {
		h.DueISO = c.DueAt.UTC().Format(time.RFC3339)
	}
	if !c.ResolvedAt.IsZero() {
		h.Resolved = v.clock.format(c.ResolvedAt)
	}
	var about []string
	for _, id := range c.ComplainedAbout {
		about = append(about, v.name(id))
	}
	h.ComplainedAbout = strings.Join(about, ", ")
	h.Customer = "Unknown sender"
	if c.CustomerID != 0 {
		cu, err := s.store.CustomerGetByID(ctx, c.CustomerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return p, fmt.Errorf("load customer %d: %w", c.CustomerID, err)
		}
		if err == nil {
			h.Customer, h.Company, h.Tier = cu.Name, cu.Company, cu.Tier
		}
	}
	p.Case = h

	events, err := s.store.CaseEventList(ctx, c.ID)
	if err != nil {
		return p, fmt.Errorf("load timeline of case %d: %w", c.ID, err)
	}
	for _, e := range events {
		p.Events = append(p.Events, describeEvent(v, e))
	}
	msgs, err := s.store.MessageListByCase(ctx, c.ID)
	if err != nil {
		return p, fmt.Errorf("load messages of case %d: %w", c.ID, err)
	}
	var latest *nlp.Assessment
	for _, m := range msgs {
		row, a, err := s.messageRow(ctx, v, c.ID, m)
		if err != nil {
			return p, err
		}
		if a != nil {
			latest = a
		}
		p.Msgs = append(p.Msgs, row)
	}
	p.Heard = heardView{Summary: c.Summary}
	if latest != nil {
		p.Heard.Points = latest.Heard
		p.Heard.Facts = factRows(latest.Facts)
		if p.Heard.Summary == "" {
			p.Heard.Summary = latest.Summary
		}
	}

	sms, err := s.store.NotificationListByCase(ctx, c.ID)
	if err != nil {
		return p, fmt.Errorf("load SMS of case %d: %w", c.ID, err)
	}
	for _, n := range sms {
		p.SMS = append(p.SMS, smsRow{To: v.name(n.StaffID), Number: n.To, Status: humanize(n.Status), Body: n.Body,
			Created: v.clock.format(n.CreatedAt), Sent: v.clock.format(n.SentAt), Error: n.Error, Attempts: n.Attempts})
	}
	calls, err := s.store.CallListByCase(ctx, c.ID)
	if err != nil {
		return p, fmt.Errorf("load calls of case %d: %w", c.ID, err)
	}
	for _, cl := range calls {
		p.Calls = append(p.Calls, callRow{Staff: v.name(cl.StaffID), Status: humanize(cl.Status), Outcome: orDash(humanize(cl.Outcome)),
			Talked: seconds(cl.DurationSeconds), Created: v.clock.format(cl.CreatedAt), Ended: v.clock.format(cl.EndedAt),
			RequestedBy: v.actorName(cl.RequestedBy), Error: cl.Error})
	}
	for _, t := range tasks {
		p.Tasks = append(p.Tasks, taskRow{Kind: humanize(t.Kind), Assignee: v.name(t.AssigneeID), Status: humanize(t.Status),
			Due: v.clock.format(t.DueAt), Checklist: t.Checklist})
	}
	if p.CanAct {
		for _, st := range v.activeStaff(false) {
			// Not to QA (who may not act), the owner, or anyone the
			// complaint is about (POLICY P4).
			if st.Role != RoleQA && st.ID != c.OwnerID && !slices.Contains(c.ComplainedAbout, st.ID) {
				p.Staff = append(p.Staff, option{Value: strconv.FormatInt(st.ID, 10), Label: st.Name + " (" + st.Role + ")"})
			}
		}
		for _, o := range callOutcomes {
			p.Outcome = append(p.Outcome, option{Value: o, Label: humanize(o), Selected: o == "connected"})
		}
	}
	return p, nil
}

// messageRow reads a message's assessment and voicemail; it returns the
// decoded assessment too (nil when none).
func (s *Server) messageRow(ctx context.Context, v *viewer, caseID int64, m store.Message) (messageRow, *nlp.Assessment, error) {
	row := messageRow{ID: m.ID, Channel: humanize(m.Channel), Subject: m.Subject, AutoKind: humanize(m.AutoKind),
		Sent: v.clock.format(m.SentAt), Received: v.clock.format(m.ReceivedAt), Body: m.Body}
	row.From = strings.TrimSpace(m.FromName + " <" + m.FromAddr + ">")
	if m.FromAddr == "" {
		row.From = orDash(m.FromName)
	}
	raw := m.Raw
	if len(raw) > maxRawShown {
		raw, row.RawTruncated = raw[:maxRawShown], true
	}
	row.Raw = strings.ToValidUTF8(string(raw), "\uFFFD")

	var decoded *nlp.Assessment
	as, err := s.store.AssessmentGetByMessage(ctx, m.ID)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return row, nil, fmt.Errorf("load assessment of message %d: %w", m.ID, err)
	default:
		av := &assessmentView{Tone: fmt.Sprintf("%s (%.2f)", as.ToneLabel, as.ToneScore),
			Urgency: fmt.Sprintf("%s (%.2f)", as.UrgencyLevel, as.UrgencyScore), Category: humanize(as.Category),
			Summary: as.Summary, Language: as.Language}
		if a, ok := decodeAssessment(as.Detail); ok {
			decoded = &a
			av.Evidence = []evidenceTable{
				{Title: "Tone evidence", Rows: evidenceRows(a.Tone.Evidence)},
				{Title: "Urgency evidence", Rows: evidenceRows(a.Urgency.Evidence)},
				{Title: "Category evidence", Rows: evidenceRows(a.Category.Evidence)},
			}
			av.Facts = factRows(a.Facts)
			if !a.Urgency.Deadline.IsZero() {
				av.Deadline = v.clock.format(a.Urgency.Deadline)
			}
		}
		row.Assessment = av
	}

	if m.Channel == store.ChannelVoicemail && m.ExternalID != "" {
		vm, err := s.store.VoicemailGetByRecording(ctx, m.ExternalID)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return row, nil, fmt.Errorf("load voicemail %s: %w", m.ExternalID, err)
		default:
			rv := &recordingView{SID: vm.RecordingSID, Length: seconds(vm.DurationSeconds), Transcript: humanize(vm.TranscriptStatus)}
			if rv.Transcript == "" {
				rv.Transcript = "Pending"
			}
			if s.recordings != nil && vm.RecordingSID != "" {
				rv.URL = fmt.Sprintf("/cases/%d/recordings/%s", caseID, vm.RecordingSID)
			}
			row.Recording = rv
		}
	}
	return row, decoded, nil
}

// evidenceRows lists evidence for a table.
func evidenceRows(ev []nlp.Evidence) []evidenceRow {
	out := make([]evidenceRow, 0, len(ev))
	for _, e := range ev {
		out = append(out, evidenceRow{Rule: humanize(e.Rule), Phrase: e.Phrase, Weight: fmt.Sprintf("%+.2f", e.Weight)})
	}
	return out
}

// factRows lists the kinds of facts found, in the order an agent reads
// them back.
func factRows(f nlp.Facts) []factRow {
	var out []factRow
	add := func(label string, vs []string) {
		if len(vs) > 0 {
			out = append(out, factRow{Label: label, Values: vs})
		}
	}
	add("Orders", f.OrderNumbers)
	add("Invoices", f.InvoiceNumbers)
	add("Tickets", f.TicketNumbers)
	var amounts []string
	for _, a := range f.Amounts {
		amounts = append(amounts, a.Text)
	}
	add("Amounts", amounts)
	add("Dates", f.Dates)
	add("Phones", f.Phones)
	add("Emails", f.Emails)
	add("People", f.People)
	add("Organisations", f.Organizations)
	return out
}

// caseOr404 loads case id as v may see it; when it cannot (not found, not
// v's, or an error) it answers the request itself and ok is false.
func (s *Server) caseOr404(w http.ResponseWriter, r *http.Request, v *viewer, id int64) (c store.Case, tasks []store.Task, ok bool) {
	c, tasks, ok, err := s.loadCase(r.Context(), v, id)
	if err != nil {
		s.internalError(w, r, v, err)
		return store.Case{}, nil, false
	}
	if !ok {
		s.notFound(w, r, v)
	}
	return c, tasks, ok
}
