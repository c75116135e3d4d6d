package nlp

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// ModelFormat names the layout of the learned layer's weights file.
const ModelFormat = "triage-nlp-model/1"

// Heads of the learned layer.
const (
	HeadCategory = "category"
	HeadTone     = "tone"
	HeadUrgency  = "urgency"
	HeadStaff    = "staff"
)

// Model is the learned layer: one linear head (multinomial logistic
// regression) per decision over the hashed features, and the decision
// thresholds calibrated on cross-validated predictions. Load it with
// ParseModel; it is read-only afterwards.
type Model struct {
	Format   string           `json:"format"`
	HashBits int              `json:"hash_bits"`
	Heads    map[string]*Head `json:"heads"`
	// ToneOffsets are added to the tone head's logits (one per class),
	// calibrated for macro-F1.
	ToneOffsets []float64 `json:"tone_offsets"`
	// UrgentThreshold: a message is high or critical when P(high) +
	// P(critical) reaches it; CriticalShare: it is critical when P(critical)
	// is at least this share of the two.
	UrgentThreshold float64 `json:"urgent_threshold"`
	CriticalShare   float64 `json:"critical_share"`
	// StaffThreshold is the probability at which a named staff member is
	// taken as complained about.
	StaffThreshold float64 `json:"staff_threshold"`
	// Training records how the model was made and what it scored in
	// cross-validation on its own training data.
	Training TrainingInfo `json:"training"`

	// msg interleaves the category, tone and urgency weights of each
	// bucket (msgWidth per bucket), so one feature costs one memory read.
	msg []float32
}

// The message heads, in the order their weights sit in Model.msg.
var msgHeads = [...]string{HeadCategory, HeadTone, HeadUrgency}

const msgWidth = 10 + 5 + 4

// TrainingInfo records how a model was trained.
type TrainingInfo struct {
	Command    string             `json:"command"`
	Seed       int64              `json:"seed"`
	Folds      int                `json:"folds"`
	Items      int                `json:"items"`
	DataSHA256 string             `json:"data_sha256"`
	CV         map[string]float64 `json:"cross_validated"`
}

// Head is one linear classifier: a weight per class for every hashed
// feature seen in training, and a bias per class.
type Head struct {
	Classes []string  `json:"classes"`
	Bias    []float64 `json:"bias"`
	Lambda  float64   `json:"lambda"` // L2 strength chosen by cross-validation
	// Buckets are the feature buckets with weights, base64 of little-endian
	// uint32; Weights are base64 of little-endian int16, Scale per unit,
	// bucket-major (len(Buckets) × len(Classes)).
	Buckets string  `json:"buckets"`
	Weights string  `json:"weights"`
	Scale   float64 `json:"scale"`

	w []float32 // dense: bucket*len(Classes)+class
}

// ParseModel decodes and checks a weights file.
func ParseModel(b []byte) (*Model, error) {
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("nlp model: %w", err)
	}
	if m.Format != ModelFormat {
		return nil, fmt.Errorf("nlp model: format %q, want %q", m.Format, ModelFormat)
	}
	if m.HashBits != hashBits {
		return nil, fmt.Errorf("nlp model: hash_bits %d, this build hashes into %d", m.HashBits, hashBits)
	}
	want := map[string][]string{HeadCategory: categoryClasses(), HeadTone: toneClasses(), HeadUrgency: urgencyClasses(), HeadStaff: staffClasses}
	for name, classes := range want {
		h := m.Heads[name]
		if h == nil {
			return nil, fmt.Errorf("nlp model: no %s head", name)
		}
		if !slices.Equal(h.Classes, classes) {
			return nil, fmt.Errorf("nlp model: %s head classes %v, want %v", name, h.Classes, classes)
		}
		if err := h.decode(); err != nil {
			return nil, fmt.Errorf("nlp model: %s head: %w", name, err)
		}
	}
	m.interleave()
	if len(m.ToneOffsets) != len(toneClasses()) {
		return nil, fmt.Errorf("nlp model: %d tone offsets, want %d", len(m.ToneOffsets), len(toneClasses()))
	}
	return &m, nil
}

// interleave builds Model.msg from the three message heads.
func (m *Model) interleave() {
	m.msg = make([]float32, (1<<hashBits)*msgWidth)
	off := 0
	for _, name := range msgHeads {
		h := m.Heads[name]
		k := len(h.Classes)
		for b := range 1 << hashBits {
			copy(m.msg[b*msgWidth+off:b*msgWidth+off+k], h.w[b*k:b*k+k])
		}
		off += k
	}
}

// msgLogits returns the category, tone and urgency logits of a message.
func (m *Model) msgLogits(fs []feat) (cat, tone, urg []float64) {
	var z [msgWidth]float32
	for i := range fs {
		f := &fs[i]
		row := (*[msgWidth]float32)(m.msg[int(f.h)*msgWidth:])
		for c := range z {
			z[c] += row[c] * f.v
		}
	}
	all := make([]float64, msgWidth)
	off := 0
	for _, name := range msgHeads {
		h := m.Heads[name]
		for c, b := range h.Bias {
			all[off+c] = b + float64(z[off+c])
		}
		off += len(h.Bias)
	}
	return all[:10:10], all[10:15:15], all[15:19:19]
}

