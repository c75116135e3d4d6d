-- 0001_init (PostgreSQL): the gateway's tables.
--
-- Times are timestamptz; NULL means "not set". JSON is json (kept byte for
-- byte as written). Ids of rows that may be absent (a manager, an owner, a
-- case) are NULL, never 0. Objects are created in the first schema of the
-- search_path.

CREATE TABLE schema_migrations (
    version    integer     PRIMARY KEY,
    name       text        NOT NULL,
    applied_at timestamptz NOT NULL
);

CREATE TABLE staff (
    id            bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL,
    email         text        NOT NULL UNIQUE,
    phone         text        NOT NULL DEFAULT '',
    role          text        NOT NULL DEFAULT '',
    manager_id    bigint      REFERENCES staff (id),
    time_zone     text        NOT NULL DEFAULT '',
    hours         text        NOT NULL DEFAULT '',
    aliases       json        NOT NULL DEFAULT '[]',
    password_hash text        NOT NULL DEFAULT '',
    active        boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX staff_phone_key ON staff (phone) WHERE phone <> '';
CREATE INDEX staff_manager_idx ON staff (manager_id);

CREATE TABLE customers (
    id                  bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_ref        text        NOT NULL UNIQUE,
    name                text        NOT NULL DEFAULT '',
    company             text        NOT NULL DEFAULT '',
    tier                text        NOT NULL DEFAULT '',
    account_value_cents bigint      NOT NULL DEFAULT 0,
    owner_id            bigint      REFERENCES staff (id),
    owner_since         timestamptz,
    created_at          timestamptz NOT NULL
);
CREATE INDEX customers_owner_idx ON customers (owner_id);

-- Contact points; email values are stored in lower case.
CREATE TABLE customer_contacts (
    customer_id bigint  NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    kind        text    NOT NULL CHECK (kind IN ('email', 'phone')),
    value       text    NOT NULL,
    position    integer NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX customer_contacts_customer_idx ON customer_contacts (customer_id, kind, position);

CREATE TABLE cases (
    id                bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    customer_id       bigint      REFERENCES customers (id),
    owner_id          bigint      REFERENCES staff (id),
    status            text        NOT NULL CHECK (status IN ('open', 'in_progress', 'resolved', 'closed')),
    priority          text        NOT NULL DEFAULT '',
    category          text        NOT NULL DEFAULT '',
    subject           text        NOT NULL DEFAULT '',
    summary           text        NOT NULL DEFAULT '',
    relationship_risk boolean     NOT NULL DEFAULT false,
    due_at            timestamptz,
    opened_at         timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    resolved_at       timestamptz
);
CREATE INDEX cases_owner_status_opened_idx ON cases (owner_id, status, opened_at);
CREATE INDEX cases_status_opened_idx ON cases (status, opened_at);
CREATE INDEX cases_opened_idx ON cases (opened_at);
CREATE INDEX cases_customer_status_idx ON cases (customer_id, status);

CREATE TABLE inbound_messages (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel     text        NOT NULL,
    external_id text        NOT NULL,
    customer_id bigint      REFERENCES customers (id),
    case_id     bigint      REFERENCES cases (id),
    from_addr   text        NOT NULL DEFAULT '',
    from_name   text        NOT NULL DEFAULT '',
    subject     text        NOT NULL DEFAULT '',
    body        text        NOT NULL DEFAULT '',
    auto_kind   text        NOT NULL DEFAULT '',
    sent_at     timestamptz,
    received_at timestamptz NOT NULL,
    raw         bytea       NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX inbound_messages_case_idx ON inbound_messages (case_id, received_at);
CREATE INDEX inbound_messages_customer_received_idx ON inbound_messages (customer_id, received_at);

CREATE TABLE assessments (
    message_id    bigint           PRIMARY KEY REFERENCES inbound_messages (id),
    tone_score    double precision NOT NULL,
    tone_label    text             NOT NULL DEFAULT '',
    urgency_score double precision NOT NULL,
    urgency_level text             NOT NULL DEFAULT '',
    category      text             NOT NULL DEFAULT '',
    is_complaint  boolean          NOT NULL,
    summary       text             NOT NULL DEFAULT '',
    language      text             NOT NULL DEFAULT '',
    detail        json,
    created_at    timestamptz      NOT NULL
);

CREATE TABLE quarantine (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel     text        NOT NULL,
    external_id text        NOT NULL,
    reason      text        NOT NULL,
    raw         bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    UNIQUE (channel, external_id)
);
CREATE INDEX quarantine_created_idx ON quarantine (created_at);

CREATE TABLE mailbox_cursors (
    mailbox      text        PRIMARY KEY,
    uid_validity bigint      NOT NULL,
    last_uid     bigint      NOT NULL,
    updated_at   timestamptz NOT NULL
);

-- The case timeline. POLICY P9: events are never edited or deleted; the
-- triggers below refuse UPDATE, DELETE and TRUNCATE, whoever asks.
CREATE TABLE case_events (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint      NOT NULL REFERENCES cases (id),
    occurred_at timestamptz NOT NULL,
    actor       text        NOT NULL,
    kind        text        NOT NULL,
    data        json
);
CREATE INDEX case_events_case_idx ON case_events (case_id, occurred_at, id);

CREATE FUNCTION case_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'case_events is append-only (POLICY P9): % refused', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE TRIGGER case_events_refuse_update_delete
    BEFORE UPDATE OR DELETE ON case_events
    FOR EACH ROW EXECUTE FUNCTION case_events_refuse_change();

CREATE TRIGGER case_events_refuse_truncate
    BEFORE TRUNCATE ON case_events
    FOR EACH STATEMENT EXECUTE FUNCTION case_events_refuse_change();

CREATE TABLE tasks (
    id          bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint      NOT NULL REFERENCES cases (id),
    kind        text        NOT NULL,
    assignee_id bigint      REFERENCES staff (id),
    status      text        NOT NULL CHECK (status IN ('open', 'done', 'snoozed', 'cancelled')),
    due_at      timestamptz,
    checklist   json        NOT NULL DEFAULT '[]',
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX tasks_assignee_status_due_idx ON tasks (assignee_id, status, due_at);
CREATE INDEX tasks_case_idx ON tasks (case_id);

CREATE TABLE notifications (
    id              bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key text        NOT NULL UNIQUE,
    case_id         bigint      REFERENCES cases (id),
    task_id         bigint      REFERENCES tasks (id),
    staff_id        bigint      REFERENCES staff (id),
    to_number       text        NOT NULL,
    body            text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('queued', 'sent', 'failed')),
    provider_id     text        NOT NULL DEFAULT '',
    last_error      text        NOT NULL DEFAULT '',
    attempts        integer     NOT NULL DEFAULT 0,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz
);
CREATE INDEX notifications_case_idx ON notifications (case_id, created_at);
CREATE INDEX notifications_provider_idx ON notifications (provider_id) WHERE provider_id <> '';
