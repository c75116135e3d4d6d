package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/gateway/store"
	"github.com/triage-gw/triage/routing"
)

// CallPlacer places bridged calls. *twilio.Client implements it.
type CallPlacer interface {
	PlaceCall(ctx context.Context, c twilio.Call) (twilio.CallResult, error)
	// FindCall finds a call to `to` placed since then, whose answer may
	// have been lost.
	FindCall(ctx context.Context, to string, since time.Time) (twilio.CallResult, bool, error)
}

// queueCall records a bridged call-back (staffID's phone first, then the
// customer) and queues the job that places it, inside tx. key makes it
// idempotent (the SMS that asked for it, or the timer).
func (g *Gateway) queueCall(ctx context.Context, tx store.Querier, v caseView, staffID int64, actor, key string, now time.Time) error {
	st, err := tx.StaffGetByID(ctx, staffID)
	if err != nil {
		return fmt.Errorf("call-back agent %d: %w", staffID, err)
	}
	var taskID int64
	if v.callback != nil {
		taskID = v.callback.ID
	}
	call, inserted, err := tx.CallInsert(ctx, store.CallInsertParams{Key: "case:" + strconv.FormatInt(v.c.ID, 10) + ":" + key,
		CaseID: v.c.ID, TaskID: taskID, StaffID: st.ID, AgentNumber: st.Phone, CustomerNumber: v.facts.CustomerPhone,
		RequestedBy: actor, CreatedAt: now})
	if err != nil || !inserted {
		return err
	}
	tl := timeline{tx: tx, caseID: v.c.ID, at: now}
	tl.add(ctx, actor, "call_queued", callEvent{CallID: call.ID, To: call.AgentNumber})
	if tl.err != nil {
		return tl.err
	}
	if err := tx.JobInsert(ctx, placeCallJob(call.ID)); err != nil {
		return fmt.Errorf("queue call %d: %w", call.ID, err)
	}
	return nil
}

// callURL is a webhook URL for call id under the public URL.
func (g *Gateway) callURL(path string, id int64, leg string) string {
	q := url.Values{"call": {strconv.FormatInt(id, 10)}}
	if leg != "" {
		q.Set("leg", leg)
	}
	return strings.TrimRight(g.opts.PublicURL, "/") + path + "?" + q.Encode()
}

// placeCallWorker places one call. The call row is the source of truth: a
// placed one is never placed again, and a retry first asks Twilio whether
// an earlier attempt's call exists.
type placeCallWorker struct {
	river.WorkerDefaults[PlaceCallArgs]
	g *Gateway
}

func (w *placeCallWorker) Work(ctx context.Context, job *river.Job[PlaceCallArgs]) error {
	g := w.g
	call, err := g.store.CallGetByID(ctx, job.Args.CallID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(fmt.Errorf("call %d: %w", job.Args.CallID, err))
	}
	if err != nil {
		return fmt.Errorf("load call %d: %w", job.Args.CallID, err)
	}
	if call.Status != store.CallQueued {
		return nil
	}
	log := g.log.With("call_id", call.ID, "case_id", call.CaseID, "attempt", job.Attempt)
	if g.opts.Calls == nil {
		return g.callFailed(ctx, call, job.Attempt, "the voice channel is off (twilio.enabled)", log)
	}
	if g.opts.PublicURL == "" {
		return g.callFailed(ctx, call, job.Attempt, "no http.public_url: a call-back needs Twilio to reach the gateway's webhooks", log)
	}
	c, err := g.store.CaseGetByID(ctx, call.CaseID)
	if err != nil {
		return fmt.Errorf("load case %d: %w", call.CaseID, err)
	}
	if !store.CaseActive(c.Status) {
		return g.callFailed(ctx, call, job.Attempt, "the case was "+c.Status+" before the call was placed", log)
	}
	// Count the attempt before the request: after a crash between the
	// request and its answer, the next run knows to look first.
	if _, err := g.store.CallUpdate(ctx, store.CallUpdateParams{ID: call.ID, Attempts: call.Attempts + 1}); err != nil {
		return fmt.Errorf("count call %d attempt: %w", call.ID, err)
	}
	if call.Attempts > 0 {
		found, ok, err := g.opts.Calls.FindCall(ctx, call.AgentNumber, call.CreatedAt)
		switch {
		case err != nil && !twilio.IsPermanent(err):
			log.Warn("cannot look for a call an earlier attempt may have placed: will retry", "err", err)
			return fmt.Errorf("find call %d: %w", call.ID, err)
		case err != nil:
			log.Warn("cannot look for a call an earlier attempt may have placed: placing it", "err", err)
		case ok:
			log.Info("call already placed by an earlier attempt whose answer was lost: recorded, not placed again", "sid", found.SID)
			return g.callPlaced(ctx, call, found.SID, job.Attempt, true)
		}
	}
	res, err := g.opts.Calls.PlaceCall(ctx, twilio.Call{
		To:             call.AgentNumber,
		URL:            g.callURL(PathVoiceBridge, call.ID, ""),
		StatusCallback: g.callURL(PathVoiceStatus, call.ID, legAgent),
		Timeout:        g.opts.RingTimeout,
	})
	if err != nil {
		if twilio.IsPermanent(err) {
			if ferr := g.callFailed(ctx, call, job.Attempt, err.Error(), log); ferr != nil {
				return ferr
			}
			return river.JobCancel(err)
		}
		log.Warn("call not placed, will retry", "err", err)
		return fmt.Errorf("place call %d: %w", call.ID, err)
	}
	log.Info("call placed", "sid", res.SID)
	return g.callPlaced(ctx, call, res.SID, job.Attempt, false)
}

