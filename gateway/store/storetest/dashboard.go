package storetest

import (
	"bytes"
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// mustEvent appends an event to a case's timeline.
func mustEvent(t *testing.T, q store.Querier, caseID int64, kind string, d time.Duration, data string) {
	t.Helper()
	p := store.CaseEventInsertParams{CaseID: caseID, At: at(d), Actor: "system", Kind: kind}
	if data != "" {
		p.Data = []byte(data)
	}
	if _, err := q.CaseEventInsert(t.Context(), p); err != nil {
		t.Fatalf("CaseEventInsert(%+v) error = %v", p, err)
	}
}

// mustTask creates a task.
func mustTask(t *testing.T, q store.Querier, p store.TaskInsertParams) store.Task {
	t.Helper()
	task, err := q.TaskInsert(t.Context(), p)
	if err != nil {
		t.Fatalf("TaskInsert(%+v) error = %v", p, err)
	}
	return task
}

// auditOf returns the audit row of case id over all time.
func auditOf(t *testing.T, s store.Store, id int64) store.CaseAudit {
	t.Helper()
	rows, err := s.CaseAuditList(t.Context(), store.CaseAuditParams{})
	if err != nil {
		t.Fatalf("CaseAuditList(all) error = %v", err)
	}
	for _, r := range rows {
		if r.CaseID == id {
			return r
		}
	}
	t.Fatalf("CaseAuditList(all) has no row for case %d", id)
	return store.CaseAudit{}
}

// testCaseMilestones checks that the timeline's triggers keep a case's
// audit milestones: the earliest event of each kind, whatever the order
// they are written in, and counts of the counted kinds.
func testCaseMilestones(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	c := mustCase(t, s, store.CaseInsertParams{Channel: "email", ReceivedAt: at(-5 * time.Minute), OpenedAt: at(0), Priority: "high"})
	quiet := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(time.Minute)})

	for _, e := range []struct {
		kind string
		d    time.Duration
	}{
		{"message_received", 0},
		{"case_opened", 0},
		{"sms_queued", time.Minute},
		{"sms_sent", 10 * time.Minute},
		{"sms_sent", 5 * time.Minute}, // earlier, written later: it is the first
		{"sms_sent", 20 * time.Minute},
		{"call_attempted", 40 * time.Minute},
		{"call_attempted", 30 * time.Minute},
		{"call_connected", 45 * time.Minute},
		{"call_connected", 50 * time.Minute},
		{"escalated", time.Hour},
		{"escalated", 2 * time.Hour},
		{"sla_breached", time.Hour},
		{"policy_violation", 90 * time.Minute},
		{"message_received", 3 * time.Hour},
		{"message_received", 4 * time.Hour},
		{"note", 5 * time.Hour},
	} {
		mustEvent(t, s, c.ID, e.kind, e.d, "")
	}
	mustEvent(t, s, quiet.ID, "case_opened", time.Minute, "")

	a := auditOf(t, s, c.ID)
	if a.Channel != "email" || a.Priority != "high" || a.Escalations != 2 || a.Breaches != 1 || a.Violations != 1 || a.Contacts != 3 {
		t.Errorf("audit of case %d = %+v; want channel email, priority high, 2 escalations, 1 breach, 1 violation, 3 contacts", c.ID, a)
	}
	checkTime(t, "ReceivedAt", a.ReceivedAt, at(-5*time.Minute))
	checkTime(t, "OpenedAt", a.OpenedAt, at(0))
	checkTime(t, "FirstNotifiedAt (first sms_sent)", a.FirstNotifiedAt, at(5*time.Minute))
	checkTime(t, "FirstCallAt (first call_attempted)", a.FirstCallAt, at(30*time.Minute))
	checkTime(t, "FirstConversationAt (first call_connected)", a.FirstConversationAt, at(45*time.Minute))

	q := auditOf(t, s, quiet.ID)
	if q.Channel != "" || q.Escalations != 0 || q.Breaches != 0 || q.Violations != 0 || q.Contacts != 0 ||
		!q.FirstNotifiedAt.IsZero() || !q.FirstCallAt.IsZero() || !q.FirstConversationAt.IsZero() {
		t.Errorf("audit of case %d without milestones = %+v; want no channel, zero counts, zero times", quiet.ID, q)
	}
	checkTime(t, "ReceivedAt (not given: OpenedAt)", q.ReceivedAt, at(time.Minute))

	// The milestones are derived: the case itself did not change.
	if got, err := s.CaseGetByID(ctx, c.ID); err != nil || !got.UpdatedAt.Equal(c.UpdatedAt) {
		t.Errorf("CaseGetByID(%d).UpdatedAt = %v, %v; want %v, untouched by the timeline", c.ID, got.UpdatedAt, err, c.UpdatedAt)
	}

	// Inside a transaction that rolls back, the milestones roll back too.
	errRollback := errors.New("roll back")
	if err := s.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		mustEvent(t, tx, quiet.ID, "sms_sent", time.Hour, "")
		return errRollback
	}); !errors.Is(err, errRollback) {
		t.Fatalf("InTx(sms_sent, then fail) error = %v, want %v", err, errRollback)
	}
	if q := auditOf(t, s, quiet.ID); !q.FirstNotifiedAt.IsZero() {
		t.Errorf("audit of case %d after a rolled-back sms_sent: FirstNotifiedAt = %v, want zero", quiet.ID, q.FirstNotifiedAt)
	}
}

