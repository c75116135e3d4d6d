package nlp

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A customer's calm reply above the angry thread it answers: the history is
// theirs and ours from before, not what they say now.
const (
	calmReply  = "Thank you, the replacement kettle arrived this morning and works fine."
	angryQuote = "On Mon, Mar 9, 2026 at 10:00 AM Ann Lee <ann@example.com> wrote:\n" +
		"> This is UNACCEPTABLE!!! My order 4521 never arrived and nobody calls me back.\n" +
		"> I want a refund TODAY or I am calling my lawyer."
	cheerySignature = "Ann Lee\nHave a wonderful, fantastic day! Love your team!\n+1 555 0100"
)

func TestSplitReply(t *testing.T) {
	t.Parallel()
	raw := calmReply + "\n\n" + angryQuote
	in := SplitReply(email("Re: Order 4521", raw))
	if in.Text != calmReply || in.Quoted != angryQuote {
		t.Errorf("SplitReply(reply).Text, Quoted = %q, %q; want %q, %q", in.Text, in.Quoted, calmReply, angryQuote)
	}

	signed := SplitReply(email("Invoice", "Please call me about invoice INV-20931.\r\n-- \r\n"+strings.ReplaceAll(cheerySignature, "\n", "\r\n")))
	if signed.Text != "Please call me about invoice INV-20931." || signed.Quoted != "" {
		t.Errorf("SplitReply(signed, CRLF).Text, Quoted = %q, %q; want the body alone, no history", signed.Text, signed.Quoted)
	}

	// The rest comes back as it was: a transcript, an input split already,
	// and a text with nothing new in it (read whole, as the gateway does).
	for _, in := range []Input{
		{Text: raw, Channel: ChannelVoicemail},
		{Text: calmReply, Quoted: angryQuote, Channel: ChannelEmail},
		email("Re: Order 4521", angryQuote),
	} {
		if got := SplitReply(in); got.Text != in.Text || got.Quoted != in.Quoted {
			t.Errorf("SplitReply(%+v) = %+v, want it unchanged", in, got)
		}
	}
}

// The quoted history arrives in Input.Quoted and is read as context: its
// words are no part of the sender's tone or urgency, though its category
// phrases count at a discount, with offsets into Input.Quoted.
func TestQuotedHistoryIsNotTheSendersTone(t *testing.T) {
	t.Parallel()
	rules := rulesOnly(t)
	in := SplitReply(email("Re: Order 4521", calmReply+"\n\n"+angryQuote))
	if !strings.Contains(in.Quoted, "UNACCEPTABLE") || strings.Contains(in.Text, "UNACCEPTABLE") {
		t.Fatalf("SplitReply: Text %q, Quoted %q; want the angry history in Quoted only", in.Text, in.Quoted)
	}
	got := rules.Analyze(in)
	alone := rules.Analyze(email(in.Subject, in.Text))
	if got.Tone.Label != alone.Tone.Label || got.Tone.Score != alone.Tone.Score || got.Urgency.Level != alone.Urgency.Level {
		t.Errorf("with its quoted history the reply scores tone %s (%.3f), urgency %s; without it %s (%.3f), %s; want the same",
			got.Tone.Label, got.Tone.Score, got.Urgency.Level, alone.Tone.Label, alone.Tone.Score, alone.Urgency.Level)
	}
	if got.Tone.Label != TonePositive && got.Tone.Label != ToneNeutral {
		t.Errorf("calm thanks above an angry thread: tone %s, want positive or neutral", got.Tone.Label)
	}
	quotedCategory := false
	for _, e := range got.Category.Evidence {
		if e.Field != "quoted" {
			continue
		}
		quotedCategory = true
		if e.Start < 0 || e.End > len(in.Quoted) || in.Quoted[e.Start:e.End] != e.Phrase {
			t.Errorf("category evidence %+v: want Quoted[%d:%d] to be its phrase", e, e.Start, e.End)
		}
	}
	if !quotedCategory {
		t.Errorf("Analyze(reply).Category.Evidence = %+v, want a phrase of the quoted history, read as context", got.Category.Evidence)
	}

	// With the learned layer, quoted words are features of their own and
	// may weigh; no rule reads them as the sender's.
	full := setup(t).Analyze(in)
	for _, e := range append(append([]Evidence{}, full.Tone.Evidence...), full.Urgency.Evidence...) {
		if e.Field == "quoted" && e.Rule != "learned: quoted words" {
			t.Errorf("tone or urgency evidence %+v comes from the quoted history", e)
		}
	}
}

// A signature is the splitter's to remove: split, it is not read as body;
// Analyze does not look for it again, so text handed in unsplit keeps it.
func TestSignatureIsNotBody(t *testing.T) {
	t.Parallel()
	rules := rulesOnly(t)
	body := "Please call me about invoice INV-20931, it is wrong."
	raw := body + "\n-- \n" + cheerySignature
	in := SplitReply(email("Invoice", raw))
	if in.Text != body {
		t.Fatalf("SplitReply(signed).Text = %q, want %q", in.Text, body)
	}
	got := rules.Analyze(in)
	alone := rules.Analyze(email("Invoice", body))
	if got.Tone.Score != alone.Tone.Score || got.Tone.Label != alone.Tone.Label {
		t.Errorf("split signed mail scores tone %s (%.3f), the body alone %s (%.3f); want the same",
			got.Tone.Label, got.Tone.Score, alone.Tone.Label, alone.Tone.Score)
	}
	for _, e := range got.Tone.Evidence {
		if strings.Contains(e.Phrase, "wonderful") || strings.Contains(e.Phrase, "Love your team") {
			t.Errorf("tone evidence %+v comes from the signature", e)
		}
	}
	unsplit := rules.Analyze(email("Invoice", raw))
	if unsplit.Tone.Score <= got.Tone.Score {
		t.Errorf("unsplit, the cheery signature is body: tone %.3f, want above the split mail's %.3f (Analyze strips nothing itself)",
			unsplit.Tone.Score, got.Tone.Score)
	}
}

