package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/channels/smtp"
	"github.com/triage-gw/triage/configs"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// EmailSender sends one customer email. *smtp.Sender implements it; an
// error for which smtp.IsPermanent is true means that sending the same
// email again cannot succeed.
type EmailSender interface {
	Send(ctx context.Context, e smtp.Email) error
}

// emailKinds are the two customer emails, as configs names their files.
func emailKinds() []string {
	return []string{string(routing.EmailAcknowledge), string(routing.EmailVoicemailLeft)}
}

// LoadEmailTemplates reads the customer email templates: from dir
// (email.templates_dir) where it holds them, else the embedded defaults.
// Each must parse, define "subject" and "body", and execute on sample
// input; an error names the file. An optional <kind>.html.tmpl in dir,
// defining "body", adds an HTML alternative, checked the same way. A
// template of the operator's that mentions a resolution (a refund, credit,
// discount, compensation or replacement, which POLICY P1 keeps out of
// email) is logged as a warning.
func LoadEmailTemplates(dir string, log *slog.Logger) (routing.EmailTemplates, error) {
	files, err := configs.ParseEmailTemplates(dir, emailKinds())
	if err != nil {
		return nil, fmt.Errorf("email templates: %w", err)
	}
	out := make(routing.EmailTemplates, len(files))
	for _, f := range files {
		out[routing.EmailKind(f.Kind)] = routing.EmailTemplate{Text: f.Text, HTML: f.HTML}
		if f.Custom {
			warnEmailTemplate(log, f.Kind, f.File, f.Source)
		}
		if f.HTML != nil {
			warnEmailTemplate(log, f.Kind, f.HTMLFile, f.HTMLSource)
		}
	}
	if err := routing.CheckEmailTemplates(out); err != nil {
		return nil, fmt.Errorf("email templates: %w", err)
	}
	return out, nil
}

// warnEmailTemplate logs an operator's template, with a warning when it
// mentions a resolution.
func warnEmailTemplate(log *slog.Logger, kind, file, source string) {
	log.Info("email template from the operator", "kind", kind, "file", file)
	if words := routing.ResolutionWords(source); len(words) > 0 {
		log.Warn("email template mentions a resolution, which POLICY P1 keeps out of customer email",
			"file", file, "words", words)
	}
}

// ackSkipReason is why an acknowledgement is skipped (email_skipped).
const ackSkipReason = "acknowledged within the window"

// queueAcknowledgement queues the acknowledgement (POLICY P1 a) of msg,
// which has just opened or reopened tl's case, with an email_queued event:
// once per opening, and only for a customer's own email (not a voicemail,
// not automatic mail, not the gateway's own address). A customer
// acknowledged within Options.AckWindow gets none: email_skipped says so.
func (g *Gateway) queueAcknowledgement(ctx context.Context, tx store.Querier, tl *timeline, msg store.Message) error {
	if msg.Channel != store.ChannelEmail || msg.AutoKind != "" || msg.FromAddr == "" ||
		strings.EqualFold(msg.FromAddr, emailAddress(g.opts.EmailFrom)) {
		return nil
	}
	recent, err := g.acknowledgedWithin(ctx, tx, msg.CustomerID, tl.at)
	if err != nil {
		return err
	}
	if recent {
		tl.add(ctx, "system", "email_skipped", emailEvent{Kind: emailAcknowledge, To: msg.FromAddr, Error: ackSkipReason})
		return tl.err
	}
	tl.add(ctx, "system", "email_queued", emailEvent{Kind: emailAcknowledge, To: msg.FromAddr})
	if tl.err != nil {
		return tl.err
	}
	if err := tx.JobInsert(ctx, acknowledgeJob(tl.caseID, msg.ID)); err != nil {
		return fmt.Errorf("queue acknowledgement email: %w", err)
	}
	return nil
}

