package nlp

import (
	"fmt"
	"sort"
	"strings"
)

// confusion counts (want, got) pairs of labels.
type confusion struct {
	counts map[[2]string]int
	labels map[string]bool
}

func newConfusion() *confusion {
	return &confusion{counts: map[[2]string]int{}, labels: map[string]bool{}}
}

func (c *confusion) add(want, got string) {
	c.counts[[2]string{want, got}]++
	c.labels[want] = true
	c.labels[got] = true
}

// classScore is precision, recall and F1 of one class.
type classScore struct {
	label             string
	precision, recall float64
	f1                float64
	support           int
}

// scores returns each class's scores (classes in order) and their macro F1
// over the classes that occur in the labels.
func (c *confusion) scores(order []string) ([]classScore, float64) {
	var out []classScore
	macro, n := 0.0, 0
	for _, l := range order {
		tp, fp, fn := 0, 0, 0
		for k, v := range c.counts {
			switch {
			case k[0] == l && k[1] == l:
				tp += v
			case k[1] == l:
				fp += v
			case k[0] == l:
				fn += v
			}
		}
		s := classScore{label: l, support: tp + fn}
		if tp+fp > 0 {
			s.precision = float64(tp) / float64(tp+fp)
		}
		if tp+fn > 0 {
			s.recall = float64(tp) / float64(tp+fn)
		}
		if s.precision+s.recall > 0 {
			s.f1 = 2 * s.precision * s.recall / (s.precision + s.recall)
		}
		out = append(out, s)
		if s.support > 0 {
			macro += s.f1
			n++
		}
	}
	if n > 0 {
		macro /= float64(n)
	}
	return out, macro
}

func (c *confusion) accuracy() float64 {
	ok, all := 0, 0
	for k, v := range c.counts {
		all += v
		if k[0] == k[1] {
			ok += v
		}
	}
	if all == 0 {
		return 0
	}
	return float64(ok) / float64(all)
}

// baseline is another scorer's confusion, shown beside ours.
type baseline struct {
	name string
	c    *confusion
}

// report renders ours beside the baselines, one row per class, and
// returns our macro-F1.
func report(title string, order []string, ours *confusion, bases ...baseline) (string, float64) {
	so, mo := ours.scores(order)
	var b strings.Builder
	fmt.Fprintf(&b, "\n%s\n%-28s %5s %5s %5s %4s", title, "class", "P", "R", "F1", "n")
	sb := make([][]classScore, len(bases))
	mb := make([]float64, len(bases))
	for i, base := range bases {
		sb[i], mb[i] = base.c.scores(order)
		fmt.Fprintf(&b, " | %-12s %5s %5s %5s", base.name, "P", "R", "F1")
	}
	b.WriteString("\n")
	for i, s := range so {
		fmt.Fprintf(&b, "%-28s %5.2f %5.2f %5.2f %4d", s.label, s.precision, s.recall, s.f1, s.support)
		for j := range bases {
			fmt.Fprintf(&b, " | %-12s %5.2f %5.2f %5.2f", "", sb[j][i].precision, sb[j][i].recall, sb[j][i].f1)
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "%-28s %23.3f (accuracy %.3f)", "macro-F1", mo, ours.accuracy())
	for j, base := range bases {
		fmt.Fprintf(&b, " | %-12s %11.3f (acc %.3f)", "", mb[j], base.c.accuracy())
	}
	b.WriteString("\n")
	return b.String(), mo
}

// confusionTable renders the counts, wanted labels as rows.
func (c *confusion) table(order []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%-28s", "want \\ got")
	for _, l := range order {
		fmt.Fprintf(&b, " %6.6s", l)
	}
	b.WriteString("\n")
	for _, w := range order {
		fmt.Fprintf(&b, "%-28s", w)
		for _, g := range order {
			fmt.Fprintf(&b, " %6d", c.counts[[2]string{w, g}])
		}
		b.WriteString("\n")
	}
	return b.String()
}

func sortedLabels(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func itoa(n int) string { return fmt.Sprint(n) }

func ftoa(f float64) string { return fmt.Sprintf("%.2f", f) }
