package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/triage-gw/triage/gateway/store"
)

func testVoicemail(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	// The inbound call comes first, with the caller.
	v, err := s.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: "CA1", From: "+15550100001", To: "+15550100999", CalledAt: at(0)})
	if err != nil || v.CallSID != "CA1" || v.From != "+15550100001" || v.To != "+15550100999" || v.RecordingSID != "" || v.MessageID != 0 {
		t.Fatalf("VoicemailUpsert(call) = %+v, %v; want the call, no recording yet", v, err)
	}
	checkTime(t, "VoicemailUpsert().CalledAt", v.CalledAt, at(0))
	// Then the recording; the caller stays.
	v, err = s.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: "CA1", RecordingSID: "RE1", RecordingURL: "https://api.example/RE1",
		DurationSeconds: 42, RecordedAt: at(time.Minute), CalledAt: at(time.Hour)})
	if err != nil || v.From != "+15550100001" || v.RecordingSID != "RE1" || v.DurationSeconds != 42 || v.RecordingURL == "" {
		t.Fatalf("VoicemailUpsert(recording) = %+v, %v; want the recording merged, the caller kept", v, err)
	}
	checkTime(t, "VoicemailUpsert().CalledAt kept", v.CalledAt, at(0))
	checkTime(t, "VoicemailUpsert().RecordedAt", v.RecordedAt, at(time.Minute))
	// Then the transcript.
	v, err = s.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: "CA1", Transcript: "hi this is jane", TranscriptStatus: store.TranscriptCompleted})
	if err != nil || v.Transcript != "hi this is jane" || v.TranscriptStatus != store.TranscriptCompleted || v.DurationSeconds != 42 {
		t.Fatalf("VoicemailUpsert(transcript) = %+v, %v", v, err)
	}
	byRec, err := s.VoicemailGetByRecording(ctx, "RE1")
	if err != nil || byRec.CallSID != "CA1" || byRec.Transcript != v.Transcript {
		t.Errorf("VoicemailGetByRecording(RE1) = %+v, %v; want CA1", byRec, err)
	}
	if _, err := s.VoicemailGetByCall(ctx, "CA-none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("VoicemailGetByCall(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := s.VoicemailGetByRecording(ctx, "RE-none"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("VoicemailGetByRecording(unknown) error = %v, want ErrNotFound", err)
	}
	if _, err := s.VoicemailUpsert(ctx, store.VoicemailUpsertParams{}); err == nil {
		t.Errorf("VoicemailUpsert(no call sid) error = nil, want an error")
	}
	// A second call cannot claim the same recording.
	if _, err := s.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: "CA2", RecordingSID: "RE1"}); err == nil {
		t.Errorf("VoicemailUpsert(CA2 with CA1's recording) error = nil, want a conflict")
	}

	// The message it became, its text replaced and assessed again.
	m, _, err := s.MessageInsert(ctx, store.MessageInsertParams{Channel: store.ChannelVoicemail, ExternalID: "RE1", FromAddr: v.From})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.MessageGetByExternalID(ctx, store.ChannelVoicemail, "RE1"); err != nil || got.ID != m.ID {
		t.Errorf("MessageGetByExternalID(voicemail, RE1) = %d, %v; want %d", got.ID, err, m.ID)
	}
	if _, err := s.MessageGetByExternalID(ctx, store.ChannelEmail, "RE1"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MessageGetByExternalID(email, RE1) error = %v, want ErrNotFound", err)
	}
	if v, err = s.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: "CA1", MessageID: m.ID}); err != nil || v.MessageID != m.ID {
		t.Errorf("VoicemailUpsert(message) = %+v, %v; want message %d", v, err, m.ID)
	}
	if err := s.MessageSetBody(ctx, m.ID, "hi this is jane"); err != nil {
		t.Fatal(err)
	}
	if got, err := s.MessageGetByID(ctx, m.ID); err != nil || got.Body != "hi this is jane" {
		t.Errorf("MessageGetByID after MessageSetBody = %q, %v", got.Body, err)
	}
	if err := s.MessageSetBody(ctx, m.ID+1000, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("MessageSetBody(unknown) error = %v, want ErrNotFound", err)
	}
	first, err := s.AssessmentReplace(ctx, store.AssessmentInsertParams{MessageID: m.ID, UrgencyLevel: "high", ToneLabel: "neutral"})
	if err != nil || first.UrgencyLevel != "high" {
		t.Fatalf("AssessmentReplace(first) = %+v, %v", first, err)
	}
	second, err := s.AssessmentReplace(ctx, store.AssessmentInsertParams{MessageID: m.ID, UrgencyLevel: "critical", ToneLabel: "angry", IsComplaint: true})
	if err != nil || second.UrgencyLevel != "critical" || !second.IsComplaint {
		t.Fatalf("AssessmentReplace(second) = %+v, %v", second, err)
	}
	if got, err := s.AssessmentGetByMessage(ctx, m.ID); err != nil || got.UrgencyLevel != "critical" || got.ToneLabel != "angry" {
		t.Errorf("AssessmentGetByMessage = %+v, %v; want the second", got, err)
	}
}

func testCheckpoint(t *testing.T, open func(t *testing.T) store.Store) {
	ctx, s := t.Context(), open(t)
	if _, err := s.CheckpointGet(ctx, "twilio:recordings"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("CheckpointGet(new) error = %v, want ErrNotFound", err)
	}
	for _, d := range []time.Duration{0, time.Hour} {
		if err := s.CheckpointSet(ctx, "twilio:recordings", at(d)); err != nil {
			t.Fatal(err)
		}
		got, err := s.CheckpointGet(ctx, "twilio:recordings")
		if err != nil {
			t.Fatal(err)
		}
		checkTime(t, "CheckpointGet()", got, at(d))
	}
}
