package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// errDuplicateWebhook rolls back the handling of a webhook that was already
// handled: its first answer is given again and nothing changes.
var errDuplicateWebhook = errors.New("webhook already handled")

// inboundSMS handles a staff member's SMS reply: a command on a case
// (routing.ParseCommand), STOP/START, or HELP. It answers with TwiML
// <Message> (none for STOP: Twilio confirms it). Unknown numbers, strangers
// to the case and malformed commands get a short reply saying why, and
// nothing changes. A repeated delivery (same MessageSid) is answered as the
// first one was and changes nothing.
func (g *Gateway) inboundSMS(w http.ResponseWriter, r *http.Request, form url.Values) {
	in, err := twilio.ParseInboundSMS(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	reply, err := g.HandleCommand(r.Context(), in)
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	doc, err := twilio.MessageTwiML(nonEmpty(reply)...)
	g.answerTwiML(w, r, doc, err)
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// CommandResult is what one staff SMS did, for OnCommand.
type CommandResult struct {
	From    string
	Text    string
	Reply   string
	CaseID  int64
	Command routing.CommandKind
	Refused bool
}

// HandleCommand carries out one inbound SMS from a staff member and returns
// the reply to send back ("" for none). It is idempotent on the message's
// SID.
func (g *Gateway) HandleCommand(ctx context.Context, in twilio.InboundSMS) (string, error) {
	now := g.now().UTC()
	res := CommandResult{From: in.From, Text: in.Body}
	dir, _, err := g.directory(ctx)
	if err != nil {
		return "", err
	}
	var notifs []store.Notification
	err = g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		res.Reply, res.CaseID, res.Command, res.Refused, notifs = "", 0, "", false, nil
		var err error
		notifs, err = g.command(ctx, tx, in, dir, now, &res)
		if err != nil {
			return err
		}
		_, inserted, err := tx.WebhookReceiptInsert(ctx, store.WebhookReceipt{Kind: "sms", Key: in.MessageSID, Response: res.Reply, ReceivedAt: now})
		if err != nil {
			return fmt.Errorf("record sms %s: %w", in.MessageSID, err)
		}
		if !inserted {
			return errDuplicateWebhook
		}
		return nil
	})
	if errors.Is(err, errDuplicateWebhook) {
		stored, _, rerr := g.store.WebhookReceiptInsert(ctx, store.WebhookReceipt{Kind: "sms", Key: in.MessageSID})
		if rerr != nil {
			return "", fmt.Errorf("read answer to sms %s: %w", in.MessageSID, rerr)
		}
		g.log.Info("repeated sms webhook: answered as before, nothing changed", "message_sid", in.MessageSID)
		return stored.Response, nil
	}
	if err != nil {
		return "", fmt.Errorf("sms command %s: %w", in.MessageSID, err)
	}
	g.log.Info("sms command", "message_sid", in.MessageSID, "case_id", res.CaseID, "command", res.Command, "refused", res.Refused, "sms", len(notifs))
	if g.opts.OnCommand != nil {
		g.opts.OnCommand(res)
	}
	return res.Reply, nil
}

// command decides and carries out one SMS inside tx.
func (g *Gateway) command(ctx context.Context, tx store.Querier, in twilio.InboundSMS, dir routing.Directory, now time.Time, res *CommandResult) ([]store.Notification, error) {
	from, err := twilio.NormalizeE164(in.From, "")
	if err != nil {
		from = in.From
	}
	staff, err := tx.StaffGetByPhone(ctx, from)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !staff.Active) {
		res.Refused = true
		res.Reply = "This number is not on the support team's staff list, so nothing was changed."
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look up sender: %w", err)
	}
	cmd, err := routing.ParseCommand(in.Body)
	if ce, ok := errors.AsType[*routing.CommandError](err); ok {
		res.Refused, res.Reply = true, ce.Reason
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	res.Command = cmd.Kind
	switch cmd.Kind {
	case routing.CommandStop, routing.CommandStart:
		if _, err := tx.StaffSetSMSOptOut(ctx, staff.ID, cmd.Kind == routing.CommandStop); err != nil {
			return nil, err
		}
		res.Reply = routing.OptOutReply(cmd.Kind)
		return nil, nil
	case routing.CommandHelp:
		res.Reply = routing.HelpText()
		return nil, nil
	}
	if cmd.CaseID == 0 {
		id, reply, err := onlyOpenCase(ctx, tx, staff.ID, cmd.Kind)
		if err != nil || reply != "" {
			res.Refused, res.Reply = true, reply
			return nil, err
		}
		cmd.CaseID = id
	}
	res.CaseID = cmd.CaseID
	out, notifs, err := g.actOnCase(ctx, tx, staff.ID, cmd, dir, now, "sms:"+in.MessageSID,
		func(tl *timeline, out routing.Outcome) {
			tl.add(ctx, staffActor(staff.ID), "sms_command", commandEvent{MessageSID: in.MessageSID, From: from, Text: in.Body, Command: string(cmd.Kind), Reply: out.Reply})
		})
	res.Refused, res.Reply = out.Refused, out.Reply
	return notifs, err
}

