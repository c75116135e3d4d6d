package gateway_test

import (
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/gateway/store/storetest"
)

// threadCase finds a reply's case by In-Reply-To, then References newest
// first, as a stored inbound email or as one of our own outbound
// Message-IDs; a forged id of ours and unknown ids find nothing.
func TestThreadCase(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testThreadCase(t, setup(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		b := setup(t)
		b.cfg.Database.URL = storetest.PostgresSchemaURL(t)
		testThreadCase(t, b)
	})
}

func testThreadCase(t *testing.T, b *bundle) {
	ctx := t.Context()
	cfg := b.cfg
	cfg.IMAP.Enabled = false
	st := openStore(t, cfg)
	g, err := gateway.BuildWithStore(ctx, cfg, gateway.SetupOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: b.clock.now}, st)
	if err != nil {
		t.Fatalf("BuildWithStore() = %v", err)
	}
	t.Cleanup(func() { g.Close() })

	now := time.Now().UTC().Truncate(time.Second)
	newCase := func(ref string) int64 {
		t.Helper()
		c, err := st.CustomerUpsert(ctx, store.CustomerUpsertParams{ExternalRef: ref, Name: ref, Tier: "standard", Emails: []string{ref + "@customer.example"}})
		if err != nil {
			t.Fatalf("CustomerUpsert(%s) = %v", ref, err)
		}
		k, err := st.CaseInsert(ctx, store.CaseInsertParams{CustomerID: c.ID, Channel: store.ChannelEmail, Status: store.CaseOpen,
			Priority: "normal", Category: "other", Subject: "s", DueAt: now.Add(time.Hour), OpenedAt: now})
		if err != nil {
			t.Fatalf("CaseInsert(%s) = %v", ref, err)
		}
		return k.ID
	}
	inbound, outbound := newCase("T-in"), newCase("T-out")
	message := func(externalID string, caseID int64) {
		t.Helper()
		if _, _, err := st.MessageInsert(ctx, store.MessageInsertParams{Channel: store.ChannelEmail, ExternalID: externalID,
			CaseID: caseID, FromAddr: "x@customer.example", Subject: "s", Body: "b", SentAt: now, ReceivedAt: now}); err != nil {
			t.Fatalf("MessageInsert(%s) = %v", externalID, err)
		}
	}
	message("first@customer.example", inbound)
	message("nocase@customer.example", 0)
	if err := st.SettingSet(ctx, "email.message_id_tag", "tag1"); err != nil {
		t.Fatalf("SettingSet() = %v", err)
	}
	ours := fmt.Sprintf("triage.tag1.case%d.acknowledge.m7@example.com", outbound)
	if _, err := st.CaseEventInsert(ctx, store.CaseEventInsertParams{CaseID: outbound, At: now, Actor: "system", Kind: "email_sent",
		Data: fmt.Appendf(nil, `{"kind":"acknowledge","to":"x@customer.example","message_id":%q}`, ours)}); err != nil {
		t.Fatalf("CaseEventInsert() = %v", err)
	}

	for _, tc := range []struct {
		name      string
		inReplyTo string
		refs      []string
		want      int64
	}{
		{"in-reply-to an inbound message", "<first@customer.example>", nil, inbound},
		{"in-reply-to our acknowledgement", "<" + ours + ">", nil, outbound},
		{"in-reply-to beats references", ours, []string{"<first@customer.example>"}, outbound},
		{"references newest first", "unknown@x", []string{"<first@customer.example>", "<" + ours + ">"}, outbound},
		{"a message with no case does not end the search", "<nocase@customer.example>", []string{"<first@customer.example>"}, inbound},
		{"our id not on its case's timeline", fmt.Sprintf("triage.tag1.case%d.acknowledge.m7@example.com", inbound), nil, 0},
		{"another installation's tag", fmt.Sprintf("triage.tag2.case%d.acknowledge.m7@example.com", outbound), nil, 0},
		{"unknown ids", "<unknown@x>", []string{"<other@y>"}, 0},
		{"nothing", "", nil, 0},
	} {
		got, err := g.ThreadCase(ctx, tc.inReplyTo, tc.refs)
		if err != nil || got != tc.want {
			t.Errorf("%s: threadCase(%q, %q) = %d, %v; want %d", tc.name, tc.inReplyTo, tc.refs, got, err, tc.want)
		}
	}
}
