package twiliotest

import (
	"encoding/binary"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Recording is one recording the stand-in made of a call
// (https://www.twilio.com/docs/voice/api/recording): by a <Record> during
// CallIn, or seeded by AddRecordings.
type Recording struct {
	SID        string
	AccountSID string
	CallSID    string        // the call it was made on
	Duration   time.Duration // whole seconds
	Status     string        // "completed"
	Source     string        // "RecordVerb"
	Channels   int           // 1
	// Created is its date_created and start_time: when the recording
	// began.
	Created time.Time
}

// Transcription is one transcription of a Recording
// (https://www.twilio.com/docs/voice/api/recording-transcription), asked for
// with <Record transcribe="true">.
type Transcription struct {
	SID          string
	AccountSID   string
	RecordingSID string
	CallSID      string        // the recording's call
	Status       string        // "in-progress", then "completed" or "failed"
	Text         string        // the transcript; "" unless completed
	Duration     time.Duration // the recording's
	Created      time.Time
	Updated      time.Time
}

// voicemailStore keeps the recordings and transcriptions, indexed by SID
// so that fetching one of ten thousand costs no scan, and the state of the
// inbound calls being played. Its zero value is ready to use.
type voicemailStore struct {
	mu             sync.Mutex
	recordings     []Recording
	recordingAt    map[string]int // SID to index in recordings
	transcriptions []Transcription
	transcriptAt   map[string]int   // SID to index in transcriptions
	byRecording    map[string][]int // recording SID to indexes in transcriptions
	inbound        map[string]*inboundCall
}

// Recordings returns the recordings made, oldest first.
func (s *Server) Recordings() []Recording {
	v := &s.voicemail
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Recording(nil), v.recordings...)
}

// Transcriptions returns the transcriptions asked for, oldest first, as
// they stand now.
func (s *Server) Transcriptions() []Transcription {
	v := &s.voicemail
	v.mu.Lock()
	defer v.mu.Unlock()
	return append([]Transcription(nil), v.transcriptions...)
}

// AddRecordings seeds n finished voicemails directly, without playing a
// call or sending a webhook, for reconciliation tests and benchmarks: for
// each, a completed inbound call from callerFrom to Number (35 seconds), a
// 30-second recording on it (Source RecordVerb) and a completed
// transcription of it with text transcript. It returns the recordings'
// SIDs, oldest first. The media of a recording is made when fetched, so ten
// thousand cost a few megabytes.
func (s *Server) AddRecordings(n int, callerFrom, transcript string) []string {
	const speaks = 30 * time.Second
	number := s.Number()
	sids := make([]string, 0, max(n, 0))
	for range n {
		now := time.Now().UTC()
		c := Call{
			SID: newSID("CA"), AccountSID: s.accountSID, Direction: "inbound", To: number, From: callerFrom,
			Method: http.MethodPost, Timeout: defaultTimeout, Status: "completed",
			Duration: speaks + dialOverhead, Created: now, Updated: now, Ended: now.Add(speaks + dialOverhead),
		}
		s.legs.Add(c)
		rec := s.voicemail.addRecording(s.accountSID, c.SID, speaks, now)
		tr := s.voicemail.addTranscription(rec, now)
		s.voicemail.finishTranscription(tr.SID, "completed", transcript, now)
		sids = append(sids, rec.SID)
	}
	return sids
}