func testCaseQueue(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	ann := mustStaff(t, s, "ann@example.com", "")
	bob := mustStaff(t, s, "bob@example.com", "")
	cat := mustStaff(t, s, "cat@example.com", "")
	customer := func(ref, name, company string) int64 {
		t.Helper()
		p := store.CustomerUpsertParams{ExternalRef: ref, Name: name, Company: company}
		c, err := s.CustomerUpsert(ctx, p)
		if err != nil {
			t.Fatalf("CustomerUpsert(%+v) error = %v", p, err)
		}
		return c.ID
	}
	alice := customer("C1", "Alice Smith", "")
	bravo := customer("C2", "Bob Jones", "Bravo Ltd")
	old := customer("C3", "Old Customer", "")

	mk := func(p store.CaseInsertParams) int64 { t.Helper(); return mustCase(t, s, p).ID }
	c1 := mk(store.CaseInsertParams{CustomerID: alice, OwnerID: ann.ID, Priority: "high", Channel: "email", Category: "billing",
		Subject: "Charged twice, order 1000", Summary: "double charge", DueAt: at(2 * time.Hour), OpenedAt: at(0)})
	c2 := mk(store.CaseInsertParams{OwnerID: bob.ID, Priority: "normal", Channel: "voice", Category: "shipping",
		Subject: "Parcel 100% late", Summary: "Where is my ORDER?", DueAt: at(time.Hour), OpenedAt: at(0)})
	c3 := mk(store.CaseInsertParams{CustomerID: bravo, OwnerID: bob.ID, Priority: "high", Channel: "email", Category: "shipping",
		Subject: "Wrong item", OpenedAt: at(0)})
	mk(store.CaseInsertParams{CustomerID: old, OwnerID: ann.ID, Status: store.CaseResolved, Priority: "high", Channel: "email",
		Subject: "Charged twice again", DueAt: at(0), OpenedAt: at(0)})
	mk(store.CaseInsertParams{OwnerID: ann.ID, Status: store.CaseClosed, Subject: "Charged twice, closed", DueAt: at(0), OpenedAt: at(0)})
	c6 := mk(store.CaseInsertParams{OwnerID: cat.ID, Status: store.CaseAcknowledged, Channel: "email", DueAt: at(3 * time.Hour), OpenedAt: at(0)})
	c7 := mk(store.CaseInsertParams{OwnerID: cat.ID, Status: store.CaseReopened, Channel: "email", DueAt: at(4 * time.Hour), OpenedAt: at(0)})

	// Tasks: an open one gives ann c6; on c7 ann's are finished, bob's is
	// snoozed (still his).
	mustTask(t, s, store.TaskInsertParams{CaseID: c6, Kind: store.TaskCallback, AssigneeID: ann.ID, Status: store.TaskOpen})
	mustTask(t, s, store.TaskInsertParams{CaseID: c7, Kind: store.TaskCallback, AssigneeID: ann.ID, Status: store.TaskDone})
	mustTask(t, s, store.TaskInsertParams{CaseID: c7, Kind: store.TaskFollowUp, AssigneeID: ann.ID, Status: store.TaskCancelled})
	mustTask(t, s, store.TaskInsertParams{CaseID: c7, Kind: store.TaskCheckIn, AssigneeID: bob.ID, Status: store.TaskSnoozed})

	// c1's complaint speaks for it: a later polite note (no complaint,
	// low urgency) and a message not yet assessed do not hide it.
	for i, m := range []struct {
		d             time.Duration
		tone, urgency string
		detail        string
		complaint     bool
		score         float64
	}{
		{0, "angry", "high", `{"reasons":["first"]}`, true, 0.8},
		{10 * time.Minute, "calm", "low", `{"reasons":["second"]}`, false, 0.1},
		{20 * time.Minute, "", "", "", false, 0},
	} {
		p := store.MessageInsertParams{Channel: "email", ExternalID: "m" + strconv.Itoa(i), CustomerID: alice, CaseID: c1, ReceivedAt: at(m.d)}
		msg, _, err := s.MessageInsert(ctx, p)
		if err != nil {
			t.Fatalf("MessageInsert(%+v) error = %v", p, err)
		}
		if m.tone == "" {
			continue
		}
		ap := store.AssessmentInsertParams{MessageID: msg.ID, ToneLabel: m.tone, UrgencyLevel: m.urgency, Detail: []byte(m.detail),
			IsComplaint: m.complaint, UrgencyScore: m.score}
		if _, err := s.AssessmentInsert(ctx, ap); err != nil {
			t.Fatalf("AssessmentInsert(%+v) error = %v", ap, err)
		}
	}

	tests := []struct {
		name string
		p    store.CaseQueueParams
		want []int64
	}{
		{"everyone's, soonest due first, undated last", store.CaseQueueParams{}, []int64{c2, c1, c6, c7, c3}},
		{"ann: owned, or an open task", store.CaseQueueParams{OwnerIDs: []int64{ann.ID}}, []int64{c1, c6}},
		{"bob: owned, or a snoozed task", store.CaseQueueParams{OwnerIDs: []int64{bob.ID}}, []int64{c2, c7, c3}},
		{"ann and bob", store.CaseQueueParams{OwnerIDs: []int64{ann.ID, bob.ID}}, []int64{c2, c1, c6, c7, c3}},
		{"nobody (empty, not nil)", store.CaseQueueParams{OwnerIDs: []int64{}}, nil},
		{"priority", store.CaseQueueParams{Priority: "high"}, []int64{c1, c3}},
		{"channel", store.CaseQueueParams{Channel: "voice"}, []int64{c2}},
		{"category", store.CaseQueueParams{Category: "shipping"}, []int64{c2, c3}},
		{"filters combine", store.CaseQueueParams{OwnerIDs: []int64{bob.ID}, Priority: "high", Channel: "email"}, []int64{c3}},
		{"subject, any case", store.CaseQueueParams{Search: "CHARGED"}, []int64{c1}},
		{"summary", store.CaseQueueParams{Search: "where is my order"}, []int64{c2}},
		{"customer name", store.CaseQueueParams{Search: " alice "}, []int64{c1}},
		{"customer company", store.CaseQueueParams{Search: "bravo"}, []int64{c3}},
		{"a literal %", store.CaseQueueParams{Search: "100%"}, []int64{c2}},
		{"a literal _", store.CaseQueueParams{Search: "_"}, nil},
		{"no match", store.CaseQueueParams{Search: "refund"}, nil},
		{"limit", store.CaseQueueParams{Limit: 2}, []int64{c2, c1}},
	}
	for _, tt := range tests {
		got, err := s.CaseQueue(ctx, tt.p)
		var ids []int64
		for _, it := range got {
			ids = append(ids, it.ID)
		}
		if err != nil || !equalIDs(ids, tt.want) {
			t.Errorf("CaseQueue(%s: %+v) = %v, %v; want %v", tt.name, tt.p, ids, err, tt.want)
		}
	}

	// A number finds the case with that id (with or without '#').
	for _, q := range []string{strconv.FormatInt(c6, 10), "#" + strconv.FormatInt(c6, 10)} {
		got, err := s.CaseQueue(ctx, store.CaseQueueParams{Search: q})
		found := false
		for _, it := range got {
			found = found || it.ID == c6
		}
		if err != nil || !found {
			t.Errorf("CaseQueue(Search %q) = %d items, %v; want case %d among them", q, len(got), err, c6)
		}
	}

	if _, err := s.CaseEventInsert(ctx, store.CaseEventInsertParams{CaseID: c1, At: at(3 * time.Hour), Actor: "system", Kind: "sla_breached"}); err != nil {
		t.Fatal(err)
	}
	items, err := s.CaseQueue(ctx, store.CaseQueueParams{})
	if err != nil || len(items) != 5 {
		t.Fatalf("CaseQueue() = %d items, %v; want 5", len(items), err)
	}
	byID := map[int64]store.QueueItem{}
	for _, it := range items {
		byID[it.ID] = it
	}
	one := byID[c1]
	if one.Channel != "email" || one.CustomerName != "Alice Smith" || one.ToneLabel != "angry" || one.UrgencyLevel != "high" ||
		!bytes.Equal(one.Detail, []byte(`{"reasons":["first"]}`)) || one.OwnerID != ann.ID || one.Subject != "Charged twice, order 1000" {
		t.Errorf("CaseQueue() item %d = %+v (detail %s); want email, Alice Smith, angry, high, the complaint's detail", c1, one, one.Detail)
	}
	checkTime(t, "QueueItem.DueAt", one.DueAt, at(2*time.Hour))
	if one.Breaches != 1 || byID[c2].Breaches != 0 {
		t.Errorf("CaseQueue() breaches = %d and %d, want 1 (the sla_breached event) and 0", one.Breaches, byID[c2].Breaches)
	}
	two := byID[c2]
	if two.Channel != "voice" || two.CustomerName != "" || two.ToneLabel != "" || two.UrgencyLevel != "" || two.Detail != nil {
		t.Errorf("CaseQueue() item %d = %+v; want voice, no customer, no assessment", c2, two)
	}
}

