package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/nlp"
)

// maxSearchLength bounds the queue's search text.
const maxSearchLength = 200

// topReasons is how many reasons the queue shows per score.
const topReasons = 3

// Filter choices.
var (
	priorities = []string{"critical", "high", "normal", "low"}
	channels   = []string{store.ChannelEmail, store.ChannelVoicemail, store.ChannelSMS}
	categories = []nlp.Category{
		nlp.CategoryMissedOrLateShipment, nlp.CategoryOverchargeOrBillingError, nlp.CategoryWrongItem,
		nlp.CategoryMissedOrBouncedPayment, nlp.CategoryReturnOrRefund, nlp.CategoryIncorrectDeliverable,
		nlp.CategoryServiceVisitGoneWrong, nlp.CategoryGeneralQuestion, nlp.CategoryPraise, nlp.CategoryNotAComplaint,
	}
)

// option is one choice of a <select>.
type option struct {
	Value, Label string
	Selected     bool
}

// queuePage is the list of active cases.
type queuePage struct {
	page
	Rows       []queueRow
	Q          string
	Priorities []option
	Channels   []option
	Categories []option
	// Owners is the owner filter; empty when the viewer sees only their own.
	Owners []option
}

// queueRow is one active case.
type queueRow struct {
	ID                                          int64
	Subject, Customer                           string
	Priority, Channel, Category, Status         string
	Due, DueISO, DueText                        string
	Overdue                                     bool
	Tone, Urgency                               string
	ToneReasons, UrgencyReasons                 []string
	Owner                                       string
	RelationshipRisk, Reopened, Breached, Risky bool
}

// queueShow lists the active cases the viewer sees, soonest due first.
func (s *Server) queueShow(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	q := r.URL.Query()
	params := store.CaseQueueParams{
		OwnerIDs: v.ownerIDs(),
		Priority: pick(q.Get("priority"), priorities),
		Channel:  pick(q.Get("channel"), channels),
		Category: pick(q.Get("category"), categoryNames()),
		Search:   truncate(strings.TrimSpace(q.Get("q")), maxSearchLength),
	}
	owner, _ := strconv.ParseInt(q.Get("owner"), 10, 64)
	none := false
	if owner != 0 {
		if v.seesStaff(owner) {
			params.OwnerIDs = []int64{owner}
		} else {
			none = true
		}
	}
	var items []store.QueueItem
	if !none {
		var err error
		items, err = s.store.CaseQueue(ctx, params)
		if err != nil {
			s.internalError(w, r, v, fmt.Errorf("load queue: %w", err))
			return
		}
	}
	now := s.now()
	p := queuePage{page: s.basePage(w, r, v, "Queue", "queue"), Q: params.Search,
		Priorities: options(priorities, params.Priority, humanize),
		Channels:   options(channels, params.Channel, humanize),
		Categories: options(categoryNames(), params.Category, humanize),
	}
	if v.all || v.isManager() {
		p.Owners = append(p.Owners, option{Value: "", Label: "Everyone I see"})
		for _, st := range v.list {
			if v.seesStaff(st.ID) {
				p.Owners = append(p.Owners, option{Value: strconv.FormatInt(st.ID, 10), Label: st.Name, Selected: st.ID == owner})
			}
		}
	}
	for _, it := range items {
		if !v.all && slices.Contains(it.ComplainedAbout, v.staff.ID) {
			continue
		}
		row := queueRow{
			ID: it.ID, Subject: it.Subject, Customer: it.CustomerName,
			Priority: it.Priority, Channel: it.Channel, Category: humanize(it.Category), Status: humanize(it.Status),
			Due: v.clock.format(it.DueAt), DueText: dueText(it.DueAt, now), Overdue: !it.DueAt.IsZero() && now.After(it.DueAt),
			Tone: it.ToneLabel, Urgency: it.UrgencyLevel, Owner: v.name(it.OwnerID),
			RelationshipRisk: it.RelationshipRisk, Reopened: it.Status == store.CaseReopened, Breached: it.Breaches > 0,
		}
		if !it.DueAt.IsZero() {
			row.DueISO = it.DueAt.UTC().Format(time.RFC3339)
		}
		if row.Customer == "" {
			row.Customer = "Unknown sender"
		}
		if a, ok := decodeAssessment(it.Detail); ok {
			row.ToneReasons = evidenceText(a.Tone.Evidence, topReasons)
			row.UrgencyReasons = evidenceText(a.Urgency.Evidence, topReasons)
		}
		row.Risky = row.RelationshipRisk || row.Reopened || row.Breached
		p.Rows = append(p.Rows, row)
	}
	s.render(w, r, http.StatusOK, "queue", p)
}

// decodeAssessment reads a stored nlp.Assessment; ok=false when there is
// none or it does not parse.
func decodeAssessment(detail []byte) (nlp.Assessment, bool) {
	var a nlp.Assessment
	if len(detail) == 0 || json.Unmarshal(detail, &a) != nil {
		return nlp.Assessment{}, false
	}
	return a, true
}

// evidenceText lists up to n pieces of evidence as "rule: phrase",
// strongest first as the analyser ordered them, without repeats.
func evidenceText(ev []nlp.Evidence, n int) []string {
	var out []string
	for _, e := range ev {
		if len(out) == n {
			break
		}
		t := humanize(e.Rule)
		if e.Phrase != "" {
			t += ": “" + e.Phrase + "”"
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out
}

// categoryNames lists the categories as strings.
func categoryNames() []string {
	out := make([]string, len(categories))
	for i, c := range categories {
		out[i] = string(c)
	}
	return out
}

// pick returns v when it is one of allowed, else "".
func pick(v string, allowed []string) string {
	if slices.Contains(allowed, v) {
		return v
	}
	return ""
}

// options builds a <select>'s choices with an "Any" first.
func options(values []string, selected string, label func(string) string) []option {
	out := []option{{Value: "", Label: "Any"}}
	for _, v := range values {
		out = append(out, option{Value: v, Label: label(v), Selected: v == selected})
	}
	return out
}

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "")
}
