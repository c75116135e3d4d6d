package gateway

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/mail"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// StaffMail is an email a staff member sent on a complaint's thread, as
// the P1 audit reads it (POLICY P1: never resolve a complaint by email).
type StaffMail struct {
	// MessageID is the mail's Message-ID without angle brackets; it makes
	// the audit idempotent. "" is allowed: the mail is then known by a
	// hash of its sender, subject and text.
	MessageID string
	Subject   string
	// NewText is what the staff member wrote now: quotes and signature
	// stripped.
	NewText string
	// From is the sender as the mail gives it, "Tom <tom@example.com>".
	From string
	// SentAt is the mail's Date, or when the mailbox received it; zero
	// when unknown.
	SentAt time.Time
}

// Timeline event kinds of the P1 audit.
const (
	eventStaffEmail      = "staff_email"
	eventPolicyViolation = "policy_violation"
)

// maxStaffExcerpt bounds the excerpt of a staff mail kept on the timeline,
// in characters.
const maxStaffExcerpt = 300

// Event payloads of the P1 audit.
type (
	// staffEmailEvent is a staff member's email on a case.
	staffEmailEvent struct {
		MessageID string `json:"message_id"`
		From      string `json:"from,omitempty"`
		Subject   string `json:"subject,omitempty"`
		Excerpt   string `json:"excerpt,omitempty"`
		Kind      string `json:"kind"`
		Violation bool   `json:"violation,omitempty"`
	}
	// violationEvent is a breach of policy by a staff member; the audit
	// counts these per case.
	violationEvent struct {
		Policy    string `json:"policy"`
		StaffID   int64  `json:"staff_id"`
		Reason    string `json:"reason"`
		MessageID string `json:"message_id"`
		Kind      string `json:"kind"`
	}
)

// staffEmail audits one staff email on case caseID inside tx (POLICY P1).
// It records a staff_email event; when routing.ClassifyStaffReply finds
// the mail a violation (an answer by email on an open complaint before
// any call attempt), it also records a policy_violation event and, unless
// Options.NoP1ManagerSMS, texts the staff member's manager. A mail already
// recorded on the case (the same Message-ID) records nothing: when another
// transaction records it first (two copies audited at the same moment),
// the staff_email insert breaks the database's unique index (migration
// 0006) and staffEmail returns errStaffMailRecorded, which the caller
// turns into success after InTx has rolled back (on PostgreSQL the
// transaction cannot go on after the error).
func (g *Gateway) staffEmail(ctx context.Context, tx store.Querier, caseID, staffID int64, msg StaffMail) error {
	key := staffMailKey(msg)
	seen, err := staffEmailRecorded(ctx, tx, caseID, key)
	if err != nil || seen {
		return err
	}
	v, err := g.loadCase(ctx, tx, caseID)
	if err != nil {
		return fmt.Errorf("staff email on case %d: %w", caseID, err)
	}
	verdict := routing.ClassifyStaffReply(routing.StaffReplyInput{
		Subject: msg.Subject, Text: msg.NewText, SentAt: msg.SentAt,
		Status: v.facts.Status, FirstAttemptAt: v.facts.FirstAttemptAt,
	})
	now := g.now()
	actor := fmt.Sprintf("staff:%d", staffID)
	tl := timeline{tx: tx, caseID: caseID, at: now}
	// The staff_email event goes first: it is what the unique index
	// guards, so that a copy recorded elsewhere meanwhile stops this
	// transaction before it records a violation or texts a manager.
	tl.add(ctx, actor, eventStaffEmail, staffEmailEvent{MessageID: key, From: msg.From, Subject: msg.Subject,
		Excerpt: excerpt(msg.NewText, maxStaffExcerpt), Kind: string(verdict.Kind), Violation: verdict.Violation})
	if errors.Is(tl.err, store.ErrConflict) {
		g.log.Info("staff mail already recorded on its case by another copy", "case_id", caseID, "message_id", key)
		return fmt.Errorf("staff email on case %d: %w", caseID, errStaffMailRecorded)
	}
	if !verdict.Violation {
		return tl.err
	}
	tl.add(ctx, actor, eventPolicyViolation, violationEvent{Policy: "P1", StaffID: staffID, Reason: verdict.Reason,
		MessageID: key, Kind: string(verdict.Kind)})
	if tl.err != nil {
		return tl.err
	}
	g.log.Warn("P1 violation: a complaint was answered by email before any call",
		"case_id", caseID, "staff_id", staffID, "message_id", key, "reason", verdict.Reason)
	if g.opts.NoP1ManagerSMS {
		return nil
	}
	return g.notifyP1(ctx, tx, caseID, staffID, key, verdict.Reason, now)
}

