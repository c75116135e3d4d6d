package nlp

import (
	"testing"
	"time"
)

// A reply's subject was written for an earlier message: it must not give
// an all-clear reply the anger of the complaint it answers.
func TestReplySubjectIsHistory(t *testing.T) {
	t.Parallel()
	a := setup(t)
	date := time.Date(2026, 3, 19, 9, 0, 0, 0, time.UTC)
	calm := "The refund showed up on my card this morning. Thank you for chasing it down and for calling me back. All good now."
	reply := a.Analyze(Input{Subject: "Re: Re: Refund for order 63005 - STILL NOTHING!!", Text: calm, Channel: ChannelEmail, Date: date})
	if reply.Tone.Label != TonePositive || reply.IsComplaint {
		t.Errorf("calm reply under an angry subject: tone %s, complaint %v; want positive, no complaint", reply.Tone.Label, reply.IsComplaint)
	}
	fresh := a.Analyze(Input{Subject: "Refund for order 63005 - STILL NOTHING!!", Text: "Where is my refund? It has been three weeks.", Channel: ChannelEmail, Date: date})
	if fresh.Tone.Label == TonePositive || fresh.Tone.Label == ToneNeutral {
		t.Errorf("complaint whose own subject is angry: tone %s, want a negative label", fresh.Tone.Label)
	}
}

func TestIsReplySubject(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{"Re: x": true, " AW: x": true, "RE:RE: x": true, "Fwd: x": false, "Refund": false, "": false} {
		if got := isReplySubject(s); got != want {
			t.Errorf("isReplySubject(%q) = %v, want %v", s, got, want)
		}
	}
}
