package routing

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/triage-gw/triage/nlp"
)

// Staff is what routing knows of a staff member.
type Staff struct {
	ID        int64
	Name      string
	Aliases   []string
	Role      string
	ManagerID int64 // 0 when none
	Phone     string
	Hours     Hours
	Active    bool
	// SMSOptedOut: the staff member texted STOP; they get no SMS.
	SMSOptedOut bool
}

// Directory finds staff by id.
type Directory map[int64]Staff

// Customer is what routing knows of the sender's account.
type Customer struct {
	ID                int64
	Name              string
	Company           string
	Tier              string // "key" for key accounts
	AccountValueCents int64
	OwnerID           int64
	OwnerSince        time.Time
}

// OpenCase is the customer's case still open when a new message arrives.
type OpenCase struct {
	ID               int64
	OwnerID          int64
	Priority         Priority
	DueAt            time.Time
	RelationshipRisk bool
	ComplainedAbout  []int64 // staff the case's complaints are about (P4)
}

// ResolvedCase is the customer's most recently resolved case.
type ResolvedCase struct {
	ID               int64
	OwnerID          int64
	Priority         Priority
	ResolvedAt       time.Time
	RelationshipRisk bool
	ComplainedAbout  []int64
}

// Inbound is the message being routed.
type Inbound struct {
	Channel  string // email, voicemail, sms
	From     string
	FromName string
	Subject  string
	At       time.Time // when it reached the gateway
	AutoKind string    // "", auto_reply, bounce, list
	// NoWords marks a voicemail with no transcript (it failed, was empty,
	// or never came): there is nothing to score, but the customer tried to
	// call, so it is a call-back of Policy.Voicemail.NoTranscriptPriority.
	NoWords bool
}

// Situation is everything known around the message when it is routed.
type Situation struct {
	Customer *Customer // nil when the sender is unknown
	OpenCase *OpenCase // nil when the customer has no open case
	// Resolved is the customer's most recently resolved case, nil when
	// none. Decide uses it only when there is no open case.
	Resolved       *ResolvedCase
	Staff          Directory
	RecentContacts int // messages from this customer in the recent window, this one excluded
}

// Action is what the gateway does with a message.
type Action string

// Actions.
const (
	// ActionIgnore stores the message but opens nothing: auto-replies,
	// bounces, list mail.
	ActionIgnore Action = "ignore"
	// ActionRecord stores a message that is not a complaint (praise, a
	// question, not a complaint) with no call-back.
	ActionRecord Action = "record"
	// ActionOpenCase opens a case with a call-back task.
	ActionOpenCase Action = "open_case"
	// ActionUpdateCase adds the message to the customer's open case.
	ActionUpdateCase Action = "update_case"
	// ActionReopenCase reopens the customer's recently resolved case
	// (Plan.CaseID) with a new call-back task: a complaint within
	// Policy.ReopenWindow of its resolution.
	ActionReopenCase Action = "reopen_case"
	// ActionAttach stores a message that is not a complaint on the
	// timeline of the customer's recently resolved case (Plan.CaseID);
	// nothing else changes.
	ActionAttach Action = "attach"
)

// Notice asks the gateway to tell a staff member by SMS.
type Notice struct {
	StaffID int64
	Role    string // owner, manager, escalation, qa, agent
	Reason  string
}

// Event is a timeline entry the plan asks for (POLICY P9).
type Event struct {
	Kind string
	Note string
}

// Timer asks for Escalate to be called at At.
type Timer struct {
	At    time.Time
	Level int // escalation level to run at At, from 1
}

// Plan is the outcome of Decide.
type Plan struct {
	Action Action
	// CaseID is the case the message joins (open, reopened or attached
	// to); 0 when a new case opens or none is involved.
	CaseID           int64
	Reason           string
	Priority         Priority
	PriorityReasons  []string
	OwnerID          int64
	OwnerReason      string
	RelationshipRisk bool
	ComplainedAbout  []int64 // staff ids the case is about (P4): this message's, with the open case's when updating
	DueAt            time.Time
	Checklist        []string
	Notices          []Notice
	Events           []Event
	Timers           []Timer
}

