package routing

import (
	"fmt"
	"strings"
	"time"
)

// CallOutcome is how a call to the customer ended.
type CallOutcome string

// Call outcomes. All but CallAgentUnreachable are attempts on the customer.
const (
	CallConnected        CallOutcome = "connected" // a live conversation of at least Policy.Calls.MinConversation
	CallShort            CallOutcome = "short"     // answered, but shorter than that
	CallNoAnswer         CallOutcome = "no_answer"
	CallBusy             CallOutcome = "busy"
	CallFailed           CallOutcome = "failed"
	CallVoicemail        CallOutcome = "voicemail"
	CallAgentUnreachable CallOutcome = "agent_unreachable" // the agent's phone did not answer; the customer was never dialled
)

// CallResult is the end of a bridged call, or an agent's NOANSWER.
type CallResult struct {
	Outcome  CallOutcome
	Duration time.Duration // talk time on the customer's leg
	ByAgent  bool          // reported by the agent (NOANSWER), not seen by the gateway
	// AgentID is the staff member whose phone was bridged or who reported
	// the result; 0 means the assignee of the call-back (or the owner).
	AgentID int64
}

// CallAttempt is a call attempt on the customer to record, with the
// case's counters after it.
type CallAttempt struct {
	Number     int // 1 for the case's first attempt (CaseFacts.Attempts + 1)
	Outcome    CallOutcome
	ByAgent    bool
	Late       bool // made after the due time
	Unanswered int  // the new CaseFacts.Unanswered: 0 after a conversation
}

// ClassifyCustomerLeg turns Twilio's final CallStatus (completed, busy,
// no-answer, failed, canceled) and AnsweredBy (human, machine_start,
// machine_end_beep, machine_end_silence, machine_end_other, fax, unknown
// or "") of the customer's leg into an outcome: a machine or fax is
// voicemail; a completed call is a conversation when the talk lasted at
// least p.Calls.MinConversation, short otherwise. An unknown status
// (never final) is failed.
func ClassifyCustomerLeg(status, answeredBy string, talk time.Duration, p Policy) CallOutcome {
	ab := strings.ToLower(strings.TrimSpace(answeredBy))
	if strings.HasPrefix(ab, "machine") || ab == "fax" {
		return CallVoicemail
	}
	switch strings.ToLower(strings.TrimSpace(status)) {
	case "completed":
		if talk >= p.Calls.MinConversation {
			return CallConnected
		}
		return CallShort
	case "busy":
		return CallBusy
	case "no-answer", "canceled":
		return CallNoAnswer
	}
	return CallFailed
}

