package nlp

import (
	"strings"
	"testing"

	"github.com/jdkato/prose/v2"
)

// bench1KB is a 1 KB complaint email with names, numbers, dates and money.
const bench1KB = `Hi Tom,

This is the third time I'm writing about order #48213 from Doyle & Daughters Gifts.
It was supposed to arrive last Wednesday and your tracking page has said "label created"
for eight days now. Megan Doyle from our Portland store called your office on Monday and
was told it would ship the same day. It didn't.

I resell these mugs and I have four customers who already paid me $1,240.50 in total and
are asking where their stuff is. Honestly, this is unacceptable. If this isn't on a truck
by tomorrow morning I'm cancelling the order and taking our business elsewhere, and I will
dispute the charge with my bank.

Please call me at 614-555-0187 or write to megan.doyle@doyle-gifts.example before 5pm.
I've copied our operations manager, Janet Price, on this email.

Regards,
Megan Doyle
Doyle & Daughters Gifts
`

// benchTranscript is a voicemail transcript: no punctuation, no capitals.
const benchTranscript = `hi um this is ray kowalczyk at buckeye fulfillment our six a m delivery of
cartons never came the order is five five one oh two and my whole packing line is down right now i got
fourteen people standing here doing nothing uh this is the second time this month so i really need
somebody to call me back like right now my number is six one four five five five oh one eight seven
thanks`

// bench10KB is a long thread: a new complaint above quoted history.
func bench10KB() string {
	var b strings.Builder
	b.WriteString(bench1KB)
	b.WriteString("\nOn Mon, Mar 9, 2026 at 10:00 AM Support <support@example.com> wrote:\n")
	for b.Len() < 10<<10 {
		b.WriteString("> Thank you for contacting us about order 48213. We are looking into the delay with the carrier\n")
		b.WriteString("> and will update you within 24 hours. We apologise for the inconvenience caused.\n>\n")
	}
	return b.String()
}

// BenchmarkAnalyze scores each message with everything on (rules and the
// learned layer) and with the rules alone, in the same run: the
// difference is what the learned layer costs.
func BenchmarkAnalyze(b *testing.B) {
	learned := setup(b)
	cfg := testConfig(b)
	cfg.Model = nil
	rules, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		in   Input
	}{
		{"1KB", Input{Subject: "Order 48213 - third time asking", Text: bench1KB, Channel: ChannelEmail, Date: monday10,
			Staff: []StaffName{{Name: "Tom Baker", Aliases: []string{"Tom"}}}, RecentContacts: 2}},
		{"10KB", Input{Subject: "Re: Re: Order 48213", Text: bench10KB(), Channel: ChannelEmail, Date: monday10}},
		{"transcript", Input{Text: benchTranscript, Channel: ChannelVoicemail, Date: monday10}},
	}
	for _, c := range cases {
		for _, v := range []struct {
			name string
			a    *Analyzer
		}{{"learned", learned}, {"rules", rules}} {
			b.Run(c.name+"/"+v.name, func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(len(c.in.Text)))
				for b.Loop() {
					v.a.Analyze(c.in)
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
			})
		}
	}
}

// BenchmarkProseDefault is the baseline: prose.NewDocument with its
// defaults (models reloaded per call, segmentation, tagging, entities) on
// the same 1 KB email.
func BenchmarkProseDefault(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(bench1KB)))
	for b.Loop() {
		if _, err := prose.NewDocument(bench1KB); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
}