// Decide applies the policy to one inbound message. A complaint opens a
// case with a call-back task, joins the customer's open case, or reopens
// the case resolved within Policy.ReopenWindow; any other message is
// recorded, joins the open case, or is attached to that resolved case.
func Decide(p Policy, in Inbound, a nlp.Assessment, s Situation) Plan {
	if in.AutoKind != "" {
		return Plan{Action: ActionIgnore, Reason: "automatic message (" + in.AutoKind + "): no reply, no case"}
	}
	var reopen *ResolvedCase
	if rc := s.Resolved; s.OpenCase == nil && rc != nil && p.ReopenWindow > 0 && in.At.Sub(rc.ResolvedAt) <= p.ReopenWindow {
		reopen = rc
	}
	if in.NoWords {
		a.IsComplaint = true
	}
	if !a.IsComplaint {
		if oc := s.OpenCase; oc != nil {
			return Plan{Action: ActionUpdateCase, CaseID: oc.ID, Reason: fmt.Sprintf("not a complaint (%s): added to the open case, no new call-back", a.Category.Primary),
				Priority: oc.Priority, OwnerID: oc.OwnerID, OwnerReason: "owner of the open case", RelationshipRisk: oc.RelationshipRisk,
				ComplainedAbout: slices.Clone(oc.ComplainedAbout), DueAt: oc.DueAt}
		}
		if reopen != nil {
			return Plan{Action: ActionAttach, CaseID: reopen.ID, Reason: fmt.Sprintf("not a complaint (%s): added to case %d, resolved %s ago; it stays resolved",
				a.Category.Primary, reopen.ID, span(in.At.Sub(reopen.ResolvedAt).Round(time.Minute))),
				Priority: reopen.Priority, OwnerID: reopen.OwnerID, OwnerReason: "owner of the resolved case", RelationshipRisk: reopen.RelationshipRisk,
				ComplainedAbout: slices.Clone(reopen.ComplainedAbout)}
		}
		return Plan{Action: ActionRecord, Reason: fmt.Sprintf("not a complaint (%s): recorded, no call-back", a.Category.Primary)}
	}

	plan := Plan{Action: ActionOpenCase, Reason: "complaint: call-back required (P1)"}
	plan.Priority, plan.PriorityReasons = priority(p, in, a, s)
	named := complainedAbout(a.StaffComplainedAbout, s.Staff)
	plan.ComplainedAbout = named
	plan.RelationshipRisk = len(named) > 0
	start, startReason := owner(p, s)
	switch {
	case s.OpenCase != nil:
		oc := s.OpenCase
		plan.Action, plan.CaseID = ActionUpdateCase, oc.ID
		plan.Reason = "the customer has an open case: message added to it"
		plan.Priority = Max(plan.Priority, oc.Priority)
		plan.ComplainedAbout = union(named, oc.ComplainedAbout)
		plan.RelationshipRisk = plan.RelationshipRisk || oc.RelationshipRisk
		start, startReason = oc.OwnerID, "owner of the open case"
	case reopen != nil:
		plan.Action, plan.CaseID = ActionReopenCase, reopen.ID
		plan.Reason = fmt.Sprintf("complaint %s after case %d was resolved (reopen window %s): case reopened, call-back required (P1)",
			span(in.At.Sub(reopen.ResolvedAt).Round(time.Minute)), reopen.ID, span(p.ReopenWindow))
		if up := Max(plan.Priority, reopen.Priority); up != plan.Priority {
			plan.Priority = up
			plan.PriorityReasons = append(plan.PriorityReasons, fmt.Sprintf("the reopened case was %s", up))
		}
		plan.ComplainedAbout = union(named, reopen.ComplainedAbout)
		plan.RelationshipRisk = plan.RelationshipRisk || reopen.RelationshipRisk
		if st, ok := s.Staff[reopen.OwnerID]; ok && st.Active {
			start, startReason = reopen.OwnerID, "owner of the reopened case"
		}
	}
	plan.OwnerID, plan.OwnerReason = start, startReason
	if moved, why := routeAround(p, start, plan.ComplainedAbout, s.Staff); moved != start {
		plan.OwnerID, plan.OwnerReason = moved, why
	}
	if len(named) > 0 {
		plan.Events = append(plan.Events, Event{Kind: "relationship_risk",
			Note: "the message names " + names(named, s.Staff) + " in a complaint; call-back routed around them (P4)"})
	}
	if reopen != nil {
		plan.Events = append(plan.Events, Event{Kind: "case_reopened", Note: plan.Reason})
	}

	hours := s.Staff[plan.OwnerID].Hours
	plan.DueAt = p.DueAt(plan.Priority, in.At, hours)
	if s.OpenCase != nil && !s.OpenCase.DueAt.IsZero() && s.OpenCase.DueAt.Before(plan.DueAt) {
		plan.DueAt = s.OpenCase.DueAt // a new message never pushes a due time back
	}
	plan.Checklist = slices.Clone(p.Playbooks[string(a.Category.Primary)])
	plan.Notices = append(plan.Notices, Notice{StaffID: plan.OwnerID, Role: "owner", Reason: "call-back owner"})
	// The manager takes charge when the case reaches the threshold: at
	// opening or reopening, or when a new message raises an open case to
	// it. A manager the complaint is about is passed over (P4).
	reached := plan.Priority.rank() >= p.NotifyManagerAt.rank()
	if s.OpenCase != nil && s.OpenCase.Priority.rank() >= p.NotifyManagerAt.rank() {
		reached = false
	}
	if reached {
		if m := managerFor(plan.OwnerID, plan.ComplainedAbout, s.Staff); m != 0 && m != plan.OwnerID {
			plan.Notices = append(plan.Notices, Notice{StaffID: m, Role: "manager", Reason: string(plan.Priority) + " case: manager takes charge (P2)"})
		}
	}
	plan.Timers = []Timer{{At: plan.DueAt, Level: 1}}
	plan.Events = append(plan.Events, Event{Kind: "routed", Note: fmt.Sprintf("priority %s (%s); owner: %s; call due %s",
		plan.Priority, strings.Join(plan.PriorityReasons, "; "), plan.OwnerReason, plan.DueAt.UTC().Format(time.RFC3339))})
	return plan
}

