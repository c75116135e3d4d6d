package web

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
)

// accountPage is the form that changes one's own password.
type accountPage struct {
	page
	Email       string
	MinPassword int
}

// accountPasswordForm shows the password form.
func (s *Server) accountPasswordForm(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.render(w, r, http.StatusOK, "account", accountPage{page: s.basePage(w, r, v, "My password", "account"),
		Email: v.staff.Email, MinPassword: MinPasswordLength})
}

// accountPasswordSet changes the viewer's password: it needs the current
// one (failures count toward the login limit), ends every session of the
// viewer and starts a fresh one for this browser.
func (s *Server) accountPasswordSet(w http.ResponseWriter, r *http.Request, v *viewer) {
	ctx := r.Context()
	const back = "/account/password"
	now := s.now()
	addr := clientAddr(r.RemoteAddr)
	if wait := s.limiter.retryAfter(now, v.staff.Email, addr); wait > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
		s.fail(w, r, v, http.StatusTooManyRequests, "Too many wrong passwords. Please wait and try again.")
		return
	}
	if !CheckPassword(v.staff.PasswordHash, r.PostForm.Get("current")) {
		s.limiter.fail(now, v.staff.Email, addr)
		s.redirectFlash(w, r, back, flash{Error: true, Message: "The current password is not right."})
		return
	}
	next := r.PostForm.Get("new")
	if next != r.PostForm.Get("confirm") {
		s.redirectFlash(w, r, back, flash{Error: true, Message: "The new password and its confirmation differ."})
		return
	}
	hash, err := HashPassword(next)
	if err != nil {
		s.redirectFlash(w, r, back, flash{Error: true, Message: "Password not changed: " + err.Error() + "."})
		return
	}
	if err := s.store.StaffSetPassword(ctx, v.staff.ID, hash); err != nil {
		s.internalError(w, r, v, fmt.Errorf("set password of staff %d: %w", v.staff.ID, err))
		return
	}
	if err := s.store.SessionDeleteByStaff(ctx, v.staff.ID); err != nil {
		s.internalError(w, r, v, fmt.Errorf("end sessions of staff %d: %w", v.staff.ID, err))
		return
	}
	if err := s.startSession(ctx, w, r, v.staff.ID); err != nil {
		s.internalError(w, r, v, err)
		return
	}
	s.limiter.succeed(v.staff.Email, addr)
	s.log.Info("password changed", "staff_id", v.staff.ID)
	s.redirectFlash(w, r, back, flash{Message: "Password changed. Your other sessions were logged out."})
}
