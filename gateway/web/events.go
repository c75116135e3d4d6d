package web

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// eventRow is one timeline entry as the case page shows it.
type eventRow struct {
	At, Actor, Kind, Text string
	// Details are extra lines: reasons, errors, fields of unknown kinds.
	Details []string
}

// eventData is the union of the gateway's event payloads (see
// gateway/timeline.go): the field names never clash in type, so one
// struct reads them all.
type eventData struct {
	Note string `json:"note"`
	// message_received (a number), email_sent and staff mail (a
	// Message-ID): either shape reads.
	MessageID        json.RawMessage `json:"message_id"`
	Channel          string          `json:"channel"`
	From             string          `json:"from"`
	Subject          string          `json:"subject"`
	Recording        string          `json:"recording_sid"`
	RecordingSeconds int             `json:"recording_seconds"`
	ForwardedBy      string          `json:"forwarded_by"`
	// assessed
	Tone         string   `json:"tone"`
	ToneScore    float64  `json:"tone_score"`
	Urgency      string   `json:"urgency"`
	UrgencyScore float64  `json:"urgency_score"`
	Category     string   `json:"category"`
	Summary      string   `json:"summary"`
	Reasons      []string `json:"reasons"`
	// task_*, follow_up_scheduled
	TaskID     int64     `json:"task_id"`
	Kind       string    `json:"kind"`
	AssigneeID int64     `json:"assignee_id"`
	DueAt      time.Time `json:"due_at"`
	// sms_*
	NotificationID int64  `json:"notification_id"`
	StaffID        int64  `json:"staff_id"`
	Role           string `json:"role"`
	Error          string `json:"error"`
	Attempt        int    `json:"attempt"`
	Reconciled     bool   `json:"reconciled"`
	// call_attempted
	CallID     int64  `json:"call_id"`
	Number     int    `json:"number"`
	Outcome    string `json:"outcome"`
	ByAgent    bool   `json:"by_agent"`
	Late       bool   `json:"late"`
	Unanswered int    `json:"unanswered"`
	// status_changed (From above), email_*, call_*
	To string `json:"to"`
	// call_retry_scheduled
	At time.Time `json:"at"`
	// sms_command
	Text    string `json:"text"`
	Command string `json:"command"`
	Reply   string `json:"reply"`
	// call_* progress
	Leg        string `json:"leg"`
	SID        string `json:"sid"`
	Status     string `json:"status"`
	Duration   int    `json:"duration_seconds"`
	AnsweredBy string `json:"answered_by"`
	// staff_email, policy_violation
	Excerpt string `json:"excerpt"`
	Policy  string `json:"policy"`
	Reason  string `json:"reason"`
}