// acknowledgedWithin reports whether the customer was sent an
// acknowledgement, on any of their cases, in the AckWindow before now, or
// has one queued then and not yet sent or given up. Always false with no
// window or no known customer.
func (g *Gateway) acknowledgedWithin(ctx context.Context, q store.Querier, customerID int64, now time.Time) (bool, error) {
	if g.opts.AckWindow <= 0 || customerID == 0 {
		return false, nil
	}
	events, err := q.CaseEventListByCustomer(ctx, store.CaseEventListByCustomerParams{CustomerID: customerID,
		Kinds: []string{"email_queued", "email_sent", "email_not_sent", "email_failed"}, Since: now.Add(-g.opts.AckWindow)})
	if err != nil {
		return false, fmt.Errorf("recent emails of customer %d: %w", customerID, err)
	}
	pending := map[int64]bool{} // case → an acknowledgement queued, no outcome yet
	for _, e := range events {
		var d emailEvent
		if json.Unmarshal(e.Data, &d) != nil || d.Kind != emailAcknowledge {
			continue
		}
		switch e.Kind {
		case "email_sent":
			return true, nil
		case "email_queued":
			pending[e.CaseID] = true
		default: // not sent, failed: the customer got nothing
			pending[e.CaseID] = false
		}
	}
	for _, p := range pending {
		if p {
			return true, nil
		}
	}
	return false, nil
}

// customerEmailWorker sends the two customer emails the policy allows
// (P1): the acknowledgement and the voicemail note. Each attempt is an
// event on the case's timeline: email_sent (with the recipient and the
// Message-ID, so that replies can be threaded back), email_retry,
// email_failed, or email_not_sent with the reason (SMTP is off, the case
// was resolved meanwhile, a call was attempted before the acknowledgement
// could go, no address is known).
//
// An email is sent at most once per cause: its Message-ID is derived from
// the job's cause (the message acknowledged, the call that reached
// voicemail), and a job that finds an email_sent with that Message-ID on
// the timeline does not send again. The one gap is a crash, or a lost
// answer, after the relay took the message and before email_sent was
// committed: SMTP has no way to ask what was delivered, so that email goes
// out twice, with the same Message-ID, which lets the customer's mail
// system fold the copies into one. A lost email would be worse.
type customerEmailWorker struct {
	river.WorkerDefaults[CustomerEmailArgs]
	g *Gateway
}

