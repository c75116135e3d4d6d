// Package storegen fills a store with a generated year of support work, for
// benchmarks of the dashboard and the audit on realistic volumes (a million
// messages, two hundred thousand cases). The data is deterministic for a
// given Params: cases spread over the period, most resolved, a few hundred
// still active; each with its messages, assessments, tasks and a timeline
// whose events set the audit's milestones through the store's own triggers.
//
// It writes with multi-row INSERT statements through the store's raw SQL
// seam (sqlstore.Store's ExecSQL), so it runs on either engine at bulk
// speed; the gateway never uses it.
package storegen

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

// Execer runs one raw statement; *sqlstore.Store (either engine) has it.
type Execer interface {
	ExecSQL(ctx context.Context, query string, args ...any) error
}

// Params size the generated data.
type Params struct {
	Start           time.Time // the first case opens here
	Days            int       // the period the cases are spread over
	Cases           int
	MessagesPerCase int
	Customers       int
	Agents          int // besides one manager per ten agents and an admin
	Active          int // cases still active at the end (at most Customers)
	Seed            uint64
}

// Year is the benchmark's size: 200,000 cases and 1,000,000 messages over
// 365 days.
func Year(start time.Time) Params {
	return Params{Start: start, Days: 365, Cases: 200_000, MessagesPerCase: 5, Customers: 20_000, Agents: 40, Active: 300, Seed: 1}
}

// Result says what was generated.
type Result struct {
	AdminID   int64
	ManagerID int64 // the first manager
	AgentID   int64 // the first agent, reporting to ManagerID
	End       time.Time
}

// batchRows is how many rows one INSERT carries.
const batchRows = 400

// Fill writes p's data into st, which must be empty and migrated and
// support raw SQL (Execer).
func Fill(ctx context.Context, st store.Store, p Params) (Result, error) {
	ex, ok := st.(Execer)
	if !ok {
		return Result{}, errors.New("storegen: the store cannot run raw SQL")
	}
	if p.Active > p.Customers || p.Active > p.Cases || p.Cases <= 0 || p.Days <= 0 || p.Agents <= 0 {
		return Result{}, fmt.Errorf("storegen: bad params %+v", p)
	}
	res := Result{End: p.Start.Add(time.Duration(p.Days) * 24 * time.Hour)}
	staff, err := fillStaff(ctx, st, p, &res)
	if err != nil {
		return res, err
	}
	pg := st.Engine() == store.EnginePostgres
	if err := fillCustomers(ctx, ex, pg, p, staff); err != nil {
		return res, err
	}
	if err := fillCases(ctx, ex, pg, p, staff); err != nil {
		return res, err
	}
	if pg {
		// Rows were written with their ids: move the identity sequences
		// past them, so later inserts get fresh ids.
		for _, t := range []string{"customers", "cases", "inbound_messages", "tasks"} {
			q := fmt.Sprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT max(id) FROM %s))", t, t)
			if err := ex.ExecSQL(ctx, q); err != nil {
				return res, fmt.Errorf("storegen: sequence of %s: %w", t, err)
			}
		}
		// Planner statistics, as autovacuum would gather them after a
		// load this size.
		if err := ex.ExecSQL(ctx, "ANALYZE"); err != nil {
			return res, fmt.Errorf("storegen: analyze: %w", err)
		}
	}
	return res, nil
}

func fillStaff(ctx context.Context, st store.Store, p Params, res *Result) ([]int64, error) {
	admin, err := st.StaffUpsert(ctx, store.StaffUpsertParams{Name: "Ada Admin", Email: "admin@bench.example", Role: "admin",
		TimeZone: "UTC", Hours: "Mon-Fri 09:00-17:00", Active: true})
	if err != nil {
		return nil, fmt.Errorf("storegen: staff: %w", err)
	}
	res.AdminID = admin.ID
	var agents []int64
	var manager int64
	for i := range p.Agents {
		if i%10 == 0 {
			m, err := st.StaffUpsert(ctx, store.StaffUpsertParams{Name: fmt.Sprintf("Manager %d", i/10+1),
				Email: fmt.Sprintf("manager%d@bench.example", i/10+1), Phone: fmt.Sprintf("+1617555%04d", 9000+i/10),
				Role: "manager", ManagerID: admin.ID, TimeZone: "America/New_York", Hours: "Mon-Fri 08:00-18:00", Active: true})
			if err != nil {
				return nil, fmt.Errorf("storegen: staff: %w", err)
			}
			manager = m.ID
			if res.ManagerID == 0 {
				res.ManagerID = m.ID
			}
		}
		a, err := st.StaffUpsert(ctx, store.StaffUpsertParams{Name: fmt.Sprintf("Agent %d", i+1),
			Email: fmt.Sprintf("agent%d@bench.example", i+1), Phone: fmt.Sprintf("+1617555%04d", i+1),
			Role: "agent", ManagerID: manager, TimeZone: "America/New_York", Hours: "Mon-Fri 09:00-17:00", Active: true})
		if err != nil {
			return nil, fmt.Errorf("storegen: staff: %w", err)
		}
		if res.AgentID == 0 {
			res.AgentID = a.ID
		}
		agents = append(agents, a.ID)
	}
	return agents, nil
}

