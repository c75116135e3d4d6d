package nlp

import (
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// TestAnalyzeExamples holds the rules to short canonical messages; the
// learned layer over them is measured on the frozen holdout (TestHoldout).
func TestAnalyzeExamples(t *testing.T) {
	t.Parallel()
	a := rulesOnly(t)
	tests := []struct {
		name     string
		in       Input
		tone     []ToneLabel
		urgency  []Level
		category Category
	}{
		{
			name:     "polite but urgent",
			in:       email("Line down", "We'd appreciate an update; the line has been down since Monday."),
			tone:     []ToneLabel{ToneNegative},
			urgency:  []Level{LevelHigh, LevelCritical},
			category: "",
		},
		{
			name: "shouting with a threat",
			in: email("YOU PEOPLE ARE USELESS", "ORDER 77302 STILL NOT HERE. NOBODY ANSWERS THE PHONE. "+
				"This is unacceptable!!! I am disputing the charge with my bank."),
			tone:     []ToneLabel{ToneAngry},
			urgency:  []Level{LevelHigh, LevelCritical},
			category: CategoryMissedOrLateShipment,
		},
		{
			name:     "sarcasm",
			in:       email("oh wonderful", "Great, another week without my order 39981. Thanks a lot for nothing."),
			tone:     []ToneLabel{ToneFrustrated, ToneAngry},
			urgency:  []Level{LevelNormal, LevelHigh},
			category: CategoryMissedOrLateShipment,
		},
		{
			name:     "praise",
			in:       email("Thank you!", "Just wanted to say thank you so much to your team, the install was quick and the crew was wonderful."),
			tone:     []ToneLabel{TonePositive},
			urgency:  []Level{LevelLow},
			category: CategoryPraise,
		},
		{
			name:     "routine question",
			in:       email("Shipping to Canada", "Hi, do you ship to Canada, and roughly how much would it cost? Thanks!"),
			tone:     []ToneLabel{ToneNeutral, TonePositive},
			urgency:  []Level{LevelLow},
			category: CategoryGeneralQuestion,
		},
		{
			name: "voicemail transcript",
			in: Input{Channel: ChannelVoicemail, Date: monday10, Text: "hi this is ray um our delivery never came " +
				"and my whole packing line is down right now i need somebody to call me back right now"},
			tone:     []ToneLabel{ToneNegative, ToneFrustrated, ToneAngry},
			urgency:  []Level{LevelCritical},
			category: CategoryMissedOrLateShipment,
		},
	}
	for _, tt := range tests {
		got := a.Analyze(tt.in)
		if !containsLabel(tt.tone, got.Tone.Label) {
			t.Errorf("%s: Analyze(%q).Tone = %s (%.2f), want one of %v; evidence %+v", tt.name, tt.in.Text, got.Tone.Label, got.Tone.Score, tt.tone, got.Tone.Evidence)
		}
		if !containsLabel(tt.urgency, got.Urgency.Level) {
			t.Errorf("%s: Analyze(%q).Urgency = %s (%.2f), want one of %v; evidence %+v", tt.name, tt.in.Text, got.Urgency.Level, got.Urgency.Score, tt.urgency, got.Urgency.Evidence)
		}
		if tt.category != "" && got.Category.Primary != tt.category {
			t.Errorf("%s: Analyze(%q).Category.Primary = %s, want %s; evidence %+v", tt.name, tt.in.Text, got.Category.Primary, tt.category, got.Category.Evidence)
		}
		if len(got.Tone.Evidence) == 0 || len(got.Urgency.Evidence) == 0 && got.Urgency.Score > 0 {
			t.Errorf("%s: Analyze(%q) has a score without evidence: tone %+v, urgency %+v", tt.name, tt.in.Text, got.Tone, got.Urgency)
		}
	}
}

func containsLabel[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func TestEvidenceOffsets(t *testing.T) {
	t.Parallel()
	a := setup(t)
	in := email("URGENT: invoice wrong", "Hi,\n\nYou charged us twice for invoice INV-20931. This is unacceptable. "+
		"Please fix it by Friday or we will take our business elsewhere.\n\nThanks,\nJo")
	got := a.Analyze(in)
	all := append(append(append([]Evidence{}, got.Tone.Evidence...), got.Urgency.Evidence...), got.Category.Evidence...)
	for _, e := range all {
		if e.Start < 0 {
			continue
		}
		src := in.Text
		if e.Field == "subject" {
			src = in.Subject
		}
		if e.End > len(src) || e.Start > e.End {
			t.Errorf("evidence %+v: offsets outside the %s (%d bytes)", e, e.Field, len(src))
			continue
		}
		if rule := strings.TrimPrefix(e.Rule, "rules: "); rule != "sentiment" && rule != "deadline" && !strings.Contains(e.Phrase, " (in ") && src[e.Start:e.End] != e.Phrase {
			t.Errorf("evidence %+v: %s[%d:%d] = %q, want the phrase", e, e.Field, e.Start, e.End, src[e.Start:e.End])
		}
	}
	for _, rule := range []string{"churn", "deadline", "anger"} {
		if !hasRule(all, rule) {
			t.Errorf("Analyze(%q) evidence has no %q rule; got %+v", in.Text, rule, all)
		}
	}
}

func TestNegationCancelsUrgency(t *testing.T) {
	t.Parallel()
	a := setup(t)
	got := a.Analyze(email("", "This is not urgent, just a question about the invoice format."))
	if hasRule(got.Urgency.Evidence, "time_pressure") {
		t.Errorf(`Analyze("not urgent").Urgency.Evidence = %+v, want no time_pressure`, got.Urgency.Evidence)
	}
	if got.Urgency.Level != LevelLow {
		t.Errorf(`Analyze("not urgent").Urgency.Level = %s, want low`, got.Urgency.Level)
	}
}

func TestSummaryAndHeard(t *testing.T) {
	t.Parallel()
	a := setup(t)
	long := strings.Repeat("The replacement compressor for our medication refrigerator did not arrive yesterday as confirmed. ", 8)
	for _, in := range []Input{
		email("Critical: fridge parts", long+"We have an inspection at 1 PM today. Please call 410-555-0142."),
		{Channel: ChannelVoicemail, Date: monday10, Text: "hi um this is gloria uh my order never came and uh i need it by friday please call me back"},
		email("", ""),
	} {
		got := a.Analyze(in)
		if n := utf8.RuneCountInString(got.Summary); n > SummaryMax {
			t.Errorf("Analyze(%.40q).Summary has %d runes, want at most %d: %q", in.Text, n, SummaryMax, got.Summary)
		}
		if in.Text != "" && (got.Summary == "" || len(got.Heard) == 0) {
			t.Errorf("Analyze(%.40q) = summary %q, heard %q; want both", in.Text, got.Summary, got.Heard)
		}
		for _, h := range got.Heard {
			if strings.Contains(h, " um ") || strings.Contains(h, " uh ") {
				t.Errorf("Analyze(%.40q).Heard line %q keeps a filler", in.Text, h)
			}
		}
	}
}

func TestAnalyzeConcurrent(t *testing.T) {
	t.Parallel()
	a := setup(t)
	in := email("Order 48213", "Dear Tom Baker, this is the third time I write about order #48213 from Acme Widgets Inc. "+
		"I need it by tomorrow morning. Call me at 614-555-0187 or jo@example.com.")
	want := a.Analyze(in)
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				got := a.Analyze(in)
				if got.Summary != want.Summary || got.Urgency.Score != want.Urgency.Score || got.Tone.Score != want.Tone.Score {
					t.Errorf("concurrent Analyze = %q %v %v, want %q %v %v", got.Summary, got.Urgency.Score, got.Tone.Score, want.Summary, want.Urgency.Score, want.Tone.Score)
					return
				}
			}
		}()
	}
	wg.Wait()
}
