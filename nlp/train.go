package nlp

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	"gonum.org/v1/gonum/optimize"
)

// TrainOptions tune Train. The zero value trains as the committed model
// was trained.
type TrainOptions struct {
	Seed    int64     // shuffles the folds; default 1
	Folds   int       // cross-validation folds; default 5
	Lambdas []float64 // L2 strengths tried per head; default 3e-5, 1e-4, 3e-4, 1e-3
	MinDF   int       // a feature must occur in this many messages; default 2
	// Iterations bounds each fit's L-BFGS iterations; default 200.
	Iterations int
	// Command is recorded in the model (how to reproduce it).
	Command string
	// Log, when set, reports progress.
	Log func(format string, args ...any)
}

func (o *TrainOptions) defaults() {
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Folds < 2 {
		o.Folds = 5
	}
	if len(o.Lambdas) == 0 {
		o.Lambdas = []float64{3e-5, 1e-4, 3e-4, 1e-3}
	}
	if o.MinDF <= 0 {
		o.MinDF = 2
	}
	if o.Iterations <= 0 {
		o.Iterations = 200
	}
	if o.Log == nil {
		o.Log = func(string, ...any) {}
	}
}

// sparseRow is one example over the compact training columns.
type sparseRow struct {
	cols []int32
	vals []float64
}

// dataset is one head's training data.
type dataset struct {
	rows    []sparseRow
	y       []int
	k       int
	ncols   int
	weights []float64 // per example: classes balanced
}