// callPlaced records that Twilio took the call.
func (g *Gateway) callPlaced(ctx context.Context, call store.Call, sid string, attempt int, reconciled bool) error {
	now := g.now().UTC()
	return g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		// Twilio's status callbacks can outrun the create's answer: a call
		// they already ended stays ended.
		cur, err := tx.CallGetByID(ctx, call.ID)
		if err != nil {
			return err
		}
		up := store.CallUpdateParams{ID: call.ID, ProviderID: sid, PlacedAt: now}
		if cur.Status == store.CallQueued {
			up.Status = store.CallPlaced
		}
		if _, err := tx.CallUpdate(ctx, up); err != nil {
			return fmt.Errorf("record call %d placed: %w", call.ID, err)
		}
		tl := timeline{tx: tx, caseID: call.CaseID, at: now}
		tl.add(ctx, "system", "call_placed", callEvent{CallID: call.ID, Leg: legAgent, SID: sid, To: call.AgentNumber, Attempt: attempt, Reconciled: reconciled})
		return tl.err
	})
}

// callFailed records a call that cannot be placed, and tells its agent.
func (g *Gateway) callFailed(ctx context.Context, call store.Call, attempt int, reason string, log *slog.Logger) error {
	log.Error("call not placed", "reason", reason)
	now := g.now().UTC()
	return g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		if _, err := tx.CallUpdate(ctx, store.CallUpdateParams{ID: call.ID, Status: store.CallFailed, Error: reason, EndedAt: now}); err != nil {
			return fmt.Errorf("record call %d failed: %w", call.ID, err)
		}
		tl := timeline{tx: tx, caseID: call.CaseID, at: now}
		tl.add(ctx, "system", "call_failed", callEvent{CallID: call.ID, Error: reason, Attempt: attempt})
		return tl.err
	})
}

// Legs of a bridged call, as the status callback URLs name them.
const (
	legAgent    = "agent"
	legCustomer = "customer"
)

// callOfRequest reads the call a voice webhook is about from its query.
func (g *Gateway) callOfRequest(ctx context.Context, r *http.Request) (store.Call, error) {
	id, err := strconv.ParseInt(r.URL.Query().Get("call"), 10, 64)
	if err != nil || id <= 0 {
		return store.Call{}, fmt.Errorf("no call id in %q: %w", r.URL.RawQuery, store.ErrNotFound)
	}
	return g.store.CallGetByID(ctx, id)
}

