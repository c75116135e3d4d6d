package routing

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Status is where a case stands, in words a person can read.
type Status string

// Case statuses.
const (
	StatusOpen           Status = "open"            // new, nobody acknowledged it
	StatusAcknowledged   Status = "acknowledged"    // someone is on it
	StatusCallAttempted  Status = "call_attempted"  // at least one attempt, no conversation yet
	StatusInConversation Status = "in_conversation" // a live conversation happened; awaiting DONE
	StatusResolved       Status = "resolved"
	StatusReopened       Status = "reopened" // the customer came back within the reopen window; behaves as open
	StatusClosed         Status = "closed"
)

var statuses = []Status{StatusOpen, StatusAcknowledged, StatusCallAttempted, StatusInConversation,
	StatusResolved, StatusReopened, StatusClosed}

// Active reports whether the case still needs a call: every status but
// resolved and closed. An unknown status is not active.
func (s Status) Active() bool {
	switch s {
	case StatusOpen, StatusAcknowledged, StatusCallAttempted, StatusInConversation, StatusReopened:
		return true
	}
	return false
}

// label is the status in plain words.
func (s Status) label() string { return strings.ReplaceAll(string(s), "_", " ") }

// ParseStatus returns the status named s.
func ParseStatus(s string) (Status, error) {
	for _, st := range statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", fmt.Errorf("unknown case status %q (want open, acknowledged, call_attempted, in_conversation, resolved, reopened or closed)", s)
}

// CaseFacts is what Act and CallEnded need to know of a case.
type CaseFacts struct {
	ID              int64
	Status          Status
	OwnerID         int64
	AssigneeID      int64 // assignee of the open call-back task, 0 when none
	Priority        Priority
	DueAt           time.Time // first call attempt due (SLA)
	ComplainedAbout []int64   // staff the complaint is about (P4)
	Customer        string    // label for texts, e.g. "Jane Doe (Acme)"
	CustomerPhone   string    // E.164, "" when none on file
	Attempts        int       // call attempts to the customer so far
	Unanswered      int       // attempts since the last conversation that did not reach the customer live
	FirstAttemptAt  time.Time // zero when none yet
	FollowUpOpen    bool      // an open P8 follow-up task exists
}

// Outcome is what an agent's command or the end of a call changes. The
// gateway carries it out in one transaction; every change comes with its
// timeline event (POLICY P9).
type Outcome struct {
	Refused bool   // nothing changes; Reply says why
	Reply   string // SMS reply to the actor (Act always sets it); for CallEnded, a text for the agent on the call
	Status  Status // new case status, "" = unchanged
	Events  []Event
	// PlaceCall: bridge a call now, the actor's phone first, then the
	// customer's.
	PlaceCall bool
	// Attempt is set when a call attempt on the customer is to be
	// recorded; it carries the counters the next CaseFacts need.
	Attempt        *CallAttempt
	Resolve        bool
	LessonsLearned string
	// FollowUpAt is, when Resolve, the due time of the P8 follow-up task
	// for the owner.
	FollowUpAt   time.Time
	FollowUpDone bool // the open follow-up task is done (or superseded)
	CallbackDone bool // the open call-back task is done
	// SnoozeUntil: remind the actor then. It never moves the due time.
	SnoozeUntil time.Time
	// RetryAt: the next call attempt is due then (no answer, busy,
	// voicemail, too short). Text the assignee a reminder then, or with
	// Policy.Calls.AutoCall place the bridged call.
	RetryAt time.Time
	// NewOwnerID: the case and its open call-back task move to this staff
	// member; 0 = unchanged.
	NewOwnerID int64
	// NewDueAt is the due time of the call-back after UNHAPPY: a new
	// call-back task when the case was resolved, the open one's otherwise.
	// It belongs to NewOwnerID, or to the owner when NewOwnerID is 0.
	NewDueAt time.Time
	Timers   []Timer  // escalation timers for NewDueAt
	Notices  []Notice // SMS to others (manager, QA, the agent)
	// VoicemailEmail: queue the POLICY P1(b) email "we tried to call and
	// left a voicemail".
	VoicemailEmail bool
}