// errStaffMailRecorded means that the staff mail being audited was
// recorded on its case by another transaction: the caller's transaction
// must roll back (it recorded nothing the other did not) and the audit
// counts as done. See staffEmailDone.
var errStaffMailRecorded = errors.New("staff mail already recorded on the case")

// staffEmailDone is err from an InTx that ran staffEmail, with
// errStaffMailRecorded (the mail was already recorded) turned into nil.
func staffEmailDone(err error) error {
	if errors.Is(err, errStaffMailRecorded) {
		return nil
	}
	return err
}

// notifyP1 texts the manager of staff member staffID that their email
// (known by key) broke P1 on case caseID. Staff without a manager are
// logged and skipped.
func (g *Gateway) notifyP1(ctx context.Context, tx store.Querier, caseID, staffID int64, key, reason string, now time.Time) error {
	dir, _, err := g.directoryIn(ctx, tx)
	if err != nil {
		return fmt.Errorf("p1 notice on case %d: %w", caseID, err)
	}
	st := dir[staffID]
	if st.ManagerID == 0 {
		g.log.Info("P1 violation not texted: the staff member has no manager", "case_id", caseID, "staff_id", staffID)
		return nil
	}
	name := st.Name
	if name == "" {
		name = fmt.Sprintf("staff %d", staffID)
	}
	body := fmt.Sprintf("P1: %s answered complaint case %d by email before any call: %s", name, caseID, reason)
	if link := g.caseLink(caseID); link != "" {
		body += "\n" + link
	}
	sum := sha256.Sum256([]byte(key))
	_, err = g.notify(ctx, tx, notifyParams{
		key: fmt.Sprintf("p1:%d:%s", caseID, hex.EncodeToString(sum[:8])), caseID: caseID,
		notice: routing.Notice{StaffID: st.ManagerID, Role: "manager", Reason: body},
		dir:    dir, body: body, now: now,
	})
	if err != nil {
		return fmt.Errorf("p1 notice on case %d: %w", caseID, err)
	}
	return nil
}

