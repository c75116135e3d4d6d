package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

const voicemailColumns = `call_sid, from_number, to_number, recording_sid, recording_url, duration_seconds,
	transcript, transcript_status, message_id, called_at, recorded_at, updated_at`

func scanVoicemail(r Row) (store.Voicemail, error) {
	var v store.Voicemail
	var recording *string
	var duration int64
	err := r.Scan(&v.CallSID, &v.From, &v.To, &recording, &v.RecordingURL, &duration, &v.Transcript,
		&v.TranscriptStatus, idDest{&v.MessageID}, timeDest{&v.CalledAt}, timeDest{&v.RecordedAt}, timeDest{&v.UpdatedAt})
	if recording != nil {
		v.RecordingSID = *recording
	}
	v.DurationSeconds = int(duration)
	return v, err
}

// VoicemailUpsert creates the voicemail of p.CallSID or merges p's
// non-empty fields into it; see store.Querier.
func (q *queries) VoicemailUpsert(ctx context.Context, p store.VoicemailUpsertParams) (store.Voicemail, error) {
	if p.CallSID == "" {
		return store.Voicemail{}, errors.New("voicemail upsert: call sid is required")
	}
	now := q.nowUTC()
	var duration any
	if p.DurationSeconds > 0 {
		duration = p.DurationSeconds
	}
	v, err := scanVoicemail(q.c.QueryRow(ctx, `
		INSERT INTO voicemails (call_sid, from_number, to_number, recording_sid, recording_url, duration_seconds,
			transcript, transcript_status, message_id, called_at, recorded_at, updated_at)
		VALUES ($1, coalesce($2, ''), coalesce($3, ''), $4, coalesce($5, ''), coalesce($6, 0), coalesce($7, ''),
			coalesce($8, ''), $9, $10, $11, $12)
		ON CONFLICT (call_sid) DO UPDATE SET
			from_number = coalesce($2, voicemails.from_number),
			to_number = coalesce($3, voicemails.to_number),
			recording_sid = coalesce($4, voicemails.recording_sid),
			recording_url = coalesce($5, voicemails.recording_url),
			duration_seconds = coalesce($6, voicemails.duration_seconds),
			transcript = coalesce($7, voicemails.transcript),
			transcript_status = coalesce($8, voicemails.transcript_status),
			message_id = coalesce($9, voicemails.message_id),
			recorded_at = coalesce($11, voicemails.recorded_at),
			updated_at = $12
		RETURNING `+voicemailColumns,
		p.CallSID, textArg(p.From), textArg(p.To), textArg(p.RecordingSID), textArg(p.RecordingURL), duration,
		textArg(p.Transcript), textArg(p.TranscriptStatus), idArg(p.MessageID), timeArg(q.orNow(p.CalledAt)),
		timeArg(p.RecordedAt), timeArg(now)))
	if err != nil {
		return store.Voicemail{}, fmt.Errorf("voicemail upsert %s: %w", p.CallSID, err)
	}
	return v, nil
}

// VoicemailGetByCall returns the voicemail of a call.
func (q *queries) VoicemailGetByCall(ctx context.Context, callSID string) (store.Voicemail, error) {
	v, err := scanVoicemail(q.c.QueryRow(ctx, `SELECT `+voicemailColumns+` FROM voicemails WHERE call_sid = $1`, callSID))
	if err != nil {
		return store.Voicemail{}, fmt.Errorf("voicemail get for call %s: %w", callSID, err)
	}
	return v, nil
}

// VoicemailGetByRecording returns the voicemail of a recording.
func (q *queries) VoicemailGetByRecording(ctx context.Context, recordingSID string) (store.Voicemail, error) {
	v, err := scanVoicemail(q.c.QueryRow(ctx, `SELECT `+voicemailColumns+` FROM voicemails WHERE recording_sid = $1`, recordingSID))
	if err != nil {
		return store.Voicemail{}, fmt.Errorf("voicemail get for recording %s: %w", recordingSID, err)
	}
	return v, nil
}

// MessageSetBody replaces the analysed text of message id.
func (q *queries) MessageSetBody(ctx context.Context, id int64, body string) error {
	var got int64
	if err := q.c.QueryRow(ctx, `UPDATE inbound_messages SET body = $2 WHERE id = $1 RETURNING id`, id, body).Scan(&got); err != nil {
		return fmt.Errorf("message set body %d: %w", id, err)
	}
	return nil
}

// AssessmentReplace stores p in place of the message's assessment (or as
// its first).
func (q *queries) AssessmentReplace(ctx context.Context, p store.AssessmentInsertParams) (store.Assessment, error) {
	a, err := scanAssessment(q.c.QueryRow(ctx, `
		INSERT INTO assessments (message_id, tone_score, tone_label, urgency_score, urgency_level,
			category, is_complaint, summary, language, detail, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (message_id) DO UPDATE SET
			tone_score = excluded.tone_score, tone_label = excluded.tone_label,
			urgency_score = excluded.urgency_score, urgency_level = excluded.urgency_level,
			category = excluded.category, is_complaint = excluded.is_complaint, summary = excluded.summary,
			language = excluded.language, detail = excluded.detail, created_at = excluded.created_at
		RETURNING `+assessmentColumns,
		p.MessageID, p.ToneScore, p.ToneLabel, p.UrgencyScore, p.UrgencyLevel, p.Category,
		p.IsComplaint, p.Summary, p.Language, jsonArg(p.Detail), timeArg(q.nowUTC())))
	if err != nil {
		return store.Assessment{}, fmt.Errorf("assessment replace for message %d: %w", p.MessageID, err)
	}
	return a, nil
}

// CheckpointGet returns the checkpoint called name.
func (q *queries) CheckpointGet(ctx context.Context, name string) (time.Time, error) {
	var at time.Time
	if err := q.c.QueryRow(ctx, `SELECT at FROM checkpoints WHERE name = $1`, name).Scan(timeDest{&at}); err != nil {
		return time.Time{}, fmt.Errorf("checkpoint get %s: %w", name, err)
	}
	return at, nil
}

// CheckpointSet moves the checkpoint called name to at.
func (q *queries) CheckpointSet(ctx context.Context, name string, at time.Time) error {
	if _, err := q.c.Exec(ctx, `INSERT INTO checkpoints (name, at, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (name) DO UPDATE SET at = excluded.at, updated_at = excluded.updated_at`,
		name, timeArg(at), timeArg(q.nowUTC())); err != nil {
		return fmt.Errorf("checkpoint set %s: %w", name, err)
	}
	return nil
}
