package nlp

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jonreiter/govader"
)

// The frozen holdout (testdata/nlp/v2/holdout) was written by writers who
// saw neither the rules nor the training messages; it is never used for
// training or tuning. These are issue 9's floors on it. Raise them as the
// analyser improves; never lower them to make a change pass.
const (
	floorUrgentF1     = 0.85 // urgency high-or-critical vs not, F1
	floorTone3MacroF1 = 0.78 // negative side / neutral / positive
	floorTone5MacroF1 = 0.60
	floorCategoryAcc  = 0.80
	// Staff recall: issue 9's goal is 0.90 (with no false staff on praise);
	// the shipped model reaches 17 of 20 on the holdout, so the floor
	// guards that until the goal is met.
	floorStaffRecall = 0.85
)

var (
	toneOrder    = []string{"angry", "frustrated", "negative", "neutral", "positive"}
	tone3Order   = []string{"negative_side", "neutral", "positive"}
	urgencyOrder = []string{"critical", "high", "normal", "low"}
)

// urgent reduces a level to the question routing asks first.
func urgent(l Level) string {
	if l == LevelCritical || l == LevelHigh {
		return "urgent"
	}
	return "not_urgent"
}

// tone3Of folds the five tones into the three sides issue 9 scores.
func tone3Of(l ToneLabel) string {
	switch l {
	case ToneAngry, ToneFrustrated, ToneNegative:
		return "negative_side"
	case TonePositive:
		return "positive"
	}
	return "neutral"
}

// scoreboard is one scorer's confusions over a set.
type scoreboard struct {
	tone5, tone3, bin, urg, cat  *confusion
	staffWant, staffFound, false int // staff recall; false staff on praise
}

func newScoreboard() *scoreboard {
	return &scoreboard{tone5: newConfusion(), tone3: newConfusion(), bin: newConfusion(), urg: newConfusion(), cat: newConfusion()}
}

func (s *scoreboard) add(it LabeledItem, got Assessment) {
	s.tone5.add(string(it.Tone), string(got.Tone.Label))
	s.tone3.add(tone3Of(it.Tone), tone3Of(got.Tone.Label))
	s.bin.add(urgent(it.Urgency), urgent(got.Urgency.Level))
	s.urg.add(string(it.Urgency), string(got.Urgency.Level))
	s.cat.add(string(it.Category), string(got.Category.Primary))
	for _, name := range it.StaffComplainedAbout {
		s.staffWant++
		if slices.Contains(got.StaffComplainedAbout, name) {
			s.staffFound++
		}
	}
	if it.Category == CategoryPraise {
		s.false += len(got.StaffComplainedAbout)
	}
}

// measures are issue 9's five figures.
func (s *scoreboard) measures() (urgentF1, tone3, tone5, cat, staffRecall float64) {
	b, _ := s.bin.scores([]string{"urgent"})
	_, tone3 = s.tone3.scores(tone3Order)
	_, tone5 = s.tone5.scores(toneOrder)
	staffRecall = 1
	if s.staffWant > 0 {
		staffRecall = float64(s.staffFound) / float64(s.staffWant)
	}
	return b[0].f1, tone3, tone5, s.cat.accuracy(), staffRecall
}

func (s *scoreboard) line(name string, n int) string {
	u, t3, t5, c, r := s.measures()
	return fmt.Sprintf("  %-22s n=%3d  urgent F1 %.3f  tone3 %.3f  tone5 %.3f  category %.3f  staff recall %d/%d=%.2f  false staff on praise %d\n",
		name, n, u, t3, t5, c, s.staffFound, s.staffWant, r, s.false)
}

