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
}

// Inbound is the message being routed.
type Inbound struct {
	Channel  string // email, voicemail, sms
	From     string
	FromName string
	Subject  string
	At       time.Time // when it reached the gateway
	AutoKind string    // "", auto_reply, bounce, list
}

// Situation is everything known around the message when it is routed.
type Situation struct {
	Customer       *Customer // nil when the sender is unknown
	OpenCase       *OpenCase // nil when the customer has no open case
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
)

// Notice asks the gateway to tell a staff member by SMS.
type Notice struct {
	StaffID int64
	Role    string // owner, manager, escalation
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
	Action           Action
	Reason           string
	Priority         Priority
	PriorityReasons  []string
	OwnerID          int64
	OwnerReason      string
	RelationshipRisk bool
	ComplainedAbout  []int64 // staff ids the message complains about
	DueAt            time.Time
	Checklist        []string
	Notices          []Notice
	Events           []Event
	Timers           []Timer
}

// Decide applies the policy to one inbound message.
func Decide(p Policy, in Inbound, a nlp.Assessment, s Situation) Plan {
	if in.AutoKind != "" {
		return Plan{Action: ActionIgnore, Reason: "automatic message (" + in.AutoKind + "): no reply, no case"}
	}
	if !a.IsComplaint {
		if s.OpenCase != nil {
			oc := s.OpenCase
			return Plan{Action: ActionUpdateCase, Reason: fmt.Sprintf("not a complaint (%s): added to the open case, no new call-back", a.Category.Primary),
				Priority: oc.Priority, OwnerID: oc.OwnerID, OwnerReason: "owner of the open case", RelationshipRisk: oc.RelationshipRisk, DueAt: oc.DueAt}
		}
		return Plan{Action: ActionRecord, Reason: fmt.Sprintf("not a complaint (%s): recorded, no call-back", a.Category.Primary)}
	}

	plan := Plan{Action: ActionOpenCase, Reason: "complaint: call-back required (P1)"}
	plan.Priority, plan.PriorityReasons = priority(p, in, a, s)
	plan.OwnerID, plan.OwnerReason = owner(p, s)
	plan.ComplainedAbout = complainedAbout(a.StaffComplainedAbout, s.Staff)
	if len(plan.ComplainedAbout) > 0 {
		plan.RelationshipRisk = true
		plan.OwnerID, plan.OwnerReason = routeAround(p, plan.OwnerID, plan.ComplainedAbout, s.Staff)
		plan.Events = append(plan.Events, Event{Kind: "relationship_risk",
			Note: "the message names " + names(plan.ComplainedAbout, s.Staff) + " in a complaint; call-back routed around them (P4)"})
	}
	if s.OpenCase != nil {
		plan.Action = ActionUpdateCase
		plan.Reason = "the customer has an open case: message added to it"
		plan.Priority = Max(plan.Priority, s.OpenCase.Priority)
		if !plan.RelationshipRisk {
			plan.OwnerID, plan.OwnerReason = s.OpenCase.OwnerID, "owner of the open case"
		}
		plan.RelationshipRisk = plan.RelationshipRisk || s.OpenCase.RelationshipRisk
	}

	hours := s.Staff[plan.OwnerID].Hours
	plan.DueAt = p.DueAt(plan.Priority, in.At, hours)
	if s.OpenCase != nil && !s.OpenCase.DueAt.IsZero() && s.OpenCase.DueAt.Before(plan.DueAt) {
		plan.DueAt = s.OpenCase.DueAt // a new message never pushes a due time back
	}
	plan.Checklist = slices.Clone(p.Playbooks[string(a.Category.Primary)])
	plan.Notices = append(plan.Notices, Notice{StaffID: plan.OwnerID, Role: "owner", Reason: "call-back owner"})
	// The manager takes charge when the case reaches the threshold: at
	// opening, or when a new message raises an open case to it.
	reached := plan.Priority.rank() >= p.NotifyManagerAt.rank()
	if s.OpenCase != nil && s.OpenCase.Priority.rank() >= p.NotifyManagerAt.rank() {
		reached = false
	}
	if reached {
		if m := s.Staff[plan.OwnerID].ManagerID; m != 0 && m != plan.OwnerID {
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
// their manager, up the chain until someone not named is found (P4).
func routeAround(p Policy, ownerID int64, named []int64, dir Directory) (int64, string) {
	if !slices.Contains(named, ownerID) {
		return ownerID, "owner unchanged (not named in the complaint)"
	}
	id := ownerID
	for range 8 {
		m := dir[id].ManagerID
		if m == 0 {
			break
		}
		if !slices.Contains(named, m) {
			return m, "manager of " + dir[ownerID].Name + ", who is named in the complaint (P4)"
		}
		id = m
	}
	if p.DefaultOwnerID != 0 && !slices.Contains(named, p.DefaultOwnerID) {
		return p.DefaultOwnerID, dir[ownerID].Name + " is named in the complaint and has no manager: default owner (P4)"
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
