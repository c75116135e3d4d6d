package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/triage-gw/triage/gateway/store"
)

// Directory limits.
const (
	maxReasonRunes      = 200
	maxOwnerChanges     = 1000
	ownerChangesPerCust = 5
)

// directoryPage lists staff and customers.
type directoryPage struct {
	page
	Staff     []staffRow
	Customers []customerRow
	// Owners are the staff a customer may be moved to by this viewer.
	Owners      []option
	IsAdmin     bool
	MinPassword int
}

// staffRow is one staff member.
type staffRow struct {
	ID                                                 int64
	Name, Email, Role, Manager, Phone, Hours, TimeZone string
	Active                                             bool
	// CanDeactivate is set for an admin looking at another active member.
	CanDeactivate bool
}

// customerRow is one customer account.
type customerRow struct {
	ID                                               int64
	Name, Company, Tier, Owner, OwnerSince, Contacts string
	Changes                                          []string
	CanMove                                          bool
}

// directoryShow lists the staff, and the customers the viewer sees with
// their owners and owner changes.
func (s *Server) directoryShow(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	customers, err := s.store.CustomerList(ctx)
	if err != nil {
		s.internalError(w, r, v, fmt.Errorf("load customers: %w", err))
		return
	}
	changes, err := s.store.OwnerChangeList(ctx, 0, maxOwnerChanges)
	if err != nil {
		s.internalError(w, r, v, fmt.Errorf("load owner changes: %w", err))
		return
	}
	byCustomer := make(map[int64][]string)
	for _, ch := range changes { // newest first
		if len(byCustomer[ch.CustomerID]) == ownerChangesPerCust {
			continue
		}
		text := fmt.Sprintf("%s: %s → %s, by %s", v.clock.format(ch.At), v.name(ch.FromOwnerID), v.name(ch.ToOwnerID), v.actorName(ch.Actor))
		if ch.Reason != "" {
			text += " (" + ch.Reason + ")"
		}
		byCustomer[ch.CustomerID] = append(byCustomer[ch.CustomerID], text)
	}

	p := directoryPage{page: s.basePage(w, r, v, "Directory", "directory"), IsAdmin: v.isAdmin(), MinPassword: MinPasswordLength}
	for _, st := range v.list {
		p.Staff = append(p.Staff, staffRow{ID: st.ID, Name: st.Name, Email: st.Email, Role: st.Role, Manager: v.name(st.ManagerID),
			Phone: st.Phone, Hours: orDash(st.Hours), TimeZone: orDash(st.TimeZone), Active: st.Active,
			CanDeactivate: v.isAdmin() && st.Active && st.ID != v.staff.ID})
	}
	for _, cu := range customers {
		if !seesCustomer(v, cu) {
			continue
		}
		row := customerRow{ID: cu.ID, Name: cu.Name, Company: cu.Company, Tier: cu.Tier, Owner: v.name(cu.OwnerID),
			OwnerSince: v.clock.format(cu.OwnerSince), Contacts: strings.Join(append(append([]string{}, cu.Emails...), cu.Phones...), ", "),
			Changes: byCustomer[cu.ID], CanMove: mayMoveCustomer(v, cu)}
		p.Customers = append(p.Customers, row)
	}
	if v.isManager() {
		for _, st := range v.activeStaff(!v.isAdmin()) {
			p.Owners = append(p.Owners, option{Value: strconv.FormatInt(st.ID, 10), Label: st.Name})
		}
	}
	s.render(w, r, http.StatusOK, "directory", p)
}

// seesCustomer reports whether the viewer sees a customer: admin and QA
// all, managers those of their chain and the unassigned, agents their own.
func seesCustomer(v *viewer, cu store.Customer) bool {
	switch {
	case v.all:
		return true
	case v.isManager():
		return cu.OwnerID == 0 || v.see[cu.OwnerID]
	}
	return cu.OwnerID == v.staff.ID
}

// mayMoveCustomer reports whether the viewer may change a customer's
// owner: admins any, managers and directors those they see.
func mayMoveCustomer(v *viewer, cu store.Customer) bool {
	if v.readOnly || !v.isManager() {
		return false
	}
	return v.isAdmin() || seesCustomer(v, cu)
}

