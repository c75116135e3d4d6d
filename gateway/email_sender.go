package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/triage-gw/triage/channels/mail"
	"github.com/triage-gw/triage/gateway/store"
)

// senderKind says whose mail an email is.
type senderKind int

const (
	// senderCustomer: the customer is From, as the mail says.
	senderCustomer senderKind = iota
	// senderForward: a forwarder, the shared mailbox or staff forwarded
	// a customer's mail; the customer is its original sender.
	senderForward
	// senderStaff: a staff member's own mail, not a forward.
	senderStaff
	// senderInternal: the gateway's own mail, or a forwarder's mail with
	// no original sender in it: no customer's.
	senderInternal
)

// sender is what whoSent found.
type sender struct {
	kind      senderKind
	customer  mail.Address // senderForward: the original sender
	forwarder string       // senderForward: who forwarded it
	via       string       // senderForward: where the original sender was found
	staffID   int64        // senderStaff
	reason    string       // senderInternal: why no customer's
}

// whoSent decides whose mail msg is. Only mail from a forwarder
// (Options.Forwarders: imap.forwarders and the mailbox's own address), a
// staff member, or redirected by one of them (Resent-From) is read as a
// forward, whose customer is the original sender (mail.Message.OriginalFrom);
// staff and the gateway's own addresses (Options.OwnAddresses) never
// become customers.
func (g *Gateway) whoSent(ctx context.Context, msg *mail.Message) (sender, error) {
	from := msg.From.Addr
	if from == "" || msg.Auto == mail.AutoBounce {
		return sender{kind: senderCustomer}, nil
	}
	if r := msg.ResentFrom; r != nil && r.Addr != from {
		internal, _, err := g.internal(ctx, r.Addr)
		if err != nil {
			return sender{}, err
		}
		if internal {
			// Redirected by one of ours: From is the author.
			if in, _, err := g.internal(ctx, from); err != nil || !in {
				return sender{kind: senderForward, customer: msg.From, forwarder: r.Addr, via: "Resent-From"}, err
			}
		}
	}
	internal, staffID, err := g.internal(ctx, from)
	if err != nil || !internal {
		return sender{kind: senderCustomer}, err
	}
	if o := msg.OriginalFrom; o != nil && o.Addr != "" {
		in, _, err := g.internal(ctx, o.Addr)
		if err != nil {
			return sender{}, err
		}
		if !in {
			return sender{kind: senderForward, customer: *o, forwarder: from, via: msg.OriginalFromVia}, nil
		}
	}
	switch {
	case g.own(from):
		return sender{kind: senderInternal, reason: "mail from the gateway's own address " + from}, nil
	case staffID != 0:
		return sender{kind: senderStaff, staffID: staffID}, nil
	}
	return sender{kind: senderInternal, reason: "mail from forwarding address " + from + " names no original sender"}, nil
}

// internal reports whether addr is ours: a forwarder, one of the
// gateway's own addresses, or a staff member's (with their id).
func (g *Gateway) internal(ctx context.Context, addr string) (bool, int64, error) {
	s, err := g.store.StaffGetByEmail(ctx, addr)
	switch {
	case err == nil:
		return true, s.ID, nil
	case !errors.Is(err, store.ErrNotFound):
		return false, 0, fmt.Errorf("staff lookup %s: %w", addr, err)
	}
	if g.own(addr) {
		return true, 0, nil
	}
	for _, f := range g.opts.Forwarders {
		if strings.EqualFold(strings.TrimSpace(f), addr) {
			return true, 0, nil
		}
	}
	return false, 0, nil
}

// own reports whether addr is one of the gateway's own sending addresses.
func (g *Gateway) own(addr string) bool {
	if strings.EqualFold(addr, emailAddress(g.opts.EmailFrom)) {
		return true
	}
	for _, a := range g.opts.OwnAddresses {
		if strings.EqualFold(strings.TrimSpace(a), addr) {
			return true
		}
	}
	return false
}

// staffMail handles a staff member's own mail: on the thread of an active
// case it is recorded there as staff correspondence (and audited, POLICY
// P1); otherwise it is skipped. Either way no customer is made.
func (g *Gateway) staffMail(ctx context.Context, in Inbound, msg *mail.Message, staffID int64, source string) (IngestResult, error) {
	var caseID int64
	err := g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		id, err := g.threadCase(ctx, tx, msg.InReplyTo, msg.References)
		if err != nil || id == 0 {
			return err
		}
		c, err := tx.CaseGetByID(ctx, id)
		if err != nil {
			return fmt.Errorf("case %d: %w", id, err)
		}
		if !store.CaseActive(c.Status) {
			return nil
		}
		caseID = id
		return g.staffEmail(ctx, tx, id, staffID, StaffMail{MessageID: msg.MessageID, Subject: msg.Subject,
			NewText: msg.NewText, From: msg.From.String(), SentAt: in.SentAt})
	})
	// Recorded already (a copy seen at the same moment, e.g. BCC and the
	// Sent folder): nothing more to do.
	if err = staffEmailDone(err); err != nil {
		return IngestResult{Inbound: in}, fmt.Errorf("staff mail %s: %w", source, err)
	}
	if caseID == 0 {
		return g.skip(in, fmt.Sprintf("staff mail from %s on no active case's thread", in.FromAddr)), nil
	}
	g.log.Info("staff mail recorded on its case", "source", source, "case_id", caseID, "staff_id", staffID)
	res := IngestResult{Inbound: in, CaseID: caseID, Skipped: "staff mail: recorded on the case as staff correspondence"}
	if g.opts.OnIngest != nil {
		g.opts.OnIngest(res)
	}
	return res, nil
}

// skip reports mail that is no customer's and makes no case, with why.
func (g *Gateway) skip(in Inbound, reason string) IngestResult {
	g.log.Info("mail is no customer's: not ingested", "from", in.FromAddr, "reason", reason)
	res := IngestResult{Inbound: in, Skipped: reason}
	if g.opts.OnIngest != nil {
		g.opts.OnIngest(res)
	}
	return res
}
