package nlp

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzAnalyze checks that no input makes Analyze panic or break its
// promises: scores in range, offsets inside the text, a short summary.
func FuzzAnalyze(f *testing.F) {
	for _, s := range []string{
		"",
		"ORDER 77302!!! WHERE IS IT?!",
		"hi um this is ray our line is down right now call me back",
		"> quoted\nOn Mon, Jo wrote:\n> old",
		"by Friday 5pm, 3/15/2026, within 2 hours, $1,240.50, €80",
		"Tom Baker was rude. Since Anna took over nothing works.",
		"Hola, el pedido no ha llegado, es urgente.",
		"\xff\xfe\x00 broken utf-8 \u2019 ’ …",
	} {
		f.Add("Re: subject", s, 2, true)
	}
	a := setup(f)
	f.Fuzz(func(t *testing.T, subject, text string, contacts int, voicemail bool) {
		in := Input{Subject: subject, Text: text, Channel: ChannelEmail, Date: monday10, RecentContacts: contacts % 50,
			Staff: []StaffName{{Name: "Tom Baker", Aliases: []string{"Tom", ""}}}}
		if voicemail {
			in.Channel, in.Date = ChannelVoicemail, time.Time{}
		}
		// A hang is a failure too; the limit is generous for a shared machine.
		done := make(chan Assessment, 1)
		go func() { done <- a.Analyze(in) }()
		var got Assessment
		select {
		case got = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Analyze(subject %q, text %q) did not return within 10s", subject, text)
		}
		if got.Tone.Score < -1 || got.Tone.Score > 1 || got.Urgency.Score < 0 || got.Urgency.Score > 1 {
			t.Errorf("Analyze(%q) scores tone %v urgency %v, want -1..1 and 0..1", text, got.Tone.Score, got.Urgency.Score)
		}
		if _, ok := toneRank[got.Tone.Label]; !ok {
			t.Errorf("Analyze(%q).Tone.Label = %q, not a label", text, got.Tone.Label)
		}
		if _, ok := levelRank[got.Urgency.Level]; !ok {
			t.Errorf("Analyze(%q).Urgency.Level = %q, not a level", text, got.Urgency.Level)
		}
		if got.Category.Primary == "" {
			t.Errorf("Analyze(%q).Category.Primary is empty", text)
		}
		if n := utf8.RuneCountInString(got.Summary); n > SummaryMax {
			t.Errorf("Analyze(%q).Summary has %d runes, want at most %d", text, n, SummaryMax)
		}
		for _, ev := range [][]Evidence{got.Tone.Evidence, got.Urgency.Evidence, got.Category.Evidence} {
			for _, e := range ev {
				src := text
				if e.Field == "subject" {
					src = subject
				}
				if e.Start >= 0 && (e.End > len(src) || e.Start > e.End) {
					t.Errorf("Analyze(%q) evidence %+v outside the %s", text, e, e.Field)
				}
				if e.Start >= 0 && e.Rule != "sentiment" && !strings.HasPrefix(e.Phrase, src[e.Start:e.End]) {
					t.Errorf("Analyze(%q) evidence %+v: phrase is not %s[%d:%d] = %q", text, e, e.Field, e.Start, e.End, src[e.Start:e.End])
				}
			}
		}
	})
}

// FuzzParsePhrase checks that no phrase makes the parser panic, and that
// a phrase it accepts expands within the limit to word sequences the
// matcher finds: no accepted phrase is dead.
func FuzzParsePhrase(f *testing.F) {
	for _, s := range []string{
		"still waiting",
		"(has not|hasn't|have not|haven't) [been] (arrived|received|delivered)",
		"payment [has been|was] declined",
		"i (want|need) * (today|now)",
		"refund|refunds",
		"hasn't|has not arrived",
		"(a (b|c))",
		"[unclosed (",
		"(a|b)c ] )",
		"\xff(\u00a0|x)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		seqs, err := expandPhrase(p, lowerWord)
		if err != nil {
			if err.Error() == "" {
				t.Errorf("expandPhrase(%q) error is empty", p)
			}
			return
		}
		if len(seqs) == 0 || len(seqs) > maxExpansions {
			t.Fatalf("expandPhrase(%q) = %d sequences, want 1..%d", p, len(seqs), maxExpansions)
		}
		var m matcher
		if err := m.add(p, payload{}, lowerWord); err != nil {
			t.Fatalf("add(%q) error = %v after expandPhrase accepted it", p, err)
		}
		for _, seq := range seqs {
			if len(seq) == 0 || onlyWildcards(strings.Join(seq, " ")) {
				t.Fatalf("expandPhrase(%q) has sequence %q, want words that are not all wildcards", p, seq)
			}
			words := make([]string, len(seq))
			for i, w := range seq {
				if words[i] = w; w == anyWord {
					words[i] = "x"
				}
			}
			found := false
			for _, h := range m.scan(words, nil) {
				found = found || (h.first == 0 && h.last == len(words)-1)
			}
			if !found {
				t.Errorf("phrase %q: its expansion %q is not found in %q", p, seq, words)
			}
		}
	})
}
