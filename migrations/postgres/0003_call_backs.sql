-- 0003_call_backs (PostgreSQL): the phone closes the loop.
--
-- Cases get the statuses a person reads (open → acknowledged → call
-- attempted → in conversation → resolved; reopened) and remember whom the
-- complaint is about (POLICY P4). Calls record each bridged call-back;
-- webhook receipts make every Twilio callback idempotent on its SID; staff
-- can opt out of SMS (STOP).

ALTER TABLE cases DROP CONSTRAINT cases_status_check;
UPDATE cases SET status = 'acknowledged' WHERE status = 'in_progress';
ALTER TABLE cases ADD CONSTRAINT cases_status_check CHECK (status IN ('open', 'acknowledged',
    'call_attempted', 'in_conversation', 'resolved', 'reopened', 'closed'));
ALTER TABLE cases ADD COLUMN complained_about json NOT NULL DEFAULT '[]';
DROP INDEX cases_one_open_per_customer;
CREATE UNIQUE INDEX cases_one_open_per_customer ON cases (customer_id)
    WHERE status NOT IN ('resolved', 'closed') AND customer_id IS NOT NULL;

ALTER TABLE staff ADD COLUMN sms_opted_out boolean NOT NULL DEFAULT false;

-- One bridged call-back: the staff member's phone first, then the customer.
CREATE TABLE calls (
    id               bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    idempotency_key  text        NOT NULL UNIQUE,
    case_id          bigint      NOT NULL REFERENCES cases (id),
    task_id          bigint      REFERENCES tasks (id),
    staff_id         bigint      REFERENCES staff (id),
    agent_number     text        NOT NULL,
    customer_number  text        NOT NULL,
    status           text        NOT NULL CHECK (status IN ('queued', 'placed', 'ended', 'failed')),
    outcome          text        NOT NULL DEFAULT '',
    provider_id      text        NOT NULL DEFAULT '',
    customer_leg_id  text        NOT NULL DEFAULT '',
    answered_by      text        NOT NULL DEFAULT '',
    duration_seconds integer     NOT NULL DEFAULT 0,
    attempts         integer     NOT NULL DEFAULT 0,
    last_error       text        NOT NULL DEFAULT '',
    requested_by     text        NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL,
    placed_at        timestamptz,
    ended_at         timestamptz
);
CREATE INDEX calls_case_idx ON calls (case_id, created_at);
CREATE INDEX calls_provider_idx ON calls (provider_id) WHERE provider_id <> '';

-- Every Twilio callback once: (kind, key) is its SID, with the status for
-- callbacks that report several. Response is what was answered, so that a
-- retried request gets the same answer and changes nothing.
CREATE TABLE webhook_receipts (
    kind        text        NOT NULL,
    key         text        NOT NULL,
    response    text        NOT NULL DEFAULT '',
    received_at timestamptz NOT NULL,
    PRIMARY KEY (kind, key)
);
