package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/routing"
)

func TestCaseActions(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "alice")
	a := f.cases["a"]
	path := casePath(a)
	tests := []struct {
		action string
		form   url.Values
		flash  string
	}{
		{"note", url.Values{"note": {"  customer prefers mornings  "}}, "Note added."},
		{"ack", nil, "OK: ack on case"},
		{"call", url.Values{"outcome": {"connected"}, "minutes": {"12"}, "note": {"agreed a reship"}}, "Call recorded."},
		{"reassign", url.Values{"to": {fmt.Sprint(f.staff["bob"].ID)}}, "Case reassigned to Bob Agent."},
		{"resolve", url.Values{"note": {"confirm the address before shipping"}}, "OK: done on case"},
		{"unhappy", url.Values{"note": {"still waiting"}}, "Refused: no call on record"},
		{"note", url.Values{"note": {"   "}}, "Write a note first."},
		{"call", url.Values{"outcome": {"teleported"}}, "Choose how the call went."},
		{"call", url.Values{"outcome": {"connected"}, "minutes": {"-3"}}, "Minutes talked must be a whole number"},
		{"reassign", url.Values{"to": {fmt.Sprint(f.staff["ian"].ID)}}, "Choose an active staff member"},
		{"resolve", url.Values{"note": {strings.Repeat("x", routing.MaxNoteLength+1)}}, "The note is too long"},
	}
	for _, tc := range tests {
		res := c.postForm(path+"/"+tc.action, tc.form)
		if res.status != http.StatusSeeOther || res.header.Get("Location") != path {
			t.Errorf("POST %s/%s = %d to %q, want 303 to %s", path, tc.action, res.status, res.header.Get("Location"), path)
			continue
		}
		if page := c.follow(res); !strings.Contains(page.body, tc.flash) {
			t.Errorf("after POST %s: the page does not say %q", tc.action, tc.flash)
		}
	}
	got := f.actions.snapshot()
	wantNote := fmt.Sprintf("%d:%d:customer prefers mornings", f.staff["alice"].ID, a.ID)
	if len(got.notes) != 1 || got.notes[0] != wantNote {
		t.Errorf("AddNote calls = %q, want [%q]", got.notes, wantNote)
	}
	if want := fmt.Sprintf("%d:connected:12m0s:agreed a reship", a.ID); len(got.calls) != 1 || got.calls[0] != want {
		t.Errorf("RecordCall calls = %q, want [%q]", got.calls, want)
	}
	if len(got.reassigned) != 1 || got.reassigned[0] != [2]int64{a.ID, f.staff["bob"].ID} {
		t.Errorf("Reassign calls = %v", got.reassigned)
	}
	wantActs := []routing.Command{
		{Kind: routing.CommandAck, CaseID: a.ID},
		{Kind: routing.CommandDone, CaseID: a.ID, Note: "confirm the address before shipping"},
		{Kind: routing.CommandUnhappy, CaseID: a.ID, Note: "still waiting"},
	}
	if fmt.Sprint(got.acts) != fmt.Sprint(wantActs) {
		t.Errorf("Act calls = %+v, want %+v", got.acts, wantActs)
	}
	for _, by := range got.actBy {
		if by != f.staff["alice"].ID {
			t.Errorf("Act called as staff %d, want alice %d", by, f.staff["alice"].ID)
		}
	}
	if res := c.postForm(path+"/explode", nil); res.status != http.StatusNotFound {
		t.Errorf("POST unknown action = %d, want 404", res.status)
	}
}

func TestManagerChangesCustomerOwner(t *testing.T) {
	t.Parallel()
	f := setup(t)
	ctx := context.Background()
	mia := f.login(t, "mia")
	acme := f.custs["acme"]
	res := mia.postForm(fmt.Sprintf("/customers/%d/owner", acme.ID), url.Values{"owner": {fmt.Sprint(f.staff["bob"].ID)}, "reason": {"Alice is on leave"}})
	if page := mia.follow(res); !strings.Contains(page.body, "Acme is now owned by Bob Agent.") {
		t.Errorf("after the owner change the page does not say so")
	}
	got, err := f.st.CustomerGetByID(ctx, acme.ID)
	if err != nil || got.OwnerID != f.staff["bob"].ID {
		t.Fatalf("customer owner = %d (err %v), want Bob %d", got.OwnerID, err, f.staff["bob"].ID)
	}
	changes, err := f.st.OwnerChangeList(ctx, acme.ID, 10)
	if err != nil || len(changes) != 1 || changes[0].Actor != fmt.Sprintf("staff:%d", f.staff["mia"].ID) || changes[0].Reason != "Alice is on leave" {
		t.Fatalf("OwnerChangeList = %+v (err %v), want one change by staff:%d", changes, err, f.staff["mia"].ID)
	}
	if body := mia.get("/directory").body; !strings.Contains(body, "Alice Agent → Bob Agent, by Mia Manager (Alice is on leave)") {
		t.Errorf("directory does not show the owner change")
	}
	// Outside her chain: Carl's customer is invisible, Carl is no valid target.
	if res := mia.postForm(fmt.Sprintf("/customers/%d/owner", f.custs["dyna"].ID), url.Values{"owner": {fmt.Sprint(f.staff["bob"].ID)}}); res.status != http.StatusNotFound {
		t.Errorf("mia moving Carl's customer = %d, want 404", res.status)
	}
	mia.postForm(fmt.Sprintf("/customers/%d/owner", f.custs["bolt"].ID), url.Values{"owner": {fmt.Sprint(f.staff["carl"].ID)}})
	if got, _ := f.st.CustomerGetByID(ctx, f.custs["bolt"].ID); got.OwnerID != f.staff["bob"].ID {
		t.Errorf("mia moved Bolt to Carl (outside her chain): owner = %d", got.OwnerID)
	}
	// Agents may not.
	alice := f.login(t, "alice")
	if res := alice.postForm(fmt.Sprintf("/customers/%d/owner", f.custs["echo"].ID), url.Values{"owner": {fmt.Sprint(f.staff["alice"].ID)}}); res.status != http.StatusForbidden {
		t.Errorf("agent POST owner = %d, want 403", res.status)
	}
}

