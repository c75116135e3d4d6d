package audit

import (
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// WriteJSON writes the report as one JSON document with the fields params,
// total, groups, weekly and call_histogram, and, when rows is not nil,
// cases: the rows in the period judged as Compute judges them. Field names
// are snake_case and stable; durations are whole seconds (fields ending in
// _s); times are RFC 3339 in UTC; a time, percentage or verdict that does
// not exist is null.
func WriteJSON(w io.Writer, r Report, rows []store.CaseAudit) error {
	doc := jsonReport{
		Params: jsonParams{
			From: jsonTime(r.Params.From),
			To:   jsonTime(r.Params.To),
			By:   string(r.Params.By),
			Now:  jsonTime(r.Params.Now),
			Targets: jsonTargets{
				NotifyS:       jsonTarget(r.Params.Targets.Notify),
				ConversationS: jsonTarget(r.Params.Targets.Conversation),
				ResolutionS:   jsonTarget(r.Params.Targets.Resolution),
			},
		},
		Total:     newJSONGroup(r.Total),
		Groups:    make([]jsonGroup, 0, len(r.Groups)),
		Weekly:    make([]jsonWeek, 0, len(r.Weekly)),
		Histogram: make([]jsonBucket, 0, len(r.CallHistogram)),
	}
	for _, g := range r.Groups {
		doc.Groups = append(doc.Groups, newJSONGroup(g))
	}
	for _, wk := range r.Weekly {
		doc.Weekly = append(doc.Weekly, jsonWeek{
			Start: wk.Start.UTC().Format(time.RFC3339), Cases: wk.Cases,
			CallMet: wk.CallMet, CallMissed: wk.CallMissed, CallMetPct: jsonPct(wk.CallMetPct),
		})
	}
	for _, b := range r.CallHistogram {
		jb := jsonBucket{Label: b.Label, Count: b.Count}
		if b.Upper > 0 {
			jb.UpperS = new(secs(b.Upper))
		}
		doc.Histogram = append(doc.Histogram, jb)
	}
	if rows != nil {
		doc.Cases = make([]jsonCase, 0, len(rows))
		for _, row := range rows {
			if inPeriod(row, r.Params) {
				doc.Cases = append(doc.Cases, newCaseView(row, r.Params).json())
			}
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write audit json: %w", err)
	}
	return nil
}

type jsonReport struct {
	Params    jsonParams   `json:"params"`
	Total     jsonGroup    `json:"total"`
	Groups    []jsonGroup  `json:"groups"`
	Weekly    []jsonWeek   `json:"weekly"`
	Histogram []jsonBucket `json:"call_histogram"`
	Cases     []jsonCase   `json:"cases,omitzero"`
}

type jsonParams struct {
	From    *string     `json:"from"`
	To      *string     `json:"to"`
	By      string      `json:"by"`
	Now     *string     `json:"now"`
	Targets jsonTargets `json:"targets"`
}

type jsonTargets struct {
	NotifyS       *int64 `json:"notify_s"`
	ConversationS *int64 `json:"conversation_s"`
	ResolutionS   *int64 `json:"resolution_s"`
}

type jsonStat struct {
	Count   int      `json:"count"`
	Pending int      `json:"pending"`
	MedianS int64    `json:"median_s"`
	P90S    int64    `json:"p90_s"`
	MaxS    int64    `json:"max_s"`
	Met     int      `json:"met"`
	Missed  int      `json:"missed"`
	MetPct  *float64 `json:"met_pct"`
}

type jsonGroup struct {
	Key             string   `json:"key"`
	Cases           int      `json:"cases"`
	Notify          jsonStat `json:"notify"`
	FirstCall       jsonStat `json:"first_call"`
	Conversation    jsonStat `json:"conversation"`
	Resolution      jsonStat `json:"resolution"`
	IngestLag       jsonStat `json:"ingest_lag"`
	Breaches        int      `json:"breaches"`
	Escalations     int      `json:"escalations"`
	Violations      int      `json:"violations"`
	RepeatContacts  int      `json:"repeat_contacts"`
	FollowUps       int      `json:"follow_ups"`
	FollowUpsDone   int      `json:"follow_ups_done"`
	FollowUpsOnTime int      `json:"follow_ups_on_time"`
}

type jsonWeek struct {
	Start      string   `json:"start"`
	Cases      int      `json:"cases"`
	CallMet    int      `json:"call_met"`
	CallMissed int      `json:"call_missed"`
	CallMetPct *float64 `json:"call_met_pct"`
}

type jsonBucket struct {
	Label  string `json:"label"`
	UpperS *int64 `json:"upper_s"` // null: open-ended, or no call yet
	Count  int    `json:"count"`
}

type jsonCase struct {
	CaseID          int64   `json:"case_id"`
	CustomerID      int64   `json:"customer_id"`
	OwnerID         int64   `json:"owner_id"`
	Owner           string  `json:"owner"`
	Team            string  `json:"team"`
	Channel         string  `json:"channel"`
	Priority        string  `json:"priority"`
	Category        string  `json:"category"`
	Status          string  `json:"status"`
	ReceivedAt      *string `json:"received_at"`
	OpenedAt        *string `json:"opened_at"`
	DueAt           *string `json:"due_at"`
	NotifiedAt      *string `json:"notified_at"`
	NotifyS         *int64  `json:"notify_s"`
	FirstCallAt     *string `json:"first_call_at"`
	FirstCallS      *int64  `json:"first_call_s"`
	ConversationAt  *string `json:"conversation_at"`
	ConversationS   *int64  `json:"conversation_s"`
	ResolvedAt      *string `json:"resolved_at"`
	ResolutionS     *int64  `json:"resolution_s"`
	IngestLagS      int64   `json:"ingest_lag_s"`
	NotifyMet       *bool   `json:"notify_met"`
	FirstCallMet    *bool   `json:"first_call_met"`
	ConversationMet *bool   `json:"conversation_met"`
	ResolutionMet   *bool   `json:"resolution_met"`
	Breached        bool    `json:"breached"`
	Escalations     int     `json:"escalations"`
	Breaches        int     `json:"breaches"`
	Violations      int     `json:"violations"`
	Contacts        int     `json:"contacts"`
	RepeatContacts  int     `json:"repeat_contacts"`
	FollowUpDueAt   *string `json:"follow_up_due_at"`
	FollowUpDoneAt  *string `json:"follow_up_done_at"`
	FollowUpOnTime  *bool   `json:"follow_up_on_time"`
}

func newJSONGroup(g Group) jsonGroup {
	st := func(s Stat) jsonStat {
		return jsonStat{
			Count: s.Count, Pending: s.Pending,
			MedianS: secs(s.Median), P90S: secs(s.P90), MaxS: secs(s.Max),
			Met: s.Met, Missed: s.Missed, MetPct: jsonPct(s.MetPct),
		}
	}
	return jsonGroup{
		Key: g.Key, Cases: g.Cases,
		Notify: st(g.Notify), FirstCall: st(g.FirstCall), Conversation: st(g.Conversation),
		Resolution: st(g.Resolution), IngestLag: st(g.IngestLag),
		Breaches: g.Breaches, Escalations: g.Escalations, Violations: g.Violations,
		RepeatContacts: g.RepeatContacts, FollowUps: g.FollowUps,
		FollowUpsDone: g.FollowUpsDone, FollowUpsOnTime: g.FollowUpsOnTime,
	}
}

func (v caseView) json() jsonCase {
	r := v.f.row
	ms := func(m milestone) (*string, *int64) {
		if !m.reached() {
			return nil, nil
		}
		return jsonTime(m.at), new(secs(m.d))
	}
	c := jsonCase{
		CaseID: r.CaseID, CustomerID: r.CustomerID, OwnerID: r.OwnerID,
		Owner: v.owner, Team: v.team,
		Channel: r.Channel, Priority: r.Priority, Category: r.Category, Status: r.Status,
		ReceivedAt: jsonTime(r.ReceivedAt), OpenedAt: jsonTime(r.OpenedAt), DueAt: jsonTime(r.DueAt),
		IngestLagS:      secs(v.f.ingestLag),
		NotifyMet:       jsonVerdict(v.f.notify.verdict),
		FirstCallMet:    jsonVerdict(v.f.call.verdict),
		ConversationMet: jsonVerdict(v.f.conversation.verdict),
		ResolutionMet:   jsonVerdict(v.f.resolution.verdict),
		Breached:        v.f.breached,
		Escalations:     r.Escalations, Breaches: r.Breaches, Violations: r.Violations,
		Contacts: r.Contacts, RepeatContacts: v.f.repeats,
		FollowUpDueAt: jsonTime(r.FollowUpDueAt), FollowUpDoneAt: jsonTime(r.FollowUpDoneAt),
	}
	c.NotifiedAt, c.NotifyS = ms(v.f.notify)
	c.FirstCallAt, c.FirstCallS = ms(v.f.call)
	c.ConversationAt, c.ConversationS = ms(v.f.conversation)
	c.ResolvedAt, c.ResolutionS = ms(v.f.resolution)
	if v.f.followUp {
		c.FollowUpOnTime = new(v.f.followUpOnTime)
	}
	return c
}

func secs(d time.Duration) int64 { return int64(d / time.Second) }

func jsonTime(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	return new(stamp(t))
}

func jsonTarget(d time.Duration) *int64 {
	if d <= 0 {
		return nil
	}
	return new(secs(d))
}

func jsonPct(p float64) *float64 {
	if p < 0 {
		return nil
	}
	return new(p)
}

func jsonVerdict(v verdict) *bool {
	switch v {
	case met:
		return new(true)
	case missed:
		return new(false)
	}
	return nil
}