// decode expands the stored weights into the dense table.
func (h *Head) decode() error {
	k := len(h.Classes)
	if len(h.Bias) != k {
		return fmt.Errorf("%d biases for %d classes", len(h.Bias), k)
	}
	bk, err := base64.StdEncoding.DecodeString(h.Buckets)
	if err != nil {
		return fmt.Errorf("buckets: %w", err)
	}
	ws, err := base64.StdEncoding.DecodeString(h.Weights)
	if err != nil {
		return fmt.Errorf("weights: %w", err)
	}
	n := len(bk) / 4
	if len(bk)%4 != 0 || len(ws) != 2*n*k {
		return errors.New("buckets and weights do not match")
	}
	h.w = make([]float32, (1<<hashBits)*k)
	for i := range n {
		b := binary.LittleEndian.Uint32(bk[4*i:])
		if b >= 1<<hashBits {
			return fmt.Errorf("bucket %d out of range", b)
		}
		for c := range k {
			q := int16(binary.LittleEndian.Uint16(ws[2*(i*k+c):]))
			h.w[int(b)*k+c] = float32(float64(q) * h.Scale)
		}
	}
	return nil
}

// encode stores dense weights of the given buckets (sorted) in h.
func (h *Head) encode(buckets []uint32, w []float64) {
	k := len(h.Classes)
	maxAbs := 0.0
	for _, v := range w {
		maxAbs = math.Max(maxAbs, math.Abs(v))
	}
	h.Scale = maxAbs / 32767
	if h.Scale == 0 {
		h.Scale = 1
	}
	bk := make([]byte, 4*len(buckets))
	ws := make([]byte, 2*len(buckets)*k)
	for i, b := range buckets {
		binary.LittleEndian.PutUint32(bk[4*i:], b)
		for c := range k {
			binary.LittleEndian.PutUint16(ws[2*(i*k+c):], uint16(int16(math.Round(w[i*k+c]/h.Scale))))
		}
	}
	h.Buckets = base64.StdEncoding.EncodeToString(bk)
	h.Weights = base64.StdEncoding.EncodeToString(ws)
}

// logits returns the head's score per class for a feature vector.
func (h *Head) logits(fs []feat, out []float64) []float64 {
	k := len(h.Classes)
	out = append(out[:0], h.Bias...)
	for i := range fs {
		f := &fs[i]
		row := h.w[int(f.h)*k : int(f.h)*k+k]
		for c, w := range row {
			out[c] += float64(w * f.v)
		}
	}
	return out
}

// softmax turns logits into probabilities in place.
func softmax(z []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range z {
		m = math.Max(m, v)
	}
	sum := 0.0
	for i, v := range z {
		z[i] = math.Exp(v - m)
		sum += z[i]
	}
	for i := range z {
		z[i] /= sum
	}
	return z
}

// explain returns the features that weighed most for class c over class
// alt: each feature's contribution (w_c - w_alt) * value, the strongest
// first, at most n, one per bucket. Character grams are left out: a word,
// a pair of words or a rule signal says more to a reader, and each
// character gram weighs little on its own.
func explain(d *doc, fs []feat, w []float32, width, c, alt, n int) []Evidence {
	type contrib struct {
		i int
		v float64
	}
	top := make([]contrib, 0, n+1)
	for i := range fs {
		f := &fs[i]
		if f.kind == featChars {
			continue
		}
		row := w[int(f.h)*width:]
		v := float64((row[c] - row[alt]) * f.v)
		if v <= 0 || (len(top) == n && v <= top[n-1].v) {
			continue
		}
		dup := false
		for j := range top {
			if fs[top[j].i].h == f.h {
				dup = true
				if v > top[j].v {
					top[j].v = v
				}
			}
		}
		if dup {
			continue
		}
		at := len(top)
		for at > 0 && top[at-1].v < v {
			at--
		}
		top = slices.Insert(top, at, contrib{i, v})
		if len(top) > n {
			top = top[:n]
		}
	}
	slices.SortStableFunc(top, func(a, b contrib) int {
		switch {
		case a.v > b.v:
			return -1
		case a.v < b.v:
			return 1
		}
		return 0
	})
	out := make([]Evidence, 0, len(top))
	for _, t := range top {
		rule, phrase, start, end, fld := d.describe(&fs[t.i])
		out = append(out, Evidence{Rule: rule, Phrase: phrase, Start: start, End: end, Weight: round3(t.v), Field: fld})
	}
	return out
}

var staffClasses = []string{"no", "yes"}

func categoryClasses() []string {
	out := make([]string, len(allCategories))
	for i, c := range allCategories {
		out[i] = string(c)
	}
	return out
}

func toneClasses() []string {
	return []string{string(ToneAngry), string(ToneFrustrated), string(ToneNegative), string(ToneNeutral), string(TonePositive)}
}

func urgencyClasses() []string {
	return []string{string(LevelCritical), string(LevelHigh), string(LevelNormal), string(LevelLow)}
}

// allCategories are the categories in the order the category head scores
// them.
var allCategories = []Category{CategoryMissedOrLateShipment, CategoryOverchargeOrBillingError, CategoryWrongItem,
	CategoryMissedOrBouncedPayment, CategoryReturnOrRefund, CategoryIncorrectDeliverable, CategoryServiceVisitGoneWrong,
	CategoryGeneralQuestion, CategoryPraise, CategoryNotAComplaint}

func argmax(p []float64) int {
	best := 0
	for i, v := range p {
		if v > p[best] {
			best = i
		}
	}
	return best
}

// runnerUp is the most likely class other than c.
func runnerUp(p []float64, c int) int {
	best := -1
	for i, v := range p {
		if i != c && (best < 0 || v > p[best]) {
			best = i
		}
	}
	return best
}
