package gateway_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/config"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// dashWorld is a running gateway with Jane's complaint open as a case owned
// by Tom, for the dashboard's actions.
type dashWorld struct {
	b      *bundle
	g      *gateway.Gateway
	st     store.Store
	caseID int64
	staff  map[string]int64 // by first name, lower case
}

func dashStart(t *testing.T) *dashWorld {
	t.Helper()
	b := setup(t)
	b.cfg.Staff = append(b.cfg.Staff,
		config.Staff{Name: "Lee Park", Email: "lee@example.com", Phone: "+16175550104", Manager: "anna@example.com", TimeZone: "UTC"},
		config.Staff{Name: "Ada Admin", Email: "ada@example.com", Phone: "+16175550105", Role: "admin", TimeZone: "UTC"})
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	g, _ := b.start(t)
	r := b.next(t)
	if r.CaseID == 0 {
		t.Fatalf("ingest opened no case: %s", r.Plan.Reason)
	}
	w := &dashWorld{b: b, g: g, st: openStore(t, b.cfg), caseID: r.CaseID, staff: map[string]int64{}}
	list, err := w.st.StaffList(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		w.staff[strings.ToLower(strings.Fields(s.Name)[0])] = s.ID
	}
	return w
}

func (w *dashWorld) kase(t *testing.T) store.Case {
	t.Helper()
	c, err := w.st.CaseGetByID(t.Context(), w.caseID)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (w *dashWorld) lastEvent(t *testing.T, kind string) store.CaseEvent {
	t.Helper()
	evs, err := w.st.CaseEventListKind(t.Context(), w.caseID, kind)
	if err != nil || len(evs) == 0 {
		t.Fatalf("no %s event on case %d (%v)", kind, w.caseID, err)
	}
	return evs[len(evs)-1]
}

// The dashboard's actions go through the policy: a stranger is refused,
// the owner's note, reassignment, recorded call and resolution land on the
// timeline with their actor, and the lessons learned reach the managers'
// list.
func TestDashboardActionsFollowThePolicy(t *testing.T) {
	t.Parallel()
	w := dashStart(t)
	ctx := t.Context()
	d := w.g.Dashboard()
	tom, lee, anna, ada := w.staff["tom"], w.staff["lee"], w.staff["anna"], w.staff["ada"]

	// Lee is neither owner nor manager: refused, nothing written.
	if err := d.AddNote(ctx, lee, w.caseID, "not mine"); err == nil {
		t.Errorf("AddNote by a stranger = nil, want a refusal")
	}
	if reply, refused, err := d.Act(ctx, lee, routing.Command{Kind: routing.CommandAck, CaseID: w.caseID}); err != nil || !refused {
		t.Errorf("Act(ACK) by a stranger = %q, refused %v, %v; want refused", reply, refused, err)
	}

	if err := d.AddNote(ctx, tom, w.caseID, "Customer prefers calls after 2pm <b>"); err != nil {
		t.Fatalf("AddNote = %v", err)
	}
	if e := w.lastEvent(t, "note"); e.Actor != "staff:"+strconv.FormatInt(tom, 10) || !strings.Contains(string(e.Data), "after 2pm") {
		t.Errorf("note event = %s by %s", e.Data, e.Actor)
	}
	if _, refused, err := d.Act(ctx, tom, routing.Command{Kind: routing.CommandAck, CaseID: w.caseID}); err != nil || refused {
		t.Fatalf("Act(ACK) by the owner refused %v, %v", refused, err)
	}
	if got := w.kase(t).Status; got != store.CaseAcknowledged {
		t.Errorf("status after ACK = %s, want acknowledged", got)
	}

	// The manager hands it to Lee, who is told by SMS.
	if refused, err := d.Reassign(ctx, anna, w.caseID, lee); err != nil || refused != "" {
		t.Fatalf("Reassign = %q, %v", refused, err)
	}
	if c := w.kase(t); c.OwnerID != lee {
		t.Errorf("owner after reassign = %d, want Lee %d", c.OwnerID, lee)
	}
	notifs, err := w.st.NotificationListByCase(ctx, w.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(notifs, func(n store.Notification) bool { return n.StaffID == lee }) {
		t.Errorf("no SMS queued for Lee after the reassignment")
	}
	if refused, _ := d.Reassign(ctx, anna, w.caseID, lee); refused == "" {
		t.Errorf("Reassign to the owner again was not refused")
	}

	// Lee records a call made from his desk phone: a conversation.
	if _, refused, err := d.RecordCall(ctx, lee, w.caseID, "connected", 6*time.Minute, "agreed a replacement"); err != nil || refused {
		t.Fatalf("RecordCall = refused %v, %v", refused, err)
	}
	if got := w.kase(t).Status; got != store.CaseInConversation {
		t.Errorf("status after a recorded conversation = %s, want in_conversation", got)
	}
	if _, refused, _ := d.RecordCall(ctx, lee, w.caseID, "teleported", 0, ""); !refused {
		t.Errorf("RecordCall with an unknown outcome was not refused")
	}

	// Resolved with a lessons-learned note, which managers then read.
	if _, refused, err := d.Act(ctx, lee, routing.Command{Kind: routing.CommandDone, CaseID: w.caseID, Note: "Confirm stock before promising dates"}); err != nil || refused {
		t.Fatalf("Act(DONE) refused %v, %v", refused, err)
	}
	c := w.kase(t)
	if c.Status != store.CaseResolved || c.ResolvedAt.IsZero() {
		t.Errorf("after DONE: status %s, resolved at %v", c.Status, c.ResolvedAt)
	}
	lessons, err := w.st.CaseLessonList(ctx, store.LessonListParams{})
	if err != nil {
		t.Fatal(err)
	}
	if len(lessons) != 1 || lessons[0].Note != "Confirm stock before promising dates" || lessons[0].CaseID != w.caseID {
		t.Errorf("lessons = %+v, want the one note of case %d", lessons, w.caseID)
	}
	var ev struct{ Note, Lessons string }
	if err := json.Unmarshal(w.lastEvent(t, "resolved").Data, &ev); err != nil || ev.Lessons == "" {
		t.Errorf("resolved event = %+v, %v; want the lessons kept apart", ev, err)
	}

	// The audit row shows the milestones the timeline set.
	rows, err := w.st.CaseAuditList(ctx, store.CaseAuditParams{From: c.OpenedAt.Add(-time.Hour), To: c.OpenedAt.Add(time.Hour)})
	if err != nil || len(rows) != 1 {
		t.Fatalf("CaseAuditList = %d rows, %v", len(rows), err)
	}
	if r := rows[0]; r.Channel != store.ChannelEmail || r.FirstCallAt.IsZero() || r.FirstConversationAt.IsZero() || r.Contacts != 1 {
		t.Errorf("audit row = %+v; want channel email, a first call and conversation, one contact", r)
	}

	// Only an admin deactivates staff.
	if err := d.Deactivate(ctx, anna, lee); err == nil {
		t.Errorf("Deactivate by a manager = nil, want refused")
	}
	if err := d.Deactivate(ctx, ada, lee); err != nil {
		t.Fatalf("Deactivate by the admin = %v", err)
	}
	if s, _ := w.st.StaffGetByID(ctx, lee); s.Active {
		t.Errorf("Lee still active after deactivation")
	}
}

// The customer's slot choice moves the due time and the call-back task,
// and is on the timeline as the customer's; a past time is refused.
func TestDashboardPickSlotMovesTheDueTime(t *testing.T) {
	t.Parallel()
	w := dashStart(t)
	ctx := t.Context()
	d := w.g.Dashboard()
	at := time.Now().Add(26 * time.Hour).Truncate(time.Minute).UTC()
	if err := d.PickSlot(ctx, w.caseID, at); err != nil {
		t.Fatalf("PickSlot = %v", err)
	}
	if c := w.kase(t); !c.DueAt.Equal(at) {
		t.Errorf("due after PickSlot = %v, want %v", c.DueAt, at)
	}
	tasks, err := w.st.TaskListByCase(ctx, w.caseID)
	if err != nil {
		t.Fatal(err)
	}
	if i := slices.IndexFunc(tasks, func(x store.Task) bool { return x.Kind == store.TaskCallback }); i < 0 || !tasks[i].DueAt.Equal(at) {
		t.Errorf("call-back task not moved to %v: %+v", at, tasks)
	}
	if e := w.lastEvent(t, "slot_picked"); e.Actor != "customer" {
		t.Errorf("slot_picked actor = %s, want customer", e.Actor)
	}
	if err := d.PickSlot(ctx, w.caseID, time.Now().Add(-time.Hour)); err == nil {
		t.Errorf("PickSlot in the past = nil, want refused")
	}
	if link := w.g.SlotLink(w.caseID); !strings.HasPrefix(link, w.b.cfg.HTTP.PublicURL+"/slot/") {
		t.Errorf("SlotLink = %q, want under %s/slot/", link, w.b.cfg.HTTP.PublicURL)
	}
}

// A deactivated person is told nothing more: an SMS queued for them
// before the deactivation is not sent when its job runs after it.
func TestDeactivatedStaffGetNoSMS(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.cfg.Staff = append(b.cfg.Staff,
		config.Staff{Name: "Lee Park", Email: "lee@example.com", Phone: "+16175550104", Manager: "anna@example.com", TimeZone: "UTC"},
		config.Staff{Name: "Ada Admin", Email: "ada@example.com", Phone: "+16175550105", Role: "admin", TimeZone: "UTC"})
	b.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := b.start(t)
	r := b.next(t)
	stop()

	// With no job worker running, the manager hands the case to Lee (an
	// SMS to him is queued) and the admin then deactivates him.
	g, err := gateway.Open(t.Context(), b.cfg, gateway.SetupOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	st := openStore(t, b.cfg)
	ids := map[string]int64{}
	list, err := st.StaffList(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		ids[strings.ToLower(strings.Fields(s.Name)[0])] = s.ID
	}
	d := g.Dashboard()
	if refused, err := d.Reassign(t.Context(), ids["anna"], r.CaseID, ids["lee"]); err != nil || refused != "" {
		t.Fatalf("Reassign = %q, %v", refused, err)
	}
	if err := d.Deactivate(t.Context(), ids["ada"], ids["lee"]); err != nil {
		t.Fatalf("Deactivate = %v", err)
	}
	if refused, _ := d.Reassign(t.Context(), ids["anna"], r.CaseID, ids["lee"]); refused == "" {
		t.Errorf("Reassign to deactivated staff was not refused")
	}
	if err := d.AddNote(t.Context(), ids["lee"], r.CaseID, "still here?"); err == nil {
		t.Errorf("AddNote by deactivated staff = nil, want refused")
	}
	if err := g.Close(); err != nil {
		t.Fatal(err)
	}

	b.start(t)
	waitFor(t, "Lee's SMS job to settle", func() bool {
		ns, err := st.NotificationListByCase(t.Context(), r.CaseID)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range ns {
			if n.StaffID == ids["lee"] {
				return n.Status != store.NotificationQueued
			}
		}
		t.Fatal("no notification for Lee was queued by the reassignment")
		return false
	})
	for _, m := range b.sms.Messages() {
		if m.To == "+16175550104" {
			t.Errorf("deactivated Lee got an SMS: %q", m.Body)
		}
	}
	evs, err := st.CaseEventListKind(t.Context(), r.CaseID, "sms_not_possible")
	if err != nil || len(evs) == 0 {
		t.Errorf("no sms_not_possible event after the unsent SMS (%v)", err)
	}
	if c, _ := st.CaseGetByID(t.Context(), r.CaseID); c.OwnerID != ids["tom"] {
		t.Errorf("owner after deactivation = %d, want the default owner %d", c.OwnerID, ids["tom"])
	}
}