// customerOwnerSet moves a customer to another owner (POLICY P7 watches
// the account more closely afterwards).
func (s *Server) customerOwnerSet(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	if v.readOnly || !v.isManager() {
		s.fail(w, r, v, http.StatusForbidden, "Only managers and admins may change a customer's owner.")
		return
	}
	id, ok := pathID(r, "id")
	if !ok {
		s.notFound(w, r, v)
		return
	}
	cu, err := s.store.CustomerGetByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !seesCustomer(v, cu)) {
		s.notFound(w, r, v)
		return
	}
	if err != nil {
		s.internalError(w, r, v, fmt.Errorf("load customer %d: %w", id, err))
		return
	}
	back := "/directory#customer-" + strconv.FormatInt(cu.ID, 10)
	to, err := strconv.ParseInt(r.PostForm.Get("owner"), 10, 64)
	st, known := v.byID[to]
	if err != nil || !known || !st.Active || !(v.isAdmin() || v.seesStaff(to)) {
		s.redirectFlash(w, r, back, flash{Error: true, Message: "Choose an active staff member you manage as the new owner."})
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if !utf8.ValidString(reason) || utf8.RuneCountInString(reason) > maxReasonRunes {
		s.redirectFlash(w, r, back, flash{Error: true, Message: fmt.Sprintf("The reason must be text of at most %d characters.", maxReasonRunes)})
		return
	}
	if _, err := s.store.CustomerSetOwner(ctx, store.CustomerSetOwnerParams{CustomerID: cu.ID, OwnerID: to, At: s.now(),
		Actor: v.actor(), Reason: reason}); err != nil {
		s.internalError(w, r, v, fmt.Errorf("move customer %d to staff %d: %w", cu.ID, to, err))
		return
	}
	s.log.Info("customer owner changed", "customer_id", cu.ID, "from", cu.OwnerID, "to", to, "staff_id", v.staff.ID)
	s.redirectFlash(w, r, back, flash{Message: fmt.Sprintf("%s is now owned by %s.", cu.Name, st.Name)})
}

// staffTarget reads the staff member an admin action is about; ok=false
// once the answer is written.
func (s *Server) staffTarget(w http.ResponseWriter, r *http.Request, v *viewer) (store.Staff, bool) {
	if !v.isAdmin() {
		s.fail(w, r, v, http.StatusForbidden, "Only admins may do that.")
		return store.Staff{}, false
	}
	id, ok := pathID(r, "id")
	st, known := v.byID[id]
	if !ok || !known {
		s.notFound(w, r, v)
		return store.Staff{}, false
	}
	return st, true
}

// staffPasswordSet sets a staff member's password (admin) and ends their
// sessions.
func (s *Server) staffPasswordSet(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	st, ok := s.staffTarget(w, r, v)
	if !ok {
		return
	}
	back := "/directory#staff-" + strconv.FormatInt(st.ID, 10)
	hash, err := HashPassword(r.PostForm.Get("password"))
	if err != nil {
		s.redirectFlash(w, r, back, flash{Error: true, Message: "Password not set: " + err.Error() + "."})
		return
	}
	if err := s.store.StaffSetPassword(ctx, st.ID, hash); err != nil {
		s.internalError(w, r, v, fmt.Errorf("set password of staff %d: %w", st.ID, err))
		return
	}
	if err := s.store.SessionDeleteByStaff(ctx, st.ID); err != nil {
		s.internalError(w, r, v, fmt.Errorf("end sessions of staff %d: %w", st.ID, err))
		return
	}
	if st.ID == v.staff.ID {
		if err := s.startSession(ctx, w, r, st.ID); err != nil {
			s.internalError(w, r, v, err)
			return
		}
	}
	s.log.Info("password set by admin", "staff_id", st.ID, "admin_id", v.staff.ID)
	s.redirectFlash(w, r, back, flash{Message: "New password set for " + st.Name + "; their sessions were ended."})
}

// staffDeactivate deactivates a staff member through the gateway, which
// hands their accounts and cases on.
func (s *Server) staffDeactivate(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	st, ok := s.staffTarget(w, r, v)
	if !ok {
		return
	}
	back := "/directory#staff-" + strconv.FormatInt(st.ID, 10)
	if st.ID == v.staff.ID {
		s.redirectFlash(w, r, back, flash{Error: true, Message: "You cannot deactivate yourself."})
		return
	}
	if !st.Active {
		s.redirectFlash(w, r, back, flash{Error: true, Message: st.Name + " is already inactive."})
		return
	}
	if err := s.actions.Deactivate(ctx, v.staff.ID, st.ID); err != nil {
		s.log.Error("deactivate staff", "staff_id", st.ID, "admin_id", v.staff.ID, "err", err)
		s.redirectFlash(w, r, back, flash{Error: true, Message: st.Name + " could not be deactivated just now; nothing was changed."})
		return
	}
	if err := s.store.SessionDeleteByStaff(ctx, st.ID); err != nil {
		s.internalError(w, r, v, fmt.Errorf("end sessions of staff %d: %w", st.ID, err))
		return
	}
	s.log.Info("staff deactivated", "staff_id", st.ID, "admin_id", v.staff.ID)
	s.redirectFlash(w, r, back, flash{Message: st.Name + " was deactivated; their accounts and active cases went to the default owner."})
}
