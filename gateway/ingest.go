package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/nlp"
	"github.com/triage-gw/triage/routing"
)

// recentWindow is how far back contacts count as recent (for urgency and
// the repeat-contact rule).
const recentWindow = 14 * 24 * time.Hour

// Inbound is one message from any channel, parsed into what the pipeline
// needs. Channel and ExternalID identify it: a second Ingest of the same
// pair changes nothing.
type Inbound struct {
	Channel    string // store.ChannelEmail, ChannelVoicemail, ChannelSMS
	ExternalID string
	FromAddr   string // email address or E.164 number
	FromName   string
	Subject    string
	Text       string // what the sender wrote now
	Quoted     string // an email's quoted history, taken out of Text: context for the NLP stage
	AutoKind   string // "", auto_reply, bounce, list
	SentAt     time.Time
	Raw        []byte
	// CopiedExecutives counts recipients known to be executives.
	CopiedExecutives int
	// NoWords marks a voicemail with no transcript: routing opens a
	// call-back at the policy's priority.
	NoWords bool
	// CallbackNumber is the number to call back (a voicemail's caller),
	// given to the owner in the SMS.
	CallbackNumber string
	// Recording and RecordingSeconds are a voicemail's recording (its SID,
	// played through the gateway with the account's credentials) and
	// length, noted on the case's timeline.
	Recording        string
	RecordingSeconds int
	// InReplyTo and References are an email's thread (message ids without
	// angle brackets, References oldest first): a reply joins the case
	// they name (see threadCase).
	InReplyTo  string
	References []string
	// ForwardedBy is the address that forwarded an email whose customer,
	// FromAddr, is the original sender; "" when the mail is the
	// customer's own. It is kept in the message_received event.
	ForwardedBy string
}

// IngestResult tells what happened to one inbound message.
type IngestResult struct {
	Inbound     Inbound
	MessageID   int64
	Duplicate   bool
	Quarantined bool
	Reason      string // why it was quarantined
	// Skipped says why a message was not ingested as a customer's (staff
	// mail, the gateway's own mail); "" otherwise. It is no quarantine:
	// the message is as it should be.
	Skipped       string
	Assessment    nlp.Assessment
	Plan          routing.Plan
	CaseID        int64
	Customer      string
	Notifications []store.Notification
}

// errDuplicate rolls back an ingest whose message is already stored.
var errDuplicate = errors.New("duplicate message")

// Ingest scores, routes and stores one inbound message in one transaction,
// with the jobs for its side effects. It is idempotent on (Channel,
// ExternalID). Messages may be ingested concurrently: when two from one
// customer race to open a case, the store refuses the second case and that
// message is routed again, onto the case the first one opened.
func (g *Gateway) Ingest(ctx context.Context, in Inbound) (IngestResult, error) {
	res, err := g.ingest(ctx, in)
	if errors.Is(err, store.ErrConflict) {
		g.log.Info("lost a race to open a case: routing the message again", "channel", in.Channel, "external_id", in.ExternalID)
		res, err = g.ingest(ctx, in)
	}
	return res, err
}

func (g *Gateway) ingest(ctx context.Context, in Inbound) (IngestResult, error) {
	res := IngestResult{Inbound: in}
	now := g.now().UTC()
	sit, staff, err := g.situation(ctx, in, now)
	if err != nil {
		return res, fmt.Errorf("ingest %s %s: %w", in.Channel, in.ExternalID, err)
	}
	res.Assessment = g.analyze(in, sit, staff, now)
	res.Plan = routing.Decide(g.opts.Policy, routing.Inbound{
		Channel: in.Channel, From: in.FromAddr, FromName: in.FromName, Subject: in.Subject, At: now, AutoKind: g.routedAutoKind(in),
		NoWords: in.NoWords,
	}, res.Assessment, sit)

	err = g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		return g.write(ctx, tx, &res, sit, now)
	})
	if errors.Is(err, errDuplicate) {
		return g.duplicate(in), nil
	}
	if err != nil {
		return res, fmt.Errorf("ingest %s %s: %w", in.Channel, in.ExternalID, err)
	}
	g.log.Info("message ingested", "channel", in.Channel, "external_id", in.ExternalID, "message_id", res.MessageID,
		"action", res.Plan.Action, "case_id", res.CaseID, "priority", res.Plan.Priority,
		"tone", res.Assessment.Tone.Label, "urgency", res.Assessment.Urgency.Level, "category", res.Assessment.Category.Primary,
		"sms", len(res.Notifications))
	if g.opts.OnIngest != nil {
		g.opts.OnIngest(res)
	}
	return res, nil
}