func testCaseAuditList(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	ann := mustStaff(t, s, "ann@example.com", "")
	cust := mustCustomer(t, s, "C1", "c1@example.com")
	day := 24 * time.Hour

	before := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(-time.Microsecond)}).ID
	later := mustCase(t, s, store.CaseInsertParams{OwnerID: ann.ID, Channel: "voice", Priority: "low", OpenedAt: at(time.Hour)}).ID
	first := mustCase(t, s, store.CaseInsertParams{CustomerID: cust.ID, OwnerID: ann.ID, Channel: "email", Priority: "high",
		Category: "billing", Status: store.CaseResolved, DueAt: at(15 * time.Minute), OpenedAt: at(0)}).ID
	if _, err := s.CaseUpdate(ctx, store.CaseUpdateParams{ID: first, ResolvedAt: at(day), UpdatedAt: at(day)}); err != nil {
		t.Fatalf("CaseUpdate(resolve %d) error = %v", first, err)
	}
	sameTime := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(time.Hour)}).ID
	atTo := mustCase(t, s, store.CaseInsertParams{OpenedAt: at(2 * time.Hour)}).ID

	// first: an older follow-up done, then a newer one still open (the
	// latest counts). later: one done follow-up, and a newer call-back
	// (not a follow-up).
	mustTask(t, s, store.TaskInsertParams{CaseID: first, Kind: store.TaskFollowUp, Status: store.TaskDone, DueAt: at(7 * day), CreatedAt: at(day)})
	mustTask(t, s, store.TaskInsertParams{CaseID: first, Kind: store.TaskFollowUp, Status: store.TaskOpen, DueAt: at(10 * day), CreatedAt: at(3 * day)})
	fu := mustTask(t, s, store.TaskInsertParams{CaseID: later, Kind: store.TaskFollowUp, AssigneeID: ann.ID, DueAt: at(7 * day), CreatedAt: at(day)})
	if _, err := s.TaskUpdate(ctx, store.TaskUpdateParams{ID: fu.ID, Status: store.TaskDone, UpdatedAt: at(8 * day)}); err != nil {
		t.Fatalf("TaskUpdate(done %d) error = %v", fu.ID, err)
	}
	mustTask(t, s, store.TaskInsertParams{CaseID: later, Kind: store.TaskCallback, Status: store.TaskOpen, DueAt: at(9 * day), CreatedAt: at(2 * day)})
	mustEvent(t, s, first, "sms_sent", time.Minute, `{"notification_id": 1}`)

	rows, err := s.CaseAuditList(ctx, store.CaseAuditParams{From: at(0), To: at(2 * time.Hour)})
	var ids []int64
	for _, r := range rows {
		ids = append(ids, r.CaseID)
	}
	if want := []int64{first, later, sameTime}; err != nil || !equalIDs(ids, want) {
		t.Fatalf("CaseAuditList([+0, +2h)) = %v, %v; want %v (by opened_at then id; %d before and %d at the end excluded)",
			ids, err, want, before, atTo)
	}
	a := rows[0]
	if a.CustomerID != cust.ID || a.OwnerID != ann.ID || a.Channel != "email" || a.Priority != "high" ||
		a.Category != "billing" || a.Status != store.CaseResolved {
		t.Errorf("CaseAuditList()[0] = %+v; want case %d's customer, owner, channel, priority, category, status", a, first)
	}
	checkTime(t, "[0].ReceivedAt", a.ReceivedAt, at(0))
	checkTime(t, "[0].OpenedAt", a.OpenedAt, at(0))
	checkTime(t, "[0].DueAt", a.DueAt, at(15*time.Minute))
	checkTime(t, "[0].ResolvedAt", a.ResolvedAt, at(day))
	checkTime(t, "[0].FirstNotifiedAt", a.FirstNotifiedAt, at(time.Minute))
	checkTime(t, "[0].FollowUpDueAt (the latest follow-up)", a.FollowUpDueAt, at(10*day))
	checkTime(t, "[0].FollowUpDoneAt (the latest is open)", a.FollowUpDoneAt, time.Time{})
	b := rows[1]
	checkTime(t, "[1].FollowUpDueAt", b.FollowUpDueAt, at(7*day))
	checkTime(t, "[1].FollowUpDoneAt", b.FollowUpDoneAt, at(8*day))
	c := rows[2]
	checkTime(t, "[2].FollowUpDueAt (none)", c.FollowUpDueAt, time.Time{})
	checkTime(t, "[2].FollowUpDoneAt (none)", c.FollowUpDoneAt, time.Time{})

	if all, err := s.CaseAuditList(ctx, store.CaseAuditParams{}); err != nil || len(all) != 5 || all[0].CaseID != before || all[4].CaseID != atTo {
		t.Errorf("CaseAuditList(no bounds) = %d rows, %v; want all 5, from case %d to %d", len(all), err, before, atTo)
	}
	if none, err := s.CaseAuditList(ctx, store.CaseAuditParams{From: at(time.Hour), To: at(time.Hour)}); err != nil || len(none) != 0 {
		t.Errorf("CaseAuditList(empty window) = %+v, %v; want none", none, err)
	}
}