func fillCustomers(ctx context.Context, ex Execer, pg bool, p Params, agents []int64) error {
	b := newBatch(ex, pg, "customers (id, external_ref, name, company, tier, account_value_cents, owner_id, owner_since, created_at)")
	c := newBatch(ex, pg, "customer_contacts (customer_id, kind, value, position)")
	for i := 1; i <= p.Customers; i++ {
		tier := "standard"
		if i%20 == 0 {
			tier = "key"
		}
		if err := b.add(ctx, int64(i), fmt.Sprintf("CRM-%06d", i), fmt.Sprintf("Customer %d", i), fmt.Sprintf("Company %d", i%997),
			tier, int64(i%50)*10_000, agents[i%len(agents)], p.Start, p.Start); err != nil {
			return err
		}
		if err := c.add(ctx, int64(i), "email", fmt.Sprintf("customer%d@client.example", i), 0); err != nil {
			return err
		}
	}
	return errors.Join(b.flush(ctx), c.flush(ctx))
}

var (
	priorities = []string{"critical", "high", "high", "normal", "normal", "normal", "low"}
	categories = []string{"missed_or_late_shipment", "overcharge_or_billing_error", "wrong_item", "missed_or_bounced_payment",
		"return_or_refund", "incorrect_deliverable", "service_visit", "other"}
	channels = []string{"email", "email", "email", "voicemail"}
	slas     = map[string]time.Duration{"critical": 15 * time.Minute, "high": time.Hour, "normal": 4 * time.Hour, "low": 24 * time.Hour}
)

// fillCases writes the cases with their messages, assessments, tasks and
// events, oldest first.
func fillCases(ctx context.Context, ex Execer, pg bool, p Params, agents []int64) error {
	rng := rand.New(rand.NewPCG(p.Seed, p.Seed^0x9e3779b97f4a7c15))
	cases := newBatch(ex, pg, "cases (id, customer_id, owner_id, status, priority, category, subject, summary, relationship_risk, complained_about, due_at, opened_at, updated_at, resolved_at, channel, received_at)")
	msgs := newBatch(ex, pg, "inbound_messages (id, channel, external_id, customer_id, case_id, from_addr, from_name, subject, body, auto_kind, sent_at, received_at, raw)")
	asmts := newBatch(ex, pg, "assessments (message_id, tone_score, tone_label, urgency_score, urgency_level, category, is_complaint, summary, language, detail, created_at)")
	tasks := newBatch(ex, pg, "tasks (id, case_id, kind, assignee_id, status, due_at, checklist, created_at, updated_at)")
	events := newBatch(ex, pg, "case_events (case_id, occurred_at, actor, kind, data)")
	msgs.parents = []*batch{cases}
	asmts.parents = []*batch{msgs}
	tasks.parents = []*batch{cases}
	events.parents = []*batch{cases}
	span := time.Duration(p.Days) * 24 * time.Hour
	step := span / time.Duration(p.Cases)
	raw := []byte(strings.Repeat("Received: from mx.client.example by mx.support.example; header and body bytes\r\n", 5))
	body := "Order 48213 never arrived and nobody answered my last two emails. I need it before the trade show on Thursday or I will cancel the contract."
	msgID, taskID := int64(0), int64(0)
	for i := 1; i <= p.Cases; i++ {
		id := int64(i)
		opened := p.Start.Add(step*time.Duration(i-1) + time.Duration(rng.Int64N(int64(step))))
		received := opened.Add(-time.Duration(rng.Int64N(int64(90 * time.Second))))
		prio := priorities[rng.IntN(len(priorities))]
		cat := categories[rng.IntN(len(categories))]
		ch := channels[rng.IntN(len(channels))]
		owner := agents[rng.IntN(len(agents))]
		due := opened.Add(slas[prio])
		active := i > p.Cases-p.Active
		customer := int64(1 + rng.IntN(p.Customers))
		if active {
			customer = int64(p.Cases - i + 1) // distinct: one active case per customer
		}
		status, resolved := "resolved", opened.Add(time.Duration(2+rng.IntN(96))*time.Hour)
		if active {
			status, resolved = []string{"open", "acknowledged", "call_attempted", "reopened"}[rng.IntN(4)], time.Time{}
		}
		if err := cases.add(ctx, id, customer, owner, status, prio, cat, fmt.Sprintf("Case %d: order problem", i),
			"Order 48213 never arrived; needs it before Thursday's trade show", i%50 == 0, "[]", due, opened, opened,
			nullTime(resolved), ch, received); err != nil {
			return err
		}
		for m := range p.MessagesPerCase {
			msgID++
			at := opened.Add(time.Duration(m) * 6 * time.Hour)
			if err := msgs.add(ctx, msgID, ch, fmt.Sprintf("<%d.%d@client.example>", i, m), customer, id,
				fmt.Sprintf("customer%d@client.example", customer), "A Customer", "Order problem", body, "", at.Add(-time.Minute), at, raw); err != nil {
				return err
			}
			tone := -0.2 - rng.Float64()*0.7
			if err := asmts.add(ctx, msgID, tone, "negative", 0.4+rng.Float64()*0.6, prio, cat, true,
				"Order 48213 never arrived", "en", `{"evidence":[{"field":"tone","phrase":"never arrived","weight":-0.6}]}`, at); err != nil {
				return err
			}
			if err := events.add(ctx, id, at, "customer", "message_received", fmt.Sprintf(`{"message_id":%d,"channel":%q}`, msgID, ch)); err != nil {
				return err
			}
		}
		taskID++
		taskStatus := "done"
		if active {
			taskStatus = "open"
		}
		if err := tasks.add(ctx, taskID, id, "callback", owner, taskStatus, due, `["Confirm the order number"]`, opened, opened); err != nil {
			return err
		}
		notified := opened.Add(time.Duration(5+rng.IntN(120)) * time.Second)
		if err := events.add(ctx, id, opened, "system", "case_opened", `{"note":"complaint: call-back required (P1)"}`); err != nil {
			return err
		}
		if err := events.add(ctx, id, notified, "system", "sms_sent", `{"notification_id":0,"staff_id":0}`); err != nil {
			return err
		}
		if status == "open" {
			continue
		}
		call := opened.Add(time.Duration(rng.Int64N(int64(slas[prio] * 2))))
		if err := events.add(ctx, id, call, "system", "call_attempted", `{"number":1,"outcome":"connected"}`); err != nil {
			return err
		}
		if call.After(due) {
			if err := events.add(ctx, id, due, "system", "sla_breached", `{"note":"due time passed"}`); err != nil {
				return err
			}
			if err := events.add(ctx, id, due.Add(time.Minute), "system", "escalated", `{"note":"manager told"}`); err != nil {
				return err
			}
		}
		if rng.IntN(10) < 8 {
			if err := events.add(ctx, id, call.Add(time.Second), "system", "call_connected", `{"note":"live conversation"}`); err != nil {
				return err
			}
		}
		if active {
			continue
		}
		resolvedData := `{"note":"resolved"}`
		if i%4 == 0 {
			resolvedData = `{"note":"resolved; lessons learned: check the tracking first","lessons":"Check the carrier's tracking before promising a date."}`
		}
		if err := events.add(ctx, id, resolved, fmt.Sprintf("staff:%d", owner), "resolved", resolvedData); err != nil {
			return err
		}
		taskID++
		follow := resolved.Add(7 * 24 * time.Hour)
		done := follow.Add(time.Duration(rng.IntN(48)-24) * time.Hour)
		if err := tasks.add(ctx, taskID, id, "follow_up", owner, "done", follow, "[]", resolved, done); err != nil {
			return err
		}
	}
	for _, b := range []*batch{cases, msgs, asmts, tasks, events} {
		if err := b.flush(ctx); err != nil {
			return err
		}
	}
	return nil
}