// actOnCase runs a staff member's command on case cmd.CaseID inside tx:
// the policy decides (routing.Act), record writes how the command came
// (an SMS, the dashboard) on the timeline, and the outcome is carried out.
// A refusal, including an unknown case, is an Outcome with Refused set and
// the reason in Reply; callKey makes a CALL's call idempotent.
func (g *Gateway) actOnCase(ctx context.Context, tx store.Querier, staffID int64, cmd routing.Command, dir routing.Directory, now time.Time,
	callKey string, record func(*timeline, routing.Outcome)) (routing.Outcome, []store.Notification, error) {
	v, err := g.loadCase(ctx, tx, cmd.CaseID)
	if errors.Is(err, store.ErrNotFound) {
		return routing.Outcome{Refused: true, Reply: fmt.Sprintf("There is no case %d.", cmd.CaseID)}, nil, nil
	}
	if err != nil {
		return routing.Outcome{}, nil, err
	}
	out := routing.Act(g.opts.Policy, v.facts, staffID, cmd, dir, now)
	if out.Refused {
		return out, nil, nil
	}
	actor := staffActor(staffID)
	tl := timeline{tx: tx, caseID: v.c.ID, at: now}
	record(&tl, out)
	if tl.err != nil {
		return out, nil, tl.err
	}
	notifs, err := g.apply(ctx, tx, v, out, applyParams{actor: actor, dir: dir, now: now})
	if err != nil {
		return out, nil, err
	}
	if out.PlaceCall {
		if err := g.queueCall(ctx, tx, v, staffID, actor, callKey, now); err != nil {
			return out, nil, err
		}
	}
	return out, notifs, nil
}

// onlyOpenCase finds the one active case a staff member owns, for a
// command sent without a case number; otherwise it returns a reply that
// says why it cannot choose.
func onlyOpenCase(ctx context.Context, q store.Querier, staffID int64, kind routing.CommandKind) (int64, string, error) {
	active := store.ActiveStatuses()
	if kind == routing.CommandDone || kind == routing.CommandUnhappy {
		active = append(active, store.CaseResolved)
	}
	cases, err := q.CaseList(ctx, store.CaseListParams{OwnerID: staffID, Status: active, Limit: 6})
	if err != nil {
		return 0, "", fmt.Errorf("cases of staff %d: %w", staffID, err)
	}
	if len(cases) > 1 {
		// A resolved case counts only when nothing is active.
		var live []store.Case
		for _, c := range cases {
			if store.CaseActive(c.Status) {
				live = append(live, c)
			}
		}
		if len(live) > 0 {
			cases = live
		}
	}
	word := strings.ToUpper(string(kind))
	switch len(cases) {
	case 0:
		return 0, "You have no open case. Add the case number, like " + word + " 12.", nil
	case 1:
		return cases[0].ID, "", nil
	}
	nums := make([]int64, 0, len(cases))
	for _, c := range cases[:min(len(cases), 5)] {
		nums = append(nums, c.ID)
	}
	slices.Sort(nums)
	ids := make([]string, len(nums))
	for i, n := range nums {
		ids[i] = fmt.Sprint(n)
	}
	return 0, fmt.Sprintf("You have several cases (%s): add the number, like %s %s.", strings.Join(ids, ", "), word, ids[0]), nil
}