// Act applies an agent's SMS command to case c at now. It refuses, with a
// Reply saying why and nothing else, when the actor may not act on the
// case (MayAct), when the case is no longer active and the command needs
// it to be, when CALL finds no customer phone or no actor phone, and when
// a SNOOZE is out of bounds. A zero c.ID (the gateway found no single open
// case for a command without a number) is refused with a reply asking for
// the number. HELP needs no case. STOP and START are the gateway's
// business (see OptOutReply); Act refuses them.
func Act(p Policy, c CaseFacts, actor int64, cmd Command, dir Directory, now time.Time) Outcome {
	switch {
	case cmd.Kind == CommandHelp:
		return Outcome{Reply: HelpText()}
	case cmd.Kind == CommandStop || cmd.Kind == CommandStart:
		return refuse("STOP and START are handled by the gateway, not on a case.")
	case !cmd.Kind.Known():
		return refuse("Unknown command. Reply HELP for the list.")
	case c.ID == 0:
		return refuse("Which case? You have no single open case: reply with its number, like " + strings.ToUpper(string(cmd.Kind)) + " 12.")
	case !MayAct(c, actor, dir):
		return refuse(fmt.Sprintf("Case %d is not assigned to you or your team.", c.ID))
	}
	a := act{p: p, c: c, actor: actor, dir: dir, now: now, loc: dir[actor].Hours.Location()}
	switch cmd.Kind {
	case CommandAck, CommandCall, CommandNoAnswer, CommandSnooze:
		if !c.Status.Active() {
			return refuse(fmt.Sprintf("Case %d is %s: nothing to %s.", c.ID, c.Status.label(), strings.ToUpper(string(cmd.Kind))))
		}
	}
	switch cmd.Kind {
	case CommandAck:
		return a.ack()
	case CommandCall:
		return a.call()
	case CommandNoAnswer:
		o := CallEnded(p, c, CallResult{Outcome: CallNoAnswer, ByAgent: true, AgentID: actor}, dir, now)
		o.Reply = "Noted. " + o.Reply
		return o
	case CommandSnooze:
		return a.snooze(cmd.Snooze)
	case CommandDone:
		return a.done(cmd.Note)
	default: // CommandUnhappy
		return a.unhappy(cmd.Note)
	}
}

func refuse(reply string) Outcome { return Outcome{Refused: true, Reply: reply} }

// act carries what every command needs.
type act struct {
	p     Policy
	c     CaseFacts
	actor int64
	dir   Directory
	now   time.Time
	loc   *time.Location // the actor's time zone, for times in replies
}

// when writes t for the actor: "Tue 10:00 EST".
func (a act) when(t time.Time) string {
	if t.IsZero() {
		return "(no due time)"
	}
	return t.In(a.loc).Format("Mon 15:04 MST")
}

func (a act) by() string { return nameOf(a.actor, a.dir) }

func (a act) ack() Outcome {
	if a.c.Status != StatusOpen && a.c.Status != StatusReopened {
		return Outcome{Reply: fmt.Sprintf("Case %d was already acknowledged; status: %s.", a.c.ID, a.c.Status.label())}
	}
	return Outcome{
		Status: StatusAcknowledged,
		Events: []Event{{Kind: "acknowledged", Note: "acknowledged by " + a.by()}},
		Reply: fmt.Sprintf("Case %d acknowledged. Call %s by %s; reply CALL %d to be connected.",
			a.c.ID, orCustomer(a.c.Customer), a.when(a.c.DueAt), a.c.ID),
	}
}

func (a act) call() Outcome {
	if a.c.CustomerPhone == "" {
		return refuse(fmt.Sprintf("Case %d: no phone number on file for %s. Call from your own phone, then text DONE %d <note> or NOANSWER %d.",
			a.c.ID, orCustomer(a.c.Customer), a.c.ID, a.c.ID))
	}
	if a.dir[a.actor].Phone == "" {
		return refuse(fmt.Sprintf("Case %d: we have no phone number for you to ring. Call %s yourself, then text DONE %d <note> or NOANSWER %d.",
			a.c.ID, orCustomer(a.c.Customer), a.c.ID, a.c.ID))
	}
	o := Outcome{PlaceCall: true,
		Reply: fmt.Sprintf("Case %d: calling you now. Answer, listen to the brief, and we connect %s.", a.c.ID, orCustomer(a.c.Customer))}
	if a.c.Status == StatusOpen || a.c.Status == StatusReopened {
		o.Status = StatusAcknowledged
		o.Events = append(o.Events, Event{Kind: "acknowledged", Note: "acknowledged by " + a.by() + " (CALL)"})
	}
	o.Events = append(o.Events, Event{Kind: "call_requested", Note: a.by() + " asked to be connected to the customer"})
	return o
}

func (a act) snooze(d time.Duration) Outcome {
	if d == 0 {
		d = DefaultSnooze
	}
	if d < MinSnooze || d > a.p.Calls.MaxSnooze {
		return refuse(fmt.Sprintf("SNOOZE from %s to %s, like SNOOZE %d 30m.", span(MinSnooze), span(a.p.Calls.MaxSnooze), a.c.ID))
	}
	until := a.now.Add(d)
	due := "no due time"
	if !a.c.DueAt.IsZero() {
		due = "the call is still due " + a.c.DueAt.UTC().Format(time.RFC3339)
	}
	return Outcome{
		SnoozeUntil: until,
		Events: []Event{{Kind: "snoozed", Note: fmt.Sprintf("%s snoozed the reminder for %s, until %s; %s (the due time does not move)",
			a.by(), span(d), until.UTC().Format(time.RFC3339), due)}},
		Reply: fmt.Sprintf("Case %d: I'll remind you at %s. The call is still due by %s.", a.c.ID, a.when(until), a.when(a.c.DueAt)),
	}
}

