package audit

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// Compute audits the rows that fall in the period (OpenedAt in [From, To),
// the rule the store applies; a zero bound is open) and returns the report.
// It is pure and deterministic, and accepts any input: rows out of order,
// zero or skewed times, unknown dimensions (no groups).
func Compute(rows []store.CaseAudit, p Params) Report {
	grouped := p.By != ByNone && isKnown(p.By)
	var (
		total  = groupAcc{}
		groups map[groupID]*groupAcc
		order  []*groupAcc
		names  = make(map[int64]string) // owner or team key per owner, as looked up
	)
	if grouped {
		groups = make(map[groupID]*groupAcc)
	}
	hist := newHistogram()
	opened := make([]weekEntry, 0, len(rows))
	for _, r := range rows {
		if !inPeriod(r, p) {
			continue
		}
		f := evaluate(r, p)
		opened = append(opened, weekEntry{opened: r.OpenedAt, call: f.call.verdict})
		total.add(f)
		hist.add(f.call)
		if !grouped {
			continue
		}
		id, key := groupOf(r, p, names)
		g := groups[id]
		if g == nil {
			g = &groupAcc{key: key, owner: r.OwnerID}
			groups[id] = g
			order = append(order, g)
		}
		g.add(f)
	}
	rep := Report{
		Params:        p,
		Total:         total.group(),
		Weekly:        weekly(opened, p),
		CallHistogram: hist.buckets,
	}
	if grouped {
		if p.By == ByOwner {
			disambiguate(order)
		}
		rep.Groups = make([]Group, 0, len(order))
		for _, g := range order {
			rep.Groups = append(rep.Groups, g.group())
		}
		sortGroups(rep.Groups, p.By)
	}
	return rep
}

func isKnown(d Dimension) bool {
	return slices.Contains(Dimensions(), d)
}

// inPeriod reports whether a row was opened in [From, To).
func inPeriod(r store.CaseAudit, p Params) bool {
	if !p.From.IsZero() && r.OpenedAt.Before(p.From) {
		return false
	}
	if !p.To.IsZero() && !r.OpenedAt.Before(p.To) {
		return false
	}
	return true
}

// verdict is a milestone's judgement against its target.
type verdict int8

const (
	unjudged verdict = iota // no target, or pending within it
	met
	missed
)

// milestone is one case's progress to one milestone.
type milestone struct {
	at      time.Time     // zero when not reached
	d       time.Duration // from receipt, ≥ 0; meaningful when reached
	verdict verdict
}

func (m milestone) reached() bool { return !m.at.IsZero() }

// caseFacts is what the audit derives from one row: each rule is applied
// here once, and every output (totals, groups, case rows) reads the result.
type caseFacts struct {
	row                                    store.CaseAudit
	receipt                                time.Time
	notify, call, conversation, resolution milestone
	ingestLag                              time.Duration
	breached                               bool
	repeats                                int
	followUp, followUpDone, followUpOnTime bool
}

func evaluate(r store.CaseAudit, p Params) caseFacts {
	receipt := r.ReceivedAt
	if receipt.IsZero() {
		receipt = r.OpenedAt
	}
	f := caseFacts{
		row:          r,
		receipt:      receipt,
		notify:       byTarget(receipt, r.FirstNotifiedAt, p.Now, p.Targets.Notify),
		call:         byDeadline(receipt, r.FirstCallAt, p.Now, r.DueAt),
		conversation: byTarget(receipt, r.FirstConversationAt, p.Now, p.Targets.Conversation),
		resolution:   byTarget(receipt, r.ResolvedAt, p.Now, p.Targets.Resolution),
		ingestLag:    since(receipt, r.OpenedAt),
		repeats:      max(r.Contacts-1, 0),
	}
	f.breached = r.Breaches > 0 || f.call.verdict == missed
	f.followUp = !r.FollowUpDueAt.IsZero() || !r.FollowUpDoneAt.IsZero()
	f.followUpDone = !r.FollowUpDoneAt.IsZero()
	f.followUpOnTime = f.followUpDone && (r.FollowUpDueAt.IsZero() || !r.FollowUpDoneAt.After(r.FollowUpDueAt))
	return f
}

// since is the time from receipt to t, zero when t is earlier (clock skew).
func since(receipt, t time.Time) time.Duration {
	return max(t.Sub(receipt), 0)
}

// byTarget measures a milestone whose target is a duration from receipt;
// a target ≤ 0 is none.
func byTarget(receipt, at, now time.Time, target time.Duration) milestone {
	m := milestone{at: at}
	if m.reached() {
		m.d = since(receipt, at)
	}
	switch {
	case target <= 0:
	case m.reached() && m.d <= target:
		m.verdict = met
	case m.reached():
		m.verdict = missed
	case !now.IsZero() && now.Sub(receipt) > target:
		m.verdict = missed
	}
	return m
}

// byDeadline measures a milestone whose target is a point in time (the
// first call's DueAt); a zero deadline is none.
func byDeadline(receipt, at, now, due time.Time) milestone {
	m := milestone{at: at}
	if m.reached() {
		m.d = since(receipt, at)
	}
	switch {
	case due.IsZero():
	case m.reached() && !at.After(due):
		m.verdict = met
	case m.reached():
		m.verdict = missed
	case !now.IsZero() && now.After(due):
		m.verdict = missed
	}
	return m
}

// groupID tells groups apart: owners by id (two staff may share a name),
// every other dimension by its key.
type groupID struct {
	owner int64
	key   string
}

// groupOf returns the identity and the key of a row's group. names
// memoizes the key per owner id when grouping by owner or team, so that
// each is looked up and formatted once.
func groupOf(r store.CaseAudit, p Params, names map[int64]string) (groupID, string) {
	var key string
	switch p.By {
	case ByOwner, ByTeam:
		k, ok := names[r.OwnerID]
		if !ok {
			if p.By == ByOwner {
				k = ownerName(r.OwnerID, p.People)
			} else {
				k = teamName(r.OwnerID, p.People)
			}
			names[r.OwnerID] = k
		}
		if p.By == ByOwner {
			return groupID{owner: r.OwnerID}, k
		}
		key = k
	case ByChannel:
		key = orUnknown(r.Channel)
	case ByPriority:
		key = orUnknown(r.Priority)
	case ByCategory:
		key = orUnknown(r.Category)
	}
	return groupID{key: key}, key
}

func ownerName(id int64, pp People) string {
	if id == 0 {
		return "unassigned"
	}
	if n := pp.Names[id]; n != "" {
		return n
	}
	return fmt.Sprintf("staff #%d", id)
}

func teamName(id int64, pp People) string {
	if t := pp.Teams[id]; t != "" && id != 0 {
		return t
	}
	return ownerName(id, pp)
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

// disambiguate appends " (#id)" to the keys of owners who share a name.
func disambiguate(gs []*groupAcc) {
	n := make(map[string]int, len(gs))
	for _, g := range gs {
		n[g.key]++
	}
	for _, g := range gs {
		if n[g.key] > 1 {
			g.key = fmt.Sprintf("%s (#%d)", g.key, g.owner)
		}
	}
}

// priorityRank orders priorities by urgency; others come after, by key.
func priorityRank(k string) int {
	switch k {
	case "critical":
		return 0
	case "high":
		return 1
	case "normal":
		return 2
	case "low":
		return 3
	}
	return 4
}

func sortGroups(gs []Group, by Dimension) {
	slices.SortFunc(gs, func(a, b Group) int {
		if by == ByPriority {
			if c := cmp.Compare(priorityRank(a.Key), priorityRank(b.Key)); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.Key, b.Key)
	})
}
