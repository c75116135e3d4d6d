package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// DashboardActions are the case changes the dashboard asks for. They go
// through the same policy (routing) and the same transaction-and-jobs path
// as the agents' SMS, so a click and a text do the same thing. The
// dashboard checks who may see a case; these methods check again who may
// act on it (routing.MayAct).
type DashboardActions struct {
	g *Gateway
}

// Dashboard returns the gateway's actions for the web dashboard.
func (g *Gateway) Dashboard() *DashboardActions { return &DashboardActions{g: g} }

// webCommandEvent is a command given in the dashboard, on the timeline.
type webCommandEvent struct {
	Command string `json:"command"`
	Note    string `json:"note,omitempty"`
	Reply   string `json:"reply"`
}

// Act carries out cmd for staffID as if it had come by SMS, and returns the
// reply; refused is true, with the reason as the reply, when the policy
// refuses.
func (d *DashboardActions) Act(ctx context.Context, staffID int64, cmd routing.Command) (reply string, refused bool, err error) {
	if !cmd.Kind.Known() || cmd.Kind == routing.CommandStop || cmd.Kind == routing.CommandStart || cmd.Kind == routing.CommandHelp {
		return "That is not an action on a case.", true, nil
	}
	if utf8.RuneCountInString(cmd.Note) > routing.MaxNoteLength || !utf8.ValidString(cmd.Note) {
		return fmt.Sprintf("The note is too long: at most %d characters.", routing.MaxNoteLength), true, nil
	}
	if cmd.Kind == routing.CommandSnooze && cmd.Snooze == 0 {
		cmd.Snooze = routing.DefaultSnooze
	}
	out, err := d.run(ctx, staffID, func(ctx context.Context, tx store.Querier, dir routing.Directory, now time.Time) (routing.Outcome, error) {
		key := fmt.Sprintf("web:%d:%d:%d", staffID, cmd.CaseID, now.UnixNano())
		out, _, err := d.g.actOnCase(ctx, tx, staffID, cmd, dir, now, key, func(tl *timeline, out routing.Outcome) {
			tl.add(ctx, staffActor(staffID), "dashboard_command", webCommandEvent{Command: string(cmd.Kind), Note: cmd.Note, Reply: out.Reply})
		})
		return out, err
	})
	return out.Reply, out.Refused, err
}

// AddNote appends a staff member's note to a case's timeline.
func (d *DashboardActions) AddNote(ctx context.Context, staffID, caseID int64, note string) error {
	note = strings.TrimSpace(note)
	switch {
	case note == "":
		return errors.New("the note is empty")
	case !utf8.ValidString(note) || utf8.RuneCountInString(note) > 4*routing.MaxNoteLength:
		return fmt.Errorf("the note is too long: at most %d characters", 4*routing.MaxNoteLength)
	}
	out, err := d.onCase(ctx, staffID, caseID, func(v caseView, dir routing.Directory, now time.Time) routing.Outcome {
		return routing.Outcome{Events: []routing.Event{{Kind: "note", Note: note}}}
	})
	if err == nil && out.Refused {
		err = errors.New(out.Reply)
	}
	return err
}

// Reassign moves a case and its call-back to another active staff member,
// who is told by SMS. It refuses a person the complaint is about (POLICY
// P4) and anyone inactive.
func (d *DashboardActions) Reassign(ctx context.Context, staffID, caseID, toStaffID int64) (refused string, err error) {
	out, err := d.onCase(ctx, staffID, caseID, func(v caseView, dir routing.Directory, now time.Time) routing.Outcome {
		to, ok := dir[toStaffID]
		switch {
		case !ok || !to.Active:
			return routing.Outcome{Refused: true, Reply: "That person is not active staff."}
		case toStaffID == v.c.OwnerID:
			return routing.Outcome{Refused: true, Reply: fmt.Sprintf("Case %d is already %s's.", v.c.ID, to.Name)}
		case slices.Contains(v.c.ComplainedAbout, toStaffID):
			return routing.Outcome{Refused: true, Reply: fmt.Sprintf("The complaint is about %s: the case cannot go to them (P4).", to.Name)}
		case !store.CaseActive(v.c.Status):
			return routing.Outcome{Refused: true, Reply: fmt.Sprintf("Case %d is %s: nothing to reassign.", v.c.ID, v.c.Status)}
		}
		by := dir[staffID].Name
		return routing.Outcome{
			NewOwnerID: toStaffID,
			Events:     []routing.Event{{Kind: "reassigned", Note: fmt.Sprintf("%s moved the case from %s to %s", by, dir[v.c.OwnerID].Name, to.Name)}},
			Notices:    []routing.Notice{{StaffID: toStaffID, Role: "owner", Reason: "reassigned to you by " + by}},
		}
	})
	if err != nil {
		return "", err
	}
	if out.Refused {
		return out.Reply, nil
	}
	return "", nil
}

