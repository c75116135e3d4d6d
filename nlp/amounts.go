package nlp

import (
	"strconv"
	"strings"
)

// amounts finds sums of money: "$1,240.50", "€80", "80 EUR", "USD 40",
// "300 dollars".
func (a *Analyzer) amounts(d *doc) []Amount {
	var out []Amount
	for k := 0; k < len(d.toks); k++ {
		t := &d.toks[k]
		cur, ok := a.currencies[t.norm]
		if !ok {
			continue
		}
		// Symbol or code before the number.
		if k+1 < len(d.toks) && d.toks[k+1].sent == t.sent && d.toks[k+1].digit {
			if v, ok := parseAmount(d.toks[k+1].norm); ok {
				f := d.sents[t.sent].field
				out = append(out, Amount{Text: d.src(f)[t.start:d.toks[k+1].end], Value: v, Currency: cur})
				k++
				continue
			}
		}
		// Number before a code or word.
		if t.word && k > 0 && d.toks[k-1].sent == t.sent && d.toks[k-1].digit {
			if v, ok := parseAmount(d.toks[k-1].norm); ok {
				f := d.sents[t.sent].field
				out = append(out, Amount{Text: d.src(f)[d.toks[k-1].start:t.end], Value: v, Currency: cur})
			}
		}
	}
	return out
}

// parseAmount reads "1,240.50", "1.240,50", "80", "2k".
func parseAmount(s string) (float64, bool) {
	mult := 1.0
	switch {
	case strings.HasSuffix(s, "k"):
		mult, s = 1000, strings.TrimSuffix(s, "k")
	case strings.HasSuffix(s, "m"):
		mult, s = 1e6, strings.TrimSuffix(s, "m")
	}
	dot, comma := strings.LastIndexByte(s, '.'), strings.LastIndexByte(s, ',')
	switch {
	case comma > dot && len(s)-comma == 3:
		s = strings.ReplaceAll(strings.ReplaceAll(s, ".", ""), ",", ".")
	default:
		s = strings.ReplaceAll(s, ",", "")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || v > 1e12 {
		return 0, false
	}
	return v * mult, true
}