// emailAttemptEvent is one attempt at a customer email, on the timeline.
type emailAttemptEvent struct {
	Kind      string `json:"kind"`
	To        string `json:"to,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	Attempt   int    `json:"attempt,omitempty"`
	Error     string `json:"error,omitempty"`
}

func (w *customerEmailWorker) Work(ctx context.Context, job *river.Job[CustomerEmailArgs]) error {
	g, a := w.g, job.Args
	log := g.log.With("case_id", a.CaseID, "email", a.What, "job_id", job.ID, "attempt", job.Attempt)
	if !routing.EmailKind(a.What).Known() {
		return river.JobCancel(fmt.Errorf("unknown customer email %q", a.What))
	}
	ev := emailAttemptEvent{Kind: a.What, Attempt: job.Attempt}
	if g.opts.Email == nil {
		log.Info("smtp is not enabled: customer email not sent")
		ev.Error = "smtp is not enabled"
		return g.emailOutcome(ctx, a.CaseID, "email_not_sent", ev)
	}
	e, err := g.composeCustomerEmail(ctx, a, job.ID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("%s email for case %d: %w", a.What, a.CaseID, err))
	}
	if err != nil {
		return fmt.Errorf("compose %s email for case %d: %w", a.What, a.CaseID, err)
	}
	ev.To, ev.MessageID = e.to, e.email.MessageID
	log = log.With("message_id", e.email.MessageID)
	switch {
	case e.sent:
		log.Info("customer email already sent by an earlier attempt: not sent again")
		return nil
	case e.skip != "":
		log.Info("customer email not sent", "reason", e.skip)
		ev.Error = e.skip
		return g.emailOutcome(ctx, a.CaseID, "email_not_sent", ev)
	}

	if err := g.opts.Email.Send(ctx, e.email); err != nil {
		ev.Error = err.Error()
		if smtp.IsPermanent(err) {
			log.Error("customer email refused for good", "err", err)
			if oerr := g.emailOutcome(ctx, a.CaseID, "email_failed", ev); oerr != nil {
				return oerr
			}
			return river.JobCancel(err)
		}
		kind := "email_retry"
		if job.Attempt >= job.MaxAttempts {
			kind = "email_failed" // River gives up after this attempt
		}
		log.Warn("customer email not sent", "err", err, "outcome", kind)
		if oerr := g.emailOutcome(ctx, a.CaseID, kind, ev); oerr != nil {
			return oerr
		}
		return fmt.Errorf("send %s email for case %d: %w", a.What, a.CaseID, err)
	}
	log.Info("customer email sent")
	return g.emailOutcome(ctx, a.CaseID, "email_sent", ev)
}

// emailOutcome records an attempt on the case's timeline. An email_sent
// already there for the same Message-ID is not written twice.
func (g *Gateway) emailOutcome(ctx context.Context, caseID int64, kind string, ev emailAttemptEvent) error {
	now := g.now().UTC()
	return g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		if kind == "email_sent" {
			events, err := tx.CaseEventListKind(ctx, caseID, kind)
			if err != nil {
				return fmt.Errorf("timeline of case %d: %w", caseID, err)
			}
			if sentWith(events, ev.MessageID) {
				return nil
			}
		}
		tl := timeline{tx: tx, caseID: caseID, at: now}
		tl.add(ctx, "system", kind, ev)
		return tl.err
	})
}

// sentWith reports whether events hold an email_sent of messageID.
func sentWith(events []store.CaseEvent, messageID string) bool {
	for _, e := range events {
		if e.Kind != "email_sent" {
			continue
		}
		var d emailAttemptEvent
		if json.Unmarshal(e.Data, &d) == nil && d.MessageID == messageID {
			return true
		}
	}
	return false
}

// customerEmail is a customer email ready to send, or the reason it is not.
type customerEmail struct {
	email smtp.Email
	to    string // the recipient's address
	sent  bool   // an earlier attempt sent it: nothing to do
	skip  string // why it is not to be sent; "" to send it
}

// composeCustomerEmail reads the case and words the email a asks for.
// Reads go straight to the store: the send happens outside any
// transaction, and the outcome is written in one of its own.
func (g *Gateway) composeCustomerEmail(ctx context.Context, a CustomerEmailArgs, jobID int64) (customerEmail, error) {
	var out customerEmail
	c, err := g.store.CaseGetByID(ctx, a.CaseID)
	if err != nil {
		return out, err
	}
	events, err := g.store.CaseEventList(ctx, c.ID)
	if err != nil {
		return out, fmt.Errorf("timeline of case %d: %w", c.ID, err)
	}
	id, err := g.emailMessageID(ctx, a, jobID)
	if err != nil {
		return out, err
	}
	out.email.MessageID = id
	if sentWith(events, id) {
		out.sent = true
		return out, nil
	}
	if !store.CaseActive(c.Status) {
		out.skip = fmt.Sprintf("the case is %s: no call to arrange", c.Status)
		return out, nil
	}
	if a.What == emailAcknowledge && callAttemptedSince(events) {
		// The acknowledgement asks when to call; a call has come first
		// (after a voicemail, the other email says what is needed).
		out.skip = "a call was attempted before the acknowledgement could go"
		return out, nil
	}

	// The customer's email this one answers: the message acknowledged, or
	// for the voicemail note the customer's latest email on the case.
	var parent store.Message
	parentID := a.MessageID
	if parentID == 0 {
		parentID = latestEmail(events)
	}
	if parentID != 0 {
		if parent, err = g.store.MessageGetByID(ctx, parentID); err != nil {
			return out, fmt.Errorf("message %d of case %d: %w", parentID, c.ID, err)
		}
	}
	var customer store.Customer
	if c.CustomerID != 0 {
		if customer, err = g.store.CustomerGetByID(ctx, c.CustomerID); err != nil {
			return out, fmt.Errorf("customer of case %d: %w", c.ID, err)
		}
	}
	out.to = strings.TrimSpace(parent.FromAddr)
	if out.to == "" && len(customer.Emails) > 0 {
		out.to = customer.Emails[0]
	}
	if out.to == "" {
		out.skip = "no email address is known for the customer"
		return out, nil
	}
	name := nonBlank(parent.FromName, customer.Name)

	callerID, callBy := c.OwnerID, time.Time{}
	switch a.What {
	case emailAcknowledge:
		callBy = c.DueAt
	case emailVoicemailLeft:
		if callerID, err = g.voicemailCaller(ctx, a, events, c.OwnerID); err != nil {
			return out, err
		}
		callBy = nextRetry(events)
	}
	in := routing.CustomerEmailInput{CaseID: c.ID, Customer: name, Subject: parent.Subject, Phone: g.opts.Twilio.From,
		Business: emailDisplayName(g.opts.EmailFrom)}
	loc := time.UTC
	if callerID != 0 {
		st, err := g.store.StaffGetByID(ctx, callerID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return out, fmt.Errorf("staff %d: %w", callerID, err)
		}
		if err == nil {
			in.Caller, loc = firstName(st.Name), g.zones.get(st.TimeZone)
		}
	}
	if callBy.After(g.now()) {
		in.CallBy = callBy.In(loc)
	}
	if link := g.SlotLink(c.ID); strings.HasPrefix(link, "https://") || strings.HasPrefix(link, "http://") {
		in.SlotLink = link
	}
	worded, err := routing.CustomerEmail(g.opts.EmailTemplates, routing.EmailKind(a.What), in)
	if err != nil {
		return out, fmt.Errorf("word the email: %w", err)
	}

	out.email.To = []string{recipient(name, out.to)}
	out.email.Subject, out.email.Text, out.email.HTML = worded.Subject, worded.Text, worded.HTML
	out.email.Headers = map[string]string{
		// RFC 3834: automatic mail, which auto-responders must not answer.
		"Auto-Submitted":           "auto-generated",
		"X-Auto-Response-Suppress": "All",
	}
	if a.What == emailAcknowledge {
		out.email.Headers["Auto-Submitted"] = "auto-replied"
	}
	if parentMsgID, refs := threadIDs(parent); parentMsgID != "" {
		out.email.Headers["In-Reply-To"] = "<" + parentMsgID + ">"
		out.email.Headers["References"] = "<" + strings.Join(append(refs, parentMsgID), "> <") + ">"
	}
	return out, nil
}

// voicemailCaller is who made the call that reached voicemail: the call's
// staff member, or for a call recorded by hand whoever recorded the
// attempt, else the owner.
func (g *Gateway) voicemailCaller(ctx context.Context, a CustomerEmailArgs, events []store.CaseEvent, owner int64) (int64, error) {
	if a.CallID != 0 {
		call, err := g.store.CallGetByID(ctx, a.CallID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return 0, fmt.Errorf("call %d: %w", a.CallID, err)
		}
		if err == nil && call.StaffID != 0 {
			return call.StaffID, nil
		}
	}
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind == "call_attempted" {
			if id, ok := staffID(events[i].Actor); ok {
				return id, nil
			}
			break
		}
	}
	return owner, nil
}

// latestEmail is the id of the customer's latest email on the timeline,
// 0 when none came by email.
func latestEmail(events []store.CaseEvent) int64 {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind != "message_received" {
			continue
		}
		var m messageEvent
		if json.Unmarshal(events[i].Data, &m) == nil && m.Channel == store.ChannelEmail {
			return m.MessageID
		}
	}
	return 0
}

// nextRetry is the time of the latest call retry scheduled on the
// timeline, zero when none is.
func nextRetry(events []store.CaseEvent) time.Time {
	for i := len(events) - 1; i >= 0; i-- {
		if events[i].Kind != "call_retry_scheduled" {
			continue
		}
		var r retryEvent
		if json.Unmarshal(events[i].Data, &r) == nil {
			return r.At
		}
		break
	}
	return time.Time{}
}

// messageIDTagSetting keeps the random tag that makes this installation's
// Message-IDs its own: two gateways sending from one domain (staging and
// production) must never reuse each other's ids.
const messageIDTagSetting = "email.message_id_tag"

// emailMessageID is the Message-ID of the email a asks for, the same on
// every attempt: tag, case, kind and cause (the message acknowledged, the
// call, or for a call recorded by hand the job itself), on the domain of
// the From address.
func (g *Gateway) emailMessageID(ctx context.Context, a CustomerEmailArgs, jobID int64) (string, error) {
	tag, err := g.store.SettingSetIfAbsent(ctx, messageIDTagSetting, strings.ToLower(rand.Text()[:10]))
	if err != nil {
		return "", fmt.Errorf("message id tag: %w", err)
	}
	cause := "j" + strconv.FormatInt(jobID, 10)
	switch {
	case a.MessageID != 0:
		cause = "m" + strconv.FormatInt(a.MessageID, 10)
	case a.CallID != 0:
		cause = "c" + strconv.FormatInt(a.CallID, 10)
	}
	domain := emailAddress(g.opts.EmailFrom)
	domain = domain[strings.LastIndexByte(domain, '@')+1:]
	return fmt.Sprintf("triage.%s.case%d.%s.%s@%s", tag, a.CaseID, strings.ReplaceAll(a.What, "_", "-"), cause, domain), nil
}

// Bounds on the thread a reply refers to: References keeps the most
// recent ids, well inside smtp.MaxHeaderBytes.
const (
	maxReferences = 10
	maxMsgIDLen   = 250
)

// threadIDs reads the Message-ID and References of the customer's message
// m (without angle brackets) from its stored source, falling back to its
// external id. Ids that are not of the form left@right are dropped: the
// sender controls them, and a malformed one must not spoil our email.
func threadIDs(m store.Message) (id string, refs []string) {
	if m.Channel != store.ChannelEmail {
		return "", nil
	}
	var refsHeader string
	if parsed, err := netmail.ReadMessage(bytes.NewReader(m.Raw)); err == nil {
		id = strings.TrimSpace(parsed.Header.Get("Message-Id"))
		refsHeader = parsed.Header.Get("References")
	}
	if id == "" {
		id = m.ExternalID
	}
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	if !validMsgID(id) {
		return "", nil
	}
	for _, r := range strings.Fields(refsHeader) {
		r = strings.TrimSuffix(strings.TrimPrefix(r, "<"), ">")
		if validMsgID(r) && r != id {
			refs = append(refs, r)
		}
	}
	if len(refs) > maxReferences-1 {
		refs = refs[len(refs)-(maxReferences-1):]
	}
	return id, refs
}

// validMsgID reports whether id (without brackets) is a plain RFC 5322
// msg-id: left@right in printable ASCII, without spaces or specials.
func validMsgID(id string) bool {
	left, right, ok := strings.Cut(id, "@")
	if !ok || left == "" || right == "" || strings.Contains(right, "@") || len(id) > maxMsgIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; c <= ' ' || c > '~' || strings.IndexByte("<>()[]\\\",;:", c) >= 0 {
			return false
		}
	}
	return true
}

// recipient is the To of a customer email: "Name <address>" when the name
// survives a round trip through an address parser, else the bare address.
func recipient(name, address string) string {
	full := (&netmail.Address{Name: strings.Join(strings.Fields(name), " "), Address: address}).String()
	if a, err := netmail.ParseAddress(full); name != "" && err == nil && strings.EqualFold(a.Address, address) {
		return full
	}
	return address
}

// emailAddress is the address of a From value such as
// "Acme Support <support@acme.example>"; "" when it does not parse.
func emailAddress(from string) string {
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return ""
	}
	return a.Address
}

// emailDisplayName is the name of a From value ("Acme Support"), which
// signs the customer emails; "" when it has none.
func emailDisplayName(from string) string {
	a, err := netmail.ParseAddress(from)
	if err != nil {
		return ""
	}
	return a.Name
}

// firstName is the first word of a staff member's name.
func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}

// nonBlank is the first of a and b that is not blank.
func nonBlank(a, b string) string {
	if strings.TrimSpace(a) != "" {
		return a
	}
	return b
}