// RecordCall records a call the staff member made outside the gateway:
// outcome is a routing.CallOutcome (connected, no_answer, busy, voicemail,
// failed); talked is the conversation's length.
func (d *DashboardActions) RecordCall(ctx context.Context, staffID, caseID int64, outcome string, talked time.Duration, note string) (reply string, refused bool, err error) {
	oc := routing.CallOutcome(outcome)
	switch oc {
	case routing.CallConnected, routing.CallNoAnswer, routing.CallBusy, routing.CallVoicemail, routing.CallFailed:
	default:
		return fmt.Sprintf("Unknown call outcome %q.", outcome), true, nil
	}
	if talked < 0 || talked > 24*time.Hour {
		return "The call's length is out of range.", true, nil
	}
	note = strings.TrimSpace(note)
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > routing.MaxNoteLength {
		return fmt.Sprintf("The note is too long: at most %d characters.", routing.MaxNoteLength), true, nil
	}
	out, err := d.onCase(ctx, staffID, caseID, func(v caseView, dir routing.Directory, now time.Time) routing.Outcome {
		if !store.CaseActive(v.c.Status) {
			return routing.Outcome{Refused: true, Reply: fmt.Sprintf("Case %d is %s: no call to record.", v.c.ID, v.c.Status)}
		}
		if oc == routing.CallConnected && talked < d.g.opts.Policy.Calls.MinConversation {
			oc = routing.CallShort
		}
		out := routing.CallEnded(d.g.opts.Policy, v.facts, routing.CallResult{Outcome: oc, Duration: talked, ByAgent: true, AgentID: staffID}, dir, now)
		ev := fmt.Sprintf("%s recorded a call made outside the gateway: %s", dir[staffID].Name, oc)
		if talked > 0 {
			ev += fmt.Sprintf(", %s", talked.Round(time.Second))
		}
		if note != "" {
			ev += "; " + note
		}
		out.Events = append([]routing.Event{{Kind: "call_recorded", Note: ev}}, out.Events...)
		return out
	})
	return out.Reply, out.Refused, err
}

// PickSlot is the customer choosing, from the signed link, when to be
// called: the case's due time and its call-back move to at, with new
// escalation timers.
func (d *DashboardActions) PickSlot(ctx context.Context, caseID int64, at time.Time) error {
	out, err := d.run(ctx, 0, func(ctx context.Context, tx store.Querier, dir routing.Directory, now time.Time) (routing.Outcome, error) {
		v, err := d.g.loadCase(ctx, tx, caseID)
		if err != nil {
			return routing.Outcome{}, fmt.Errorf("case %d: %w", caseID, err)
		}
		if !store.CaseActive(v.c.Status) {
			return routing.Outcome{Refused: true, Reply: "this case is closed"}, nil
		}
		if !at.After(now) {
			return routing.Outcome{Refused: true, Reply: "that time has passed"}, nil
		}
		out := routing.Outcome{
			NewDueAt: at.UTC(),
			Timers:   []routing.Timer{{At: at.UTC(), Level: 1}},
			Events:   []routing.Event{{Kind: "slot_picked", Note: "the customer asked to be called at " + at.UTC().Format(time.RFC3339)}},
		}
		_, err = d.g.apply(ctx, tx, v, out, applyParams{actor: "customer", dir: dir, now: now})
		return out, err
	})
	if err == nil && out.Refused {
		err = errors.New(out.Reply)
	}
	return err
}

