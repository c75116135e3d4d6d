package sqlstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/triage-gw/triage/gateway/store"
)

// The dashboard's reads (and CaseLessonList beside). Their SQL writes
// statuses and kinds as literals, not arguments: the planners match a
// partial index of migration 0005 (cases_active_due_idx,
// case_events_resolved_idx) only against the same literal condition. The
// literals are the values of store.CaseResolved, store.CaseClosed,
// store.TaskOpen, store.TaskSnoozed, store.TaskDone and store.TaskFollowUp.

// qualified returns the comma-separated columns cols, each prefixed with
// table and a dot.
func qualified(table, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

// filter collects the conditions and arguments of a WHERE clause.
type filter struct {
	where []string
	args  []any
}

// add appends cond, in which each %s is the placeholder of the next of
// vals in turn.
func (f *filter) add(cond string, vals ...any) {
	ph := make([]any, len(vals))
	for i := range vals {
		ph[i] = fmt.Sprintf("$%d", len(f.args)+i+1)
	}
	f.where = append(f.where, fmt.Sprintf(cond, ph...))
	f.args = append(f.args, vals...)
}

// sql returns " WHERE a AND b", or "" without conditions.
func (f *filter) sql() string {
	if len(f.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(f.where, " AND ")
}

// likeArg is s as a LIKE pattern that matches s anywhere, in lower case,
// with LIKE's wildcards in s escaped by a backslash.
func likeArg(s string) string {
	s = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(strings.ToLower(s))
	return "%" + s + "%"
}

// CaseQueue returns the active cases (every status but resolved and
// closed) that p selects, soonest due first (undated last), then by id, at
// most p.Limit (200 when 0 or less). See store.CaseQueueParams for the
// filters:
//   - OwnerIDs: nil does not filter; otherwise (even empty) a case is kept
//     when its owner is listed or it has an open or snoozed task assigned
//     to someone listed.
//   - Priority, Channel, Category: equal when set.
//   - Search (trimmed): a case-insensitive substring of the subject, the
//     summary, the customer's name or company; or, when it is a number
//     (a leading '#' allowed), also the case with that id.
//
// The customer's name is "" for a case without customer; the tone, urgency
// and detail are those of the assessment of the case's latest assessed
// message (by received_at, then id), empty when none is.
func (q *queries) CaseQueue(ctx context.Context, p store.CaseQueueParams) ([]store.QueueItem, error) {
	var f filter
	f.where = append(f.where, `c.status NOT IN ('resolved', 'closed')`)
	if p.OwnerIDs != nil {
		if len(p.OwnerIDs) == 0 {
			return nil, nil
		}
		// One list of placeholders serves both IN lists.
		ids := placeholders(len(f.args)+1, len(p.OwnerIDs))
		f.where = append(f.where, `(c.owner_id IN (`+ids+`) OR EXISTS (SELECT 1 FROM tasks t
			WHERE t.case_id = c.id AND t.status IN ('open', 'snoozed') AND t.assignee_id IN (`+ids+`)))`)
		for _, id := range p.OwnerIDs {
			f.args = append(f.args, id)
		}
	}
	if p.Priority != "" {
		f.add(`c.priority = %s`, p.Priority)
	}
	if p.Channel != "" {
		f.add(`c.channel = %s`, p.Channel)
	}
	if p.Category != "" {
		f.add(`c.category = %s`, p.Category)
	}
	if s := strings.TrimSpace(p.Search); s != "" {
		pattern := fmt.Sprintf("$%d", len(f.args)+1)
		f.args = append(f.args, likeArg(s))
		cond := `lower(c.subject) LIKE ` + pattern + ` ESCAPE '\' OR lower(c.summary) LIKE ` + pattern + ` ESCAPE '\'
			OR lower(coalesce(cu.name, '')) LIKE ` + pattern + ` ESCAPE '\'
			OR lower(coalesce(cu.company, '')) LIKE ` + pattern + ` ESCAPE '\'`
		if id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64); err == nil && id > 0 {
			cond = fmt.Sprintf("c.id = $%d OR ", len(f.args)+1) + cond
			f.args = append(f.args, id)
		}
		f.where = append(f.where, `(`+cond+`)`)
	}
	limit := p.Limit
	if limit <= 0 {
		limit = 200
	}
	f.args = append(f.args, limit)

	rows, err := q.c.Query(ctx, `
		SELECT `+qualified("q", caseColumns)+`, q.channel, q.customer_name, q.breaches,
			coalesce(a.tone_label, ''), coalesce(a.urgency_level, ''), a.detail
		FROM (
			SELECT `+qualified("c", caseColumns)+`, c.channel, coalesce(cu.name, '') AS customer_name, c.breaches,
				(SELECT m.id FROM inbound_messages m JOIN assessments ma ON ma.message_id = m.id
				 WHERE m.case_id = c.id ORDER BY ma.is_complaint DESC, ma.urgency_score DESC, m.received_at DESC, m.id DESC LIMIT 1) AS assessed_id
			FROM cases c LEFT JOIN customers cu ON cu.id = c.customer_id`+f.sql()+`
			ORDER BY c.due_at IS NULL, c.due_at, c.id
			LIMIT $`+strconv.Itoa(len(f.args))+`
		) AS q
		LEFT JOIN assessments a ON a.message_id = q.assessed_id
		ORDER BY q.due_at IS NULL, q.due_at, q.id`, f.args...)
	if err != nil {
		return nil, fmt.Errorf("case queue: %w", err)
	}
	out, err := collect(rows, scanQueueItem)
	if err != nil {
		return nil, fmt.Errorf("case queue: %w", err)
	}
	return out, nil
}

func scanQueueItem(r Row) (store.QueueItem, error) {
	var it store.QueueItem
	var breaches int64
	err := r.Scan(append(caseDest(&it.Case), &it.Channel, &it.CustomerName, &breaches, &it.ToneLabel, &it.UrgencyLevel, &it.Detail)...)
	it.Breaches = int(breaches)
	return it, err
}

// CaseAuditList returns one row per case opened in [p.From, p.To) (a zero
// bound does not bound), by opened_at then id, with its milestones as the
// timeline's triggers keep them, and its latest follow-up task (by
// created_at, then id): its due time, and its updated_at as the time it
// was done when its status is done.
func (q *queries) CaseAuditList(ctx context.Context, p store.CaseAuditParams) ([]store.CaseAudit, error) {
	var f filter
	if !p.From.IsZero() {
		f.add(`c.opened_at >= %s`, timeArg(p.From))
	}
	if !p.To.IsZero() {
		f.add(`c.opened_at < %s`, timeArg(p.To))
	}
	// Two probes of tasks_case_kind_idx per case, each stopping at its
	// first row: cheaper than joining the latest task by id, which
	// PostgreSQL plans as a hash join over every task.
	rows, err := q.c.Query(ctx, `
		SELECT c.id, c.customer_id, c.owner_id, c.channel, c.priority, c.category, c.status,
			c.received_at, c.opened_at, c.due_at, c.first_notified_at, c.first_call_at,
			c.first_conversation_at, c.resolved_at, c.escalations, c.breaches, c.violations, c.contacts,
			(SELECT t.due_at FROM tasks t WHERE t.case_id = c.id AND t.kind = 'follow_up'
			 ORDER BY t.created_at DESC, t.id DESC LIMIT 1),
			(SELECT CASE WHEN t.status = 'done' THEN t.updated_at END FROM tasks t
			 WHERE t.case_id = c.id AND t.kind = 'follow_up'
			 ORDER BY t.created_at DESC, t.id DESC LIMIT 1)
		FROM cases c`+f.sql()+`
		ORDER BY c.opened_at, c.id`, f.args...)
	if err != nil {
		return nil, fmt.Errorf("case audit list: %w", err)
	}
	out, err := collect(rows, scanCaseAudit)
	if err != nil {
		return nil, fmt.Errorf("case audit list: %w", err)
	}
	return out, nil
}

func scanCaseAudit(r Row) (store.CaseAudit, error) {
	var a store.CaseAudit
	var escalations, breaches, violations, contacts int64
	err := r.Scan(&a.CaseID, idDest{&a.CustomerID}, idDest{&a.OwnerID}, &a.Channel, &a.Priority, &a.Category, &a.Status,
		timeDest{&a.ReceivedAt}, timeDest{&a.OpenedAt}, timeDest{&a.DueAt}, timeDest{&a.FirstNotifiedAt},
		timeDest{&a.FirstCallAt}, timeDest{&a.FirstConversationAt}, timeDest{&a.ResolvedAt},
		&escalations, &breaches, &violations, &contacts, timeDest{&a.FollowUpDueAt}, timeDest{&a.FollowUpDoneAt})
	a.Escalations, a.Breaches, a.Violations, a.Contacts = int(escalations), int(breaches), int(violations), int(contacts)
	return a, err
}