// voiceBridge answers Twilio's TwiML request when the agent picks up: the
// whisper (what we heard, P5), then the customer is dialled with the
// company's caller ID.
func (g *Gateway) voiceBridge(w http.ResponseWriter, r *http.Request, form url.Values) {
	req, err := twilio.ParseVoiceRequest(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	ctx := r.Context()
	call, err := g.callOfRequest(ctx, r)
	if errors.Is(err, store.ErrNotFound) {
		g.log.Warn("voice request for an unknown call", "call_sid", req.CallSID, "query", r.URL.RawQuery)
		doc, _ := twilio.SayTwiML("This call is not known to the support gateway. Goodbye.")
		writeTwiML(w, doc)
		return
	}
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	v, err := g.loadCase(ctx, g.store, call.CaseID)
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	if !store.CaseActive(v.c.Status) {
		doc, _ := twilio.SayTwiML(fmt.Sprintf("Case %d is already %s. Nothing to do. Goodbye.", v.c.ID, strings.ReplaceAll(v.c.Status, "_", " ")))
		writeTwiML(w, doc)
		return
	}
	// The whisper, then "press 1": a staff member's own voicemail that
	// picks up presses nothing, so the customer is never connected to it.
	facts := g.caseFactsText(ctx, v.c.ID)
	doc, err := twilio.ScreenTwiML(twilio.Screen{
		Whisper: routing.WhisperText(routing.WhisperInput{CaseID: v.c.ID, Customer: v.facts.Customer, Summary: v.c.Summary,
			Tone: facts.tone, Priority: routing.Priority(v.c.Priority), Facts: facts.facts}),
		Prompt:    "Press 1 to call the customer now.",
		ActionURL: g.callURL(PathVoiceAccept, call.ID, ""),
		NoKey:     "No key was pressed, so the customer was not called. Text CALL with the case number when you are ready. Goodbye.",
	})
	g.answerTwiML(w, r, doc, err)
}

// voiceAccept answers the staff member's key press: 1 dials the customer
// with the company's caller ID; anything else ends the call without
// dialling (the agent leg then ends as not connected).
func (g *Gateway) voiceAccept(w http.ResponseWriter, r *http.Request, form url.Values) {
	res, err := twilio.ParseGather(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	ctx := r.Context()
	call, err := g.callOfRequest(ctx, r)
	if errors.Is(err, store.ErrNotFound) {
		doc, _ := twilio.SayTwiML("This call is not known to the support gateway. Goodbye.")
		writeTwiML(w, doc)
		return
	}
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	if res.Digits != "1" {
		doc, _ := twilio.SayTwiML("The customer was not called. Goodbye.")
		writeTwiML(w, doc)
		return
	}
	v, err := g.loadCase(ctx, g.store, call.CaseID)
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	doc, err := twilio.BridgeTwiML(twilio.Bridge{
		CustomerNumber: call.CustomerNumber,
		CallerID:       g.opts.Twilio.From,
		Timeout:        g.opts.RingTimeout,
		ActionURL:      g.callURL(PathVoiceDial, call.ID, ""),
		StatusCallback: g.callURL(PathVoiceStatus, call.ID, legCustomer),
		AMDCallback:    g.callURL(PathVoiceAMD, call.ID, ""),
	})
	if err != nil {
		// The customer's number on file cannot be dialled: say so to the
		// agent and put it on the timeline, rather than failing the call
		// as if the agent had not answered.
		g.log.Warn("call-back cannot dial the customer", "call_id", call.ID, "err", err)
		if rerr := g.onceWebhook(ctx, "voice_bridge_failed", res.CallSID, func(ctx context.Context, tx store.Querier, now time.Time) error {
			tl := timeline{tx: tx, caseID: call.CaseID, at: now}
			tl.add(ctx, "system", "call_failed", callEvent{CallID: call.ID, To: call.CustomerNumber, Error: err.Error()})
			return tl.err
		}); rerr != nil {
			g.webhookFailed(w, r, rerr)
			return
		}
		doc, _ := twilio.SayTwiML(fmt.Sprintf("Case %d: the customer's phone number on file cannot be dialled. Please call them another way, then text DONE or NOANSWER with the case number.", v.c.ID))
		writeTwiML(w, doc)
		return
	}
	writeTwiML(w, doc)
}

// whisperFacts are the parts of the latest assessment the whisper says.
type whisperFacts struct {
	tone  string
	facts []string
}

// caseFactsText reads the case's latest assessment for the whisper; a
// failure only makes the whisper shorter.
func (g *Gateway) caseFactsText(ctx context.Context, caseID int64) whisperFacts {
	msgs, err := g.store.MessageListByCase(ctx, caseID)
	if err != nil || len(msgs) == 0 {
		return whisperFacts{}
	}
	a, err := g.store.AssessmentGetByMessage(ctx, msgs[len(msgs)-1].ID)
	if err != nil {
		return whisperFacts{}
	}
	out := whisperFacts{tone: a.ToneLabel}
	if f, err := decodeFacts(a.Detail); err == nil {
		out.facts = keyFacts(f, 3)
	}
	return out
}

// voiceStatus records a status callback of either leg of a call-back. Each
// (CallSid, CallStatus) is handled once. The customer leg's final status
// is the call's outcome (routing.ClassifyCustomerLeg, then
// routing.CallEnded); an agent leg that ends before the customer was
// dialled is agent_unreachable.
func (g *Gateway) voiceStatus(w http.ResponseWriter, r *http.Request, form url.Values) {
	st, err := twilio.ParseCallStatus(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	leg := r.URL.Query().Get("leg")
	if leg != legAgent && leg != legCustomer {
		g.badWebhook(w, r, fmt.Errorf("leg %q: want agent or customer", leg))
		return
	}
	ctx := r.Context()
	call, err := g.callOfRequest(ctx, r)
	if errors.Is(err, store.ErrNotFound) {
		g.log.Warn("status callback for an unknown call: ignored", "call_sid", st.CallSID, "query", r.URL.RawQuery)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	err = g.onceWebhook(ctx, "call_status", st.CallSID+":"+st.CallStatus, func(ctx context.Context, tx store.Querier, now time.Time) error {
		return g.callStatus(ctx, tx, call.ID, leg, st, now)
	})
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// callStatus applies one leg's status inside tx.
func (g *Gateway) callStatus(ctx context.Context, tx store.Querier, callID int64, leg string, st twilio.CallStatus, now time.Time) error {
	call, err := tx.CallGetByID(ctx, callID)
	if err != nil {
		return err
	}
	tl := timeline{tx: tx, caseID: call.CaseID, at: now}
	tl.add(ctx, "system", "call_status", callEvent{CallID: call.ID, Leg: leg, SID: st.CallSID, Status: st.CallStatus,
		Duration: st.CallDuration, AnsweredBy: st.AnsweredBy})
	if tl.err != nil {
		return tl.err
	}
	up := store.CallUpdateParams{ID: call.ID}
	if leg == legCustomer && call.CustomerLegID == "" {
		up.CustomerLegID = st.CallSID
	}
	if leg == legAgent && call.ProviderID == "" {
		up.ProviderID = st.CallSID // the status outran the create's answer
	}
	if st.AnsweredBy != "" && call.AnsweredBy == "" {
		up.AnsweredBy = st.AnsweredBy
	}
	var result *routing.CallResult
	switch {
	case !st.Final():
	case leg == legCustomer && call.Outcome == "":
		answeredBy := call.AnsweredBy
		if st.AnsweredBy != "" {
			answeredBy = st.AnsweredBy
		}
		talk := time.Duration(st.CallDuration) * time.Second
		outcome := routing.ClassifyCustomerLeg(st.CallStatus, answeredBy, talk, g.opts.Policy)
		up.Outcome, up.DurationSeconds = string(outcome), st.CallDuration
		result = &routing.CallResult{Outcome: outcome, Duration: talk, AgentID: call.StaffID}
	case leg == legAgent:
		up.Status, up.EndedAt = store.CallEnded, now
		if call.Outcome == "" && call.CustomerLegID == "" {
			up.Outcome = string(routing.CallAgentUnreachable)
			result = &routing.CallResult{Outcome: routing.CallAgentUnreachable, AgentID: call.StaffID}
		}
	}
	if _, err := tx.CallUpdate(ctx, up); err != nil {
		return fmt.Errorf("record call %d status: %w", call.ID, err)
	}
	if result == nil {
		return nil
	}
	return g.callEnded(ctx, tx, call, *result, now)
}

// callEnded runs the policy on a call's outcome and carries it out; the
// outcome's text for the agent goes to them by SMS.
func (g *Gateway) callEnded(ctx context.Context, tx store.Querier, call store.Call, r routing.CallResult, now time.Time) error {
	dir, _, err := g.directoryIn(ctx, tx)
	if err != nil {
		return err
	}
	v, err := g.loadCase(ctx, tx, call.CaseID)
	if err != nil {
		return err
	}
	out := routing.CallEnded(g.opts.Policy, v.facts, r, dir, now)
	if _, err := g.apply(ctx, tx, v, out, applyParams{actor: "system", callID: call.ID, dir: dir, now: now}); err != nil {
		return err
	}
	if out.Reply == "" || call.StaffID == 0 {
		return nil
	}
	_, err = g.notify(ctx, tx, notifyParams{key: fmt.Sprintf("call:%d:outcome", call.ID), caseID: call.CaseID,
		notice: routing.Notice{StaffID: call.StaffID, Role: "agent"}, dir: dir, now: now, body: out.Reply})
	return err
}

// voiceAMD records the answering-machine verdict on the customer leg.
func (g *Gateway) voiceAMD(w http.ResponseWriter, r *http.Request, form url.Values) {
	res, err := twilio.ParseAMD(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	ctx := r.Context()
	call, err := g.callOfRequest(ctx, r)
	if errors.Is(err, store.ErrNotFound) {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	err = g.onceWebhook(ctx, "amd", res.CallSID, func(ctx context.Context, tx store.Querier, now time.Time) error {
		tl := timeline{tx: tx, caseID: call.CaseID, at: now}
		tl.add(ctx, "system", "call_status", callEvent{CallID: call.ID, Leg: legCustomer, SID: res.CallSID, AnsweredBy: res.AnsweredBy})
		if tl.err != nil {
			return tl.err
		}
		_, err := tx.CallUpdate(ctx, store.CallUpdateParams{ID: call.ID, AnsweredBy: res.AnsweredBy})
		return err
	})
	if err != nil {
		g.webhookFailed(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// voiceDial answers the <Dial> action: the customer leg is over; what the
// agent hears before the call ends.
func (g *Gateway) voiceDial(w http.ResponseWriter, r *http.Request, form url.Values) {
	d, err := twilio.ParseDialAction(form)
	if err != nil {
		g.badWebhook(w, r, err)
		return
	}
	text := "The call with the customer has ended. Text DONE with the case number and what you learned, once it is settled."
	if call, err := g.callOfRequest(r.Context(), r); err == nil && twilio.IsMachine(call.AnsweredBy) {
		text = "That was the customer's voicemail. We will email them that we called, and remind you to try again. Goodbye."
	} else if !d.Connected() {
		text = "We could not reach the customer. We will remind you to try again. Goodbye."
	}
	doc, err := twilio.SayTwiML(text)
	g.answerTwiML(w, r, doc, err)
}

// onceWebhook runs fn in a transaction together with the webhook's receipt:
// a webhook already handled changes nothing.
func (g *Gateway) onceWebhook(ctx context.Context, kind, key string, fn func(ctx context.Context, tx store.Querier, now time.Time) error) error {
	now := g.now().UTC()
	err := g.store.InTx(ctx, func(ctx context.Context, tx store.Querier) error {
		if err := fn(ctx, tx, now); err != nil {
			return err
		}
		_, inserted, err := tx.WebhookReceiptInsert(ctx, store.WebhookReceipt{Kind: kind, Key: key, ReceivedAt: now})
		if err != nil {
			return fmt.Errorf("record %s %s: %w", kind, key, err)
		}
		if !inserted {
			return errDuplicateWebhook
		}
		return nil
	})
	if errors.Is(err, errDuplicateWebhook) {
		g.log.Info("repeated webhook: nothing changed", "kind", kind, "key", key)
		return nil
	}
	return err
}
