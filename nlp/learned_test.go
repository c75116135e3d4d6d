package nlp

import (
	"bytes"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestTrainIsReproducible trains on a slice of the labeled set twice with
// the same seed: the weights files must be identical, load, and score.
func TestTrainIsReproducible(t *testing.T) {
	t.Parallel()
	items, err := ReadLabeled(os.DirFS(v2Dir), "train")
	if err != nil {
		t.Skipf("no training data: %v", err)
	}
	// Every 16th item: about 130 messages, all categories.
	var small []LabeledItem
	for i := 0; i < len(items); i += 16 {
		small = append(small, items[i])
	}
	a := rulesOnly(t)
	opt := TrainOptions{Seed: 7, Folds: 2, Lambdas: []float64{1e-3}, Iterations: 25}
	train := func() []byte {
		m, err := a.Train(small, opt)
		if err != nil {
			t.Fatalf("Train: %v", err)
		}
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	b1, b2 := train(), train()
	if !bytes.Equal(b1, b2) {
		t.Fatal("two trainings with the same seed wrote different weights")
	}
	m, err := ParseModel(b1)
	if err != nil {
		t.Fatalf("ParseModel(trained): %v", err)
	}
	if m.Training.Items != len(small) || m.Training.DataSHA256 == "" || len(m.Training.CV) == 0 {
		t.Errorf("training record = %+v", m.Training)
	}
	cfg := testConfig(t)
	cfg.Model = m
	la, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := la.Analyze(small[0].Input())
	if got.Category.Evidence[0].Rule != "learned" || got.Tone.Evidence[0].Rule != "learned" || got.Urgency.Evidence[0].Rule != "learned" {
		t.Errorf("a learned score's first evidence is not the heads' verdict: %+v", got.Category.Evidence[0])
	}
}

// TestParseModelRefusesBadFiles: a weights file that does not fit this
// build is refused with its reason, never half loaded.
func TestParseModelRefusesBadFiles(t *testing.T) {
	t.Parallel()
	good, err := os.ReadFile(configDir + "/" + ModelFile)
	if err != nil {
		t.Skipf("no shipped model: %v", err)
	}
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		if err := json.Unmarshal(good, &m); err != nil {
			t.Fatal(err)
		}
		f(m)
		b, _ := json.Marshal(m)
		return b
	}
	head := func(m map[string]any, name string) map[string]any {
		return m["heads"].(map[string]any)[name].(map[string]any)
	}
	for _, tc := range []struct {
		name, want string
		b          []byte
	}{
		{"not json", "nlp model", []byte("{")},
		{"other format", "format", edit(func(m map[string]any) { m["format"] = "x/2" })},
		{"other hash size", "hash_bits", edit(func(m map[string]any) { m["hash_bits"] = 12 })},
		{"head missing", "no staff head", edit(func(m map[string]any) { delete(m["heads"].(map[string]any), "staff") })},
		{"classes changed", "classes", edit(func(m map[string]any) { head(m, "tone")["classes"] = []string{"good", "bad"} })},
		{"weights cut", "do not match", edit(func(m map[string]any) { head(m, "urgency")["weights"] = "AAAA" })},
		{"bad base64", "buckets", edit(func(m map[string]any) { head(m, "category")["buckets"] = "!!" })},
	} {
		if _, err := ParseModel(tc.b); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: ParseModel error = %v, want one mentioning %q", tc.name, err, tc.want)
		}
	}
}

// TestLearnedEvidence: a learned score names the heads' verdict, the
// features that weighed most (with their place in the text) and the rules
// that fired.
func TestLearnedEvidence(t *testing.T) {
	t.Parallel()
	a := setup(t)
	if !a.Learned() {
		t.Skip("no learned layer")
	}
	in := email("Order 48213 still not here", "This is the third time I am writing. Order 48213 was due Monday and "+
		"nothing has arrived. I spoke to Dana on Tuesday. She hung up on me. If it is not here by Friday we will cancel the contract.")
	in.Staff = []StaffName{{Name: "Dana Whitfield"}}
	got := a.Analyze(in)
	for _, sec := range []struct {
		name string
		ev   []Evidence
	}{{"tone", got.Tone.Evidence}, {"urgency", got.Urgency.Evidence}, {"category", got.Category.Evidence}} {
		if len(sec.ev) == 0 || sec.ev[0].Rule != "learned" {
			t.Errorf("%s: first evidence %+v, want the heads' verdict", sec.name, sec.ev)
			continue
		}
		weighed := slices.IndexFunc(sec.ev, func(e Evidence) bool { return strings.HasPrefix(e.Rule, "learned: ") })
		if weighed < 0 {
			t.Errorf("%s: no feature that weighed most in %+v", sec.name, sec.ev)
			continue
		}
		for _, e := range sec.ev {
			if strings.HasPrefix(e.Rule, "learned: ") && e.Start >= 0 && e.Field == "text" && in.Text[e.Start:e.End] != e.Phrase && !strings.Contains(e.Phrase, "(in ") {
				t.Errorf("%s: evidence %q points at %q", sec.name, e.Phrase, in.Text[e.Start:e.End])
			}
		}
	}
	if got.Category.Primary != CategoryMissedOrLateShipment || !got.IsComplaint {
		t.Errorf("category = %s (complaint %v), want a late shipment", got.Category.Primary, got.IsComplaint)
	}
	if !slices.Contains(got.StaffComplainedAbout, "Dana Whitfield") {
		t.Errorf("staff complained about = %v, want Dana Whitfield (named by first name, the complaint in the next sentence); evidence %+v",
			got.StaffComplainedAbout, got.StaffEvidence)
	}
	if urgent(got.Urgency.Level) != "urgent" {
		t.Errorf("urgency = %s, want high or critical (a churn threat, third contact)", got.Urgency.Level)
	}
}

// TestStaffMentionForms: a staff member is named by full name, first
// name, title and surname, or (in a transcript) a first name misheard by
// a letter; a surname without a title is not enough.
func TestStaffMentionForms(t *testing.T) {
	t.Parallel()
	a := setup(t)
	staff := []StaffName{{Name: "Olivia Grant"}, {Name: "Derek Olsen"}}
	for _, tc := range []struct {
		in   Input
		want []string
	}{
		{email("", "I wrote to Ms. Grant twice about the fee."), []string{"Olivia Grant"}},
		{email("", "Herr Olsen hat mich angerufen."), []string{"Derek Olsen"}},
		{email("", "Olivia said it would ship Monday."), []string{"Olivia Grant"}},
		{email("", "Grant us a refund, please."), nil},
		{Input{Text: "the furnace guy dereck was rude to my mother", Channel: ChannelVoicemail, Date: monday10}, []string{"Derek Olsen"}},
		{Input{Text: "the furnace guy derik was rude to my mother", Channel: ChannelVoicemail, Date: monday10}, []string{"Derek Olsen"}},
		{Input{Text: "the furnace guy darren was rude to my mother", Channel: ChannelVoicemail, Date: monday10}, nil},
	} {
		tc.in.Staff = staff
		p := a.parts(tc.in)
		var got []string
		for _, h := range p.staff {
			if !slices.Contains(got, h.name) {
				got = append(got, h.name)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%q: staff named %v, want %v", tc.in.Text, got, tc.want)
		}
	}
}
