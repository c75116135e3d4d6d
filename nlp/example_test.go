package nlp_test

import (
	"fmt"
	"os"
	"time"

	"github.com/triage-gw/triage/nlp"
)

func ExampleAnalyzer_Analyze() {
	cfg, err := nlp.LoadConfig(os.DirFS("../configs/nlp")) // the gateway passes configs.NLPFS()
	if err != nil {
		fmt.Println(err)
		return
	}
	a, err := nlp.New(cfg) // loads the models once; share a across goroutines
	if err != nil {
		fmt.Println(err)
		return
	}
	got := a.Analyze(nlp.Input{
		Subject: "Line down",
		Text:    "Hi,\n\nWe'd appreciate an update on order 4521. It has not arrived and our packing line has been down since Monday.\n\nThanks,\nJo",
		Channel: nlp.ChannelEmail,
		Date:    time.Date(2026, 3, 11, 9, 0, 0, 0, time.UTC),
	})
	fmt.Println(got.Tone.Label, got.Urgency.Level, got.Category.Primary, got.Facts.OrderNumbers)
	// The heads' verdict, then the features that weighed most, then the
	// rules that fired.
	for _, e := range got.Urgency.Evidence[:3] {
		fmt.Printf("%s %q %.2f\n", e.Rule, e.Phrase, e.Weight)
	}
	fmt.Println(got.Summary)
	// Output:
	// negative normal missed_or_late_shipment [4521]
	// learned "urgency head: normal 0.71, next high 0.16" 0.71
	// learned: signal "length (log words)" 0.27
	// learned: signal "tone problem phrases" 0.21
	// Late shipment (#4521): It has not arrived and our packing line has been down since Monday.
}