// staffMailKey is what a staff mail is known by on the timeline: its
// Message-ID, or "sha256:<hex>" of its sender, subject and text.
func staffMailKey(msg StaffMail) string {
	if msg.MessageID != "" {
		return msg.MessageID
	}
	sum := sha256.Sum256([]byte(msg.From + "\x00" + msg.Subject + "\x00" + msg.NewText))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// staffEmailRecorded reports whether case caseID's timeline holds the
// staff mail known by key.
func staffEmailRecorded(ctx context.Context, q store.Querier, caseID int64, key string) (bool, error) {
	events, err := q.CaseEventListKind(ctx, caseID, eventStaffEmail)
	if err != nil {
		return false, fmt.Errorf("staff emails of case %d: %w", caseID, err)
	}
	for _, e := range events {
		var se staffEmailEvent
		if err := json.Unmarshal(e.Data, &se); err != nil {
			return false, fmt.Errorf("case %d event %d: %w", caseID, e.ID, err)
		}
		if se.MessageID == key {
			return true, nil
		}
	}
	return false, nil
}

// excerpt is s on one line, cut to at most n characters.
func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// SentMailSink returns the imap.Sink through which a poller of the shared
// mailbox's Sent folder (imap.sent_mailbox) hands staff mail to the P1
// audit; its cursor lives in the store, keyed by account and mailbox as
// the inbox's is. Every message there is taken as staff mail: one from a
// staff address, threaded (In-Reply-To, References) to an active case and
// sent to someone outside the staff, is audited with staffEmail, as staff
// mail reaching the inbox is. Anything else is logged and skipped. Call it
// once per poller.
//
// Like MailboxSink, a message whose audit fails is tried again by the
// poller, and after maxIngestAttempts failures in a row (or a panic) it is
// quarantined so that it cannot hold back the folder.
func (g *Gateway) SentMailSink() imap.Sink {
	return &mailboxSink{g: g, what: "sent mail audit", failures: make(map[string]int),
		handle: func(ctx context.Context, m imap.RawMessage, source string) error {
			return g.auditSentMail(ctx, m.Body, source, m.InternalDate)
		}}
}

// auditSentMail audits one message of the Sent folder, raw, received by
// the mailbox at arrived (zero when unknown).
func (g *Gateway) auditSentMail(ctx context.Context, raw []byte, source string, arrived time.Time) error {
	msg, err := mail.Parse(bytes.NewReader(raw), mail.Options{Now: g.now})
	if err != nil {
		_, err = g.quarantine(ctx, store.ChannelEmail, source, "sent mail: "+parseReason(err), raw)
		return err
	}
	log := g.log.With("source", source, "message_id", msg.MessageID)
	staff, err := g.store.StaffGetByEmail(ctx, msg.From.Addr)
	switch {
	case errors.Is(err, store.ErrNotFound):
		log.Info("sent mail skipped: the sender is not staff", "from", msg.From.Addr)
		return nil
	case err != nil:
		return fmt.Errorf("sent mail: look up staff %q: %w", msg.From.Addr, err)
	}
	if msg.Forwarded {
		log.Info("sent mail skipped: a forward, not a reply", "staff_id", staff.ID)
		return nil
	}
	internal, err := g.toStaffOnly(ctx, msg)
	if err != nil || internal {
		if internal {
			log.Info("sent mail skipped: sent to staff only", "staff_id", staff.ID)
		}
		return err
	}
	sm := StaffMail{MessageID: msg.MessageID, Subject: msg.Subject, NewText: msg.NewText, From: msg.From.String(), SentAt: msg.Date}
	if strings.TrimSpace(sm.NewText) == "" {
		sm.NewText = msg.Text
	}
	sm.NewText = clipText(sm.NewText, mail.MaxSplitText)
	if sm.SentAt.IsZero() {
		sm.SentAt = arrived
	}
	return staffEmailDone(g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		caseID, err := g.threadCase(ctx, tx, msg.InReplyTo, msg.References)
		if err != nil {
			return err
		}
		if caseID == 0 {
			log.Info("sent mail skipped: on no case's thread", "staff_id", staff.ID)
			return nil
		}
		c, err := tx.CaseGetByID(ctx, caseID)
		if err != nil {
			return fmt.Errorf("sent mail: case %d: %w", caseID, err)
		}
		if !store.CaseActive(c.Status) {
			log.Info("sent mail skipped: its case is no longer active", "case_id", caseID, "staff_id", staff.ID)
			return nil
		}
		return g.staffEmail(ctx, tx, caseID, staff.ID, sm)
	}))
}

// toStaffOnly reports whether every recipient of msg is staff: internal
// mail, not an answer to a customer. A mail without recipients (Bcc only)
// is not.
func (g *Gateway) toStaffOnly(ctx context.Context, msg *mail.Message) (bool, error) {
	rcpts := append(append([]mail.Address(nil), msg.To...), msg.Cc...)
	if len(rcpts) == 0 {
		return false, nil
	}
	for _, a := range rcpts {
		_, err := g.store.StaffGetByEmail(ctx, a.Addr)
		switch {
		case errors.Is(err, store.ErrNotFound):
			return false, nil
		case err != nil:
			return false, fmt.Errorf("sent mail: look up staff %q: %w", a.Addr, err)
		}
	}
	return true, nil
}
