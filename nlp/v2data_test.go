package nlp

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The v2 labeled set (testdata/nlp/v2, labeled under shared/NLP-LABELS.md by
// writers who never saw the rules): its files must be well formed and its
// two labelings must cover the same items and agree well. TestHoldout
// scores the frozen holdout.
const v2Dir = "../testdata/nlp/v2"

// v2Label is one item of a second labeling.
type v2Label struct {
	ID                   string    `yaml:"id"`
	Tone                 ToneLabel `yaml:"tone"`
	Urgency              Level     `yaml:"urgency"`
	Category             Category  `yaml:"category"`
	StaffComplainedAbout []string  `yaml:"staff_complained_about"`
	Reason               string    `yaml:"reason"`
}

// v2Sets are the labeled folders: each training batch folder and the
// frozen holdout.
func v2Sets(t *testing.T) []string {
	t.Helper()
	dirs, err := filepath.Glob(filepath.Join(v2Dir, "train", "*"))
	if err != nil || len(dirs) == 0 {
		t.Skipf("no v2 training data in %s (%v)", v2Dir, err)
	}
	var out []string
	for _, d := range dirs {
		out = append(out, filepath.ToSlash(strings.TrimPrefix(d, v2Dir+string(filepath.Separator))))
	}
	return append(out, "holdout")
}

// loadStrict reads every batch-*.yaml of dir into a list, refusing unknown
// keys; it skips when the folder is absent.
func loadStrict[T any](t *testing.T, dir string) []T {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "batch-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Skipf("no v2 data in %s (%v)", dir, err)
	}
	var out []T
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		dec.KnownFields(true)
		var list []T
		if err := dec.Decode(&list); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, list...)
	}
	return out
}

// v2Categories are the definitions' categories.
var v2Categories = []Category{CategoryMissedOrLateShipment, CategoryOverchargeOrBillingError, CategoryWrongItem,
	CategoryMissedOrBouncedPayment, CategoryReturnOrRefund, CategoryIncorrectDeliverable, CategoryServiceVisitGoneWrong,
	CategoryGeneralQuestion, CategoryPraise, CategoryNotAComplaint}

func validLabels(tone ToneLabel, urgency Level, category Category) bool {
	return slices.Contains(toneOrder, string(tone)) && slices.Contains(urgencyOrder, string(urgency)) && slices.Contains(v2Categories, category)
}

func TestV2DataIsWellFormed(t *testing.T) {
	t.Parallel()
	ids := map[string]string{}
	for _, set := range v2Sets(t) {
		items := loadStrict[LabeledItem](t, filepath.Join(v2Dir, set))
		for _, it := range items {
			if prev, dup := ids[it.ID]; dup {
				t.Errorf("%s: id %s already used in %s", set, it.ID, prev)
			}
			ids[it.ID] = set
			if it.Channel != ChannelEmail && it.Channel != ChannelVoicemail || it.Lang == "" || it.Date.IsZero() ||
				strings.TrimSpace(it.Text) == "" || it.Reason == "" || !validLabels(it.Tone, it.Urgency, it.Category) {
				t.Errorf("%s %s: a field is missing or not one of the definitions' values: %+v", set, it.ID, it)
			}
			for _, s := range it.StaffComplainedAbout {
				if !slices.Contains(it.Staff, s) {
					t.Errorf("%s %s: complained about %q, not in its staff %v", set, it.ID, s, it.Staff)
				}
			}
		}
		second := loadStrict[v2Label](t, filepath.Join(v2Dir, "second", set))
		if len(second) != len(items) {
			t.Errorf("%s: %d items, %d second labels", set, len(items), len(second))
		}
		for i, l := range second {
			if i < len(items) && l.ID != items[i].ID {
				t.Errorf("%s: second label %d is %s, want %s", set, i, l.ID, items[i].ID)
			}
			if !validLabels(l.Tone, l.Urgency, l.Category) {
				t.Errorf("%s %s: second label not one of the definitions' values: %+v", set, l.ID, l)
			}
		}
	}
}

// TestV2Agreement computes Cohen's kappa between the two labelings per
// field and set; below 0.6 the definitions are not being read alike.
func TestV2Agreement(t *testing.T) {
	t.Parallel()
	for _, set := range v2Sets(t) {
		items := loadStrict[LabeledItem](t, filepath.Join(v2Dir, set))
		second := loadStrict[v2Label](t, filepath.Join(v2Dir, "second", set))
		byID := map[string]v2Label{}
		for _, l := range second {
			byID[l.ID] = l
		}
		var tone, urg, cat, staff [2][]string
		for _, it := range items {
			l, ok := byID[it.ID]
			if !ok {
				continue
			}
			tone[0], tone[1] = append(tone[0], string(it.Tone)), append(tone[1], string(l.Tone))
			urg[0], urg[1] = append(urg[0], string(it.Urgency)), append(urg[1], string(l.Urgency))
			cat[0], cat[1] = append(cat[0], string(it.Category)), append(cat[1], string(l.Category))
			staff[0], staff[1] = append(staff[0], yesNo(len(it.StaffComplainedAbout) > 0)), append(staff[1], yesNo(len(l.StaffComplainedAbout) > 0))
		}
		for _, f := range []struct {
			name string
			v    [2][]string
		}{{"tone", tone}, {"urgency", urg}, {"category", cat}, {"staff complained about", staff}} {
			k := cohenKappa(f.v[0], f.v[1])
			t.Logf("%s: %s kappa %.2f over %d items", set, f.name, k, len(f.v[0]))
			if k < 0.6 {
				t.Errorf("%s: %s kappa %.2f, want at least 0.6", set, f.name, k)
			}
		}
	}
}

// cohenKappa is Cohen's kappa between two raters' labels of the same items.
func cohenKappa(a, b []string) float64 {
	n := float64(len(a))
	if n == 0 {
		return 0
	}
	agree := 0.0
	ca, cb := map[string]float64{}, map[string]float64{}
	for i := range a {
		if a[i] == b[i] {
			agree++
		}
		ca[a[i]]++
		cb[b[i]]++
	}
	po, pe := agree/n, 0.0
	for k, v := range ca {
		pe += v * cb[k] / (n * n)
	}
	if pe == 1 {
		return 1
	}
	return (po - pe) / (1 - pe)
}