// analyze scores a message; relative dates resolve against its own date,
// or now when it has none.
func (g *Gateway) analyze(in Inbound, sit routing.Situation, staff []nlp.StaffName, now time.Time) nlp.Assessment {
	if in.NoWords {
		// Nothing the customer said to score: the subject is ours
		// ("Voicemail from …, transcription failed"), not theirs.
		return nlp.Assessment{Summary: in.Subject}
	}
	date := in.SentAt
	if date.IsZero() {
		date = now
	}
	return g.opts.Analyzer.Analyze(nlp.Input{
		Subject:          in.Subject,
		Text:             in.Text,
		Quoted:           in.Quoted,
		Channel:          nlp.Channel(in.Channel),
		Date:             date,
		Staff:            staff,
		RecentContacts:   sit.RecentContacts,
		CopiedExecutives: in.CopiedExecutives,
	})
}

// situation gathers what routing needs to know around the message.
func (g *Gateway) situation(ctx context.Context, in Inbound, now time.Time) (routing.Situation, []nlp.StaffName, error) {
	dir, names, err := g.directory(ctx)
	if err != nil {
		return routing.Situation{}, nil, err
	}
	sit := routing.Situation{Staff: dir}
	kind := store.ContactEmail
	if in.Channel != store.ChannelEmail {
		kind = store.ContactPhone
	}
	if in.FromAddr == "" {
		return sit, names, nil
	}
	thread, err := g.threadedCase(ctx, in)
	if err != nil {
		return sit, nil, err
	}
	c, err := g.store.CustomerGetByContact(ctx, kind, in.FromAddr)
	switch {
	case errors.Is(err, store.ErrNotFound) && thread != nil && thread.CustomerID != 0:
		// A reply from an address not on file (a colleague of the
		// customer's) joins the case its thread names.
		if c, err = g.store.CustomerGetByID(ctx, thread.CustomerID); err != nil {
			return sit, nil, fmt.Errorf("customer of case %d: %w", thread.ID, err)
		}
	case errors.Is(err, store.ErrNotFound):
		return sit, names, nil
	case err != nil:
		return sit, nil, fmt.Errorf("customer lookup: %w", err)
	}
	if thread != nil && thread.CustomerID != c.ID {
		thread = nil // another customer's case: the thread is not theirs
	}
	sit.Customer = &routing.Customer{ID: c.ID, Name: c.Name, Company: c.Company, Tier: c.Tier,
		AccountValueCents: c.AccountValueCents, OwnerID: c.OwnerID, OwnerSince: c.OwnerSince}
	if sit.RecentContacts, err = g.store.MessageCountSince(ctx, c.ID, now.Add(-recentWindow)); err != nil {
		return sit, nil, fmt.Errorf("recent contacts: %w", err)
	}
	if thread != nil && store.CaseActive(thread.Status) {
		sit.OpenCase = &routing.OpenCase{ID: thread.ID, OwnerID: thread.OwnerID, Priority: routing.Priority(thread.Priority),
			DueAt: thread.DueAt, RelationshipRisk: thread.RelationshipRisk, ComplainedAbout: thread.ComplainedAbout}
		return sit, names, nil
	}
	open, err := g.store.CaseGetOpenByCustomer(ctx, c.ID)
	switch {
	case err == nil:
		sit.OpenCase = &routing.OpenCase{ID: open.ID, OwnerID: open.OwnerID, Priority: routing.Priority(open.Priority),
			DueAt: open.DueAt, RelationshipRisk: open.RelationshipRisk, ComplainedAbout: open.ComplainedAbout}
		return sit, names, nil
	case !errors.Is(err, store.ErrNotFound):
		return sit, nil, fmt.Errorf("open case lookup: %w", err)
	}
	if thread != nil {
		// A reply to a resolved case: routing reopens it within the
		// reopen window.
		sit.Resolved = &routing.ResolvedCase{ID: thread.ID, OwnerID: thread.OwnerID, Priority: routing.Priority(thread.Priority),
			ResolvedAt: thread.ResolvedAt, RelationshipRisk: thread.RelationshipRisk, ComplainedAbout: thread.ComplainedAbout}
		return sit, names, nil
	}
	last, err := g.store.CaseGetLastResolvedByCustomer(ctx, c.ID)
	switch {
	case err == nil:
		sit.Resolved = &routing.ResolvedCase{ID: last.ID, OwnerID: last.OwnerID, Priority: routing.Priority(last.Priority),
			ResolvedAt: last.ResolvedAt, RelationshipRisk: last.RelationshipRisk, ComplainedAbout: last.ComplainedAbout}
	case !errors.Is(err, store.ErrNotFound):
		return sit, nil, fmt.Errorf("resolved case lookup: %w", err)
	}
	return sit, names, nil
}

