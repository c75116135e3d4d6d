package gateway_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/store"
)

// rawMail is a plain-text message with the given Message-ID (without its
// domain), sender, subject, Date and body.
func rawMail(id, from, subject, date, body string) []byte {
	return fmt.Appendf(nil, "From: %s\r\nTo: support@example.com\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%s@example>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", from, subject, date, id, body)
}

// appendRaw appends raw to the test mailbox with the given internal date.
func (b *bundle) appendRaw(t *testing.T, raw []byte, arrived time.Time) {
	t.Helper()
	if err := b.mailbox.Append(t.Context(), "INBOX", raw, arrived); err != nil {
		t.Fatalf("Append(%.40q) = %v", raw, err)
	}
}

// A Date the store cannot hold (year 10000 in UTC, year 0) or that no
// real mail has is dropped by the parser: the message is ingested with
// the mailbox's internal date, and the mail behind it is not held up.
func TestImplausibleDateIsIngested(t *testing.T) {
	t.Parallel()
	b := setup(t)
	arrived := time.Now().Add(-time.Hour).Truncate(time.Second)
	dates := []string{"Fri, 31 Dec 9999 23:00:00 -0100", "Sat, 01 Jan 0000 00:00:00 +0000", "Mon, 1 Jan 2099 00:00:00 +0000"}
	for i, date := range dates {
		b.appendRaw(t, rawMail(fmt.Sprintf("date%d", i), "Jane Doe <jane@acme.example>", "Order #48213 - third time", date, angry), arrived)
	}
	b.appendMail(t, "after", "Jane Doe <jane@acme.example>", "Still waiting", "Where is my order #48213? This is unacceptable!")
	_, stop := b.start(t)
	var got []gateway.IngestResult
	for range len(dates) + 1 {
		got = append(got, b.next(t))
	}
	stop()

	st := openStore(t, b.cfg)
	for i, r := range got {
		if r.Quarantined || r.Duplicate || r.MessageID == 0 || r.CaseID == 0 {
			t.Fatalf("message %d (%s): quarantined %v (%s), duplicate %v, message %d, case %d; want stored on a case",
				i, r.Inbound.ExternalID, r.Quarantined, r.Reason, r.Duplicate, r.MessageID, r.CaseID)
		}
		m, err := st.MessageGetByID(t.Context(), r.MessageID)
		if err != nil {
			t.Fatalf("MessageGetByID(%d) = %v, want the stored message", r.MessageID, err)
		}
		if i < len(dates) && !m.SentAt.Equal(arrived) {
			t.Errorf("message with Date %q: SentAt = %v, want the mailbox's internal date %v", dates[i], m.SentAt, arrived)
		}
	}
	if q, err := st.QuarantineList(t.Context(), 10); err != nil || len(q) != 0 {
		t.Errorf("QuarantineList() = %d entries, %v; want none", len(q), err)
	}
}

// The Message-ID is chosen by the sender: a different message that reuses
// one is stored too, while a redelivery of a stored message (the same
// bytes, or the same message with other trace fields) is a duplicate, also
// for a message stored under its bare Message-ID by an earlier release.
func TestReusedMessageIDKeepsBothMessages(t *testing.T) {
	t.Parallel()
	b := setup(t)
	date := time.Now().Format(time.RFC1123Z)
	old := rawMail("old", "Jane Doe <jane@acme.example>", "Invoice", date, "Please send the invoice again.")
	st := openStore(t, b.cfg)
	if _, _, err := st.MessageInsert(t.Context(), store.MessageInsertParams{Channel: store.ChannelEmail, ExternalID: "old@example",
		FromAddr: "jane@acme.example", Subject: "Invoice", Body: "Please send the invoice again.", ReceivedAt: time.Now(), Raw: old}); err != nil {
		t.Fatalf("MessageInsert(as an earlier release stored it) = %v", err)
	}
	st.Close()

	first := rawMail("same", "Jane Doe <jane@acme.example>", "Order #48213 - third time", date, angry)
	other := rawMail("same", "Mallory <mallory@evil.example>", "Hello", date, "A different message that reuses the Message-ID.")
	relayed := func(raw []byte) []byte {
		return append([]byte("Received: from relay.example by mx.example; "+date+"\r\nDelivered-To: support@example.com\r\n"), raw...)
	}
	mails := []struct {
		name string
		raw  []byte
		dup  bool
	}{
		{"first", first, false},
		{"other with the same Message-ID", other, false},
		{"first again", first, true},
		{"first by another relay", relayed(first), true},
		{"other again", other, true},
		{"old, stored before the upgrade", relayed(old), true},
	}
	for _, m := range mails {
		b.appendRaw(t, m.raw, time.Now())
	}
	_, stop := b.start(t)
	var got []gateway.IngestResult
	for _, m := range mails {
		r := b.next(t)
		got = append(got, r)
		if r.Quarantined || r.Duplicate != m.dup || (!m.dup && r.MessageID == 0) {
			t.Errorf("%s: quarantined %v (%s), duplicate %v, message %d; want duplicate %v",
				m.name, r.Quarantined, r.Reason, r.Duplicate, r.MessageID, m.dup)
		}
	}
	stop()

	if id := got[0].Inbound.ExternalID; id != "same@example" {
		t.Errorf("first message's external id = %q, want the bare Message-ID same@example", id)
	}
	otherID := got[1].Inbound.ExternalID
	if !strings.HasPrefix(otherID, "same@example sha256:") || got[4].Inbound.ExternalID != otherID {
		t.Errorf("other message's external ids = %q, then %q; want \"same@example sha256:<hash>\" both times", otherID, got[4].Inbound.ExternalID)
	}
	st = openStore(t, b.cfg)
	for id, want := range map[string]string{"same@example": "jane@acme.example", otherID: "mallory@evil.example"} {
		m, err := st.MessageGetByExternalID(t.Context(), store.ChannelEmail, id)
		if err != nil || m.FromAddr != want {
			t.Errorf("MessageGetByExternalID(%q) = from %q, %v; want from %s", id, m.FromAddr, err, want)
		}
	}
}

