package gateway

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/triage-gw/triage/gateway/store"
)

// maxThreadIDs bounds how many of a message's In-Reply-To and References
// ids are looked up: the sender controls them, and the newest few are the
// ones that name the thread.
const maxThreadIDs = 20

// threadCase returns the case that a reply with the given In-Reply-To and
// References (message ids with or without angle brackets, References
// oldest first as in the header) belongs to, or 0 when none is known. The
// case may be active or resolved: the caller decides what a reply to a
// resolved case does.
//
// In-Reply-To is tried first, then References newest first. Each id is
// looked up
//   - as one of our own outbound Message-IDs: the acknowledgement and the
//     voicemail note name their case (see emailMessageID), and the id
//     counts only when that case's timeline holds an email_sent with
//     exactly that Message-ID, so a forged id names no case;
//   - as a stored inbound email's external id. A reused Message-ID is
//     stored under "<id> sha256:…" for the second and later messages (see
//     emailExternalID); the first message is always stored under the bare
//     id, and that is the one looked up.
//
// A message that is stored but opened no case (ignored, automatic) does
// not end the search: an older id may still name a case.
func (g *Gateway) threadCase(ctx context.Context, q store.Querier, inReplyTo string, references []string) (caseID int64, err error) {
	ids := make([]string, 0, 1+len(references))
	ids = append(ids, inReplyTo)
	for i := len(references) - 1; i >= 0; i-- {
		ids = append(ids, references[i])
	}
	seen := make(map[string]bool, len(ids))
	looked := 0
	for _, id := range ids {
		id = bareMsgID(id)
		if id == "" || seen[id] {
			continue
		}
		if looked++; looked > maxThreadIDs {
			break
		}
		seen[id] = true
		caseID, err := g.outboundCase(ctx, q, id)
		if err != nil || caseID != 0 {
			return caseID, err
		}
		m, err := q.MessageGetByExternalID(ctx, store.ChannelEmail, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			return 0, fmt.Errorf("thread: look up message %q: %w", id, err)
		case m.CaseID != 0:
			return m.CaseID, nil
		}
	}
	return 0, nil
}

// outboundCase returns the case of the email we sent with Message-ID id,
// or 0 when id is not one of ours.
func (g *Gateway) outboundCase(ctx context.Context, q store.Querier, id string) (int64, error) {
	caseID, ok := ownMsgIDCase(id)
	if !ok {
		return 0, nil
	}
	tag, err := q.SettingGet(ctx, messageIDTagSetting)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return 0, nil // no email was ever sent
	case err != nil:
		return 0, fmt.Errorf("thread: message id tag: %w", err)
	case !strings.HasPrefix(id, "triage."+tag+"."):
		return 0, nil
	}
	events, err := q.CaseEventListKind(ctx, caseID, "email_sent")
	if err != nil {
		return 0, fmt.Errorf("thread: emails of case %d: %w", caseID, err)
	}
	if !sentWith(events, id) {
		return 0, nil
	}
	return caseID, nil
}

// ownMsgIDCase reads the case number out of a Message-ID of the form
// emailMessageID makes, "triage.<tag>.case<N>.<kind>.<cause>@<domain>".
func ownMsgIDCase(id string) (int64, bool) {
	local, _, ok := strings.Cut(id, "@")
	if !ok {
		return 0, false
	}
	parts := strings.Split(local, ".")
	if len(parts) != 5 || parts[0] != "triage" || !strings.HasPrefix(parts[2], "case") {
		return 0, false
	}
	n, err := strconv.ParseInt(strings.TrimPrefix(parts[2], "case"), 10, 64)
	if err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// bareMsgID is a message id without surrounding space and angle brackets.
func bareMsgID(id string) string {
	id = strings.TrimSpace(id)
	return strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
}

// threadedCase is the case an inbound email's thread names (see
// threadCase), nil when it names none.
func (g *Gateway) threadedCase(ctx context.Context, in Inbound) (*store.Case, error) {
	if in.Channel != store.ChannelEmail || (in.InReplyTo == "" && len(in.References) == 0) {
		return nil, nil
	}
	id, err := g.threadCase(ctx, g.store, in.InReplyTo, in.References)
	if err != nil || id == 0 {
		return nil, err
	}
	c, err := g.store.CaseGetByID(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("thread: case %d: %w", id, err)
	}
	return &c, nil
}
