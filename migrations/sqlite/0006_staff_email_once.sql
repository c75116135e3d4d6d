-- 0006_staff_email_once (SQLite): a staff mail is recorded once per case.
--
-- The P1 audit (gateway/staff_mail.go) records a staff_email event, and
-- maybe a policy_violation, for each staff mail on a case; the mail is
-- known by the message_id of the event's data. Two copies of one mail
-- audited at the same moment (the Sent folder and the BCC address, or two
-- gateways) could both pass the check for an earlier event; this index
-- makes the second insert fail, and the audit then records nothing.
CREATE UNIQUE INDEX case_events_staff_email_once
    ON case_events (case_id, json_extract(data, '$.message_id'))
    WHERE kind = 'staff_email';
