package gateway_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store/storetest"
)

// Forwarded mail is filed under its original sender, with the forwarder
// kept; staff and the gateway's own mail make no customer; a reply joins
// its thread's case. On SQLite, and on PostgreSQL when
// TRIAGE_TEST_DATABASE_URL is set.
func TestForwardsStaffAndThreads(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testForwardsStaffAndThreads(t, setup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.cfg.Database.URL = storetest.PostgresSchemaURL(t)
		testForwardsStaffAndThreads(t, b)
	})
}

// gmailForward is a Gmail-style forward by from of orig's complaint.
func gmailForward(id, from, orig, subject, body string) []byte {
	date := time.Now().Format(time.RFC1123Z)
	return fmt.Appendf(nil, "From: %s\r\nTo: support@example.com\r\nSubject: Fwd: %s\r\nDate: %s\r\nMessage-ID: <%s@example>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nPlease call them.\r\n\r\n---------- Forwarded message ---------\r\n"+
		"From: %s\r\nDate: today\r\nSubject: %s\r\nTo: sales@example.com\r\n\r\n%s\r\n", from, subject, date, id, orig, subject, body)
}

func testForwardsStaffAndThreads(t *testing.T, b *bundle) {
	b.cfg.IMAP.Forwarders = []string{"sales@example.com"}
	b.cfg.SMTP.From = "Acme Support <triage@example.com>"
	complaint := func(order int) string {
		return fmt.Sprintf("This is the THIRD time I write about order #%d. It is still not here and it is unacceptable!! "+
			"Our production line has stopped. If it is not fixed by tomorrow we will cancel the contract.", order)
	}
	now := time.Now()
	b.appendRaw(t, gmailForward("f1", "Support <support@example.com>", "Ada Alpha <ada@alpha.example>", "Order 1001", complaint(1001)), now)
	b.appendRaw(t, gmailForward("f2", "Sales <sales@example.com>", "Bo Beta <bo@beta.example>", "Order 2002", complaint(2002)), now)
	b.appendRaw(t, gmailForward("f3", "Tom Baker <tom@example.com>", "Cy Gamma <cy@gamma.example>", "Order 3003", complaint(3003)), now)
	b.appendMail(t, "s1", "Anna Kowalski <anna@example.com>", "Lunch", "Shall we meet at noon about the quarterly numbers?")
	b.appendMail(t, "o1", "Acme Support <triage@example.com>", "We received your message", "When can we call you?")
	b.appendRaw(t, fmt.Appendf(nil, "From: Dee Alpha <dee@alpha.example>\r\nTo: support@example.com\r\nSubject: Re: Order 1001\r\n"+
		"Date: %s\r\nMessage-ID: <r1@alpha.example>\r\nIn-Reply-To: <orig-1001@alpha.example>\r\nReferences: <f1@example>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nAdding my colleague's photos of the empty loading bay.\r\n", now.Format(time.RFC1123Z)), now)
	b.appendRaw(t, fmt.Appendf(nil, "From: Tom Baker <tom@example.com>\r\nTo: ada@alpha.example\r\nSubject: Re: Order 1001\r\n"+
		"Date: %s\r\nMessage-ID: <t1@example.com>\r\nIn-Reply-To: <f1@example>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\nWhen can I call you today?\r\n", now.Format(time.RFC1123Z)), now)
	_, stop := b.start(t)

	fwd1, fwd2, fwd3 := b.next(t), b.next(t), b.next(t)
	staff, own, reply, staffReply := b.next(t), b.next(t), b.next(t), b.next(t)
	stop()

	for _, tc := range []struct {
		name       string
		got        string
		wantFrom   string
		wantFwdBy  string
		caseOpened bool
	}{
		{"forward by the shared mailbox", "f1", "ada@alpha.example", "support@example.com", true},
		{"forward by a configured forwarder", "f2", "bo@beta.example", "sales@example.com", true},
		{"forward by a staff member", "f3", "cy@gamma.example", "tom@example.com", true},
	} {
		res := fwd1
		switch tc.got {
		case "f2":
			res = fwd2
		case "f3":
			res = fwd3
		}
		if res.Inbound.FromAddr != tc.wantFrom || res.Inbound.ForwardedBy != tc.wantFwdBy || res.CaseID == 0 {
			t.Errorf("%s: ingested from %q forwarded by %q, case %d (plan %s: %s); want from %q by %q and a case",
				tc.name, res.Inbound.FromAddr, res.Inbound.ForwardedBy, res.CaseID, res.Plan.Action, res.Plan.Reason, tc.wantFrom, tc.wantFwdBy)
		}
	}
	if fwd1.CaseID == fwd2.CaseID || fwd2.CaseID == fwd3.CaseID {
		t.Errorf("two forwards about two customers: cases %d, %d, %d; want one each", fwd1.CaseID, fwd2.CaseID, fwd3.CaseID)
	}
	if staff.Skipped == "" || staff.CaseID != 0 || staff.MessageID != 0 {
		t.Errorf("staff mail: skipped %q, case %d, message %d; want skipped with a reason, no case", staff.Skipped, staff.CaseID, staff.MessageID)
	}
	if own.Skipped == "" || own.CaseID != 0 || own.MessageID != 0 {
		t.Errorf("own mail: skipped %q, case %d, message %d; want skipped with a reason, no case", own.Skipped, own.CaseID, own.MessageID)
	}
	if reply.CaseID != fwd1.CaseID {
		t.Errorf("reply threaded to <f1@example>: case %d (plan %s: %s); want case %d", reply.CaseID, reply.Plan.Action, reply.Plan.Reason, fwd1.CaseID)
	}

	if staffReply.CaseID != fwd1.CaseID || staffReply.MessageID != 0 {
		t.Errorf("staff reply on case %d's thread: case %d, message %d (%s); want recorded on the case, no message", fwd1.CaseID, staffReply.CaseID, staffReply.MessageID, staffReply.Skipped)
	}

	st := openStore(t, b.cfg)
	ctx := t.Context()
	customers, err := st.CustomerList(ctx)
	if err != nil {
		t.Fatalf("CustomerList() = %v", err)
	}
	for _, c := range customers {
		switch c.Name {
		case "Support", "Sales", "Tom Baker", "Anna Kowalski", "Acme Support":
			t.Errorf("customer %q (%+v) exists; staff and our own addresses must never become customers", c.Name, c)
		}
	}
	c1, err := st.CaseGetByID(ctx, fwd1.CaseID)
	if err != nil {
		t.Fatalf("CaseGetByID(%d) = %v", fwd1.CaseID, err)
	}
	owner, err := st.CustomerGetByID(ctx, c1.CustomerID)
	if err != nil || owner.Name != "Ada Alpha" {
		t.Errorf("case %d customer = %q, %v; want Ada Alpha", c1.ID, owner.Name, err)
	}
	events, err := st.CaseEventListKind(ctx, fwd1.CaseID, "message_received")
	if err != nil || len(events) == 0 {
		t.Fatalf("message_received events of case %d = %d, %v", fwd1.CaseID, len(events), err)
	}
	tom, err := st.StaffGetByEmail(ctx, "tom@example.com")
	if err != nil {
		t.Fatalf("StaffGetByEmail(tom) = %v", err)
	}
	if ev, err := st.CaseEventListKind(ctx, fwd1.CaseID, "staff_email"); err != nil || len(ev) != 1 || ev[0].Actor != fmt.Sprintf("staff:%d", tom.ID) {
		t.Errorf("staff_email events of case %d = %+v, %v; want one by staff:%d", fwd1.CaseID, ev, err, tom.ID)
	}
	var ev struct {
		From        string `json:"from"`
		ForwardedBy string `json:"forwarded_by"`
	}
	if err := json.Unmarshal(events[0].Data, &ev); err != nil || ev.From != "ada@alpha.example" || ev.ForwardedBy != "support@example.com" {
		t.Errorf("message_received = %s (%v); want from ada@alpha.example, forwarded_by support@example.com", events[0].Data, err)
	}
}