// addRecording records a completed recording of d on the call.
func (v *voicemailStore) addRecording(account, callSID string, d time.Duration, at time.Time) Recording {
	r := Recording{
		SID: newSID("RE"), AccountSID: account, CallSID: callSID, Duration: d,
		Status: "completed", Source: "RecordVerb", Channels: 1, Created: at,
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.recordingAt == nil {
		v.recordingAt = map[string]int{}
	}
	v.recordingAt[r.SID] = len(v.recordings)
	v.recordings = append(v.recordings, r)
	return r
}

// addTranscription records an in-progress transcription of rec.
func (v *voicemailStore) addTranscription(rec Recording, at time.Time) Transcription {
	t := Transcription{
		SID: newSID("TR"), AccountSID: rec.AccountSID, RecordingSID: rec.SID, CallSID: rec.CallSID,
		Status: "in-progress", Duration: rec.Duration, Created: at, Updated: at,
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.transcriptAt == nil {
		v.transcriptAt = map[string]int{}
		v.byRecording = map[string][]int{}
	}
	i := len(v.transcriptions)
	v.transcriptAt[t.SID] = i
	v.byRecording[rec.SID] = append(v.byRecording[rec.SID], i)
	v.transcriptions = append(v.transcriptions, t)
	return t
}

// finishTranscription sets the transcription's final status and text, and
// returns it.
func (v *voicemailStore) finishTranscription(sid, status, text string, at time.Time) Transcription {
	v.mu.Lock()
	defer v.mu.Unlock()
	i, ok := v.transcriptAt[sid]
	if !ok {
		return Transcription{}
	}
	t := &v.transcriptions[i]
	t.Status, t.Text, t.Updated = status, text, at
	return *t
}

// recording returns the recording with sid.
func (v *voicemailStore) recording(sid string) (Recording, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	i, ok := v.recordingAt[sid]
	if !ok {
		return Recording{}, false
	}
	return v.recordings[i], true
}

// transcription returns the transcription with sid.
func (v *voicemailStore) transcription(sid string) (Transcription, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	i, ok := v.transcriptAt[sid]
	if !ok {
		return Transcription{}, false
	}
	return v.transcriptions[i], true
}

// recordingsNewestFirst returns the recordings that pass keep, newest
// first.
func (v *voicemailStore) recordingsNewestFirst(keep func(Recording) bool) []Recording {
	v.mu.Lock()
	defer v.mu.Unlock()
	var out []Recording
	for i := len(v.recordings) - 1; i >= 0; i-- {
		if keep(v.recordings[i]) {
			out = append(out, v.recordings[i])
		}
	}
	return out
}

// transcriptionsNewestFirst returns the transcriptions, those of the
// recording recordingSID only unless it is "", newest first.
func (v *voicemailStore) transcriptionsNewestFirst(recordingSID string) []Transcription {
	v.mu.Lock()
	defer v.mu.Unlock()
	if recordingSID != "" {
		idx := v.byRecording[recordingSID]
		out := make([]Transcription, 0, len(idx))
		for i := len(idx) - 1; i >= 0; i-- {
			out = append(out, v.transcriptions[idx[i]])
		}
		return out
	}
	out := make([]Transcription, 0, len(v.transcriptions))
	for i := len(v.transcriptions) - 1; i >= 0; i-- {
		out = append(out, v.transcriptions[i])
	}
	return out
}

// The recordings' media: silence of the recording's length, made when
// fetched.
const (
	wavRate       = 8000 // 8 kHz, 8-bit unsigned PCM, mono: 8000 bytes a second
	mp3FrameBytes = 144  // MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono: 1152 samples
	mp3FramesPerS = 32000.0 / 1152
)

// wavLength is the size of the WAV file of a recording of d.
func wavLength(d time.Duration) int { return 44 + wavRate*int(d/time.Second) }

// writeWAV writes a recording of d as a WAV file of silence.
func writeWAV(w io.Writer, d time.Duration) error {
	data := wavRate * int(d/time.Second)
	h := make([]byte, 44)
	copy(h[0:], "RIFF")
	binary.LittleEndian.PutUint32(h[4:], uint32(36+data))
	copy(h[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(h[16:], 16)      // fmt chunk size
	binary.LittleEndian.PutUint16(h[20:], 1)       // PCM
	binary.LittleEndian.PutUint16(h[22:], 1)       // mono
	binary.LittleEndian.PutUint32(h[24:], wavRate) // sample rate
	binary.LittleEndian.PutUint32(h[28:], wavRate) // byte rate
	binary.LittleEndian.PutUint16(h[32:], 1)       // block align
	binary.LittleEndian.PutUint16(h[34:], 8)       // bits per sample
	copy(h[36:], "data")
	binary.LittleEndian.PutUint32(h[40:], uint32(data))
	if _, err := w.Write(h); err != nil {
		return err
	}
	silence := make([]byte, 4096)
	for i := range silence {
		silence[i] = 0x80
	}
	for data > 0 {
		n := min(data, len(silence))
		if _, err := w.Write(silence[:n]); err != nil {
			return err
		}
		data -= n
	}
	return nil
}

// mp3Frames is how many MP3 frames a recording of d takes.
func mp3Frames(d time.Duration) int {
	return int(float64(d/time.Second)*mp3FramesPerS + 0.999)
}

// writeMP3 writes a recording of d as MP3 frames of silence.
func writeMP3(w io.Writer, d time.Duration) error {
	frame := make([]byte, mp3FrameBytes)
	copy(frame, []byte{0xFF, 0xFB, 0x18, 0xC4}) // sync, MPEG-1 Layer III, 32 kbit/s, 32 kHz, mono
	for range mp3Frames(d) {
		if _, err := w.Write(frame); err != nil {
			return err
		}
	}
	return nil
}

// writeMedia answers a media request for rec: MP3 when mp3, else WAV (as
// Twilio serves a recording's URL without extension).
func writeMedia(w http.ResponseWriter, rec Recording, mp3 bool) {
	if mp3 {
		w.Header().Set("Content-Type", "audio/mpeg")
		w.Header().Set("Content-Length", strconv.Itoa(mp3Frames(rec.Duration)*mp3FrameBytes))
		_ = writeMP3(w, rec.Duration) // a write error means the client left
		return
	}
	w.Header().Set("Content-Type", "audio/x-wav")
	w.Header().Set("Content-Length", strconv.Itoa(wavLength(rec.Duration)))
	_ = writeWAV(w, rec.Duration)
}