// describeEvent turns one timeline event into words. Kinds it does not
// know are shown with their fields, staff ids resolved to names.
func describeEvent(v *viewer, e store.CaseEvent) eventRow {
	row := eventRow{At: v.clock.format(e.At), Actor: v.actorName(e.Actor), Kind: humanize(e.Kind)}
	var d eventData
	if err := json.Unmarshal(e.Data, &d); err != nil && len(e.Data) > 0 {
		// A payload of another shape: show it generically.
		row.Details = genericFields(v, e.Data)
		return row
	}
	switch e.Kind {
	case "message_received":
		row.Text = fmt.Sprintf("%s received from %s", humanize(d.Channel), orDash(d.From))
		if d.Subject != "" {
			row.Text += ": " + d.Subject
		}
		if d.Recording != "" {
			row.Details = append(row.Details, fmt.Sprintf("recording %s, %s", d.Recording, seconds(d.RecordingSeconds)))
		}
		if d.ForwardedBy != "" {
			row.Details = append(row.Details, "forwarded by "+d.ForwardedBy)
		}
	case "assessed":
		row.Text = fmt.Sprintf("Scored: tone %s (%.2f), urgency %s (%.2f), category %s",
			d.Tone, d.ToneScore, d.Urgency, d.UrgencyScore, humanize(d.Category))
		if d.Summary != "" {
			row.Details = append(row.Details, "summary: "+d.Summary)
		}
		for _, r := range d.Reasons {
			row.Details = append(row.Details, "because: "+r)
		}
	case "task_created", "task_updated", "task_done", "follow_up_scheduled":
		row.Text = fmt.Sprintf("%s: %s task for %s, due %s", humanize(e.Kind), humanize(d.Kind), v.name(d.AssigneeID), v.clock.format(d.DueAt))
	case "sms_queued", "sms_sent", "sms_failed", "sms_delivered", "sms_undelivered":
		row.Text = fmt.Sprintf("%s to %s", humanize(e.Kind), v.name(d.StaffID))
		if d.Role != "" {
			row.Text += " (" + humanize(d.Role) + ")"
		}
		if d.Attempt > 0 {
			row.Details = append(row.Details, "attempt "+strconv.Itoa(d.Attempt))
		}
		if d.Reconciled {
			row.Details = append(row.Details, "found at the provider after a lost answer")
		}
	case "call_attempted":
		row.Text = d.Note
		if d.Outcome != "" {
			row.Details = append(row.Details, fmt.Sprintf("attempt %d, outcome %s", d.Number, humanize(d.Outcome)))
		}
		if d.Late {
			row.Details = append(row.Details, "after the due time")
		}
	case "status_changed":
		row.Text = fmt.Sprintf("Status changed from %s to %s", humanize(d.From), humanize(d.To))
	case "call_retry_scheduled":
		row.Text = fmt.Sprintf("Call retry scheduled for %s, by %s", v.clock.format(d.At), v.name(d.AssigneeID))
	case "staff_email":
		row.Text = "Staff email"
		if d.Subject != "" {
			row.Text += ": " + d.Subject
		}
		if d.Kind != "" {
			row.Details = append(row.Details, "read as: "+humanize(d.Kind))
		}
		if d.Excerpt != "" {
			row.Details = append(row.Details, "“"+d.Excerpt+"”")
		}
	case "policy_violation":
		row.Text = "Policy violation"
		if d.Policy != "" {
			row.Text += " (" + d.Policy + ")"
		}
		if d.Reason != "" {
			row.Text += ": " + d.Reason
		}
	case "email_queued", "email_sent", "email_failed", "email_not_sent", "email_retry":
		row.Text = fmt.Sprintf("%s: %s", humanize(e.Kind), humanize(d.Kind))
		if d.To != "" {
			row.Text += " to " + d.To
		}
	case "sms_command":
		row.Text = fmt.Sprintf("Texted %s: “%s”", strings.ToUpper(d.Command), d.Text)
		if d.Reply != "" {
			row.Details = append(row.Details, "reply: "+d.Reply)
		}
	case "dashboard_command":
		row.Text = fmt.Sprintf("%s in the dashboard", strings.ToUpper(d.Command))
		if d.Note != "" {
			row.Details = append(row.Details, "note: "+d.Note)
		}
		if d.Reply != "" {
			row.Details = append(row.Details, "reply: "+d.Reply)
		}
	case "call_queued", "call_placed", "call_failed", "call_status":
		row.Text = humanize(e.Kind)
		if d.Leg != "" {
			row.Text += " (" + d.Leg + " leg)"
		}
		if d.Status != "" {
			row.Text += ": " + humanize(d.Status)
		}
		if d.To != "" {
			row.Details = append(row.Details, "number "+d.To)
		}
		if d.Duration > 0 {
			row.Details = append(row.Details, "duration "+seconds(d.Duration))
		}
		if d.AnsweredBy != "" {
			row.Details = append(row.Details, "answered by "+d.AnsweredBy)
		}
	default:
		if d.Note != "" {
			row.Text = d.Note
		} else {
			row.Details = genericFields(v, e.Data)
		}
	}
	if d.Error != "" {
		row.Details = append(row.Details, "error: "+d.Error)
	}
	return row
}

// genericFields lists a JSON object's fields as "name: value", sorted by
// name, with staff ids resolved to names.
func genericFields(v *viewer, data []byte) []string {
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		if len(data) == 0 {
			return nil
		}
		return []string{truncate(string(data), 500)}
	}
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		val := m[k]
		text := fmt.Sprint(val)
		if b, err := json.Marshal(val); err == nil {
			if _, isString := val.(string); !isString {
				text = string(b)
			}
		}
		if n, ok := val.(float64); ok && isStaffField(k) {
			text = v.name(int64(n))
		}
		out = append(out, humanize(k)+": "+truncate(text, 500))
	}
	return out
}

// isStaffField reports whether a payload field holds a staff id.
func isStaffField(k string) bool {
	return k == "staff_id" || k == "owner_id" || k == "actor_id" || strings.HasSuffix(k, "_staff_id") ||
		strings.HasSuffix(k, "assignee_id") || strings.HasSuffix(k, "_owner_id") || k == "to_staff" || k == "from_staff"
}

// seconds formats a length in seconds as "1m 05s" or "45s".
func seconds(n int) string {
	if n >= 60 {
		return fmt.Sprintf("%dm %02ds", n/60, n%60)
	}
	return fmt.Sprintf("%ds", n)
}

// orDash returns s, or "—" when empty.
func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}
