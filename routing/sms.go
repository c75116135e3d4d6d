package routing

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// SMSInput is what an SMS to a staff member says (POLICY P5).
type SMSInput struct {
	CaseID   int64
	Role     string // owner, manager, escalation
	Priority Priority
	Customer string // name, and company when known
	Summary  string // one line, in the customer's terms
	Tone     string
	Why      []string // the main reasons for the priority, short
	Facts    []string // key facts: order numbers, amounts, dates
	DueAt    time.Time
	Location *time.Location // the recipient's time zone
	Link     string         // the case page, "" when the dashboard has no public URL
}

// MaxSMSLength bounds an SMS body: three concatenated segments.
const MaxSMSLength = 459

// SMSText renders the notification. It always fits MaxSMSLength: the
// summary, facts and reasons are cut before the call to action is.
func SMSText(in SMSInput) string {
	loc := in.Location
	if loc == nil {
		loc = time.UTC
	}
	head := fmt.Sprintf("[%s] Case %d", strings.ToUpper(string(in.Priority)), in.CaseID)
	switch in.Role {
	case "manager":
		head += " (take charge)"
	case "escalation":
		head += " (ESCALATED)"
	}
	if in.Customer != "" {
		head += " " + in.Customer
	}
	tail := fmt.Sprintf("Call by %s.", in.DueAt.In(loc).Format("Mon 15:04 MST"))
	if in.Link != "" {
		tail += " " + in.Link
	}
	tail += fmt.Sprintf(" Reply ACK, CALL, SNOOZE 30 or CLOSE %d.", in.CaseID)

	var mid []string
	if in.Summary != "" {
		mid = append(mid, in.Summary)
	}
	if len(in.Facts) > 0 {
		mid = append(mid, "Facts: "+strings.Join(in.Facts, ", ")+".")
	}
	if in.Tone != "" || len(in.Why) > 0 {
		mid = append(mid, fmt.Sprintf("Tone %s; %s.", in.Tone, strings.Join(in.Why, "; ")))
	}
	body := strings.Join(mid, " ")
	room := MaxSMSLength - len(head) - len(tail) - 4
	if room < 0 {
		room = 0
	}
	body = cut(body, room)
	if body == "" {
		return cut(head+": "+tail, MaxSMSLength)
	}
	return head + ": " + body + " " + tail
}

// cut shortens s to at most n bytes on a rune boundary, marking the cut.
func cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= 3 {
		return ""
	}
	i := n - 3
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return strings.TrimSpace(s[:i]) + "..."
}
