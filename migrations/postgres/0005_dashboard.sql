-- 0005_dashboard (PostgreSQL): the managers' dashboard and audit.
--
-- Sessions are dashboard logins, stored by the hash of their token. Owner
-- changes record each move of an account to another owner (POLICY P7).
-- Settings keep small values the gateway generates for itself.
--
-- Cases keep their audit milestones (POLICY P9, "what managers audit"): the
-- channel and arrival time of their first message, the first SMS to staff,
-- the first call attempt and the first live conversation, and counts of
-- escalations, SLA breaches, policy violations and contacts. A trigger on
-- case_events keeps them as the timeline grows, so no writer can forget
-- them; a milestone is the earliest such event, whatever the order events
-- are written in. Existing databases get them from their messages and
-- timelines below.

CREATE TABLE sessions (
    id_hash      text        PRIMARY KEY,
    staff_id     bigint      NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    csrf_token   text        NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL
);
CREATE INDEX sessions_staff_idx ON sessions (staff_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

-- from_owner_id and to_owner_id are NULL for "no owner".
CREATE TABLE customer_owner_changes (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id   bigint      NOT NULL REFERENCES customers (id),
    from_owner_id bigint      REFERENCES staff (id),
    to_owner_id   bigint      REFERENCES staff (id),
    at            timestamptz NOT NULL,
    actor         text        NOT NULL DEFAULT '',
    reason        text        NOT NULL DEFAULT ''
);
CREATE INDEX customer_owner_changes_customer_idx ON customer_owner_changes (customer_id, at);
CREATE INDEX customer_owner_changes_at_idx ON customer_owner_changes (at);

CREATE TABLE settings (
    key   text PRIMARY KEY,
    value text NOT NULL
);

ALTER TABLE cases
    ADD COLUMN channel               text        NOT NULL DEFAULT '',
    ADD COLUMN received_at           timestamptz,
    ADD COLUMN first_notified_at     timestamptz,
    ADD COLUMN first_call_at         timestamptz,
    ADD COLUMN first_conversation_at timestamptz,
    ADD COLUMN escalations           integer     NOT NULL DEFAULT 0,
    ADD COLUMN breaches              integer     NOT NULL DEFAULT 0,
    ADD COLUMN violations            integer     NOT NULL DEFAULT 0,
    ADD COLUMN contacts              integer     NOT NULL DEFAULT 0;

-- The queue reads the few active cases by due time; the audit reads cases
-- by opened_at (cases_opened_idx, since 0001); the audit's follow-up and
-- the queue's assignee rule look tasks up by case and kind; the lessons
-- learned read resolved events newest first. Queries must spell the
-- partial indexes' conditions with the same literals to use them.
CREATE INDEX cases_active_due_idx ON cases (due_at) WHERE status NOT IN ('resolved', 'closed');
DROP INDEX tasks_case_idx;
CREATE INDEX tasks_case_kind_idx ON tasks (case_id, kind, created_at, id);
CREATE INDEX case_events_resolved_idx ON case_events (occurred_at) WHERE kind = 'resolved';

CREATE FUNCTION case_events_keep_milestones() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    CASE NEW.kind
    WHEN 'sms_sent' THEN
        UPDATE cases SET first_notified_at = NEW.occurred_at
        WHERE id = NEW.case_id AND (first_notified_at IS NULL OR first_notified_at > NEW.occurred_at);
    WHEN 'call_attempted' THEN
        UPDATE cases SET first_call_at = NEW.occurred_at
        WHERE id = NEW.case_id AND (first_call_at IS NULL OR first_call_at > NEW.occurred_at);
    WHEN 'call_connected' THEN
        UPDATE cases SET first_conversation_at = NEW.occurred_at
        WHERE id = NEW.case_id AND (first_conversation_at IS NULL OR first_conversation_at > NEW.occurred_at);
    WHEN 'escalated' THEN
        UPDATE cases SET escalations = escalations + 1 WHERE id = NEW.case_id;
    WHEN 'sla_breached' THEN
        UPDATE cases SET breaches = breaches + 1 WHERE id = NEW.case_id;
    WHEN 'policy_violation' THEN
        UPDATE cases SET violations = violations + 1 WHERE id = NEW.case_id;
    WHEN 'message_received' THEN
        UPDATE cases SET contacts = contacts + 1 WHERE id = NEW.case_id;
    ELSE
        NULL; -- the trigger's WHEN lets only the kinds above through
    END CASE;
    RETURN NULL;
END;
$$;

CREATE TRIGGER case_events_keep_milestones
    AFTER INSERT ON case_events
    FOR EACH ROW
    WHEN (NEW.kind IN ('sms_sent', 'call_attempted', 'call_connected', 'escalated', 'sla_breached',
                       'policy_violation', 'message_received'))
    EXECUTE FUNCTION case_events_keep_milestones();

-- Backfill. The channel and arrival time come from the case's first
-- message; its own date is believed as the ingest does (gateway.receivedAt):
-- when it is not after the case was opened nor more than 30 days before.
UPDATE cases SET
    channel = m.channel,
    received_at = CASE
        WHEN m.sent_at IS NOT NULL AND m.sent_at <= cases.opened_at
             AND m.sent_at >= cases.opened_at - interval '30 days'
        THEN m.sent_at ELSE cases.opened_at END
FROM (
    SELECT DISTINCT ON (case_id) case_id, channel, sent_at
    FROM inbound_messages WHERE case_id IS NOT NULL
    ORDER BY case_id, received_at, id
) AS m
WHERE m.case_id = cases.id;
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
