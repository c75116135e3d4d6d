package audit

import (
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// The fixture: two ISO weeks, Monday 3 March 2025 to Monday 17 March, judged
// at the end of the period. Every row is written as offsets from its receipt
// r so that the hand-computed expectations in the tests can be read off it.
var (
	t0        = time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC) // a Monday
	fixtureTo = t0.Add(14 * 24 * time.Hour)
)

const (
	day    = 24 * time.Hour
	minute = time.Minute
)

func fixtureParams(by Dimension) Params {
	return Params{
		From: t0,
		To:   fixtureTo,
		By:   by,
		Now:  fixtureTo,
		Targets: Targets{
			Notify:       5 * time.Minute,
			Conversation: 4 * time.Hour,
			Resolution:   72 * time.Hour,
		},
		People: People{
			Names: map[int64]string{1: "Anna", 2: "Ben", 3: "Cleo"},
			Teams: map[int64]string{1: "Maria", 2: "Maria", 3: "Cleo"},
		},
	}
}

// at returns r+d, or the zero time for the sentinel never.
func at(r time.Time, d time.Duration) time.Time {
	if d == never {
		return time.Time{}
	}
	return r.Add(d)
}

const never = time.Duration(-1 << 63)

// fixtureRows are the cases C1…C11 of the tests' comments. C9 and C10 were
// opened outside the period and must be ignored everywhere.
func fixtureRows() []store.CaseAudit {
	type c struct {
		id, owner                      int64
		channel, priority, category    string
		r                              time.Time // receipt
		noReceived                     bool      // ReceivedAt unknown: receipt is OpenedAt
		opened, due                    time.Duration
		notified, call, conv, resolved time.Duration
		esc, breaches, viol, contacts  int
		fuDue, fuDone                  time.Duration
	}
	cs := []c{
		// C1: everything on time; follow-up done an hour early.
		{1, 1, "email", "critical", "billing", t0.Add(9 * time.Hour), false,
			1 * minute, 15 * minute, 2 * minute, 10 * minute, 10 * minute, 2 * time.Hour, 0, 0, 0, 1, 7 * day, 7*day - time.Hour},
		// C2: notified late (6m > 5m), the rest on time; a repeat contact;
		// follow-up done a day late.
		{2, 1, "voicemail", "high", "shipping", t0.Add(day + 10*time.Hour), false,
			5 * minute, time.Hour, 6 * minute, 50 * minute, 3 * time.Hour, day, 0, 0, 0, 2, 8 * day, 9 * day},
		// C3: called after its due time, everything late; escalated twice,
		// one recorded breach, one violation, two repeat contacts;
		// follow-up not done.
		{3, 2, "email", "normal", "billing", t0.Add(2*day + 9*time.Hour), false,
			0, 4 * time.Hour, 1 * minute, 5 * time.Hour, 5 * time.Hour, 96 * time.Hour, 2, 1, 1, 3, 11 * day, never},
		// C4: never called, conversed or resolved, long past every target;
		// escalated once; no category.
		{4, 2, "email", "low", "", t0.Add(3*day + 9*time.Hour), false,
			2 * minute, day, 3 * minute, never, never, never, 1, 0, 0, 1, never, never},
		// C5: ReceivedAt unknown; everything exactly on or within target
		// (call at exactly DueAt); follow-up done exactly at its due time.
		{5, 3, "voicemail", "critical", "shipping", t0.Add(7*day + 8*time.Hour), true,
			0, 15 * minute, 1 * minute, 15 * minute, 20 * minute, time.Hour, 0, 0, 0, 1, 7 * day, 7 * day},
		// C6: unassigned, no priority, nothing ever happened; an hour of
		// ingest lag; two violations.
		{6, 0, "email", "", "billing", t0.Add(7*day + 12*time.Hour), false,
			time.Hour, 4 * time.Hour, never, never, never, never, 0, 0, 2, 1, never, never},
		// C7: unknown owner #4, no channel; the SMS stamped 2m before
		// receipt (clock skew: 0); called in time but with two recorded
		// breaches; no conversation or resolution; no contacts recorded.
		{7, 4, "", "high", "shipping", t0.Add(8*day + 9*time.Hour), false,
			1 * minute, time.Hour, -2 * minute, 30 * minute, never, never, 0, 2, 0, 0, never, never},
		// C8: arrived an hour before Now; not yet due for anything.
		{8, 1, "email", "normal", "billing", t0.Add(13*day + 23*time.Hour), false,
			1 * minute, 4 * time.Hour, 2 * minute, never, never, never, 0, 0, 0, 1, never, never},
		// C9: opened exactly at To: outside the period.
		{9, 1, "email", "critical", "billing", fixtureTo.Add(-time.Minute), false,
			1 * minute, 15 * minute, 1 * minute, 1 * minute, 1 * minute, 1 * minute, 5, 5, 5, 5, never, never},
		// C10: opened a minute before From: outside the period.
		{10, 1, "email", "critical", "billing", t0.Add(-2 * time.Minute), false,
			1 * minute, 15 * minute, never, never, never, never, 5, 5, 5, 5, never, never},
		// C11: no due time (first call not judged); notified at exactly
		// 5m; conversation late, resolution on time; follow-up done with no
		// due time (on time).
		{11, 3, "email", "high", "billing", t0.Add(9*day + 9*time.Hour), false,
			1 * minute, never, 5 * minute, 48 * time.Hour, 49 * time.Hour, 50 * time.Hour, 0, 0, 0, 1, never, 4 * day},
	}
	rows := make([]store.CaseAudit, 0, len(cs))
	for _, x := range cs {
		row := store.CaseAudit{
			CaseID: x.id, CustomerID: 100 + x.id, OwnerID: x.owner,
			Channel: x.channel, Priority: x.priority, Category: x.category, Status: "open",
			ReceivedAt:          x.r,
			OpenedAt:            at(x.r, x.opened),
			DueAt:               at(x.r, x.due),
			FirstNotifiedAt:     at(x.r, x.notified),
			FirstCallAt:         at(x.r, x.call),
			FirstConversationAt: at(x.r, x.conv),
			ResolvedAt:          at(x.r, x.resolved),
			Escalations:         x.esc, Breaches: x.breaches, Violations: x.viol, Contacts: x.contacts,
			FollowUpDueAt:  at(x.r, x.fuDue),
			FollowUpDoneAt: at(x.r, x.fuDone),
		}
		if x.noReceived {
			row.ReceivedAt = time.Time{}
		}
		if !row.ResolvedAt.IsZero() {
			row.Status = "resolved"
		}
		rows = append(rows, row)
	}
	return rows
}