// Train fits the learned layer's heads on labeled messages: features as
// Analyze reads them (with a's rules, whatever model a holds), the L2
// strength of each head chosen by cross-validated log-loss, the decision
// thresholds calibrated on the cross-validated predictions, and a final
// fit on all items. It is deterministic for a given Seed.
func (a *Analyzer) Train(items []LabeledItem, opt TrainOptions) (*Model, error) {
	opt.defaults()
	if len(items) < 10*opt.Folds {
		return nil, fmt.Errorf("train: %d items, need at least %d", len(items), 10*opt.Folds)
	}
	msgFeats := make([][]feat, len(items))
	type staffEx struct {
		item int
		fs   []feat
		yes  bool
	}
	var staff []staffEx
	sum := sha256.New()
	for i, it := range items {
		fmt.Fprintf(sum, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x00%v\x00", it.ID, it.Subject, it.Text, it.Tone, it.Urgency, it.Category, it.StaffComplainedAbout)
		p := a.parts(it.Input())
		msgFeats[i] = a.featurize(p.d, p.hits, p.dates, p.sv, p.lang)
		for _, c := range a.staffCandidates(p) {
			staff = append(staff, staffEx{item: i, fs: c.fs, yes: slices.Contains(it.StaffComplainedAbout, c.name)})
		}
	}
	opt.Log("featurized %d messages, %d staff candidates", len(items), len(staff))

	m := &Model{Format: ModelFormat, HashBits: hashBits, Heads: map[string]*Head{},
		Training: TrainingInfo{Command: opt.Command, Seed: opt.Seed, Folds: opt.Folds, Items: len(items),
			DataSHA256: hex.EncodeToString(sum.Sum(nil)), CV: map[string]float64{}}}

	folds := foldsOf(len(items), opt.Folds, opt.Seed)
	labels := func(f func(LabeledItem) string, classes []string) ([]int, error) {
		y := make([]int, len(items))
		for i, it := range items {
			y[i] = slices.Index(classes, f(it))
			if y[i] < 0 {
				return nil, fmt.Errorf("train: item %s: %q is not one of %v", it.ID, f(it), classes)
			}
		}
		return y, nil
	}
	type headSpec struct {
		name    string
		classes []string
		label   func(LabeledItem) string
	}
	cvProbs := map[string][][]float64{}
	for _, hs := range []headSpec{
		{HeadCategory, categoryClasses(), func(it LabeledItem) string { return string(it.Category) }},
		{HeadTone, toneClasses(), func(it LabeledItem) string { return string(it.Tone) }},
		{HeadUrgency, urgencyClasses(), func(it LabeledItem) string { return string(it.Urgency) }},
	} {
		y, err := labels(hs.label, hs.classes)
		if err != nil {
			return nil, err
		}
		h, probs, err := fitHead(hs.name, hs.classes, msgFeats, y, folds, opt)
		if err != nil {
			return nil, err
		}
		m.Heads[hs.name], cvProbs[hs.name] = h, probs
	}
	// Staff candidates are cross-validated by their message's fold.
	sFeats := make([][]feat, len(staff))
	sy := make([]int, len(staff))
	sFolds := make([]int, len(staff))
	for i, s := range staff {
		sFeats[i], sFolds[i] = s.fs, folds[s.item]
		if s.yes {
			sy[i] = 1
		}
	}
	if len(staff) < 2*opt.Folds {
		return nil, fmt.Errorf("train: %d staff candidates, need at least %d", len(staff), 2*opt.Folds)
	}
	h, sProbs, err := fitHead(HeadStaff, staffClasses, sFeats, sy, sFolds, opt)
	if err != nil {
		return nil, err
	}
	m.Heads[HeadStaff] = h

	// Calibration on the cross-validated predictions.
	yTone, _ := labels(func(it LabeledItem) string { return string(it.Tone) }, toneClasses())
	m.ToneOffsets = calibrateTone(cvProbs[HeadTone], yTone)
	yUrg, _ := labels(func(it LabeledItem) string { return string(it.Urgency) }, urgencyClasses())
	m.UrgentThreshold, m.CriticalShare = calibrateUrgency(cvProbs[HeadUrgency], yUrg)
	// The staff decision is gated on the message (not praise or other
	// mail, not in a positive tone): calibrate its threshold on the gated, cross-validated
	// decision, so the recall aimed at is the recall delivered.
	toneCV := predictTone(cvProbs[HeadTone], m.ToneOffsets)
	open := make([]bool, len(staff))
	for i, s := range staff {
		open[i] = staffOpen(allCategories[argmax(cvProbs[HeadCategory][s.item])]) && toneCV[s.item] != 4
	}
	m.StaffThreshold = calibrateStaff(sProbs, sy, open)

	yCat, _ := labels(func(it LabeledItem) string { return string(it.Category) }, categoryClasses())
	m.Training.CV["category_accuracy"] = round3(accuracy(cvProbs[HeadCategory], yCat))
	m.Training.CV["tone_macro_f1"] = round3(macroF1(predictTone(cvProbs[HeadTone], m.ToneOffsets), yTone, 5))
	m.Training.CV["tone3_macro_f1"] = round3(macroF1(fold3(predictTone(cvProbs[HeadTone], m.ToneOffsets)), fold3(yTone), 3))
	m.Training.CV["urgent_f1"] = round3(binaryF1(predictUrgent(cvProbs[HeadUrgency], m.UrgentThreshold), urgentOf(yUrg)))
	m.Training.CV["staff_f1"] = round3(binaryF1(gated(thresholded(sProbs, m.StaffThreshold), open), sy))
	opt.Log("cross-validated: %v", m.Training.CV)
	return m, nil
}

// foldsOf assigns n items to k folds at random (seeded), in equal sizes.
func foldsOf(n, k int, seed int64) []int {
	r := rand.New(rand.NewPCG(uint64(seed), 0x7472696167650a))
	perm := r.Perm(n)
	out := make([]int, n)
	for pos, i := range perm {
		out[i] = pos % k
	}
	return out
}

// fitHead picks the head's L2 strength by cross-validated log-loss,
// returns the cross-validated probabilities at that strength and the head
// fitted on everything.
func fitHead(name string, classes []string, feats [][]feat, y []int, folds []int, opt TrainOptions) (*Head, [][]float64, error) {
	k := len(classes)
	nf := slices.Max(folds) + 1
	bestLoss, bestLambda := math.Inf(1), 0.0
	var bestProbs [][]float64
	for _, lambda := range opt.Lambdas {
		probs := make([][]float64, len(y))
		var wg sync.WaitGroup
		var mu sync.Mutex
		var firstErr error
		sem := make(chan struct{}, 2)
		for f := range nf {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				var train, test []int
				for i := range y {
					if folds[i] == f {
						test = append(test, i)
					} else {
						train = append(train, i)
					}
				}
				ds, buckets := compact(feats, y, k, train, opt.MinDF)
				w, err := fit(ds, lambda, opt.Iterations)
				if err != nil {
					mu.Lock()
					firstErr = errors.Join(firstErr, err)
					mu.Unlock()
					return
				}
				h := &Head{Classes: classes}
				h.setDense(buckets, w, k)
				for _, i := range test {
					p := softmax(h.logits(feats[i], nil))
					mu.Lock()
					probs[i] = p
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		if firstErr != nil {
			return nil, nil, fmt.Errorf("train %s head: %w", name, firstErr)
		}
		loss := 0.0
		for i, p := range probs {
			loss -= math.Log(math.Max(p[y[i]], 1e-12))
		}
		loss /= float64(len(y))
		opt.Log("%s head: lambda %g: cross-validated log-loss %.4f, accuracy %.3f", name, lambda, loss, accuracy(probs, y))
		if loss < bestLoss {
			bestLoss, bestLambda, bestProbs = loss, lambda, probs
		}
	}
	all := make([]int, len(y))
	for i := range all {
		all[i] = i
	}
	ds, buckets := compact(feats, y, k, all, opt.MinDF)
	w, err := fit(ds, bestLambda, opt.Iterations)
	if err != nil {
		return nil, nil, fmt.Errorf("train %s head: %w", name, err)
	}
	h := &Head{Classes: classes, Lambda: bestLambda}
	h.Bias = make([]float64, k)
	for c := range k {
		h.Bias[c] = round6(w[len(buckets)*k+c])
	}
	h.encode(buckets, w[:len(buckets)*k])
	if err := h.decode(); err != nil {
		return nil, nil, fmt.Errorf("train %s head: %w", name, err)
	}
	return h, bestProbs, nil
}

func round6(x float64) float64 { return math.Round(x*1e6) / 1e6 }

// setDense fills the dense table straight from fitted weights (for
// cross-validation, without the round trip through the stored form).
func (h *Head) setDense(buckets []uint32, w []float64, k int) {
	h.w = make([]float32, (1<<hashBits)*k)
	for i, b := range buckets {
		for c := range k {
			h.w[int(b)*k+c] = float32(w[i*k+c])
		}
	}
	h.Bias = slices.Clone(w[len(buckets)*k:])
}

// compact keeps the buckets that occur in at least minDF of the chosen
// examples and rewrites those examples over them.
func compact(feats [][]feat, y []int, k int, idx []int, minDF int) (*dataset, []uint32) {
	df := map[uint32]int{}
	for _, i := range idx {
		seen := map[uint32]bool{}
		for _, f := range feats[i] {
			if !seen[f.h] {
				seen[f.h] = true
				df[f.h]++
			}
		}
	}
	var buckets []uint32
	for b, n := range df {
		if n >= minDF {
			buckets = append(buckets, b)
		}
	}
	slices.Sort(buckets)
	col := make(map[uint32]int32, len(buckets))
	for i, b := range buckets {
		col[b] = int32(i)
	}
	ds := &dataset{k: k, ncols: len(buckets)}
	counts := make([]float64, k)
	for _, i := range idx {
		counts[y[i]]++
	}
	for _, i := range idx {
		acc := map[int32]float64{}
		for _, f := range feats[i] {
			if c, ok := col[f.h]; ok {
				acc[c] += float64(f.v)
			}
		}
		var r sparseRow
		for c := range acc {
			r.cols = append(r.cols, c)
		}
		slices.Sort(r.cols)
		for _, c := range r.cols {
			r.vals = append(r.vals, acc[c])
		}
		ds.rows = append(ds.rows, r)
		ds.y = append(ds.y, y[i])
		// Balanced class weights, softened by a square root so a rare class
		// does not dominate.
		ds.weights = append(ds.weights, math.Sqrt(float64(len(idx))/(float64(k)*counts[y[i]])))
	}
	return ds, buckets
}

// fit minimises the weighted multinomial log-loss plus lambda/2 |W|^2
// (biases free) with L-BFGS. The result is column-major by bucket:
// w[col*k+class], then the k biases.
func fit(ds *dataset, lambda float64, iterations int) ([]float64, error) {
	k, nw := ds.k, ds.ncols*ds.k
	wsum := 0.0
	for _, v := range ds.weights {
		wsum += v
	}
	z := make([]float64, k)
	eval := func(grad, x []float64) float64 {
		if grad != nil {
			clear(grad)
		}
		loss := 0.0
		for i, r := range ds.rows {
			copy(z, x[nw:])
			for j, c := range r.cols {
				row := x[int(c)*k : int(c)*k+k]
				v := r.vals[j]
				for cl := range k {
					z[cl] += row[cl] * v
				}
			}
			softmax(z)
			s := ds.weights[i] / wsum
			loss -= s * math.Log(math.Max(z[ds.y[i]], 1e-300))
			if grad == nil {
				continue
			}
			z[ds.y[i]]--
			for cl := range k {
				z[cl] *= s
				grad[nw+cl] += z[cl]
			}
			for j, c := range r.cols {
				g := grad[int(c)*k : int(c)*k+k]
				v := r.vals[j]
				for cl := range k {
					g[cl] += z[cl] * v
				}
			}
		}
		for i := range nw {
			loss += lambda / 2 * x[i] * x[i]
			if grad != nil {
				grad[i] += lambda * x[i]
			}
		}
		return loss
	}
	// L-BFGS asks for the value and then the gradient at the same point:
	// one pass computes both, and the gradient is kept for the second call.
	var cacheX, cacheG []float64
	cacheF := 0.0
	at := func(x []float64) {
		if cacheX != nil && slices.Equal(cacheX, x) {
			return
		}
		if cacheG == nil {
			cacheG = make([]float64, len(x))
		}
		cacheF = eval(cacheG, x)
		cacheX = append(cacheX[:0], x...)
	}
	p := optimize.Problem{
		Func: func(x []float64) float64 { at(x); return cacheF },
		Grad: func(grad, x []float64) { at(x); copy(grad, cacheG) },
	}
	x0 := make([]float64, nw+k)
	res, err := optimize.Minimize(p, x0, &optimize.Settings{MajorIterations: iterations, GradientThreshold: 1e-6}, &optimize.LBFGS{})
	if res == nil {
		return nil, fmt.Errorf("fit: %w", err)
	}
	// Stopping at the iteration limit is fine: the weights are usable.
	return res.X, nil
}

// calibrateTone finds per-class logit offsets that maximise the mean of
// 5-class and 3-class macro-F1 on cross-validated probabilities, by
// coordinate ascent over a small grid.
func calibrateTone(probs [][]float64, y []int) []float64 {
	off := make([]float64, 5)
	score := func() float64 {
		p := predictTone(probs, off)
		return (macroF1(p, y, 5) + macroF1(fold3(p), fold3(y), 3)) / 2
	}
	best := score()
	for range 3 {
		for c := range off {
			keep := off[c]
			for _, d := range []float64{-1, -0.6, -0.3, -0.15, 0, 0.15, 0.3, 0.6, 1} {
				off[c] = keep + d
				if s := score(); s > best+1e-9 {
					best, keep = s, off[c]
				}
			}
			off[c] = keep
		}
	}
	for i := range off {
		off[i] = round3(off[i])
	}
	return off
}

func predictTone(probs [][]float64, off []float64) []int {
	out := make([]int, len(probs))
	z := make([]float64, 5)
	for i, p := range probs {
		for c := range z {
			z[c] = math.Log(math.Max(p[c], 1e-12)) + off[c]
		}
		out[i] = argmax(z)
	}
	return out
}

// fold3 maps tone classes to negative side (0), neutral (1), positive (2).
func fold3(y []int) []int {
	out := make([]int, len(y))
	for i, v := range y {
		switch v {
		case 0, 1, 2:
			out[i] = 0
		case 3:
			out[i] = 1
		default:
			out[i] = 2
		}
	}
	return out
}

// calibrateUrgency picks the high-or-critical threshold that maximises
// its F1, then the critical share that maximises the 4-class macro-F1.
func calibrateUrgency(probs [][]float64, y []int) (float64, float64) {
	truth := urgentOf(y)
	bestT, bestF := 0.5, -1.0
	for t := 0.2; t <= 0.8001; t += 0.02 {
		if f := binaryF1(predictUrgent(probs, t), truth); f > bestF+1e-9 {
			bestT, bestF = t, f
		}
	}
	bestS, bestM := 0.5, -1.0
	for s := 0.2; s <= 0.8001; s += 0.05 {
		if f := macroF1(urgencyLevels(probs, bestT, s), y, 4); f > bestM+1e-9 {
			bestS, bestM = s, f
		}
	}
	return round3(bestT), round3(bestS)
}

func urgentOf(y []int) []int {
	out := make([]int, len(y))
	for i, v := range y {
		if v <= 1 {
			out[i] = 1
		}
	}
	return out
}

func predictUrgent(probs [][]float64, t float64) []int {
	out := make([]int, len(probs))
	for i, p := range probs {
		if p[0]+p[1] >= t {
			out[i] = 1
		}
	}
	return out
}

// urgencyLevels decides the level from urgency probabilities (critical,
// high, normal, low) and the two thresholds.
func urgencyLevels(probs [][]float64, t, share float64) []int {
	out := make([]int, len(probs))
	for i, p := range probs {
		out[i] = urgencyLevel(p, t, share)
	}
	return out
}

func urgencyLevel(p []float64, t, share float64) int {
	if u := p[0] + p[1]; u >= t {
		if p[0] >= share*u {
			return 0
		}
		return 1
	}
	if p[2] >= p[3] {
		return 2
	}
	return 3
}

// calibrateStaff picks the threshold with the best F1 among those whose
// recall is at least 0.9, or the best F1 if none reaches it; a candidate
// whose message is not open to a staff complaint (open false) is never
// taken.
func calibrateStaff(probs [][]float64, y []int, open []bool) float64 {
	bestT, bestF, found := 0.5, -1.0, false
	for t := 0.1; t <= 0.9001; t += 0.02 {
		pred := gated(thresholded(probs, t), open)
		f := binaryF1(pred, y)
		ok := recall(pred, y) >= 0.9
		if (ok && !found) || (ok == found && f > bestF+1e-9) {
			bestT, bestF, found = t, f, found || ok
		}
	}
	return round3(bestT)
}

// gated clears the decisions whose message is closed to them.
func gated(pred []int, open []bool) []int {
	for i := range pred {
		if !open[i] {
			pred[i] = 0
		}
	}
	return pred
}

func thresholded(probs [][]float64, t float64) []int {
	out := make([]int, len(probs))
	for i, p := range probs {
		if p[1] >= t {
			out[i] = 1
		}
	}
	return out
}

func accuracy(probs [][]float64, y []int) float64 {
	ok := 0
	for i, p := range probs {
		if argmax(p) == y[i] {
			ok++
		}
	}
	return float64(ok) / float64(max(len(y), 1))
}

func macroF1(pred, y []int, k int) float64 {
	sum := 0.0
	n := 0
	for c := range k {
		var tp, fp, fn float64
		present := false
		for i := range y {
			switch {
			case pred[i] == c && y[i] == c:
				tp++
			case pred[i] == c:
				fp++
			case y[i] == c:
				fn++
			}
			present = present || y[i] == c
		}
		if !present {
			continue
		}
		n++
		if tp > 0 {
			sum += 2 * tp / (2*tp + fp + fn)
		}
	}
	return sum / float64(max(n, 1))
}

func binaryF1(pred, y []int) float64 {
	var tp, fp, fn float64
	for i := range y {
		switch {
		case pred[i] == 1 && y[i] == 1:
			tp++
		case pred[i] == 1:
			fp++
		case y[i] == 1:
			fn++
		}
	}
	if tp == 0 {
		return 0
	}
	return 2 * tp / (2*tp + fp + fn)
}

func recall(pred, y []int) float64 {
	var tp, fn float64
	for i := range y {
		if y[i] == 1 {
			if pred[i] == 1 {
				tp++
			} else {
				fn++
			}
		}
	}
	if tp+fn == 0 {
		return 1
	}
	return tp / (tp + fn)
}