// priority starts from the message's urgency and only ever raises it.
func priority(p Policy, in Inbound, a nlp.Assessment, s Situation) (Priority, []string) {
	pr := FromLevel(a.Urgency.Level)
	reasons := []string{fmt.Sprintf("urgency %s (%.2f)", pr, a.Urgency.Score)}
	if in.NoWords {
		pr = p.Voicemail.NoTranscriptPriority
		reasons = []string{fmt.Sprintf("voicemail with no transcript: the customer tried to call (%s by policy)", pr)}
	}
	if in.Channel == "voicemail" && p.Voicemail.MinPriority.Valid() {
		if up := Max(pr, p.Voicemail.MinPriority); up != pr {
			pr = up
			reasons = append(reasons, fmt.Sprintf("voicemail cases are at least %s (policy)", up))
		}
	}
	if c := s.Customer; c != nil && (c.Tier == "key" || (p.KeyAccountValueCents > 0 && c.AccountValueCents >= p.KeyAccountValueCents)) {
		if up := pr.raise(p.RaiseCap); up != pr {
			pr = up
			reasons = append(reasons, "key account raises it (P3: value may raise, never lower)")
		}
	}
	if s.RecentContacts >= p.RepeatContacts {
		if up := pr.raise(p.RaiseCap); up != pr {
			pr = up
			reasons = append(reasons, fmt.Sprintf("%d recent contacts raise it", s.RecentContacts))
		}
	}
	return pr, reasons
}

func owner(p Policy, s Situation) (int64, string) {
	if c := s.Customer; c != nil && c.OwnerID != 0 {
		if st, ok := s.Staff[c.OwnerID]; ok && st.Active {
			return c.OwnerID, "account owner " + st.Name
		}
		return p.DefaultOwnerID, "account owner inactive: default owner"
	}
	if s.Customer == nil {
		return p.DefaultOwnerID, "unknown sender: default owner"
	}
	return p.DefaultOwnerID, "no account owner: default owner"
}

// complainedAbout maps the names the analyser found to staff ids.
func complainedAbout(found []string, dir Directory) []int64 {
	var ids []int64
	for _, n := range found {
		for id, st := range dir {
			if strings.EqualFold(st.Name, n) && !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// routeAround moves the call-back off anyone the complaint is about, to
// their nearest active manager not named too, else to the default owner
// (POLICY P4).
func routeAround(p Policy, ownerID int64, named []int64, dir Directory) (int64, string) {
	if !slices.Contains(named, ownerID) {
		return ownerID, "owner unchanged (not named in the complaint)"
	}
	if m := managerFor(ownerID, named, dir); m != 0 {
		if m == dir[ownerID].ManagerID {
			return m, "manager of " + nameOf(ownerID, dir) + ", who is named in the complaint (P4)"
		}
		return m, "next manager up from " + nameOf(ownerID, dir) + ", as those between are named in the complaint or inactive (P4)"
	}
	if p.DefaultOwnerID != 0 && !slices.Contains(named, p.DefaultOwnerID) {
		return p.DefaultOwnerID, nameOf(ownerID, dir) + " is named in the complaint and has no manager to take it: default owner (P4)"
	}
	return ownerID, "no one else to route to"
}

func names(ids []int64, dir Directory) string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		out = append(out, dir[id].Name)
	}
	return strings.Join(out, ", ")
}
