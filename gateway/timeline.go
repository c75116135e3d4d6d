package gateway

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/nlp"
)

// timeline appends events to one case inside a transaction, keeping the
// first error so that a run of appends reads as straight-line code.
type timeline struct {
	tx     store.Querier
	caseID int64
	at     time.Time
	err    error
}

func (t *timeline) add(ctx context.Context, actor, kind string, data any) {
	if t.err != nil {
		return
	}
	b, err := json.Marshal(data)
	if err != nil {
		t.err = fmt.Errorf("encode %s event: %w", kind, err)
		return
	}
	if _, err := t.tx.CaseEventInsert(ctx, store.CaseEventInsertParams{CaseID: t.caseID, At: t.at, Actor: actor, Kind: kind, Data: b}); err != nil {
		t.err = fmt.Errorf("append %s event to case %d: %w", kind, t.caseID, err)
	}
}

// Event payloads, one type per shape, stored as JSON on the timeline.
type (
	messageEvent struct {
		MessageID int64  `json:"message_id"`
		Channel   string `json:"channel"`
		From      string `json:"from"`
		Subject   string `json:"subject,omitempty"`
		// ForwardedBy is who forwarded an email whose customer is its
		// original sender (a forwarder, the shared mailbox, staff).
		ForwardedBy string `json:"forwarded_by,omitempty"`
		// A voicemail's recording SID and length.
		Recording        string `json:"recording_sid,omitempty"`
		RecordingSeconds int    `json:"recording_seconds,omitempty"`
	}
	assessedEvent struct {
		MessageID    int64    `json:"message_id"`
		Tone         string   `json:"tone"`
		ToneScore    float64  `json:"tone_score"`
		Urgency      string   `json:"urgency"`
		UrgencyScore float64  `json:"urgency_score"`
		Category     string   `json:"category"`
		Summary      string   `json:"summary"`
		Reasons      []string `json:"reasons,omitempty"`
	}
	noteEvent struct {
		Note string `json:"note"`
		// Lessons is a resolved case's lessons-learned note (P8).
		Lessons string `json:"lessons,omitempty"`
	}
	taskEvent struct {
		TaskID     int64     `json:"task_id"`
		Kind       string    `json:"kind"`
		AssigneeID int64     `json:"assignee_id"`
		DueAt      time.Time `json:"due_at"`
	}
	smsEvent struct {
		NotificationID int64  `json:"notification_id"`
		StaffID        int64  `json:"staff_id"`
		Role           string `json:"role,omitempty"`
		ProviderID     string `json:"provider_id,omitempty"`
		Error          string `json:"error,omitempty"`
		Attempt        int    `json:"attempt,omitempty"`
		// Reconciled marks an sms_sent found at the provider after an
		// attempt whose answer was lost, rather than sent by this attempt.
		Reconciled bool `json:"reconciled,omitempty"`
	}
	// attemptEvent is a call attempt on the customer, with the case's
	// counters after it (loadCase reads them back).
	attemptEvent struct {
		Note       string `json:"note"`
		CallID     int64  `json:"call_id,omitempty"`
		Number     int    `json:"number"`
		Outcome    string `json:"outcome"`
		ByAgent    bool   `json:"by_agent,omitempty"`
		Late       bool   `json:"late"` // after the due time: an SLA breach for the audit
		Unanswered int    `json:"unanswered"`
	}
	statusEvent struct {
		From string `json:"from"`
		To   string `json:"to"`
	}
	retryEvent struct {
		At         time.Time `json:"at"`
		AssigneeID int64     `json:"assignee_id"`
	}
	emailEvent struct {
		Kind  string `json:"kind"`
		To    string `json:"to,omitempty"`
		Error string `json:"error,omitempty"`
	}
	// commandEvent is an SMS command from a staff member, as received.
	commandEvent struct {
		MessageSID string `json:"message_sid"`
		From       string `json:"from"`
		Text       string `json:"text"`
		Command    string `json:"command"`
		Reply      string `json:"reply"`
	}
	// callEvent is a bridged call-back's progress.
	callEvent struct {
		CallID     int64  `json:"call_id"`
		Leg        string `json:"leg,omitempty"` // agent, customer
		SID        string `json:"sid,omitempty"`
		Status     string `json:"status,omitempty"`
		Duration   int    `json:"duration_seconds,omitempty"`
		AnsweredBy string `json:"answered_by,omitempty"`
		To         string `json:"to,omitempty"`
		Error      string `json:"error,omitempty"`
		Attempt    int    `json:"attempt,omitempty"`
		Reconciled bool   `json:"reconciled,omitempty"`
	}
)

// reasons lists up to n pieces of evidence as short text, strongest first
// as the analyser ordered them.
func reasons(ev []nlp.Evidence, n int) []string {
	// What a person can check in the message comes first: the phrases the
	// rules matched, then the words the learned layer weighed most; the
	// heads' verdict and their non-textual signals say less to a reader.
	var out []string
	add := func(r string) {
		if len(out) < n && !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	for _, e := range ev {
		if rule, ok := strings.CutPrefix(e.Rule, "rules: "); ok && e.Start >= 0 && e.Phrase != "" {
			add(rule + ": " + e.Phrase)
		}
	}
	for _, e := range ev {
		switch {
		case strings.HasPrefix(e.Rule, "override: "):
			add(e.Phrase)
		case !strings.HasPrefix(e.Rule, "learned") && !strings.HasPrefix(e.Rule, "rules: "):
			// An analyser without a learned layer: its rules as they are.
			r := e.Rule
			if e.Phrase != "" {
				r += ": " + e.Phrase
			}
			add(r)
		}
	}
	if len(out) == 0 {
		for _, e := range ev {
			if e.Rule == "learned: words" && e.Phrase != "" {
				add(strconv.Quote(e.Phrase))
			}
		}
	}
	return out
}

// keyFacts picks the facts an agent most needs in an SMS.
func keyFacts(f nlp.Facts, n int) []string {
	var out []string
	add := func(prefix string, vs ...string) {
		for _, v := range vs {
			if len(out) < n {
				out = append(out, prefix+v)
			}
		}
	}
	add("order ", f.OrderNumbers...)
	add("invoice ", f.InvoiceNumbers...)
	for _, a := range f.Amounts {
		add("", a.Text)
	}
	add("ticket ", f.TicketNumbers...)
	add("", f.Dates...)
	return out
}