// faultyStore makes MessageInsert fail, or panic, for chosen messages.
type faultyStore struct {
	store.Store
	fault func(p store.MessageInsertParams) error
}

func (s faultyStore) InTx(ctx context.Context, fn func(ctx context.Context, tx store.Querier) error) error {
	return s.Store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		return fn(ctx, faultyQuerier{Querier: tx, fault: s.fault})
	})
}

type faultyQuerier struct {
	store.Querier
	fault func(p store.MessageInsertParams) error
}

func (q faultyQuerier) MessageInsert(ctx context.Context, p store.MessageInsertParams) (store.Message, bool, error) {
	if err := q.fault(p); err != nil {
		return store.Message{}, false, err
	}
	return q.Querier.MessageInsert(ctx, p)
}

// A message whose ingest keeps failing is quarantined after five tries
// with the error as its reason, one whose ingest panics is quarantined at
// once, and the mail behind them is ingested: nothing blocks the mailbox
// and nothing is lost.
func TestPoisonMessagesAreQuarantinedAndIntakeMovesOn(t *testing.T) {
	t.Parallel()
	b := setup(t)
	cfg := b.cfg
	cfg.IMAP.Enabled = false // the test polls with a poller of its own
	errDisk := errors.New("disk on fire")
	st := faultyStore{Store: openStore(t, cfg), fault: func(p store.MessageInsertParams) error {
		switch p.Subject {
		case "fails":
			return errDisk
		case "panics":
			panic("boom")
		}
		return nil
	}}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	g, err := gateway.BuildWithStore(t.Context(), cfg, gateway.SetupOptions{Logger: log, Now: b.clock.now,
		OnIngest: func(r gateway.IngestResult) { b.results <- r }}, st)
	if err != nil {
		t.Fatalf("BuildWithStore() = %v", err)
	}
	t.Cleanup(func() { g.Close() })

	date := time.Now().Format(time.RFC1123Z)
	raws := [][]byte{
		rawMail("good1", "Jane Doe <jane@acme.example>", "Question", date, "What are your opening hours on Saturday?"),
		rawMail("bad1", "Jane Doe <jane@acme.example>", "fails", date, "This one cannot be stored."),
		rawMail("bad2", "Jane Doe <jane@acme.example>", "panics", date, "This one makes ingest panic."),
		rawMail("good2", "Jane Doe <jane@acme.example>", "Thanks", date, "Thank you for the quick answer!"),
	}
	for _, raw := range raws {
		b.appendRaw(t, raw, time.Now())
	}
	p, err := imap.NewPoller(imap.Config{Addr: b.mailbox.Addr, Username: cfg.IMAP.Username, Password: cfg.IMAP.Password.Value(),
		TLSConfig: b.mailbox.ClientTLSConfig()}, g.MailboxSink(), log)
	if err != nil {
		t.Fatalf("NewPoller() = %v", err)
	}
	t.Cleanup(func() { p.Close() })

	// The failing message holds the cursor for four polls (Run waits
	// between them with its backoff); the fifth gives up on it.
	delivered := 0
	for poll := 1; poll <= 5; poll++ {
		n, err := p.Poll(t.Context())
		delivered += n
		if poll < 5 && !errors.Is(err, errDisk) {
			t.Fatalf("Poll() #%d = %d, %v; want the failing message's error", poll, n, err)
		}
		if poll == 5 && err != nil {
			t.Fatalf("Poll() #5 = %d, %v; want the failing message quarantined and the rest delivered", n, err)
		}
	}
	if delivered != len(raws) {
		t.Errorf("Poll() delivered %d messages in all, want %d", delivered, len(raws))
	}

	var got []gateway.IngestResult
	for range raws {
		got = append(got, b.next(t))
	}
	if got[0].MessageID == 0 || got[3].MessageID == 0 {
		t.Errorf("good messages: stored as %d and %d, want both stored", got[0].MessageID, got[3].MessageID)
	}
	if r := got[1]; !r.Quarantined || !strings.Contains(r.Reason, "5 times") || !strings.Contains(r.Reason, "disk on fire") {
		t.Errorf("failing message: quarantined %v, reason %q; want quarantined after 5 tries with the error", r.Quarantined, r.Reason)
	}
	if r := got[2]; !r.Quarantined || r.Reason != "internal error: boom" {
		t.Errorf("panicking message: quarantined %v, reason %q; want quarantined with \"internal error: boom\"", r.Quarantined, r.Reason)
	}
	q, err := st.QuarantineList(t.Context(), 10)
	if err != nil || len(q) != 2 {
		t.Fatalf("QuarantineList() = %d entries, %v; want 2", len(q), err)
	}
	for _, e := range q {
		if !slices.ContainsFunc(raws[1:3], func(raw []byte) bool { return bytes.Equal(raw, e.Raw) }) {
			t.Errorf("quarantine entry %s (%s) holds %.60q, want a poison message's raw bytes", e.ExternalID, e.Reason, e.Raw)
		}
	}
	c, err := st.MailboxCursorGet(t.Context(), "support@example.com/INBOX")
	if err != nil || c.LastUID != uint32(len(raws)) {
		t.Errorf("MailboxCursorGet() = %+v, %v; want the cursor past all %d messages", c, err, len(raws))
	}
}