// write stores the message and carries out the plan inside tx.
func (g *Gateway) write(ctx context.Context, tx store.Querier, res *IngestResult, sit routing.Situation, now time.Time) error {
	in, plan, a := res.Inbound, res.Plan, res.Assessment
	var customerID int64
	if sit.Customer != nil {
		customerID, res.Customer = sit.Customer.ID, customerLabel(sit.Customer.Name, sit.Customer.Company)
	} else if plan.Action != routing.ActionIgnore && in.FromAddr != "" {
		c, err := g.newCustomer(ctx, tx, in)
		if err != nil {
			return err
		}
		customerID, res.Customer = c.ID, customerLabel(c.Name, c.Company)
	}

	switch plan.Action {
	case routing.ActionOpenCase:
		summary := a.Summary
		if in.NoWords {
			summary = smsSummary(res)
		}
		c, err := tx.CaseInsert(ctx, store.CaseInsertParams{
			CustomerID: customerID, OwnerID: plan.OwnerID, Channel: in.Channel, ReceivedAt: receivedAt(in.SentAt, now),
			Status: store.CaseOpen, Priority: string(plan.Priority),
			Category: string(a.Category.Primary), Subject: in.Subject, Summary: summary,
			RelationshipRisk: plan.RelationshipRisk, ComplainedAbout: plan.ComplainedAbout, DueAt: plan.DueAt, OpenedAt: now,
		})
		if err != nil {
			return fmt.Errorf("open case: %w", err)
		}
		res.CaseID = c.ID
	case routing.ActionUpdateCase, routing.ActionReopenCase:
		if err := g.updateCase(ctx, tx, res, sit, now); err != nil {
			return err
		}
	case routing.ActionAttach:
		res.CaseID = plan.CaseID
	}

	msg, inserted, err := tx.MessageInsert(ctx, store.MessageInsertParams{
		Channel: in.Channel, ExternalID: in.ExternalID, CustomerID: customerID, CaseID: res.CaseID,
		FromAddr: in.FromAddr, FromName: in.FromName, Subject: in.Subject, Body: in.Text, AutoKind: in.AutoKind,
		SentAt: in.SentAt, ReceivedAt: now, Raw: in.Raw,
	})
	if err != nil {
		return fmt.Errorf("store message: %w", err)
	}
	if !inserted {
		return errDuplicate
	}
	res.MessageID = msg.ID
	if err := g.storeAssessment(ctx, tx, msg.ID, a, false); err != nil {
		return err
	}
	if res.CaseID == 0 {
		return nil
	}
	return g.carryOut(ctx, tx, res, sit, msg, now, carryNew)
}

// updateCase applies a plan that updates or reopens a case.
func (g *Gateway) updateCase(ctx context.Context, tx store.Querier, res *IngestResult, sit routing.Situation, now time.Time) error {
	plan := res.Plan
	risk := plan.RelationshipRisk
	up := store.CaseUpdateParams{ID: plan.CaseID, OwnerID: plan.OwnerID, Priority: string(plan.Priority),
		RelationshipRisk: &risk, ComplainedAbout: plan.ComplainedAbout, DueAt: plan.DueAt, UpdatedAt: now}
	if plan.Action == routing.ActionReopenCase {
		up.Status, up.ClearResolvedAt = store.CaseReopened, true
	}
	if _, err := tx.CaseUpdate(ctx, up); err != nil {
		return fmt.Errorf("update case %d: %w", plan.CaseID, err)
	}
	res.CaseID = plan.CaseID
	return nil
}

