-- 0001_init (SQLite): the gateway's tables.
--
-- Times are TEXT in one fixed-width UTC form, 2006-01-02T15:04:05.000000Z, so
-- that text order is time order; NULL means "not set". Booleans are INTEGER
-- 0/1. JSON is TEXT checked with json_valid. Ids of rows that may be absent
-- (a manager, an owner, a case) are NULL, never 0.

CREATE TABLE schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL,
    applied_at TEXT    NOT NULL
);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    name          TEXT    NOT NULL,
    email         TEXT    NOT NULL UNIQUE,
    phone         TEXT    NOT NULL DEFAULT '',
    role          TEXT    NOT NULL DEFAULT '',
    manager_id    INTEGER REFERENCES staff (id),
    time_zone     TEXT    NOT NULL DEFAULT '',
    hours         TEXT    NOT NULL DEFAULT '',
    aliases       TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(aliases)),
    password_hash TEXT    NOT NULL DEFAULT '',
    active        INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at    TEXT    NOT NULL
);
CREATE UNIQUE INDEX staff_phone_key ON staff (phone) WHERE phone <> '';
CREATE INDEX staff_manager_idx ON staff (manager_id);

CREATE TABLE customers (
    id                  INTEGER PRIMARY KEY,
    external_ref        TEXT    NOT NULL UNIQUE,
    name                TEXT    NOT NULL DEFAULT '',
    company             TEXT    NOT NULL DEFAULT '',
    tier                TEXT    NOT NULL DEFAULT '',
    account_value_cents INTEGER NOT NULL DEFAULT 0,
    owner_id            INTEGER REFERENCES staff (id),
    owner_since         TEXT,
    created_at          TEXT    NOT NULL
);
CREATE INDEX customers_owner_idx ON customers (owner_id);

-- Contact points; email values are stored in lower case.
CREATE TABLE customer_contacts (
    customer_id INTEGER NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('email', 'phone')),
    value       TEXT    NOT NULL,
    position    INTEGER NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX customer_contacts_customer_idx ON customer_contacts (customer_id, kind, position);

CREATE TABLE cases (
    id                INTEGER PRIMARY KEY,
    customer_id       INTEGER REFERENCES customers (id),
    owner_id          INTEGER REFERENCES staff (id),
    status            TEXT    NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    priority          TEXT    NOT NULL DEFAULT '',
    category          TEXT    NOT NULL DEFAULT '',
    subject           TEXT    NOT NULL DEFAULT '',
    summary           TEXT    NOT NULL DEFAULT '',
    relationship_risk INTEGER NOT NULL DEFAULT 0 CHECK (relationship_risk IN (0, 1)),
    due_at            TEXT,
    opened_at         TEXT    NOT NULL,
    updated_at        TEXT    NOT NULL,
    resolved_at       TEXT
);
CREATE INDEX cases_owner_status_opened_idx ON cases (owner_id, status, opened_at);
CREATE INDEX cases_status_opened_idx ON cases (status, opened_at);
CREATE INDEX cases_opened_idx ON cases (opened_at);
CREATE INDEX cases_customer_status_idx ON cases (customer_id, status);

CREATE TABLE inbound_messages (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    customer_id INTEGER REFERENCES customers (id),
    case_id     INTEGER REFERENCES cases (id),
    from_addr   TEXT    NOT NULL DEFAULT '',
    from_name   TEXT    NOT NULL DEFAULT '',
    subject     TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL DEFAULT '',
    auto_kind   TEXT    NOT NULL DEFAULT '',
    sent_at     TEXT,
    received_at TEXT    NOT NULL,
    raw         BLOB    NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX inbound_messages_case_idx ON inbound_messages (case_id, received_at);
CREATE INDEX inbound_messages_customer_received_idx ON inbound_messages (customer_id, received_at);

CREATE TABLE assessments (
    message_id    INTEGER PRIMARY KEY REFERENCES inbound_messages (id),
    tone_score    REAL    NOT NULL,
    tone_label    TEXT    NOT NULL DEFAULT '',
    urgency_score REAL    NOT NULL,
    urgency_level TEXT    NOT NULL DEFAULT '',
    category      TEXT    NOT NULL DEFAULT '',
    is_complaint  INTEGER NOT NULL CHECK (is_complaint IN (0, 1)),
    summary       TEXT    NOT NULL DEFAULT '',
    language      TEXT    NOT NULL DEFAULT '',
    detail        TEXT    CHECK (detail IS NULL OR json_valid(detail)),
    created_at    TEXT    NOT NULL
);

CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    channel     TEXT    NOT NULL,
    external_id TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    raw         BLOB    NOT NULL,
    created_at  TEXT    NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX quarantine_created_idx ON quarantine (created_at);

CREATE TABLE mailbox_cursors (
    mailbox      TEXT    PRIMARY KEY,
    uid_validity INTEGER NOT NULL,
    last_uid     INTEGER NOT NULL,
    updated_at   TEXT    NOT NULL
);

-- The case timeline. POLICY P9: events are never edited or deleted; the
-- triggers below refuse both, whoever asks.
CREATE TABLE case_events (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    occurred_at TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    data        TEXT    CHECK (data IS NULL OR json_valid(data))
);
CREATE INDEX case_events_case_idx ON case_events (case_id, occurred_at, id);

CREATE TRIGGER case_events_refuse_update BEFORE UPDATE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only (POLICY P9): UPDATE refused');
END;

CREATE TRIGGER case_events_refuse_delete BEFORE DELETE ON case_events
BEGIN
    SELECT RAISE(ABORT, 'case_events is append-only (POLICY P9): DELETE refused');
END;

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    kind        TEXT    NOT NULL,
    assignee_id INTEGER REFERENCES staff (id),
    status      TEXT    NOT NULL CHECK (status IN ('open', 'done', 'snoozed', 'cancelled')),
    due_at      TEXT,
    checklist   TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(checklist)),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
);
CREATE INDEX tasks_assignee_status_due_idx ON tasks (assignee_id, status, due_at);
CREATE INDEX tasks_case_idx ON tasks (case_id);

CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY,
    idempotency_key TEXT    NOT NULL UNIQUE,
    case_id         INTEGER REFERENCES cases (id),
    task_id         INTEGER REFERENCES tasks (id),
    staff_id        INTEGER REFERENCES staff (id),
    to_number       TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    provider_id     TEXT    NOT NULL DEFAULT '',
    last_error      TEXT    NOT NULL DEFAULT '',
    attempts        INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT
);
CREATE INDEX notifications_case_idx ON notifications (case_id, created_at);
CREATE INDEX notifications_provider_idx ON notifications (provider_id) WHERE provider_id <> '';
