-- 0003_call_backs (SQLite): the phone closes the loop.
--
-- Cases get the statuses a person reads (open → acknowledged → call
-- attempted → in conversation → resolved; reopened) and remember whom the
-- complaint is about (POLICY P4). SQLite cannot change a CHECK constraint, so
-- the cases table is rebuilt (foreign keys are off while migrations run).
-- Calls record each bridged call-back; webhook receipts make every Twilio
-- callback idempotent on its SID; staff can opt out of SMS (STOP).

CREATE TABLE cases_new (
    id                INTEGER PRIMARY KEY,
    customer_id       INTEGER REFERENCES customers (id),
    owner_id          INTEGER REFERENCES staff (id),
    status            TEXT    NOT NULL CHECK (status IN ('open', 'acknowledged', 'call_attempted',
                                  'in_conversation', 'resolved', 'reopened', 'closed')),
    priority          TEXT    NOT NULL DEFAULT '',
    category          TEXT    NOT NULL DEFAULT '',
    subject           TEXT    NOT NULL DEFAULT '',
    summary           TEXT    NOT NULL DEFAULT '',
    relationship_risk INTEGER NOT NULL DEFAULT 0 CHECK (relationship_risk IN (0, 1)),
    complained_about  TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(complained_about)),
    due_at            TEXT,
    opened_at         TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    resolved_at       TEXT
);
INSERT INTO cases_new (id, customer_id, owner_id, status, priority, category, subject, summary,
        relationship_risk, due_at, opened_at, updated_at, resolved_at)
    SELECT id, customer_id, owner_id,
           CASE status WHEN 'in_progress' THEN 'acknowledged' ELSE status END,
           priority, category, subject, summary, relationship_risk, due_at, opened_at, updated_at, resolved_at
    FROM cases;
DROP TABLE cases;
ALTER TABLE cases_new RENAME TO cases;
CREATE INDEX cases_owner_status_opened_idx ON cases (owner_id, status, opened_at);
CREATE INDEX cases_status_opened_idx ON cases (status, opened_at);
CREATE INDEX cases_opened_idx ON cases (opened_at);
CREATE INDEX cases_customer_status_idx ON cases (customer_id, status);
CREATE UNIQUE INDEX cases_one_open_per_customer ON cases (customer_id)
    WHERE status NOT IN ('resolved', 'closed') AND customer_id IS NOT NULL;

ALTER TABLE staff ADD COLUMN sms_opted_out INTEGER NOT NULL DEFAULT 0 CHECK (sms_opted_out IN (0, 1));

-- One bridged call-back: the staff member's phone first, then the customer.
CREATE TABLE calls (
    id               INTEGER PRIMARY KEY,
    idempotency_key  TEXT    NOT NULL UNIQUE,
    case_id          INTEGER NOT NULL REFERENCES cases (id),
    task_id          INTEGER REFERENCES tasks (id),
    staff_id         INTEGER REFERENCES staff (id),
    agent_number     TEXT    NOT NULL,
    customer_number  TEXT    NOT NULL,
    status           TEXT    NOT NULL CHECK (status IN ('queued', 'placed', 'ended', 'failed')),
    outcome          TEXT    NOT NULL DEFAULT '',
    provider_id      TEXT    NOT NULL DEFAULT '',
    customer_leg_id  TEXT    NOT NULL DEFAULT '',
    answered_by      TEXT    NOT NULL DEFAULT '',
    duration_seconds INTEGER NOT NULL DEFAULT 0,
    attempts         INTEGER NOT NULL DEFAULT 0,
    last_error       TEXT    NOT NULL DEFAULT '',
    requested_by     TEXT    NOT NULL DEFAULT '',
    created_at       TEXT    NOT NULL,
    placed_at        TEXT,
    ended_at         TEXT
);
CREATE INDEX calls_case_idx ON calls (case_id, created_at);
CREATE INDEX calls_provider_idx ON calls (provider_id) WHERE provider_id <> '';

-- Every Twilio callback once: (kind, key) is its SID, with the status for
-- callbacks that report several. Response is what was answered, so that a
-- retried request gets the same answer and changes nothing.
CREATE TABLE webhook_receipts (
    kind        TEXT NOT NULL,
    key         TEXT NOT NULL,
    response    TEXT NOT NULL DEFAULT '',
    received_at TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