func (a act) done(note string) Outcome {
	if !a.c.Status.Active() {
		if !a.c.FollowUpOpen {
			return refuse(fmt.Sprintf("Case %d is already %s.", a.c.ID, a.c.Status.label()))
		}
		ev := "follow-up done by " + a.by()
		if note != "" {
			ev += ": " + note
		}
		return Outcome{FollowUpDone: true, Events: []Event{{Kind: "follow_up_done", Note: ev}},
			Reply: fmt.Sprintf("Case %d: follow-up done. Thank you.", a.c.ID)}
	}
	ev := "resolved by " + a.by()
	if a.c.Status != StatusInConversation {
		ev += "; no live conversation on record (the call may have been made outside the gateway)"
	}
	if note != "" {
		ev += "; lessons learned: " + note
	} else {
		ev += "; no lessons-learned note"
	}
	follow := a.now.Add(a.p.FollowUpAfter)
	return Outcome{
		Status: StatusResolved, Resolve: true, CallbackDone: true, LessonsLearned: note,
		FollowUpAt: follow, FollowUpDone: a.c.FollowUpOpen, // a new follow-up supersedes an older one
		Events: []Event{{Kind: "resolved", Note: ev}},
		Reply: fmt.Sprintf("Case %d resolved. The follow-up with %s is due %s. Thank you.",
			a.c.ID, orCustomer(a.c.Customer), follow.In(a.loc).Format("Mon 2 Jan")),
	}
}

// unhappy escalates to management and quality assurance (POLICY P8).
func (a act) unhappy(note string) Outcome {
	if a.c.Status != StatusResolved && !a.c.Status.Active() {
		return refuse(fmt.Sprintf("Case %d is %s. If the customer writes again, a case opens.", a.c.ID, a.c.Status.label()))
	}
	o := Outcome{FollowUpDone: a.c.FollowUpOpen}
	if a.c.Status == StatusResolved {
		o.Status = StatusReopened
	}
	owner := a.c.OwnerID
	if m := managerFor(a.c.OwnerID, a.c.ComplainedAbout, a.dir); m != 0 {
		owner, o.NewOwnerID = m, m
	}
	o.NewDueAt = a.p.DueAt(Max(a.c.Priority, PriorityHigh), a.now, a.dir[owner].Hours)
	o.Timers = []Timer{{At: o.NewDueAt, Level: 1}}

	why := "customer still unhappy after the call"
	if note != "" {
		why += ": " + note
	}
	ev := fmt.Sprintf("reported by %s: %s; ", a.by(), why)
	if o.Status == StatusReopened {
		ev += "case reopened; "
	}
	if o.NewOwnerID != 0 {
		ev += fmt.Sprintf("call-back moves to %s, due %s; QA told (P8)", nameOf(owner, a.dir), o.NewDueAt.UTC().Format(time.RFC3339))
	} else {
		ev += fmt.Sprintf("no manager to take it over: call-back stays with %s, due %s; QA told (P8)", nameOf(owner, a.dir), o.NewDueAt.UTC().Format(time.RFC3339))
	}
	o.Events = []Event{{Kind: "customer_unhappy", Note: ev}}

	if owner != a.actor {
		role := "manager"
		if o.NewOwnerID == 0 {
			role = "owner"
		}
		o.Notices = append(o.Notices, Notice{StaffID: owner, Role: role, Reason: why + " (P8): take charge"})
	}
	for _, id := range qaStaff(a.dir) {
		if id != a.actor && id != owner && !slices.Contains(a.c.ComplainedAbout, id) {
			o.Notices = append(o.Notices, Notice{StaffID: id, Role: "qa", Reason: why + " (P8): for review"})
		}
	}
	if owner == a.actor {
		o.Reply = fmt.Sprintf("Case %d is yours to call back by %s; QA is told.", a.c.ID, a.when(o.NewDueAt))
	} else {
		o.Reply = fmt.Sprintf("Case %d goes to %s and QA. Thank you for flagging it.", a.c.ID, nameOf(owner, a.dir))
	}
	return o
}

// orCustomer names the customer in a text.
func orCustomer(label string) string {
	if label == "" {
		return "the customer"
	}
	return label
}

// qaStaff lists the active staff whose role is "qa", by id.
func qaStaff(dir Directory) []int64 {
	var out []int64
	for id, st := range dir {
		if st.Active && strings.EqualFold(st.Role, "qa") {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out
}
