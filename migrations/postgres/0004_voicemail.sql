-- 0004_voicemail (PostgreSQL): voicemail intake, push and pull.
--
-- A voicemail is one call to the support line: its caller (from the inbound
-- call webhook, or fetched when the recording is found by the periodic
-- pull), its recording, and its transcript as it comes. message_id is set
-- once it became an inbound message. Checkpoints remember how far a pull
-- has read (the recordings list, by creation time).

CREATE TABLE voicemails (
    call_sid          text        PRIMARY KEY,
    from_number       text        NOT NULL DEFAULT '',
    to_number         text        NOT NULL DEFAULT '',
    recording_sid     text        UNIQUE,
    recording_url     text        NOT NULL DEFAULT '',
    duration_seconds  integer     NOT NULL DEFAULT 0,
    transcript        text        NOT NULL DEFAULT '',
    transcript_status text        NOT NULL DEFAULT '',
    message_id        bigint      REFERENCES inbound_messages (id),
    called_at         timestamptz NOT NULL,
    recorded_at       timestamptz,
    updated_at        timestamptz NOT NULL
);

CREATE TABLE checkpoints (
    name       text        PRIMARY KEY,
    at         timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
