package nlp

import (
	"strings"
	"unicode"
)

// facts gathers order, invoice and ticket numbers, amounts, dates, phone
// numbers and email addresses. Numbers and amounts come from the whole
// message, quoted history included; contact details not from history.
func (a *Analyzer) facts(d *doc, hits []match, dates []dateExpr) Facts {
	var f Facts
	seen := map[string]bool{}
	addID := func(kind, id string) {
		if seen[kind+id] {
			return
		}
		seen[kind+id] = true
		switch kind {
		case "order":
			f.OrderNumbers = append(f.OrderNumbers, id)
		case "invoice":
			f.InvoiceNumbers = append(f.InvoiceNumbers, id)
		case "ticket":
			f.TicketNumbers = append(f.TicketNumbers, id)
		}
	}
	for i := range hits {
		m := &hits[i]
		if m.p.sec != secFactKey {
			continue
		}
		end := d.sents[m.sent].wEnd
		for w := m.last + 1; w < end && w <= m.last+4; w++ {
			if t := d.wordTok(w); isID(t) {
				addID(m.p.kind, d.tokText(d.sents[m.sent].field, t))
				break
			}
			if !a.idFillers.has(d.norms[w]) {
				break
			}
		}
	}
	// Prefixed numbers with no keyword before them ("ORD-2026-0042").
	for _, ti := range d.words {
		t := &d.toks[ti]
		if !t.digit || !t.word {
			continue
		}
		if kind := a.idPrefixes[idPrefix(t.norm)]; kind != "" && isID(t) && strings.ContainsAny(t.norm, "-_") {
			addID(kind, d.tokText(d.sents[t.sent].field, t))
		}
	}

	if d.transcript {
		a.spokenNumbers(d, hits, addID, func(p string) {
			if !seen["phone"+p] {
				seen["phone"+p] = true
				f.Phones = append(f.Phones, p)
			}
		})
	}
	f.Amounts = a.amounts(d)
	for i := range dates {
		e := &dates[i]
		text := strings.Join(strings.Fields(d.evidence("", e.first, e.last, 0).Phrase), " ")
		if !e.at.IsZero() {
			text += " (" + e.at.Format("2006-01-02") + ")"
		}
		if !seen["date"+text] {
			seen["date"+text] = true
			f.Dates = append(f.Dates, text)
		}
	}
	for i := range d.sents {
		s := &d.sents[i]
		if s.region == regionQuoted || s.field != fieldText {
			continue
		}
		for _, e := range findEmails(d.text[s.start:s.end]) {
			if !seen["email"+e] {
				seen["email"+e] = true
				f.Emails = append(f.Emails, e)
			}
		}
		for _, p := range findPhones(d.text[s.start:s.end]) {
			if !seen["phone"+p] {
				seen["phone"+p] = true
				f.Phones = append(f.Phones, p)
			}
		}
	}
	return f
}

// isID reports whether a token looks like a reference number: a digit and
// at least three characters.
func isID(t *token) bool {
	return t.word && t.digit && t.end-t.start >= 3 && t.end-t.start <= 40
}

// idPrefix is the letters before the first digit or separator of w.
func idPrefix(w string) string {
	for i, r := range w {
		if !unicode.IsLetter(r) {
			return w[:i]
		}
	}
	return w
}

// spokenDigits are digits as a transcript spells them.
var spokenDigits = map[string]byte{
	"zero": '0', "oh": '0', "o": '0', "one": '1', "two": '2', "three": '3', "four": '4',
	"five": '5', "six": '6', "seven": '7', "eight": '8', "nine": '9',
}

// spokenNumbers reads numbers spelled digit by digit in a transcript
// ("order four eight two one three", "six one four five five five ...").
// A run after an order, invoice or ticket keyword is that number; another
// run of 7 to 11 digits is a phone number.
func (a *Analyzer) spokenNumbers(d *doc, hits []match, addID func(kind, id string), addPhone func(string)) {
	keyEnds := map[int32]string{}
	for i := range hits {
		if m := &hits[i]; m.p.sec == secFactKey {
			keyEnds[m.last] = m.p.kind
		}
	}
	for si := range d.sents {
		s := &d.sents[si]
		for w := s.wFirst; w < s.wEnd; w++ {
			var digits []byte
			end := w
			for end < s.wEnd {
				if c, ok := spokenDigits[d.norms[end]]; ok {
					digits = append(digits, c)
				} else if t := d.wordTok(end); t.digit && isAllDigits(t.norm) && len(t.norm) <= 4 {
					digits = append(digits, t.norm...)
				} else {
					break
				}
				end++
			}
			if len(digits) < 4 {
				continue
			}
			kind := ""
			for k := w - 1; k >= s.wFirst && k >= w-4 && kind == ""; k-- {
				kind = keyEnds[k]
				if kind == "" && !a.idFillers.has(d.norms[k]) {
					break
				}
			}
			switch {
			case kind != "":
				addID(kind, string(digits))
			case len(digits) >= 7 && len(digits) <= 11:
				addPhone(string(digits))
			}
			w = end - 1
		}
	}
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
