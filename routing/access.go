package routing

import (
	"slices"
	"strconv"
)

// maxChain bounds a walk up the manager chain.
const maxChain = 32

// MayAct reports whether actor may act on case c by SMS: the case owner,
// the assignee of its open call-back task, or anyone above either of them
// in the manager chain. Never an inactive or unknown staff member, and
// never anyone the complaint is about (POLICY P4).
func MayAct(c CaseFacts, actor int64, dir Directory) bool {
	st, ok := dir[actor]
	if actor == 0 || !ok || !st.Active || slices.Contains(c.ComplainedAbout, actor) {
		return false
	}
	for _, start := range []int64{c.OwnerID, c.AssigneeID} {
		if start != 0 && (start == actor || slices.Contains(chainAbove(start, dir), actor)) {
			return true
		}
	}
	return false
}

// chainAbove lists the managers above id, nearest first, stopping at the
// top or at a cycle.
func chainAbove(id int64, dir Directory) []int64 {
	var out []int64
	seen := map[int64]bool{id: true}
	for range maxChain {
		m := dir[id].ManagerID
		if m == 0 || seen[m] {
			break
		}
		seen[m] = true
		out = append(out, m)
		id = m
	}
	return out
}

// managerFor returns the nearest manager above id who is active and not
// named in skip (POLICY P4: a complaint about a manager never goes to that
// manager), or 0 when there is none.
func managerFor(id int64, skip []int64, dir Directory) int64 {
	for _, m := range chainAbove(id, dir) {
		if st, ok := dir[m]; ok && st.Active && !slices.Contains(skip, m) {
			return m
		}
	}
	return 0
}

// nameOf is how texts and notes name a staff member.
func nameOf(id int64, dir Directory) string {
	if st, ok := dir[id]; ok && st.Name != "" {
		return st.Name
	}
	return "staff " + strconv.FormatInt(id, 10)
}

// union returns the sorted ids found in a or b.
func union(a, b []int64) []int64 {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}