// storeAssessment stores a message's assessment; replace stores a new one
// in place of the first (a late voicemail transcript).
func (g *Gateway) storeAssessment(ctx context.Context, tx store.Querier, messageID int64, a nlp.Assessment, replace bool) error {
	detail, err := json.Marshal(a)
	if err != nil {
		return fmt.Errorf("encode assessment: %w", err)
	}
	p := store.AssessmentInsertParams{
		MessageID: messageID, ToneScore: a.Tone.Score, ToneLabel: string(a.Tone.Label), UrgencyScore: a.Urgency.Score,
		UrgencyLevel: string(a.Urgency.Level), Category: string(a.Category.Primary), IsComplaint: a.IsComplaint,
		Summary: a.Summary, Language: a.Language.Code, Detail: detail,
	}
	if replace {
		_, err = tx.AssessmentReplace(ctx, p)
	} else {
		_, err = tx.AssessmentInsert(ctx, p)
	}
	if err != nil {
		return fmt.Errorf("store assessment: %w", err)
	}
	return nil
}

// carry says whether carryOut follows a new message or a message scored
// again (a voicemail's late transcript): the latter is not received again,
// and its SMS are new ones.
type carry int

const (
	carryNew carry = iota
	carryRescore
)

// carryOut writes the case's timeline, task, notifications and timers.
func (g *Gateway) carryOut(ctx context.Context, tx store.Querier, res *IngestResult, sit routing.Situation, msg store.Message, now time.Time, mode carry) error {
	plan, a := res.Plan, res.Assessment
	tl := timeline{tx: tx, caseID: res.CaseID, at: now}
	keyPrefix := fmt.Sprintf("message:%d", msg.ID)
	if mode == carryNew {
		tl.add(ctx, "customer", "message_received", messageEvent{MessageID: msg.ID, Channel: msg.Channel, From: msg.FromAddr, Subject: msg.Subject,
			ForwardedBy: res.Inbound.ForwardedBy, Recording: res.Inbound.Recording, RecordingSeconds: res.Inbound.RecordingSeconds})
	} else {
		keyPrefix += ":rescored"
	}
	tl.add(ctx, "system", "assessed", assessedEvent{MessageID: msg.ID, Tone: string(a.Tone.Label), ToneScore: a.Tone.Score,
		Urgency: string(a.Urgency.Level), UrgencyScore: a.Urgency.Score, Category: string(a.Category.Primary),
		Summary: a.Summary, Reasons: reasons(a.Urgency.Evidence, 5)})
	switch plan.Action {
	case routing.ActionOpenCase:
		tl.add(ctx, "system", "case_opened", noteEvent{Note: plan.Reason})
	case routing.ActionAttach:
		tl.add(ctx, "system", "message_attached", noteEvent{Note: plan.Reason})
		return tl.err
	}
	for _, e := range plan.Events {
		tl.add(ctx, "system", e.Kind, noteEvent{Note: e.Note})
	}
	var taskID int64
	if plan.Action == routing.ActionUpdateCase {
		id, err := g.followCase(ctx, tx, &tl, plan)
		if err != nil {
			return err
		}
		taskID = id
	}
	if plan.Action == routing.ActionOpenCase || plan.Action == routing.ActionReopenCase {
		t, err := tx.TaskInsert(ctx, store.TaskInsertParams{CaseID: res.CaseID, Kind: store.TaskCallback, AssigneeID: plan.OwnerID,
			Status: store.TaskOpen, DueAt: plan.DueAt, Checklist: plan.Checklist, CreatedAt: now})
		if err != nil {
			return fmt.Errorf("create call-back task: %w", err)
		}
		taskID = t.ID
		tl.add(ctx, "system", "task_created", taskEvent{TaskID: t.ID, Kind: t.Kind, AssigneeID: t.AssigneeID, DueAt: t.DueAt})
		// Each opening (a reopening too) by a customer's email is
		// acknowledged once (P1 a); a late transcript is no new opening.
		if mode == carryNew {
			if err := g.queueAcknowledgement(ctx, tx, &tl, msg); err != nil {
				return err
			}
		}
	}
	if tl.err != nil {
		return tl.err
	}
	for _, n := range plan.Notices {
		notif, err := g.notify(ctx, tx, notifyParams{
			key:    fmt.Sprintf("%s:%s:%d", keyPrefix, n.Role, n.StaffID),
			caseID: res.CaseID, taskID: taskID, notice: n, dir: sit.Staff, now: now,
			sms: routing.SMSInput{CaseID: res.CaseID, Role: n.Role, Priority: plan.Priority, Customer: res.Customer,
				Summary: smsSummary(res), Tone: string(a.Tone.Label), Why: smsWhy(res), Facts: smsFacts(res), DueAt: plan.DueAt},
		})
		if err != nil {
			return err
		}
		if notif.ID != 0 {
			res.Notifications = append(res.Notifications, notif)
		}
	}
	for _, t := range plan.Timers {
		if err := tx.JobInsert(ctx, escalateJob(res.CaseID, t.Level, t.At, plan.DueAt)); err != nil {
			return fmt.Errorf("schedule escalation: %w", err)
		}
	}
	return nil
}

