-- 0005_dashboard (SQLite): the managers' dashboard and audit.
--
-- Sessions are dashboard logins, stored by the hash of their token. Owner
-- changes record each move of an account to another owner (POLICY P7).
-- Settings keep small values the gateway generates for itself.
--
-- Cases keep their audit milestones (POLICY P9, "what managers audit"): the
-- channel and arrival time of their first message, the first SMS to staff,
-- the first call attempt and the first live conversation, and counts of
-- escalations, SLA breaches, policy violations and contacts. Triggers on
-- case_events keep them as the timeline grows, so no writer can forget
-- them; a milestone is the earliest such event, whatever the order events
-- are written in. Existing databases get them from their messages and
-- timelines below.

CREATE TABLE sessions (
    id_hash      TEXT    PRIMARY KEY,
    staff_id     INTEGER NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token   TEXT    NOT NULL,
    created_at   TEXT    NOT NULL,
    expires_at   TEXT    NOT NULL,
    last_seen_at TEXT    NOT NULL
);
CREATE INDEX sessions_staff_idx ON sessions (staff_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- from_owner_id and to_owner_id are NULL for "no owner".
CREATE TABLE customer_owner_changes (
    id            INTEGER PRIMARY KEY,
    customer_id   INTEGER NOT NULL REFERENCES customers (id),
    from_owner_id INTEGER REFERENCES staff (id),
    to_owner_id   INTEGER REFERENCES staff (id),
    at            TEXT    NOT NULL,
    actor         TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX customer_owner_changes_customer_idx ON customer_owner_changes (customer_id, at);
CREATE INDEX customer_owner_changes_at_idx ON customer_owner_changes (at);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

ALTER TABLE cases ADD COLUMN channel               TEXT    NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN received_at           TEXT;
ALTER TABLE cases ADD COLUMN first_notified_at     TEXT;
ALTER TABLE cases ADD COLUMN first_call_at         TEXT;
ALTER TABLE cases ADD COLUMN first_conversation_at TEXT;
ALTER TABLE cases ADD COLUMN escalations           INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN breaches              INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN violations            INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN contacts              INTEGER NOT NULL DEFAULT 0;

-- The queue reads the few active cases by due time; the audit reads cases
-- by opened_at (cases_opened_idx, since 0001); the audit's follow-up and
-- the queue's assignee rule look tasks up by case and kind; the lessons
-- learned read resolved events newest first. Queries must spell the
-- partial indexes' conditions with the same literals to use them.
CREATE INDEX cases_active_due_idx ON cases (due_at) WHERE status NOT IN ('resolved', 'closed');
DROP INDEX tasks_case_idx;
CREATE INDEX tasks_case_kind_idx ON tasks (case_id, kind, created_at, id);
CREATE INDEX case_events_resolved_idx ON case_events (occurred_at) WHERE kind = 'resolved';

CREATE TRIGGER case_events_first_notified AFTER INSERT ON case_events WHEN NEW.kind = 'sms_sent'
BEGIN
    UPDATE cases SET first_notified_at = NEW.occurred_at
    WHERE id = NEW.case_id AND (first_notified_at IS NULL OR first_notified_at > NEW.occurred_at);
END;

CREATE TRIGGER case_events_first_call AFTER INSERT ON case_events WHEN NEW.kind = 'call_attempted'
BEGIN
    UPDATE cases SET first_call_at = NEW.occurred_at
    WHERE id = NEW.case_id AND (first_call_at IS NULL OR first_call_at > NEW.occurred_at);
END;

CREATE TRIGGER case_events_first_conversation AFTER INSERT ON case_events WHEN NEW.kind = 'call_connected'
BEGIN
    UPDATE cases SET first_conversation_at = NEW.occurred_at
    WHERE id = NEW.case_id AND (first_conversation_at IS NULL OR first_conversation_at > NEW.occurred_at);
END;

CREATE TRIGGER case_events_count_escalations AFTER INSERT ON case_events WHEN NEW.kind = 'escalated'
BEGIN
    UPDATE cases SET escalations = escalations + 1 WHERE id = NEW.case_id;
END;

CREATE TRIGGER case_events_count_breaches AFTER INSERT ON case_events WHEN NEW.kind = 'sla_breached'
BEGIN
    UPDATE cases SET breaches = breaches + 1 WHERE id = NEW.case_id;
END;

CREATE TRIGGER case_events_count_violations AFTER INSERT ON case_events WHEN NEW.kind = 'policy_violation'
BEGIN
    UPDATE cases SET violations = violations + 1 WHERE id = NEW.case_id;
END;

CREATE TRIGGER case_events_count_contacts AFTER INSERT ON case_events WHEN NEW.kind = 'message_received'
BEGIN
    UPDATE cases SET contacts = contacts + 1 WHERE id = NEW.case_id;
END;

-- Backfill. The channel and arrival time come from the case's first
-- message; its own date is believed as the ingest does (gateway.receivedAt):
-- when it is not after the case was opened nor more than 30 days before.
UPDATE cases SET
    channel = m.channel,
    received_at = CASE
        WHEN m.sent_at IS NOT NULL AND m.sent_at <= cases.opened_at
             AND julianday(cases.opened_at) - julianday(m.sent_at) <= 30
        THEN m.sent_at ELSE cases.opened_at END
FROM (
    SELECT case_id, channel, sent_at,
           row_number() OVER (PARTITION BY case_id ORDER BY received_at, id) AS n
    FROM inbound_messages WHERE case_id IS NOT NULL
) AS m
WHERE m.case_id = cases.id AND m.n = 1;
UPDATE cases SET received_at = opened_at WHERE received_at IS NULL;

UPDATE cases SET
    first_notified_at = e.first_notified_at,
    first_call_at = e.first_call_at,
    first_conversation_at = e.first_conversation_at,
    escalations = e.escalations,
    breaches = e.breaches,
    violations = e.violations,
    contacts = e.contacts
FROM (
    SELECT case_id,
           min(occurred_at) FILTER (WHERE kind = 'sms_sent') AS first_notified_at,
           min(occurred_at) FILTER (WHERE kind = 'call_attempted') AS first_call_at,
           min(occurred_at) FILTER (WHERE kind = 'call_connected') AS first_conversation_at,
           count(*) FILTER (WHERE kind = 'escalated') AS escalations,
           count(*) FILTER (WHERE kind = 'sla_breached') AS breaches,
           count(*) FILTER (WHERE kind = 'policy_violation') AS violations,
           count(*) FILTER (WHERE kind = 'message_received') AS contacts
    FROM case_events
    WHERE kind IN ('sms_sent', 'call_attempted', 'call_connected', 'escalated', 'sla_breached',
                   'policy_violation', 'message_received')
    GROUP BY case_id
) AS e
WHERE e.case_id = cases.id;
