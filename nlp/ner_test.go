package nlp

import (
	"slices"
	"testing"

	"github.com/jdkato/prose/v2"
)

// TestNERMatchesProse checks that the re-indexed entity model finds what
// prose's own extractor finds.
func TestNERMatchesProse(t *testing.T) {
	t.Parallel()
	a := setup(t)
	for _, text := range []string{
		"Megan Doyle from our Portland store called your office on Monday.",
		"I've copied our operations manager, Janet Price, on this email.",
		"This is the third time I'm writing about order #48213 from Doyle & Daughters Gifts.",
		"Please ask Tom Baker at Acme Widgets Inc. in Chicago to call Dr. Anil Mehta.",
		"The Javits Center loading dock says nothing from Cresta Audio has been checked in.",
		"Our German distributor reviewed the translated manual and flagged 23 errors.",
		"Royal Mail tracking says it was delivered on 18 March at 14:02.",
		"",
		"...!!!",
	} {
		doc, err := prose.NewDocument(text, prose.UsingModel(a.prose), prose.WithSegmentation(false))
		if err != nil {
			t.Fatalf("prose.NewDocument(%q) error = %v", text, err)
		}
		var want []nerEntity
		for _, e := range doc.Entities() {
			want = append(want, nerEntity{Text: e.Text, Label: e.Label})
		}
		got := a.extract(text)
		if !slices.Equal(got, want) {
			t.Errorf("extract(%q) = %v, want prose's %v", text, got, want)
		}
	}
}
