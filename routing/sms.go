package routing

import (
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// SMSInput is what an SMS to a staff member says (POLICY P5).
type SMSInput struct {
	CaseID   int64
	Role     string // owner, manager, escalation, qa, agent
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

// Bounds on the parts of an SMS that come from outside: a long customer
// label or link must not crowd out the call to action.
const (
	maxSMSCustomer = 80
	maxSMSLink     = 120
)

// SMSText renders the notification. It always fits MaxSMSLength: the
// summary, facts and reasons are cut before the call to action is. The
// call to action advertises the commands ParseCommand reads; QA, who take
// no action by SMS, get none.
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
	case "qa":
		head += " (QA review)"
	}
	if in.Customer != "" {
		head += " " + cut(oneLine(in.Customer), maxSMSCustomer)
	}
	link := ""
	if in.Link != "" && len(in.Link) <= maxSMSLink {
		link = " " + in.Link
	}
	var tail string
	switch {
	case in.Role == "qa":
		tail = "For review; no reply needed." + link
	case in.DueAt.IsZero():
		tail = "Call as soon as you can." + link + callToAction(in.CaseID)
	default:
		tail = fmt.Sprintf("Call by %s.", in.DueAt.In(loc).Format("Mon 15:04 MST")) + link + callToAction(in.CaseID)
	}

	// A notification about the message (it has a tone) gives the summary
	// first; a reminder or a notice about the case's progress leads with
	// its reason.
	var mid []string
	why := strings.TrimRight(strings.Join(in.Why, "; "), ". ")
	if in.Tone == "" && why != "" {
		mid = append(mid, why+".")
	}
	if in.Summary != "" {
		mid = append(mid, in.Summary)
	}
	if len(in.Facts) > 0 {
		mid = append(mid, "Facts: "+strings.Join(in.Facts, ", ")+".")
	}
	if in.Tone != "" {
		if why != "" {
			why = "; " + why
		}
		mid = append(mid, fmt.Sprintf("Tone %s%s.", in.Tone, why))
	}
	body := oneLine(strings.Join(mid, " "))
	room := MaxSMSLength - len(head) - len(tail) - 3
	body = cut(body, max(room, 0))
	if body == "" {
		return cut(head+": "+tail, MaxSMSLength)
	}
	return head + ": " + body + " " + tail
}

// callToAction lists the replies an agent can send about case id.
func callToAction(id int64) string {
	return fmt.Sprintf(" Reply CALL %d to be connected, ACK %d, DONE %d <note>, or HELP.", id, id, id)
}

// oneLine folds runs of white space, line breaks included, into one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

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

// WhisperInput is what the agent hears before the customer is dialled
// (POLICY P5).
type WhisperInput struct {
	CaseID            int64
	Customer, Summary string // Summary: in the customer's terms
	Tone              string
	Priority          Priority
	Facts             []string // key facts; the first three are read
}

// MaxWhisperLength bounds WhisperText, in bytes.
const MaxWhisperLength = 600

// WhisperText is the brief read to the agent by text-to-speech when they
// answer a bridged call, before the customer is dialled (POLICY P5): the
// case, the customer, priority and tone, the summary in the customer's
// terms, up to three key facts, then "Ready when you are." (the gateway
// follows it with the press-1 prompt). Plain words, no links, at most
// MaxWhisperLength bytes. It is plain text: escape it for TwiML.
func WhisperText(in WhisperInput) string {
	head := fmt.Sprintf("Case %d.", in.CaseID)
	if in.Priority != "" {
		head = fmt.Sprintf("Case %d, %s priority.", in.CaseID, spoken(string(in.Priority)))
	}
	if c := cut(spoken(in.Customer), 80); c != "" {
		head += " " + strings.TrimRight(c, ".") + "."
	}
	if t := cut(spoken(in.Tone), 40); t != "" {
		head += " The customer sounds " + strings.TrimRight(t, ".") + "."
	}
	const tail = "Ready when you are."
	var facts []string
	for _, f := range in.Facts {
		if f = cut(strings.TrimRight(spoken(f), "."), 60); f != "" && len(facts) < 3 {
			facts = append(facts, f)
		}
	}
	factText := ""
	if len(facts) > 0 {
		factText = "Key facts: " + strings.Join(facts, "; ") + "."
	}
	room := MaxWhisperLength - len(head) - len(factText) - len(tail) - 3
	summary := ""
	if s := spoken(in.Summary); s != "" {
		if s = cut("They said: "+strings.TrimRight(s, ".")+".", max(room, 0)); s != "" {
			summary = s
		}
	}
	out := oneLine(strings.Join([]string{head, summary, factText, tail}, " "))
	if len(out) > MaxWhisperLength { // unreachable with the caps above; a guard
		out = cut(head, MaxWhisperLength-len(tail)-1) + " " + tail
	}
	return out
}

// spoken makes s fit to be read aloud: no links, no markup, "#123" read
// as "number 123", control characters and runs of space folded.
func spoken(s string) string {
	words := strings.Fields(strings.ToValidUTF8(s, " "))
	out := make([]string, 0, len(words))
	for _, w := range words {
		lw := strings.ToLower(w)
		if strings.Contains(lw, "://") || strings.HasPrefix(lw, "www.") {
			continue
		}
		w = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || strings.ContainsRune("<>[]{}|*_~`\\^", r) {
				return -1
			}
			return r
		}, w)
		if len(w) > 1 && w[0] == '#' {
			out = append(out, "number")
			w = w[1:]
		}
		if w != "" {
			out = append(out, w)
		}
	}
	return strings.Join(out, " ")
}
