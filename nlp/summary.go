package nlp

import (
	"math"
	"sort"
	"strings"
	"unicode/utf8"
)

// SummaryMax is the most characters (runes) a Summary holds: one SMS.
const SummaryMax = 160

// heardMax bounds the what-we-heard list and each of its lines.
const (
	heardMax     = 6
	heardLineMax = 220
)

// categoryWords are the short names a summary uses.
var categoryWords = map[Category]string{
	CategoryMissedOrLateShipment: "late shipment", CategoryOverchargeOrBillingError: "billing error",
	CategoryWrongItem: "wrong item", CategoryMissedOrBouncedPayment: "payment problem",
	CategoryReturnOrRefund: "return/refund", CategoryIncorrectDeliverable: "incorrect deliverable",
	CategoryServiceVisitGoneWrong: "service visit", CategoryGeneralQuestion: "question",
	CategoryPraise: "praise", CategoryNotAComplaint: "no complaint",
}

// summarize writes the SMS line and the what-we-heard list (POLICY P5):
// the sentences that carry a signal, in the customer's words, fillers
// removed.
func (a *Analyzer) summarize(d *doc, hits []match, dates []dateExpr, as *Assessment) (string, []string) {
	salience := make([]float64, len(d.sents))
	for i := range hits {
		m := &hits[i]
		switch m.p.sec {
		case secTone, secUrgency, secCategory:
			salience[m.sent] += math.Abs(m.p.weight)
		case secFactKey:
			salience[m.sent] += 0.3
		}
	}
	for i := range dates {
		salience[dates[i].sent] += 0.3
	}
	var picked []int
	key := -1
	for i := range d.sents {
		s := &d.sents[i]
		if s.region != regionBody || s.field != fieldText || salience[i] == 0 {
			continue
		}
		picked = append(picked, i)
		if key < 0 || salience[i] > salience[key] {
			key = i
		}
	}
	if len(picked) == 0 {
		for i := range d.sents {
			if s := &d.sents[i]; s.region == regionBody && s.field == fieldText && s.wEnd-s.wFirst >= 3 && len(picked) < 2 {
				picked = append(picked, i)
			}
		}
		if len(picked) > 0 {
			key = picked[0]
		}
	}
	if len(picked) > heardMax {
		sort.SliceStable(picked, func(i, j int) bool { return salience[picked[i]] > salience[picked[j]] })
		picked = picked[:heardMax]
		sort.Ints(picked)
	}
	heard := make([]string, 0, len(picked))
	for _, i := range picked {
		if line := a.spoken(d, hits, i); line != "" {
			heard = append(heard, clip(line, heardLineMax))
		}
	}

	// Urgency and tone are not repeated here: the SMS and the dashboard
	// show the case's priority beside the summary, and the two can differ
	// (a calm follow-up on a critical case).
	prefix := categoryWords[as.Category.Primary]
	if prefix != "" {
		prefix = strings.ToUpper(prefix[:1]) + prefix[1:]
	}
	if !as.Language.English {
		prefix += " [" + as.Language.Code + "]"
	}
	var refs []string
	for _, list := range [][]string{as.Facts.OrderNumbers, as.Facts.InvoiceNumbers, as.Facts.TicketNumbers} {
		if len(list) > 0 {
			refs = append(refs, "#"+strings.TrimLeft(list[0], "#"))
		}
	}
	if len(as.Facts.Amounts) > 0 {
		refs = append(refs, as.Facts.Amounts[0].Text)
	}
	if len(refs) > 0 {
		prefix += " (" + strings.Join(refs, ", ") + ")"
	}
	line := prefix
	if key >= 0 {
		line += ": " + a.spoken(d, hits, key)
	} else if d.subject != "" {
		line += ": " + strings.TrimSpace(d.subject[subjectStart(d.subject):])
	}
	return clipRunes(line, SummaryMax), heard
}

// spoken is sentence i on one line, without fillers.
func (a *Analyzer) spoken(d *doc, hits []match, i int) string {
	s := &d.sents[i]
	src := d.src(s.field)
	var b strings.Builder
	pos := s.start
	for k := range hits {
		m := &hits[k]
		if m.sent != int32(i) || m.p.sec != secFiller {
			continue
		}
		ft, lt := d.wordTok(m.first), d.wordTok(m.last)
		if ft.start < pos {
			continue
		}
		b.WriteString(src[pos:ft.start])
		pos = lt.end
		for pos < s.end && (src[pos] == ',' || src[pos] == ' ') {
			pos++
		}
	}
	b.WriteString(src[pos:s.end])
	return strings.Join(strings.Fields(strings.ReplaceAll(b.String(), "\n>", " ")), " ")
}

// clipRunes shortens s to at most n runes, at a word boundary when one is
// near, ending with "…".
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)[:n-1]
	cut := len(runes)
	for k := len(runes) - 1; k > n*2/3; k-- {
		if runes[k] == ' ' {
			cut = k
			break
		}
	}
	return strings.TrimRight(string(runes[:cut]), " ,;:") + "…"
}
