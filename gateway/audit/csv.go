package audit

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// namedStat is one of a Group's Stats with the name its columns and fields
// carry in the exports.
type namedStat struct {
	name string
	s    Stat
}

// stats lists a Group's Stats in the order the exports show them.
func (g Group) stats() []namedStat {
	return []namedStat{
		{"notify", g.Notify},
		{"first_call", g.FirstCall},
		{"conversation", g.Conversation},
		{"resolution", g.Resolution},
		{"ingest_lag", g.IngestLag},
	}
}

// WriteCSV writes the report as CSV (RFC 4180): a header, one row per group,
// then the "total" row. The first column, dimension, names the grouping
// (owner, team…) on group rows and reads "total" on the total row; key is
// the group's key. Every Stat has columns <stat>_count, _pending,
// _median_s, _p90_s, _max_s (whole seconds), _met, _missed and _met_pct
// (one decimal; empty when nothing was judged); the counts follow. Text
// that starts like a spreadsheet formula is prefixed with a quote.
func WriteCSV(w io.Writer, r Report) error {
	header := []string{"dimension", "key", "cases"}
	for _, st := range (Group{}).stats() {
		for _, col := range []string{"count", "pending", "median_s", "p90_s", "max_s", "met", "missed", "met_pct"} {
			header = append(header, st.name+"_"+col)
		}
	}
	header = append(header, "breaches", "escalations", "violations", "repeat_contacts",
		"follow_ups", "follow_ups_done", "follow_ups_on_time")

	cw := csv.NewWriter(w)
	record := func(dim string, g Group) []string {
		rec := []string{cell(dim), cell(g.Key), itoa(g.Cases)}
		for _, st := range g.stats() {
			s := st.s
			rec = append(rec, itoa(s.Count), itoa(s.Pending), seconds(s.Median), seconds(s.P90),
				seconds(s.Max), itoa(s.Met), itoa(s.Missed), csvPct(s.MetPct))
		}
		return append(rec, itoa(g.Breaches), itoa(g.Escalations), itoa(g.Violations),
			itoa(g.RepeatContacts), itoa(g.FollowUps), itoa(g.FollowUpsDone), itoa(g.FollowUpsOnTime))
	}
	if err := cw.Write(header); err != nil {
		return fmt.Errorf("write audit csv: %w", err)
	}
	for _, g := range r.Groups {
		if err := cw.Write(record(string(r.Params.By), g)); err != nil {
			return fmt.Errorf("write audit csv group %q: %w", g.Key, err)
		}
	}
	if err := cw.Write(record("total", r.Total)); err != nil {
		return fmt.Errorf("write audit csv total: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write audit csv: %w", err)
	}
	return nil
}

// WriteCasesCSV writes the case-level rows behind a report's numbers: the
// rows in p's period (the ones Compute counts), in the order given, judged
// as Compute judges them. Times are RFC 3339 in UTC (empty when none), each
// milestone has its whole seconds from receipt, and the met flags read
// "yes", "no" or "" (no target, or pending within it).
func WriteCasesCSV(w io.Writer, rows []store.CaseAudit, p Params) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(caseColumns()); err != nil {
		return fmt.Errorf("write audit cases csv: %w", err)
	}
	for _, r := range rows {
		if !inPeriod(r, p) {
			continue
		}
		if err := cw.Write(newCaseView(r, p).record()); err != nil {
			return fmt.Errorf("write audit cases csv case %d: %w", r.CaseID, err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write audit cases csv: %w", err)
	}
	return nil
}

func caseColumns() []string {
	return []string{
		"case_id", "customer_id", "opened_at", "received_at", "owner_id", "owner", "team",
		"channel", "priority", "category", "status", "due_at",
		"notified_at", "notify_s", "first_call_at", "first_call_s",
		"conversation_at", "conversation_s", "resolved_at", "resolution_s", "ingest_lag_s",
		"notify_met", "first_call_met", "conversation_met", "resolution_met", "breached",
		"escalations", "breaches", "violations", "contacts", "repeat_contacts",
		"follow_up_due_at", "follow_up_done_at", "follow_up_on_time",
	}
}

func (v caseView) record() []string {
	r := v.f.row
	ms := func(m milestone) (string, string) {
		if !m.reached() {
			return "", ""
		}
		return stamp(m.at), seconds(m.d)
	}
	notifiedAt, notifyS := ms(v.f.notify)
	callAt, callS := ms(v.f.call)
	convAt, convS := ms(v.f.conversation)
	resAt, resS := ms(v.f.resolution)
	onTime := ""
	if v.f.followUp {
		onTime = yesNo(v.f.followUpOnTime)
	}
	return []string{
		strconv.FormatInt(r.CaseID, 10), strconv.FormatInt(r.CustomerID, 10),
		stamp(r.OpenedAt), stamp(r.ReceivedAt), strconv.FormatInt(r.OwnerID, 10),
		cell(v.owner), cell(v.team), cell(r.Channel), cell(r.Priority), cell(r.Category),
		cell(r.Status), stamp(r.DueAt),
		notifiedAt, notifyS, callAt, callS, convAt, convS, resAt, resS, seconds(v.f.ingestLag),
		verdictText(v.f.notify.verdict), verdictText(v.f.call.verdict),
		verdictText(v.f.conversation.verdict), verdictText(v.f.resolution.verdict),
		yesNo(v.f.breached),
		itoa(r.Escalations), itoa(r.Breaches), itoa(r.Violations), itoa(r.Contacts), itoa(v.f.repeats),
		stamp(r.FollowUpDueAt), stamp(r.FollowUpDoneAt), onTime,
	}
}

// caseView is one case as the case-level exports show it.
type caseView struct {
	f           caseFacts
	owner, team string
}

func newCaseView(r store.CaseAudit, p Params) caseView {
	return caseView{
		f:     evaluate(r, p),
		owner: ownerName(r.OwnerID, p.People),
		team:  teamName(r.OwnerID, p.People),
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// seconds writes a duration in whole seconds.
func seconds(d time.Duration) string {
	return strconv.FormatInt(int64(d/time.Second), 10)
}

func csvPct(p float64) string {
	if p < 0 {
		return ""
	}
	return strconv.FormatFloat(p, 'f', 1, 64)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func verdictText(v verdict) string {
	switch v {
	case met:
		return "yes"
	case missed:
		return "no"
	}
	return ""
}