// nullTime is nil for the zero time, so the column is NULL.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

// batch accumulates rows of one table and writes them batchRows at a time.
type batch struct {
	ex    Execer
	into  string // "table (col, ...)", plus PostgreSQL's OVERRIDING when ids are given
	cols  int
	args  []any
	count int
	// parents are written first: this table's rows refer to theirs.
	parents []*batch
}

func newBatch(ex Execer, pg bool, into string) *batch {
	b := &batch{ex: ex, into: into, cols: strings.Count(into, ",") + 1}
	if pg && strings.Contains(into, "(id,") {
		b.into += " OVERRIDING SYSTEM VALUE" // ids are GENERATED ALWAYS there
	}
	return b
}

func (b *batch) add(ctx context.Context, vals ...any) error {
	if len(vals) != b.cols {
		return fmt.Errorf("storegen: %s: %d values for %d columns", b.into, len(vals), b.cols)
	}
	for i, v := range vals {
		if t, ok := v.(time.Time); ok {
			vals[i] = t.UTC().Truncate(time.Microsecond)
		}
	}
	b.args = append(b.args, vals...)
	b.count++
	if b.count == batchRows {
		return b.flush(ctx)
	}
	return nil
}

func (b *batch) flush(ctx context.Context) error {
	if b.count == 0 {
		return nil
	}
	for _, p := range b.parents {
		if err := p.flush(ctx); err != nil {
			return err
		}
	}
	var sb strings.Builder
	sb.WriteString("INSERT INTO ")
	sb.WriteString(b.into)
	sb.WriteString(" VALUES ")
	n := 1
	for r := range b.count {
		if r > 0 {
			sb.WriteByte(',')
		}
		sb.WriteByte('(')
		for c := range b.cols {
			if c > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "$%d", n)
			n++
		}
		sb.WriteByte(')')
	}
	if err := b.ex.ExecSQL(ctx, sb.String(), b.args...); err != nil {
		return fmt.Errorf("storegen: insert into %s: %w", strings.Fields(b.into)[0], err)
	}
	b.args, b.count = b.args[:0], 0
	return nil
}