func testCaseLessonList(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	ann := mustStaff(t, s, "ann@example.com", "")
	bob := mustStaff(t, s, "bob@example.com", "")
	mk := func(owner int64, category, subject string) int64 {
		return mustCase(t, s, store.CaseInsertParams{OwnerID: owner, Category: category, Subject: subject, Status: store.CaseResolved, OpenedAt: at(0)}).ID
	}
	r1 := mk(ann.ID, "billing", "Charged twice")
	r2 := mk(bob.ID, "shipping", "Late parcel")
	r3 := mk(bob.ID, "wrong_item", "Wrong colour")
	r4 := mk(ann.ID, "service", "Technician no-show")
	r5 := mk(ann.ID, "billing", "No data")

	resolved := func(caseID int64, actor string, d time.Duration, data string) {
		t.Helper()
		p := store.CaseEventInsertParams{CaseID: caseID, At: at(d), Actor: actor, Kind: "resolved"}
		if data != "" {
			p.Data = []byte(data)
		}
		if _, err := s.CaseEventInsert(ctx, p); err != nil {
			t.Fatalf("CaseEventInsert(%+v) error = %v", p, err)
		}
	}
	// The shape routing's DONE writes, through the gateway's timeline.
	resolved(r1, "staff:1", time.Hour, `{"note":"resolved by Ann; lessons learned: check the refund queue first"}`)
	resolved(r2, "staff:2", 2*time.Hour, `{"note":"resolved by Bob; no lessons-learned note"}`)
	resolved(r3, "staff:2", 3*time.Hour, `{"note":"resolved by Bob; no live conversation on record (the call may have been made outside the gateway); lessons learned: call before noon"}`)
	resolved(r4, "staff:1", 4*time.Hour, `{"lessons":"bring the spare part","note":"resolved by Ann"}`)
	resolved(r3, "staff:2", 5*time.Hour, `{"note":"resolved by Bob; lessons learned: second time: confirm the size"}`)
	resolved(r5, "system", 6*time.Hour, "")
	mustEvent(t, s, r5, "note", 7*time.Hour, `{"note":"x; lessons learned: not a resolution"}`)

	all, err := s.CaseLessonList(ctx, store.LessonListParams{})
	if err != nil {
		t.Fatalf("CaseLessonList() error = %v", err)
	}
	want := []store.Lesson{
		{CaseID: r3, OwnerID: bob.ID, Category: "wrong_item", Subject: "Wrong colour", Note: "second time: confirm the size", Actor: "staff:2"},
		{CaseID: r4, OwnerID: ann.ID, Category: "service", Subject: "Technician no-show", Note: "bring the spare part", Actor: "staff:1"},
		{CaseID: r3, OwnerID: bob.ID, Category: "wrong_item", Subject: "Wrong colour", Note: "call before noon", Actor: "staff:2"},
		{CaseID: r1, OwnerID: ann.ID, Category: "billing", Subject: "Charged twice", Note: "check the refund queue first", Actor: "staff:1"},
	}
	wantAt := []time.Duration{5 * time.Hour, 4 * time.Hour, 3 * time.Hour, time.Hour}
	if len(all) != len(want) {
		t.Fatalf("CaseLessonList() = %+v; want %d lessons (none for case %d without a note nor %d without data)", all, len(want), r2, r5)
	}
	for i, w := range want {
		g := all[i]
		checkTime(t, "CaseLessonList()["+strconv.Itoa(i)+"].ResolvedAt", g.ResolvedAt, at(wantAt[i]))
		g.ResolvedAt = time.Time{}
		if g != w {
			t.Errorf("CaseLessonList()[%d] = %+v, want %+v", i, g, w)
		}
	}

	lessonCases := func(p store.LessonListParams) []int64 {
		t.Helper()
		ls, err := s.CaseLessonList(ctx, p)
		if err != nil {
			t.Fatalf("CaseLessonList(%+v) error = %v", p, err)
		}
		var ids []int64
		for _, l := range ls {
			ids = append(ids, l.CaseID)
		}
		return ids
	}
	if got := lessonCases(store.LessonListParams{OwnerIDs: []int64{ann.ID}}); !equalIDs(got, []int64{r4, r1}) {
		t.Errorf("CaseLessonList(ann's) = %v, want [%d %d]", got, r4, r1)
	}
	if got := lessonCases(store.LessonListParams{OwnerIDs: []int64{}}); len(got) != 0 {
		t.Errorf("CaseLessonList(nobody's) = %v, want none", got)
	}
	if got := lessonCases(store.LessonListParams{Limit: 2}); !equalIDs(got, []int64{r3, r4}) {
		t.Errorf("CaseLessonList(limit 2) = %v, want [%d %d]", got, r3, r4)
	}
}
