package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/mail"
	"github.com/triage-gw/triage/gateway/store"
)

// IngestEmail parses one raw RFC 5322 message and ingests it. Mail that
// cannot be parsed is quarantined with the reason, under source (e.g.
// "imap:support@example.com/INBOX:7:42"), and is not an error: intake
// moves on.
func (g *Gateway) IngestEmail(ctx context.Context, raw []byte, source string) (IngestResult, error) {
	msg, err := mail.Parse(bytes.NewReader(raw), mail.Options{})
	if err != nil {
		return g.quarantine(ctx, store.ChannelEmail, source, parseReason(err), raw)
	}
	id := msg.MessageID
	if id == "" {
		sum := sha256.Sum256(raw)
		id = "sha256:" + hex.EncodeToString(sum[:])
	}
	text := msg.NewText
	if strings.TrimSpace(text) == "" {
		text = msg.Text
	}
	return g.Ingest(ctx, Inbound{
		Channel: store.ChannelEmail, ExternalID: id,
		FromAddr: msg.From.Addr, FromName: msg.From.Name, Subject: msg.Subject, Text: text,
		AutoKind: string(msg.Auto), SentAt: msg.Date, Raw: raw,
	})
}

func parseReason(err error) string {
	if pe, ok := errors.AsType[*mail.ParseError](err); ok && pe.Reason != "" {
		return pe.Reason
	}
	return err.Error()
}

// quarantine keeps input that could not be processed, with its reason.
func (g *Gateway) quarantine(ctx context.Context, channel, externalID, reason string, raw []byte) (IngestResult, error) {
	res := IngestResult{Inbound: Inbound{Channel: channel, ExternalID: externalID}, Quarantined: true, Reason: reason}
	_, inserted, err := g.store.QuarantineInsert(ctx, store.QuarantineInsertParams{Channel: channel, ExternalID: externalID, Reason: reason, Raw: raw})
	if err != nil {
		return res, fmt.Errorf("quarantine %s %s: %w", channel, externalID, err)
	}
	if inserted {
		g.log.Warn("input quarantined", "channel", channel, "external_id", externalID, "reason", reason)
	}
	if g.opts.OnIngest != nil && inserted {
		g.opts.OnIngest(res)
	}
	return res, nil
}

// MailboxSink returns the imap.Sink through which a mailbox poller hands
// mail to the gateway; its cursor lives in the store.
func (g *Gateway) MailboxSink() imap.Sink { return mailboxSink{g} }

type mailboxSink struct{ g *Gateway }

func (s mailboxSink) Cursor(ctx context.Context, mailbox string) (imap.Cursor, error) {
	c, err := s.g.store.MailboxCursorGet(ctx, mailbox)
	if errors.Is(err, store.ErrNotFound) {
		return imap.Cursor{}, nil
	}
	if err != nil {
		return imap.Cursor{}, fmt.Errorf("mailbox cursor %s: %w", mailbox, err)
	}
	return imap.Cursor{UIDValidity: c.UIDValidity, LastUID: c.LastUID}, nil
}

func (s mailboxSink) SaveCursor(ctx context.Context, mailbox string, c imap.Cursor) error {
	return s.g.store.MailboxCursorSet(ctx, store.MailboxCursor{Mailbox: mailbox, UIDValidity: c.UIDValidity, LastUID: c.LastUID, UpdatedAt: s.g.now().UTC()})
}

func (s mailboxSink) Deliver(ctx context.Context, m imap.RawMessage) error {
	source := fmt.Sprintf("imap:%s:%d:%d", m.Mailbox, m.UIDValidity, m.UID)
	if m.Truncated {
		_, err := s.g.quarantine(ctx, store.ChannelEmail, source,
			fmt.Sprintf("message of %d bytes is over the size limit: only its first %d bytes were fetched", m.Size, len(m.Body)), m.Body)
		return err
	}
	_, err := s.g.IngestEmail(ctx, m.Body, source)
	return err
}
