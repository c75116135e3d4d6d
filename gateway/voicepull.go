package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/triage-gw/triage/channels/twilio"
	"github.com/triage-gw/triage/gateway/store"
)

// recordingsCheckpoint names the pull's checkpoint in the store.
const recordingsCheckpoint = "twilio:recordings"

// VoicePuller reconciles voicemail through Twilio's REST API: every
// interval it lists the account's recordings created since its checkpoint
// (less an overlap for clock skew), page by page, and takes in any that the
// webhooks missed (the gateway was down, a callback failed) or, on pull
// alone, all of them. A recording already taken in changes nothing (the
// message is keyed by its RecordingSid); the checkpoint moves only after
// every recording it covers was committed.
type VoicePuller struct {
	g        *Gateway
	api      VoiceAPI
	interval time.Duration
	overlap  time.Duration
	log      *slog.Logger
}

// NewVoicePuller returns the puller of g's voicemail.
func (g *Gateway) NewVoicePuller(api VoiceAPI, interval, overlap time.Duration) *VoicePuller {
	return &VoicePuller{g: g, api: api, interval: interval, overlap: overlap, log: g.log.With("component", "voice-pull")}
}

// Run pulls at once, then every interval, until ctx ends. A failed pull is
// logged and tried again at the next interval.
func (p *VoicePuller) Run(ctx context.Context) error {
	for {
		if n, err := p.Pull(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			p.log.Warn("voicemail pull failed; trying again later", "err", err)
		} else if n > 0 {
			p.log.Info("voicemail pull took in recordings the webhooks missed", "recordings", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(p.interval):
		}
	}
}

// Pull runs one reconciliation and reports how many recordings it took in
// that were not known before.
func (p *VoicePuller) Pull(ctx context.Context) (int, error) {
	g := p.g
	since, err := g.store.CheckpointGet(ctx, recordingsCheckpoint)
	if errors.Is(err, store.ErrNotFound) {
		since = g.now().UTC().Add(-24 * time.Hour) // first run: the last day
	} else if err != nil {
		return 0, err
	}
	after := since.Add(-p.overlap)
	newest, taken, token := since, 0, ""
	for {
		recs, next, err := p.api.ListRecordings(ctx, after, token)
		if err != nil {
			return taken, fmt.Errorf("list recordings since %s: %w", after.Format(time.RFC3339), err)
		}
		for _, r := range recs {
			if r.Status != "" && r.Status != "completed" {
				continue
			}
			took, err := p.reconcile(ctx, r)
			if err != nil {
				return taken, fmt.Errorf("recording %s: %w", r.SID, err)
			}
			if took {
				taken++
			}
			if r.Created.After(newest) {
				newest = r.Created
			}
		}
		if next == "" {
			break
		}
		token = next
	}
	if err := g.store.CheckpointSet(ctx, recordingsCheckpoint, newest); err != nil {
		return taken, err
	}
	return taken, nil
}

// reconcile takes in one recording unless it is known: its caller (the
// call's parties), the recording, and its transcript when Twilio has one.
func (p *VoicePuller) reconcile(ctx context.Context, r twilio.Recording) (bool, error) {
	g := p.g
	if _, err := g.store.MessageGetByExternalID(ctx, store.ChannelVoicemail, r.SID); err == nil {
		return false, nil
	} else if !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	v, err := g.store.VoicemailGetByRecording(ctx, r.SID)
	known := err == nil
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return false, err
	}
	if !known {
		if v, err = g.store.VoicemailGetByCall(ctx, r.CallSID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return false, err
		}
	}
	if v.From == "" {
		from, to, err := p.api.CallParties(ctx, r.CallSID)
		if err != nil {
			return false, fmt.Errorf("caller of %s: %w", r.CallSID, err)
		}
		region := "US"
		if g.opts.Voice != nil && g.opts.Voice.DefaultRegion != "" {
			region = g.opts.Voice.DefaultRegion
		}
		if _, err := g.store.VoicemailUpsert(ctx, store.VoicemailUpsertParams{CallSID: r.CallSID, From: callerNumber(from, region), To: to, CalledAt: r.Created}); err != nil {
			return false, err
		}
	}
	if err := g.RecordingCompleted(ctx, store.VoicemailUpsertParams{CallSID: r.CallSID, RecordingSID: r.SID, RecordingURL: r.MediaURL,
		DurationSeconds: r.Duration, RecordedAt: r.Created}); err != nil {
		return false, err
	}
	if g.opts.Voice == nil || g.opts.Voice.TwilioTranscribes {
		trs, err := p.api.ListTranscriptions(ctx, r.SID)
		if err != nil {
			return false, fmt.Errorf("transcriptions of %s: %w", r.SID, err)
		}
		for _, tr := range trs {
			if tr.Status == "in-progress" {
				continue
			}
			status, text := transcriptStatus(tr.Status, tr.Text)
			if err := g.TranscriptReceived(ctx, tr.SID, store.VoicemailUpsertParams{CallSID: r.CallSID, RecordingSID: r.SID,
				Transcript: text, TranscriptStatus: status}); err != nil {
				return false, err
			}
			break
		}
	}
	return !known, nil
}
