package gateway_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// A reply to the acknowledgement joins the case it acknowledged, found by
// the acknowledgement's own Message-ID (In-Reply-To and References name
// nothing else): from the customer under a new subject, and from a
// colleague whose address is not on file. Neither opens a case nor is
// acknowledged again.
func TestAckReplyJoinsTheCase(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testAckReplyJoinsTheCase(t, mailSetup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		w := mailSetup(t)
		w.cfg.Database.URL = storetest.PostgresSchemaURL(t)
		testAckReplyJoinsTheCase(t, w)
	})
}

func testAckReplyJoinsTheCase(t *testing.T, w *mailWorld) {
	w.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := w.start(t)
	opened := w.next(t)
	if opened.CaseID == 0 {
		t.Fatalf("complaint opened no case (plan %s: %s)", opened.Plan.Action, opened.Plan.Reason)
	}
	st := openStore(t, w.cfg)
	ack := decodeEmail(t, w.waitEmails(t, 1)[0])
	waitEvent(t, st, opened.CaseID, "email_sent")
	ackID := messageID(t, ack)

	for _, reply := range []struct {
		name, id, from, subject, body string
	}{
		{"the customer, new subject", "r1", "Jane Doe <jane@acme.example>", "when can you call?",
			"Thanks. When can you call? I am at my desk all afternoon."},
		{"a colleague not on file", "r2", "Bob Stone <bob@acme.example>", "Re: " + ack.subject,
			"I work with Jane on this order. Please call me instead if she is out."},
	} {
		w.appendRaw(t, ackReply(reply.id, reply.from, reply.subject, ackID, reply.body), time.Now())
		r := w.next(t)
		if r.Quarantined || r.Skipped != "" || r.Duplicate {
			t.Fatalf("reply from %s: quarantined %v (%s), skipped %q, duplicate %v; want it ingested",
				reply.name, r.Quarantined, r.Reason, r.Skipped, r.Duplicate)
		}
		if r.CaseID != opened.CaseID {
			t.Errorf("reply from %s (In-Reply-To the acknowledgement %s) went to case %d (plan %s: %s), want case %d",
				reply.name, ackID, r.CaseID, r.Plan.Action, r.Plan.Reason, opened.CaseID)
		}
		if !receivedOn(t, st, opened.CaseID, r.MessageID) {
			t.Errorf("case %d has no message_received for the reply from %s (message %d); timeline %v",
				opened.CaseID, reply.name, r.MessageID, eventKinds(t, st, opened.CaseID))
		}
	}

	cases, err := st.CaseList(t.Context(), store.CaseListParams{})
	if err != nil {
		t.Fatalf("CaseList() = %v", err)
	}
	if len(cases) != 1 {
		t.Errorf("store has %d cases, want only the complaint's case %d: %+v", len(cases), opened.CaseID, cases)
	}
	msgs, err := st.MessageListByCase(t.Context(), opened.CaseID)
	if err != nil {
		t.Fatalf("MessageListByCase(%d) = %v", opened.CaseID, err)
	}
	var from []string
	for _, m := range msgs {
		from = append(from, m.FromAddr)
	}
	if want := "[jane@acme.example jane@acme.example bob@acme.example]"; fmt.Sprint(from) != want {
		t.Errorf("case %d messages from %v, want %s", opened.CaseID, from, want)
	}
	// The colleague is filed under the case's customer, not a new one.
	if last := msgs[len(msgs)-1]; last.CustomerID != msgs[0].CustomerID {
		t.Errorf("colleague's message has customer %d, want the case's %d", last.CustomerID, msgs[0].CustomerID)
	}

	settleEmails(t, st)
	stop()
	if n := len(w.relay.Messages()); n != 1 {
		t.Errorf("relay got %d emails, want only the one acknowledgement: a reply is not acknowledged", n)
	}
}

// ackReply is a reply whose In-Reply-To and References are exactly the
// acknowledgement's Message-ID (without its brackets), quoting it as
// mail clients do.
func ackReply(id, from, subject, ackID, body string) []byte {
	return fmt.Appendf(nil, "From: %s\r\nTo: support@example.com\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@acme.example>\r\n"+
		"In-Reply-To: <%s>\r\nReferences: <%s>\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\n"+
		"On Monday, Acme Support wrote:\r\n> Hello Jane Doe,\r\n> your case number is ...\r\n",
		from, subject, time.Now().Format(time.RFC1123Z), id, ackID, ackID, body)
}

// receivedOn reports whether caseID's timeline holds a message_received
// for the stored message messageID.
func receivedOn(t *testing.T, st store.Store, caseID, messageID int64) bool {
	t.Helper()
	events, err := st.CaseEventListKind(t.Context(), caseID, "message_received")
	if err != nil {
		t.Fatalf("CaseEventListKind(%d, message_received) = %v", caseID, err)
	}
	for _, e := range events {
		var d struct {
			MessageID int64 `json:"message_id"`
		}
		if err := json.Unmarshal(e.Data, &d); err != nil {
			t.Fatalf("message_received %s: %v", e.Data, err)
		}
		if d.MessageID == messageID {
			return true
		}
	}
	return false
}