// Recording streams a voicemail recording from Twilio for the case page.
func (d *DashboardActions) Recording(ctx context.Context, recordingSID string) (io.ReadCloser, string, error) {
	if d.g.opts.VoiceAPI == nil {
		return nil, "", errors.New("twilio is not configured: recordings cannot be played")
	}
	return d.g.opts.VoiceAPI.RecordingMedia(ctx, recordingSID)
}

// Deactivate deactivates a staff member on an admin's request: their
// accounts and active cases go to the default owner, with events.
func (d *DashboardActions) Deactivate(ctx context.Context, actorID, staffID int64) error {
	actor, err := d.g.store.StaffGetByID(ctx, actorID)
	if err != nil {
		return fmt.Errorf("staff %d: %w", actorID, err)
	}
	if actor.Role != "admin" || !actor.Active {
		return errors.New("only an admin may deactivate staff")
	}
	_, err = DeactivateStaff(ctx, d.g.store, DeactivateParams{StaffID: staffID, DefaultOwnerID: d.g.opts.Policy.DefaultOwnerID,
		Actor: staffActor(actorID), At: d.g.now().UTC(), Reason: "deactivated in the dashboard by " + actor.Name})
	return err
}

// onCase runs decide on case caseID for staffID, who must be active and
// allowed to act on it, and carries out the outcome as staffID.
func (d *DashboardActions) onCase(ctx context.Context, staffID, caseID int64, decide func(caseView, routing.Directory, time.Time) routing.Outcome) (routing.Outcome, error) {
	return d.run(ctx, staffID, func(ctx context.Context, tx store.Querier, dir routing.Directory, now time.Time) (routing.Outcome, error) {
		v, err := d.g.loadCase(ctx, tx, caseID)
		if errors.Is(err, store.ErrNotFound) {
			return routing.Outcome{Refused: true, Reply: fmt.Sprintf("There is no case %d.", caseID)}, nil
		}
		if err != nil {
			return routing.Outcome{}, err
		}
		if !routing.MayAct(v.facts, staffID, dir) {
			return routing.Outcome{Refused: true, Reply: fmt.Sprintf("Case %d is not assigned to you or your team.", caseID)}, nil
		}
		out := decide(v, dir, now)
		if out.Refused {
			return out, nil
		}
		_, err = d.g.apply(ctx, tx, v, out, applyParams{actor: staffActor(staffID), dir: dir, now: now})
		return out, err
	})
}

// run reads the directory, checks that staffID (when not 0) is active
// staff, and runs fn in one transaction.
func (d *DashboardActions) run(ctx context.Context, staffID int64, fn func(context.Context, store.Querier, routing.Directory, time.Time) (routing.Outcome, error)) (routing.Outcome, error) {
	now := d.g.now().UTC()
	dir, _, err := d.g.directory(ctx)
	if err != nil {
		return routing.Outcome{}, err
	}
	if staffID != 0 {
		if s, ok := dir[staffID]; !ok || !s.Active {
			return routing.Outcome{Refused: true, Reply: "Your account is not active staff."}, nil
		}
	}
	var out routing.Outcome
	err = d.g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		var err error
		out, err = fn(ctx, tx, dir, now)
		return err
	})
	if err != nil {
		return routing.Outcome{}, fmt.Errorf("dashboard action: %w", err)
	}
	return out, nil
}

// SlotLink returns the customer's signed, expiring link to pick a time for
// the call-back of caseID, under http.public_url; "" when the dashboard is
// not mounted.
func (g *Gateway) SlotLink(caseID int64) string {
	if g.web == nil {
		return ""
	}
	return strings.TrimRight(g.opts.PublicURL, "/") + g.web.SlotLink(caseID, g.now())
}