func TestRegions(t *testing.T) {
	t.Parallel()
	note := "See below, can someone call her?"
	fwd := "---------- Forwarded message ---------\nFrom: Jo <jo@example.com>\n\nMy order never came."
	tests := []struct {
		name, text string
		want       []span
	}{
		{"empty", "", nil},
		{"body", "Hi.\nNothing came.\n", []span{{0, len("Hi.\nNothing came."), regionBody}}},
		{"quotes are not looked for", "No.\n> Did it arrive?", []span{{0, len("No.\n> Did it arrive?"), regionBody}}},
		{"forward under a note", note + "\n\n" + fwd, []span{
			{0, len(note) + 1, regionBody}, // to the end of the blank line above the marker
			{len(note) + 2, len(note) + 2 + len(fwd), regionForwarded},
		}},
		{"forward alone", fwd, []span{{0, len(fwd), regionForwarded}}},
	}
	for _, tt := range tests {
		got := regions(tt.text)
		if len(got) != len(tt.want) {
			t.Errorf("regions(%s) = %+v, want %+v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("regions(%s) = %+v, want %+v", tt.name, got, tt.want)
				break
			}
		}
	}
}

func TestQuotedHead(t *testing.T) {
	t.Parallel()
	line := strings.Repeat("x", 99) + "\n"
	long := strings.Repeat(line, 2*maxQuotedBytes/len(line))
	if got := head(long, maxQuotedBytes); len(got) > maxQuotedBytes || !strings.HasSuffix(got, "x") || !strings.HasPrefix(long, got) {
		t.Errorf("head(%d bytes of lines) = %d bytes ending %q; want whole lines, at most %d bytes", len(long), len(got), got[len(got)-3:], maxQuotedBytes)
	}
	oneLine := strings.Repeat("é", maxQuotedBytes)
	if got := head(oneLine, maxQuotedBytes); len(got) > maxQuotedBytes || !strings.HasSuffix(got, "é") {
		t.Errorf("head(one long line) = %d bytes, want at most %d cut between characters", len(got), maxQuotedBytes)
	}
	if got := head("short", maxQuotedBytes); got != "short" {
		t.Errorf("head(%q) = %q, want it whole", "short", got)
	}
}

// FuzzSplitReply checks that raw email text, split and analysed, keeps
// Analyze's promises about offsets in each of the three fields.
func FuzzSplitReply(f *testing.F) {
	for _, s := range []string{
		calmReply + "\n\n" + angryQuote,
		"Call me.\n-- \n" + cheerySignature,
		"See below.\n\nBegin forwarded message:\n\n> From: Jo <jo@example.com>\n> Subject: Late\n>\n> Where is my order?",
		"Fix it.\n\n________________________________\nFrom: Acme <s@acme.test>\nSent: 03 March 2025 10:00\nTo: Me\nSubject: Bill\n\nYour bill of $420 is wrong!!",
		"\xff\xfe\x00 broken\n> \xc3",
	} {
		f.Add("Re: Order 4521", s)
	}
	a := setup(f)
	f.Fuzz(func(t *testing.T, subject, text string) {
		in := SplitReply(Input{Subject: subject, Text: text, Channel: ChannelEmail, Date: monday10})
		done := make(chan Assessment, 1)
		go func() { done <- a.Analyze(in) }()
		var got Assessment
		select {
		case got = <-done:
		case <-time.After(10 * time.Second):
			t.Fatalf("Analyze(SplitReply(subject %q, text %q)) did not return within 10s", subject, text)
		}
		fields := map[string]string{"": in.Text, "text": in.Text, "subject": in.Subject, "quoted": head(in.Quoted, maxQuotedBytes)}
		for _, ev := range [][]Evidence{got.Tone.Evidence, got.Urgency.Evidence, got.Category.Evidence} {
			for _, e := range ev {
				src, ok := fields[e.Field]
				if !ok {
					t.Errorf("evidence %+v: unknown field", e)
					continue
				}
				if e.Start >= 0 && (e.End > len(src) || e.Start > e.End) {
					t.Errorf("Analyze(SplitReply(%q)) evidence %+v outside the %s (%d bytes)", text, e, e.Field, len(src))
				}
			}
		}
	})
}

// BenchmarkAnalyzeQuoted measures what reading a reply's quoted history
// costs: the same reply scored from its new text alone (as the gateway
// scored replies before Input.Quoted) and with its history.
func BenchmarkAnalyzeQuoted(b *testing.B) {
	a := setup(b)
	var history strings.Builder
	history.WriteString("On Mon, Mar 9, 2026 at 10:00 AM Acme Support <support@acme.test> wrote:\n")
	for i := range 24 {
		fmt.Fprintf(&history, "> Line %d of our earlier answer about order %d: the parcel left the depot on Friday.\n", i, 48213+i)
	}
	in := SplitReply(email("Re: Order 48213", bench1KB+"\n\n"+history.String()))
	if in.Quoted == "" {
		b.Fatal("SplitReply left no quoted history")
	}
	for _, c := range []struct {
		name string
		in   Input
	}{{"new_text", email(in.Subject, in.Text)}, {"with_quoted", in}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				a.Analyze(c.in)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}
