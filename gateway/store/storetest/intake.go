package storetest

import (
	"bytes"
	"errors"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

func testMessageInsertIdempotent(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	cust := mustCustomer(t, s, "C1", "c1@example.com")
	p := store.MessageInsertParams{
		Channel: store.ChannelEmail, ExternalID: "<abc@mail.example>", CustomerID: cust.ID,
		FromAddr: "c1@example.com", FromName: "C One", Subject: "Broken", Body: "It broke.",
		SentAt: at(-time.Minute), ReceivedAt: at(0), Raw: []byte("Subject: Broken\r\n\r\n\x00\xff"),
	}
	m, inserted, err := s.MessageInsert(ctx, p)
	if err != nil || !inserted {
		t.Fatalf("MessageInsert(%+v) = inserted %v, %v; want inserted, nil", p, inserted, err)
	}
	if m.ID == 0 || m.Channel != p.Channel || m.ExternalID != p.ExternalID || m.CustomerID != cust.ID ||
		m.CaseID != 0 || m.FromAddr != p.FromAddr || m.FromName != p.FromName || m.Subject != p.Subject ||
		m.Body != p.Body || m.AutoKind != "" || !bytes.Equal(m.Raw, p.Raw) {
		t.Errorf("MessageInsert(%+v) = %+v, want the fields back", p, m)
	}
	checkTime(t, "MessageInsert().SentAt", m.SentAt, p.SentAt)
	checkTime(t, "MessageInsert().ReceivedAt", m.ReceivedAt, p.ReceivedAt)

	// Same channel and external id: nothing changes.
	again := p
	again.Body, again.Subject, again.Raw = "changed", "changed", []byte("changed")
	m2, inserted, err := s.MessageInsert(ctx, again)
	if err != nil || inserted || m2.ID != m.ID || m2.Body != p.Body || !bytes.Equal(m2.Raw, p.Raw) {
		t.Errorf("MessageInsert(same channel+id) = %+v, inserted %v, %v; want the stored message %d unchanged, inserted=false", m2, inserted, err, m.ID)
	}
	got, err := s.MessageGetByID(ctx, m.ID)
	if err != nil || got.Body != p.Body || got.Subject != p.Subject || !bytes.Equal(got.Raw, p.Raw) {
		t.Errorf("MessageGetByID(%d) = %+v, %v; want the first version", m.ID, got, err)
	}

	// Same external id on another channel is another message.
	other := p
	other.Channel = store.ChannelSMS
	m3, inserted, err := s.MessageInsert(ctx, other)
	if err != nil || !inserted || m3.ID == m.ID {
		t.Errorf("MessageInsert(other channel) = id %d, inserted %v, %v; want a new message", m3.ID, inserted, err)
	}

	// A zero ReceivedAt is the store's clock; nil raw bytes are stored empty.
	before := time.Now()
	m4, _, err := s.MessageInsert(ctx, store.MessageInsertParams{Channel: store.ChannelVoicemail, ExternalID: "RE1"})
	if err != nil || m4.ReceivedAt.Before(before.Add(-time.Second)) || len(m4.Raw) != 0 || !m4.SentAt.IsZero() {
		t.Errorf("MessageInsert(minimal) = %+v, %v; want ReceivedAt ≈ now, empty raw, zero SentAt", m4, err)
	}
	if _, _, err := s.MessageInsert(ctx, store.MessageInsertParams{Channel: store.ChannelEmail}); err == nil {
		t.Errorf("MessageInsert(no external id) error = nil, want an error")
	}
}

func testMessageListAndCount(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	cust := mustCustomer(t, s, "C1", "c1@example.com")
	c := mustCase(t, s, store.CaseInsertParams{CustomerID: cust.ID, OpenedAt: at(0)})
	for i, d := range []time.Duration{2 * time.Hour, 0, time.Hour} {
		p := store.MessageInsertParams{Channel: store.ChannelEmail, ExternalID: string(rune('a' + i)),
			CustomerID: cust.ID, CaseID: c.ID, ReceivedAt: at(d)}
		if _, _, err := s.MessageInsert(ctx, p); err != nil {
			t.Fatalf("MessageInsert(%+v) error = %v", p, err)
		}
	}
	if _, _, err := s.MessageInsert(ctx, store.MessageInsertParams{Channel: store.ChannelEmail, ExternalID: "loose", ReceivedAt: at(0)}); err != nil {
		t.Fatalf("MessageInsert(no customer) error = %v", err)
	}
	list, err := s.MessageListByCase(ctx, c.ID)
	if err != nil || len(list) != 3 || list[0].ExternalID != "b" || list[1].ExternalID != "c" || list[2].ExternalID != "a" {
		t.Errorf("MessageListByCase(%d) = %+v, %v; want b, c, a (oldest first)", c.ID, list, err)
	}
	for _, tc := range []struct {
		since time.Time
		want  int
	}{{time.Time{}, 3}, {at(0), 3}, {at(time.Minute), 2}, {at(time.Hour), 2}, {at(3 * time.Hour), 0}} {
		n, err := s.MessageCountSince(ctx, cust.ID, tc.since)
		if err != nil || n != tc.want {
			t.Errorf("MessageCountSince(%d, %v) = %d, %v; want %d", cust.ID, tc.since, n, err, tc.want)
		}
	}
}

func testAssessment(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	m, _, err := s.MessageInsert(ctx, store.MessageInsertParams{Channel: store.ChannelEmail, ExternalID: "m1"})
	if err != nil {
		t.Fatalf("MessageInsert() error = %v", err)
	}
	p := store.AssessmentInsertParams{
		MessageID: m.ID, ToneScore: -0.75, ToneLabel: "angry", UrgencyScore: 0.9, UrgencyLevel: "high",
		Category: "billing", IsComplaint: true, Summary: "Charged twice", Language: "en",
		Detail: []byte(`{"evidence": ["charged twice"],  "score":-0.75}`),
	}
	a, err := s.AssessmentInsert(ctx, p)
	if err != nil {
		t.Fatalf("AssessmentInsert(%+v) error = %v", p, err)
	}
	got, err := s.AssessmentGetByMessage(ctx, m.ID)
	if err != nil {
		t.Fatalf("AssessmentGetByMessage(%d) error = %v", m.ID, err)
	}
	for _, x := range []store.Assessment{a, got} {
		if x.MessageID != m.ID || x.ToneScore != p.ToneScore || x.ToneLabel != p.ToneLabel ||
			x.UrgencyScore != p.UrgencyScore || x.UrgencyLevel != p.UrgencyLevel || x.Category != p.Category ||
			!x.IsComplaint || x.Summary != p.Summary || x.Language != p.Language ||
			!bytes.Equal(x.Detail, p.Detail) || x.CreatedAt.IsZero() || x.CreatedAt.Location() != time.UTC {
			t.Errorf("assessment = %+v (detail %s), want the fields of %+v back, Detail byte for byte, CreatedAt in UTC", x, x.Detail, p)
		}
	}
	if _, err := s.AssessmentInsert(ctx, p); !errors.Is(err, store.ErrConflict) {
		t.Errorf("AssessmentInsert(second for message %d) error = %v, want ErrConflict", m.ID, err)
	}
}

func testQuarantine(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	p := store.QuarantineInsertParams{Channel: store.ChannelEmail, ExternalID: "<bad@x>", Reason: "charset", Raw: []byte{0xff, 0xfe}}
	q, inserted, err := s.QuarantineInsert(ctx, p)
	if err != nil || !inserted || q.ID == 0 || q.Reason != "charset" || !bytes.Equal(q.Raw, p.Raw) || q.CreatedAt.Location() != time.UTC {
		t.Fatalf("QuarantineInsert(%+v) = %+v, inserted %v, %v; want stored, inserted", p, q, inserted, err)
	}
	again := p
	again.Reason = "other"
	q2, inserted, err := s.QuarantineInsert(ctx, again)
	if err != nil || inserted || q2.ID != q.ID || q2.Reason != "charset" {
		t.Errorf("QuarantineInsert(same channel+id) = %+v, inserted %v, %v; want row %d unchanged, inserted=false", q2, inserted, err, q.ID)
	}
	for _, id := range []string{"2", "3"} {
		if _, _, err := s.QuarantineInsert(ctx, store.QuarantineInsertParams{Channel: store.ChannelSMS, ExternalID: id, Reason: "r"}); err != nil {
			t.Fatalf("QuarantineInsert(%s) error = %v", id, err)
		}
	}
	list, err := s.QuarantineList(ctx, 2)
	if err != nil || len(list) != 2 || list[0].ExternalID != "3" || list[1].ExternalID != "2" {
		t.Errorf("QuarantineList(2) = %+v, %v; want 3, 2 (newest first)", list, err)
	}
	all, err := s.QuarantineList(ctx, 0)
	if err != nil || len(all) != 3 {
		t.Errorf("QuarantineList(0) = %d rows, %v; want 3", len(all), err)
	}
}

func testMailboxCursor(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	const mb = "support@example.com/INBOX"
	if _, err := s.MailboxCursorGet(ctx, mb); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MailboxCursorGet(%q) on an empty store error = %v, want ErrNotFound", mb, err)
	}
	for _, c := range []store.MailboxCursor{
		{Mailbox: mb, UIDValidity: 1, LastUID: 10, UpdatedAt: at(0)},
		{Mailbox: mb, UIDValidity: 4294967295, LastUID: 4294967294, UpdatedAt: at(time.Hour)},
	} {
		if err := s.MailboxCursorSet(ctx, c); err != nil {
			t.Fatalf("MailboxCursorSet(%+v) error = %v", c, err)
		}
		got, err := s.MailboxCursorGet(ctx, mb)
		if err != nil || got.Mailbox != mb || got.UIDValidity != c.UIDValidity || got.LastUID != c.LastUID {
			t.Errorf("MailboxCursorGet(%q) = %+v, %v; want %+v", mb, got, err, c)
		}
		checkTime(t, "MailboxCursorGet().UpdatedAt", got.UpdatedAt, c.UpdatedAt)
	}
	if _, err := s.MailboxCursorGet(ctx, "other/INBOX"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MailboxCursorGet(other) error = %v, want ErrNotFound", err)
	}
}