// rulesOnly is the analyser without its learned layer.
func rulesOnly(t testing.TB) *Analyzer {
	t.Helper()
	cfg := testConfig(t)
	cfg.Model = nil
	a, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// vaderOnly is what mood alone says: VADER's compound score of the whole
// message, cut into the five tones.
func vaderOnly(v *govader.SentimentIntensityAnalyzer, text string) ToneLabel {
	c := v.PolarityScores(strings.Join(strings.Fields(text), " ")).Compound
	switch {
	case c <= -0.6:
		return ToneAngry
	case c <= -0.3:
		return ToneFrustrated
	case c <= -0.05:
		return ToneNegative
	case c >= 0.05:
		return TonePositive
	}
	return ToneNeutral
}

// TestHoldout scores the frozen holdout with the shipped analyser (rules
// and learned layer), with the rules alone and with VADER alone (tone),
// reports precision, recall and F1 per field and class, and the figures by
// channel and language, and fails under issue 9's floors.
func TestHoldout(t *testing.T) {
	t.Parallel()
	items, err := ReadLabeled(os.DirFS(v2Dir), "holdout")
	if err != nil {
		t.Skipf("no frozen holdout: %v", err)
	}
	learned := setup(t)
	if !learned.Learned() {
		t.Fatalf("%s/%s is missing: the analyser has no learned layer", configDir, ModelFile)
	}
	rules := rulesOnly(t)
	vader := govader.NewSentimentIntensityAnalyzer()

	all, allRules, vaderTone, vaderTone3 := newScoreboard(), newScoreboard(), newConfusion(), newConfusion()
	groups := map[string]*scoreboard{}
	counts := map[string]int{}
	var misses []string
	for _, it := range items {
		got := learned.Analyze(it.Input())
		all.add(it, got)
		allRules.add(it, rules.Analyze(it.Input()))
		vt := vaderOnly(vader, it.Subject+"\n"+it.Text)
		vaderTone.add(string(it.Tone), string(vt))
		vaderTone3.add(tone3Of(it.Tone), tone3Of(vt))
		for _, g := range []string{"channel " + string(it.Channel), "language " + it.Lang} {
			if groups[g] == nil {
				groups[g] = newScoreboard()
			}
			groups[g].add(it, got)
			counts[g]++
		}
		if testing.Verbose() && (got.Tone.Label != it.Tone || urgent(got.Urgency.Level) != urgent(it.Urgency) || got.Category.Primary != it.Category) {
			misses = append(misses, fmt.Sprintf("%s: tone %s→%s urgency %s→%s category %s→%s", it.ID, it.Tone, got.Tone.Label,
				it.Urgency, got.Urgency.Level, it.Category, got.Category.Primary))
		}
	}

	var out strings.Builder
	fmt.Fprintf(&out, "frozen holdout: %d messages in %s/holdout\n", len(items), v2Dir)
	out.WriteString(all.line("rules + learned", len(items)))
	out.WriteString(allRules.line("rules alone", len(items)))
	_, vt3 := vaderTone3.scores(tone3Order)
	_, vt5 := vaderTone.scores(toneOrder)
	fmt.Fprintf(&out, "  %-22s n=%3d  tone3 %.3f  tone5 %.3f (tone only)\n", "VADER alone", len(items), vt3, vt5)
	rb := baseline{"rules alone", allRules.bin}
	txt, _ := report("urgency: high or critical vs not", []string{"urgent", "not_urgent"}, all.bin, rb)
	out.WriteString(txt)
	txt, _ = report("urgency level", urgencyOrder, all.urg, baseline{"rules alone", allRules.urg})
	out.WriteString(txt)
	txt, _ = report("tone, 3 classes", tone3Order, all.tone3, baseline{"rules alone", allRules.tone3}, baseline{"VADER alone", vaderTone3})
	out.WriteString(txt)
	txt, _ = report("tone, 5 classes", toneOrder, all.tone5, baseline{"rules alone", allRules.tone5}, baseline{"VADER alone", vaderTone})
	out.WriteString(txt)
	txt, _ = report("category", categoryClasses(), all.cat, baseline{"rules alone", allRules.cat})
	out.WriteString(txt)
	out.WriteString("\nby channel and language (rules + learned)\n")
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		out.WriteString(groups[k].line(k, counts[k]))
	}
	t.Log(out.String())
	if len(misses) > 0 {
		t.Logf("%d messages with tone, urgent-or-not or category wrong:\n%s", len(misses), strings.Join(misses, "\n"))
	}

	u, t3, t5, c, r := all.measures()
	check := func(name string, got, floor float64) {
		if got < floor {
			t.Errorf("frozen holdout: %s = %.3f, want at least %.2f", name, got, floor)
		}
	}
	check("urgency high-or-critical F1", u, floorUrgentF1)
	check("tone 3-class macro-F1", t3, floorTone3MacroF1)
	check("tone 5-class macro-F1", t5, floorTone5MacroF1)
	check("category accuracy", c, floorCategoryAcc)
	check("staff recall", r, floorStaffRecall)
	if all.false > 0 {
		t.Errorf("frozen holdout: %d staff taken as complained about in praise", all.false)
	}
}

// TestEvalExplain prints the full assessment of the labeled items named
// in NLP_EXPLAIN (comma-separated ids, training set only: never explain
// the holdout to tune on it); it skips otherwise.
func TestEvalExplain(t *testing.T) {
	ids := os.Getenv("NLP_EXPLAIN")
	if ids == "" {
		t.Skip("set NLP_EXPLAIN=id,id to explain items of the training set")
	}
	items, err := ReadLabeled(os.DirFS(v2Dir), "train")
	if err != nil {
		t.Fatal(err)
	}
	a := setup(t)
	want := map[string]bool{}
	for _, id := range strings.Split(ids, ",") {
		want[strings.TrimSpace(id)] = true
	}
	for _, it := range items {
		if !want[it.ID] {
			continue
		}
		got := a.Analyze(it.Input())
		var b strings.Builder
		b.WriteString(it.ID + " want " + string(it.Tone) + "/" + string(it.Urgency) + "/" + string(it.Category) + ": " + it.Reason + "\n")
		b.WriteString("got tone " + string(got.Tone.Label) + " " + ftoa(got.Tone.Score) + ", urgency " + string(got.Urgency.Level) + " " + ftoa(got.Urgency.Score) + ", category " + string(got.Category.Primary) + "\n")
		for _, sec := range []struct {
			name string
			ev   []Evidence
		}{{"tone", got.Tone.Evidence}, {"urgency", got.Urgency.Evidence}, {"category", got.Category.Evidence}, {"staff", got.StaffEvidence}} {
			for _, e := range sec.ev {
				b.WriteString("  " + sec.name + " " + e.Rule + " " + ftoa(e.Weight) + " " + strconv.Quote(e.Phrase) + "\n")
			}
		}
		b.WriteString("  summary: " + got.Summary + "\n")
		t.Log(b.String())
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