func TestAdminSetsPasswordAndDeactivates(t *testing.T) {
	t.Parallel()
	f := setup(t)
	bob := f.login(t, "bob")
	ada := f.login(t, "ada")
	const newPW = "a brand new password"
	res := ada.postForm(fmt.Sprintf("/staff/%d/password", f.staff["bob"].ID), url.Values{"password": {"short"}})
	if page := ada.follow(res); !strings.Contains(page.body, "password too short") {
		t.Errorf("a short password was not refused with a reason")
	}
	res = ada.postForm(fmt.Sprintf("/staff/%d/password", f.staff["bob"].ID), url.Values{"password": {newPW}})
	if page := ada.follow(res); !strings.Contains(page.body, "New password set for Bob Agent") {
		t.Errorf("setting the password did not say so")
	}
	if got := bob.get("/queue"); got.status != http.StatusSeeOther {
		t.Errorf("bob's session after an admin set his password: GET /queue = %d, want 303", got.status)
	}
	if got := f.client(t).loginAs("bob@example.com", password); got.status != http.StatusUnauthorized {
		t.Errorf("bob with the old password = %d, want 401", got.status)
	}
	if got := f.client(t).loginAs("bob@example.com", newPW); got.status != http.StatusSeeOther {
		t.Errorf("bob with the new password = %d, want 303", got.status)
	}

	carl := f.login(t, "carl")
	ada.postForm(fmt.Sprintf("/staff/%d/deactivate", f.staff["carl"].ID), nil)
	if got := f.actions.snapshot().deactivated; len(got) != 1 || got[0] != f.staff["carl"].ID {
		t.Errorf("Deactivate calls = %v, want [%d]", got, f.staff["carl"].ID)
	}
	if got := carl.get("/queue"); got.status != http.StatusSeeOther {
		t.Errorf("carl's session after deactivation: GET /queue = %d, want 303", got.status)
	}
	res = ada.postForm(fmt.Sprintf("/staff/%d/deactivate", f.staff["ada"].ID), nil)
	if page := ada.follow(res); !strings.Contains(page.body, "You cannot deactivate yourself.") {
		t.Errorf("self-deactivation not refused")
	}
	// Managers are not admins.
	mia := f.login(t, "mia")
	for _, p := range []string{fmt.Sprintf("/staff/%d/password", f.staff["bob"].ID), fmt.Sprintf("/staff/%d/deactivate", f.staff["bob"].ID)} {
		if res := mia.postForm(p, url.Values{"password": {newPW}}); res.status != http.StatusForbidden {
			t.Errorf("manager POST %s = %d, want 403", p, res.status)
		}
	}
}

func TestAccountPasswordChange(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "alice")
	other := f.login(t, "alice") // another browser
	const newPW = "my own new password"
	res := c.postForm("/account/password", url.Values{"current": {"wrong"}, "new": {newPW}, "confirm": {newPW}})
	if page := c.follow(res); !strings.Contains(page.body, "The current password is not right.") {
		t.Errorf("a wrong current password was not refused")
	}
	res = c.postForm("/account/password", url.Values{"current": {password}, "new": {newPW}, "confirm": {newPW + "!"}})
	if page := c.follow(res); !strings.Contains(page.body, "differ") {
		t.Errorf("a mismatched confirmation was not refused")
	}
	res = c.postForm("/account/password", url.Values{"current": {password}, "new": {newPW}, "confirm": {newPW}})
	if page := c.follow(res); page.status != http.StatusOK || !strings.Contains(page.body, "Password changed.") {
		t.Errorf("after the change: %d, flash missing", page.status)
	}
	if got := other.get("/queue"); got.status != http.StatusSeeOther {
		t.Errorf("the other session after a password change: GET /queue = %d, want 303", got.status)
	}
	if got := c.get("/queue"); got.status != http.StatusOK {
		t.Errorf("this session after a password change: GET /queue = %d, want 200", got.status)
	}
	if got := f.client(t).loginAs("alice@example.com", newPW); got.status != http.StatusSeeOther {
		t.Errorf("login with the new password = %d, want 303", got.status)
	}
}

func TestDeactivatedStaffSessionEnds(t *testing.T) {
	t.Parallel()
	f := setup(t)
	c := f.login(t, "bob")
	if _, err := f.st.StaffSetActive(context.Background(), f.staff["bob"].ID, false); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(time.Second)
	if got := c.get("/queue"); got.status != http.StatusSeeOther {
		t.Errorf("inactive staff GET /queue = %d, want 303 to /login", got.status)
	}
}