// CallEnded records the end of a call on case c at now. Every outcome on
// the customer's leg is an attempt (event call_attempted, saying whether it
// was within the due time); a conversation puts the case in conversation;
// anything else schedules a retry (RetryAt) until Policy.Calls.MaxAttempts
// attempts in a row went unanswered, and then tells the owner's manager
// instead. A voicemail also asks for the P1(b) email. An agent who did not
// answer the bridge call is not an attempt: they are asked to reply CALL
// when ready.
func CallEnded(p Policy, c CaseFacts, r CallResult, dir Directory, now time.Time) Outcome {
	agent := r.AgentID
	if agent == 0 {
		agent = c.AssigneeID
	}
	if agent == 0 {
		agent = c.OwnerID
	}
	loc := dir[agent].Hours.Location()
	if r.Outcome == CallAgentUnreachable {
		return Outcome{
			Events: []Event{{Kind: "call_not_connected",
				Note: fmt.Sprintf("we rang %s for the call-back but got no answer; the customer was not dialled (not an attempt)", nameOf(agent, dir))}},
			Notices: []Notice{{StaffID: agent, Role: "agent",
				Reason: fmt.Sprintf("We rang you for case %d but got no answer; the customer was not called. Reply CALL %d when ready.", c.ID, c.ID)}},
		}
	}
	switch r.Outcome {
	case CallConnected, CallShort, CallNoAnswer, CallBusy, CallVoicemail:
	default:
		r.Outcome = CallFailed
	}

	att := &CallAttempt{Number: c.Attempts + 1, Outcome: r.Outcome, ByAgent: r.ByAgent,
		Late: !c.DueAt.IsZero() && now.After(c.DueAt), Unanswered: c.Unanswered + 1}
	if r.Outcome == CallConnected {
		att.Unanswered = 0
	}
	o := Outcome{Attempt: att}
	note := fmt.Sprintf("attempt %d: %s", att.Number, describe(r, p))
	if r.ByAgent {
		note += ", reported by " + nameOf(agent, dir)
	}
	o.Events = append(o.Events, Event{Kind: "call_attempted", Note: note + "; " + timing(c, now)})
	who := orCustomer(c.Customer)

	if r.Outcome == CallConnected {
		o.Events = append(o.Events, Event{Kind: "call_connected", Note: fmt.Sprintf("live conversation with the customer (%s)", span(r.Duration))})
		if c.Status.Active() && c.Status != StatusInConversation {
			o.Status = StatusInConversation
		}
		if c.Status.Active() {
			o.Reply = fmt.Sprintf("Case %d: when it is settled, text DONE %d <what we learned>; if %s is still unhappy, UNHAPPY %d.", c.ID, c.ID, who, c.ID)
		}
		return o
	}
	if r.Outcome == CallVoicemail {
		o.Events = append(o.Events, Event{Kind: "voicemail_reached", Note: "voicemail reached: the customer is emailed that we called (P1)"})
		o.VoicemailEmail = true
	}
	if !c.Status.Active() {
		return o
	}
	if c.Status != StatusInConversation && c.Status != StatusCallAttempted {
		o.Status = StatusCallAttempted
	}
	if att.Unanswered < p.Calls.MaxAttempts {
		wait := time.Hour
		if n := len(p.Calls.Retry); n > 0 {
			wait = p.Calls.Retry[min(c.Unanswered, n-1)]
		}
		// The next try falls in the agent's business hours: nobody calls
		// a customer back at night.
		o.RetryAt = dir[agent].Hours.Add(now, wait)
		o.Reply = fmt.Sprintf("Case %d: %s. Next try due %s.", c.ID, describe(r, p), o.RetryAt.In(loc).Format("Mon 15:04 MST"))
		return o
	}
	m := managerFor(c.OwnerID, c.ComplainedAbout, dir)
	if m == 0 {
		o.Events = append(o.Events, Event{Kind: "escalation_exhausted",
			Note: fmt.Sprintf("%d attempts in a row did not reach the customer; no manager above %s to tell", att.Unanswered, nameOf(c.OwnerID, dir))})
		o.Reply = fmt.Sprintf("Case %d: %s, %d tries in a row. Try another way to reach %s.", c.ID, describe(r, p), att.Unanswered, who)
		return o
	}
	why := fmt.Sprintf("%d call attempts in a row did not reach the customer", att.Unanswered)
	o.Events = append(o.Events, Event{Kind: "escalated", Note: why + "; " + nameOf(m, dir) + " told"})
	o.Notices = append(o.Notices, Notice{StaffID: m, Role: "escalation", Reason: why})
	o.Reply = fmt.Sprintf("Case %d: %s, %d tries in a row. %s is told.", c.ID, describe(r, p), att.Unanswered, nameOf(m, dir))
	return o
}

// describe says how an attempt ended, in words.
func describe(r CallResult, p Policy) string {
	switch r.Outcome {
	case CallConnected:
		return "reached the customer"
	case CallShort:
		return fmt.Sprintf("answered, but the call lasted only %s (under %s)", span(r.Duration), span(p.Calls.MinConversation))
	case CallNoAnswer:
		return "no answer"
	case CallBusy:
		return "line busy"
	case CallVoicemail:
		return "reached voicemail"
	}
	return "the call failed"
}

// timing says whether an attempt at now was within c's due time.
func timing(c CaseFacts, now time.Time) string {
	if c.DueAt.IsZero() {
		return "no due time set"
	}
	due := c.DueAt.UTC().Format(time.RFC3339)
	if !now.After(c.DueAt) {
		return "within the due time (" + due + ")"
	}
	s := fmt.Sprintf("late: %s after the due time (%s)", span(now.Sub(c.DueAt)), due)
	if c.Attempts == 0 {
		s += "; first attempt late: SLA breached"
	}
	return s
}

// span writes a duration as people do: 45s, 4m12s, 2h, 1h30m, 2d3h.
func span(d time.Duration) string {
	d = d.Round(time.Second)
	if d < 0 {
		d = -d
	}
	const day = 24 * time.Hour
	days, h, m, sec := int64(d/day), int64(d%day/time.Hour), int64(d%time.Hour/time.Minute), int64(d%time.Minute/time.Second)
	var b strings.Builder
	if days > 0 {
		fmt.Fprintf(&b, "%dd", days)
	}
	if h > 0 {
		fmt.Fprintf(&b, "%dh", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dm", m)
	}
	if sec > 0 || b.Len() == 0 {
		fmt.Fprintf(&b, "%ds", sec)
	}
	return b.String()
}
