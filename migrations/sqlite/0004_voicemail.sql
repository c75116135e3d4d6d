-- 0004_voicemail (SQLite): voicemail intake, push and pull.
--
-- A voicemail is one call to the support line: its caller (from the inbound
-- call webhook, or fetched when the recording is found by the periodic
-- pull), its recording, and its transcript as it comes. message_id is set
-- once it became an inbound message. Checkpoints remember how far a pull
-- has read (the recordings list, by creation time).

CREATE TABLE voicemails (
    call_sid          TEXT    PRIMARY KEY,
    from_number       TEXT    NOT NULL DEFAULT '',
    to_number         TEXT    NOT NULL DEFAULT '',
    recording_sid     TEXT    UNIQUE,
    recording_url     TEXT    NOT NULL DEFAULT '',
    duration_seconds  INTEGER NOT NULL DEFAULT 0,
    transcript        TEXT    NOT NULL DEFAULT '',
    transcript_status TEXT    NOT NULL DEFAULT '',
    message_id        INTEGER REFERENCES inbound_messages (id),
    called_at         TEXT    NOT NULL,
    recorded_at       TEXT,
    updated_at        TEXT    NOT NULL
);

CREATE TABLE checkpoints (
    name       TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