func (g *Gateway) newCustomer(ctx context.Context, tx store.Querier, in Inbound) (store.Customer, error) {
	p := store.CustomerUpsertParams{ExternalRef: "auto:" + in.Channel + ":" + strings.ToLower(in.FromAddr),
		Name: in.FromName, Tier: "standard"}
	if p.Name == "" {
		p.Name = in.FromAddr
		if in.Channel == store.ChannelVoicemail {
			p.Name = "Caller " + in.FromAddr
		}
	}
	if in.Channel == store.ChannelEmail {
		p.Emails = []string{in.FromAddr}
	} else {
		p.Phones = []string{in.FromAddr}
	}
	c, err := tx.CustomerUpsert(ctx, p)
	if err != nil {
		return c, fmt.Errorf("create customer for %s: %w", in.FromAddr, err)
	}
	return c, nil
}

func customerLabel(name, company string) string {
	if company != "" && company != name {
		return name + " (" + company + ")"
	}
	return name
}

// followCase keeps the case's open call-back tasks in step with a plan that
// updated the case: a new owner (a complaint about the old one, P4) takes
// them over, and an earlier due time applies to them. It returns the id of
// the open call-back task, 0 when there is none.
func (g *Gateway) followCase(ctx context.Context, tx store.Querier, tl *timeline, plan routing.Plan) (int64, error) {
	tasks, err := tx.TaskListByCase(ctx, tl.caseID)
	if err != nil {
		return 0, fmt.Errorf("list tasks of case %d: %w", tl.caseID, err)
	}
	var callback int64
	for _, t := range tasks {
		if t.Kind != store.TaskCallback || (t.Status != store.TaskOpen && t.Status != store.TaskSnoozed) {
			continue
		}
		callback = t.ID
		p := store.TaskUpdateParams{ID: t.ID, UpdatedAt: tl.at}
		if plan.OwnerID != 0 && plan.OwnerID != t.AssigneeID {
			p.AssigneeID = plan.OwnerID
		}
		if !plan.DueAt.IsZero() && plan.DueAt.Before(t.DueAt) {
			p.DueAt = plan.DueAt
		}
		if p.AssigneeID == 0 && p.DueAt.IsZero() {
			continue
		}
		u, err := tx.TaskUpdate(ctx, p)
		if err != nil {
			return 0, fmt.Errorf("update task %d: %w", t.ID, err)
		}
		tl.add(ctx, "system", "task_updated", taskEvent{TaskID: u.ID, Kind: u.Kind, AssigneeID: u.AssigneeID, DueAt: u.DueAt})
	}
	return callback, tl.err
}

// smsSummary is what the SMS says the customer said: for a voicemail with
// no transcript, that they called and left no words we could read.
func smsSummary(res *IngestResult) string {
	if res.Inbound.NoWords {
		return res.Inbound.Subject + ": listen to the recording"
	}
	return res.Assessment.Summary
}

func smsWhy(res *IngestResult) []string {
	if res.Inbound.NoWords {
		return res.Plan.PriorityReasons
	}
	return reasons(res.Assessment.Urgency.Evidence, 3)
}

// smsFacts leads with the number to call back, when there is one.
func smsFacts(res *IngestResult) []string {
	facts := keyFacts(res.Assessment.Facts, 4)
	if n := res.Inbound.CallbackNumber; n != "" {
		facts = append([]string{"call back " + n}, facts[:min(len(facts), 3)]...)
	}
	return facts
}

// maxSentSkew bounds how far before its commit a message's own date is
// believed: a Date header older than this is a wrong clock, not a lag.
const maxSentSkew = 30 * 24 * time.Hour

// receivedAt is when a message reached its server, for the audit's ingest
// lag: its date when that is plausible (not after now, not more than
// maxSentSkew before), now otherwise.
func receivedAt(sent, now time.Time) time.Time {
	if sent.IsZero() || sent.After(now) || now.Sub(sent) > maxSentSkew {
		return now
	}
	return sent.UTC()
}
