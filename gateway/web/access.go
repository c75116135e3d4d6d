package web

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/triage-gw/triage/gateway/store"
)

// Staff roles.
const (
	RoleAgent    = "agent"
	RoleManager  = "manager"
	RoleDirector = "director"
	RoleAdmin    = "admin"
	RoleQA       = "qa"
)

// maxChainDepth bounds a walk down the manager chain.
const maxChainDepth = 32

// viewer is the logged-in staff member with what they may see.
type viewer struct {
	staff   store.Staff
	session store.Session
	// byID and list are the whole directory (list sorted by name).
	byID map[int64]store.Staff
	list []store.Staff
	// all is set for admin and QA, who see every case; readOnly for QA,
	// who may change nothing but their own password.
	all, readOnly bool
	// see holds the staff whose cases the viewer sees: themselves and,
	// for managers and directors, everyone below them.
	see   map[int64]bool
	clock clock
}

// loadViewer reads the directory and works out what the session's staff
// member may see; errNoSession when they are gone or inactive.
func (s *Server) loadViewer(ctx context.Context, sess store.Session) (*viewer, error) {
	list, err := s.store.StaffList(ctx)
	if err != nil {
		return nil, fmt.Errorf("load staff: %w", err)
	}
	slices.SortFunc(list, func(a, b store.Staff) int {
		return cmp.Or(cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)), cmp.Compare(a.ID, b.ID))
	})
	v := &viewer{session: sess, list: list, byID: make(map[int64]store.Staff, len(list))}
	for _, st := range list {
		v.byID[st.ID] = st
	}
	me, ok := v.byID[sess.StaffID]
	if !ok || !me.Active {
		return nil, errNoSession
	}
	v.staff = me
	v.clock = clock{loc: loadLocation(me.TimeZone)}
	switch me.Role {
	case RoleAdmin:
		v.all = true
	case RoleQA:
		v.all, v.readOnly = true, true
	case RoleManager, RoleDirector:
		v.see = chainBelow(me.ID, list)
	default:
		v.see = map[int64]bool{me.ID: true}
	}
	return v, nil
}

// chainBelow returns id and everyone whose ManagerID chain leads to id.
func chainBelow(id int64, list []store.Staff) map[int64]bool {
	reports := make(map[int64][]int64)
	for _, st := range list {
		if st.ManagerID != 0 && st.ManagerID != st.ID {
			reports[st.ManagerID] = append(reports[st.ManagerID], st.ID)
		}
	}
	seen := map[int64]bool{id: true}
	level := []int64{id}
	for depth := 0; depth < maxChainDepth && len(level) > 0; depth++ {
		var next []int64
		for _, m := range level {
			for _, r := range reports[m] {
				if !seen[r] {
					seen[r] = true
					next = append(next, r)
				}
			}
		}
		level = next
	}
	return seen
}

// isManager reports whether the viewer manages others (manager, director
// or admin).
func (v *viewer) isManager() bool {
	switch v.staff.Role {
	case RoleManager, RoleDirector, RoleAdmin:
		return true
	}
	return false
}

// isAdmin reports whether the viewer is an admin.
func (v *viewer) isAdmin() bool { return v.staff.Role == RoleAdmin }

// seesStaff reports whether the viewer sees the cases of staff id.
func (v *viewer) seesStaff(id int64) bool { return v.all || v.see[id] }

// ownerIDs is the store filter for the viewer's cases: nil for everyone.
func (v *viewer) ownerIDs() []int64 {
	if v.all {
		return nil
	}
	ids := make([]int64, 0, len(v.see))
	for id := range v.see {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// seesCase reports whether the viewer may see case c: its owner or the
// assignee of one of its open tasks is someone they see. A staff member a
// complaint is about never sees it (POLICY P4), unless they see everything.
func (v *viewer) seesCase(c store.Case, tasks []store.Task) bool {
	if v.all {
		return true
	}
	if slices.Contains(c.ComplainedAbout, v.staff.ID) {
		return false
	}
	if v.see[c.OwnerID] {
		return true
	}
	for _, t := range tasks {
		if (t.Status == store.TaskOpen || t.Status == store.TaskSnoozed) && v.see[t.AssigneeID] {
			return true
		}
	}
	return false
}

// name returns a staff member's name, "staff N" when unknown, "—" for 0.
func (v *viewer) name(id int64) string {
	if id == 0 {
		return "—"
	}
	if st, ok := v.byID[id]; ok && st.Name != "" {
		return st.Name
	}
	return "staff " + strconv.FormatInt(id, 10)
}

// actorName turns a timeline actor ("system", "customer", "staff:12")
// into words.
func (v *viewer) actorName(actor string) string {
	switch actor {
	case "system":
		return "System"
	case "customer":
		return "Customer"
	case "":
		return "—"
	}
	if rest, ok := strings.CutPrefix(actor, "staff:"); ok {
		if id, err := strconv.ParseInt(rest, 10, 64); err == nil {
			return v.name(id)
		}
	}
	return actor
}

// actor is how the viewer is named on the timeline and in the directory's
// change log.
func (v *viewer) actor() string { return "staff:" + strconv.FormatInt(v.staff.ID, 10) }

// activeStaff lists active staff, by name; when chainOnly, only those the
// viewer sees.
func (v *viewer) activeStaff(chainOnly bool) []store.Staff {
	var out []store.Staff
	for _, st := range v.list {
		if st.Active && (!chainOnly || v.seesStaff(st.ID)) {
			out = append(out, st)
		}
	}
	return out
}
