package nlp

import (
	"fmt"
	"strings"
)

// Marker kinds of tone.yaml, with the sign their weight must have.
var toneKinds = map[string]int{
	"anger": -1, "profanity": -1, "frustration": -1, "sarcasm": -1,
	"problem": -1, "praise": 1,
}

// toneCapKinds may be capped in tone.yaml: the marker kinds and the
// built-in rules.
var toneCapKinds = withKinds(toneKinds, "caps", "exclamation", "interrobang", "repeat_contact")

// urgencyCapKinds may be capped in urgency.yaml.
var urgencyCapKinds = withKinds(urgencyKinds, "deadline", "imminent_deadline", "recent_contacts", "tone")

func withKinds(m map[string]int, extra ...string) map[string]int {
	out := make(map[string]int, len(m)+len(extra))
	for k, v := range m {
		out[k] = v
	}
	for _, k := range extra {
		out[k] = 0
	}
	return out
}

// Signal kinds of urgency.yaml, with the sign their weight must have.
var urgencyKinds = map[string]int{
	"time_pressure": 1, "business_impact": 1, "churn": 1, "legal": 1,
	"escalation": 1, "safety": 1, "outage": 1, "repeat_contact": 1, "calm": -1,
}

// categoryKinds are the categories rules may score.
var categoryKinds = map[string]int{
	string(CategoryMissedOrLateShipment): 1, string(CategoryOverchargeOrBillingError): 1,
	string(CategoryWrongItem): 1, string(CategoryMissedOrBouncedPayment): 1,
	string(CategoryReturnOrRefund): 1, string(CategoryIncorrectDeliverable): 1,
	string(CategoryServiceVisitGoneWrong): 1, string(CategoryGeneralQuestion): 1,
	string(CategoryPraise): 1, string(CategoryNotAComplaint): 1,
}

func checkText(c *checker, t *TextConfig) {
	for _, k := range sortedKeys(t.Normalize) {
		v := t.Normalize[k]
		if k == "" || strings.ContainsAny(k, " \t") || k != strings.ToLower(k) {
			c.addf("normalize."+k, "key must be one lowercase word")
		}
		if v == "" || strings.ContainsAny(v, " \t") || v != strings.ToLower(v) {
			c.addf("normalize."+k, "value %q must be one lowercase word", v)
		}
	}
	c.words("negators", t.Negators, true)
	c.between("negation_window", float64(t.NegationWindow), 1, 6)
	c.words("abbreviations", t.Abbreviations, false)
	c.words("pronouns", t.Pronouns, true)
	c.words("titles", t.Titles, true)
	c.words("fillers", t.Fillers, false)
	c.words("clause_breaks", t.ClauseBreaks, false)
	c.between("clause_min_words", float64(t.ClauseMinWords), 2, 50)
}

func checkTone(c *checker, t *ToneConfig) {
	for _, w := range sortedKeys(t.Lexicon) {
		if w == "" || strings.ContainsAny(w, " \t") || w != strings.ToLower(w) {
			c.addf("lexicon."+w, "key must be one lowercase word")
		}
		c.between("lexicon."+w, t.Lexicon[w], -4, 4)
	}
	c.groups("markers", t.Markers, toneKinds, 1)
	c.caps("kind_caps", t.KindCaps, toneCapKinds)
	c.between("negative_sentence_weight", t.NegativeSentenceWeight, 1, 5)
	c.between("caps.min_run", float64(t.Caps.MinRun), 1, 20)
	c.between("caps.weight", t.Caps.Weight, -1, 0)
	c.between("caps.min_words", float64(t.Caps.MinWords), 1, 50)
	c.between("caps.word_weight", t.Caps.WordWeight, -1, 0)
	c.between("caps.min_letters", float64(t.Caps.MinLetters), 2, 10)
	c.words("caps.acronyms", t.Caps.Acronyms, false)
	c.between("masked_profanity", t.MaskedProfanity, -1, 0)
	c.between("exclamation.min_run", float64(t.Exclamation.MinRun), 2, 10)
	c.between("exclamation.run_weight", t.Exclamation.RunWeight, -1, 0)
	c.between("exclamation.interrobang", t.Exclamation.Interrobang, -1, 0)
	c.ramp("recent_contacts", t.RecentContacts)
	l := t.Labels
	c.between("labels.angry_markers", l.AngryMarkers, 0.01, 5)
	c.between("labels.angry_max_score", l.AngryMaxScore, -1, 1)
	c.between("labels.frustrated_markers", l.FrustratedMarkers, 0.01, 5)
	c.between("labels.frustrated_max_score", l.FrustratedMaxScore, -1, 1)
	c.between("labels.positive_min_score", l.PositiveMinScore, -1, 1)
}

func checkUrgency(c *checker, u *UrgencyConfig) {
	c.groups("signals", u.Signals, urgencyKinds, 3)
	c.caps("kind_caps", u.KindCaps, urgencyCapKinds)
	d := u.Deadlines
	c.words("deadlines.triggers", d.Triggers, true)
	c.words("deadlines.soft_triggers", d.SoftTriggers, false)
	c.words("deadlines.past_markers", d.PastMarkers, false)
	if len(d.Windows) == 0 {
		c.addf("deadlines.windows", "must not be empty")
	}
	for i, w := range d.Windows {
		k := fmt.Sprintf("deadlines.windows[%d]", i)
		c.between(k+".hours", w.Hours, 0.1, 24*60)
		c.between(k+".weight", w.Weight, 0, 3)
		if i > 0 && w.Hours <= d.Windows[i-1].Hours {
			c.addf(k+".hours", "%v is not more than the previous window's %v", w.Hours, d.Windows[i-1].Hours)
		}
	}
	c.between("deadlines.unresolved", d.Unresolved, 0, 3)
	h := d.Hours
	for _, kv := range []struct {
		k string
		v int
	}{{"morning", h.Morning}, {"noon", h.Noon}, {"afternoon", h.Afternoon}, {"end_of_day", h.EndOfDay}, {"evening", h.Evening}} {
		c.between("deadlines.hours."+kv.k, float64(kv.v), 0, 23)
	}
	c.ramp("recent_contacts", u.RecentContacts)
	c.ramp("copied_executives", u.CopiedExecutives)
	for _, t := range sortedKeys(u.Tone) {
		if _, ok := toneRank[ToneLabel(t)]; !ok {
			c.addf("tone."+t, "unknown tone label")
		}
		c.between("tone."+t, u.Tone[t], 0, 2)
	}
	lv := u.Levels
	c.between("levels.normal", lv.Normal, 0.01, 0.99)
	c.between("levels.high", lv.High, 0.01, 0.99)
	c.between("levels.critical", lv.Critical, 0.01, 0.99)
	if lv.Normal >= lv.High || lv.High >= lv.Critical {
		c.addf("levels", "want normal < high < critical, got %v, %v, %v", lv.Normal, lv.High, lv.Critical)
	}
	for key, list := range map[string][]string{"critical_kinds": u.CriticalKinds,
		"critical_with_deadline": u.CriticalWithDeadline, "non_complaint.kinds": u.NonComplaint.Kinds} {
		for i, k := range list {
			if _, ok := urgencyCapKinds[k]; !ok {
				c.addf(fmt.Sprintf("%s[%d]", key, i), "unknown kind %q", k)
			}
		}
	}
	c.between("non_complaint.scale", u.NonComplaint.Scale, 0, 1)
	floors := map[string]Level{"complaint_floor": u.ComplaintFloor, "non_english_floor": u.NonEnglishFloor}
	for _, k := range sortedKeys(floors) {
		if _, ok := levelRank[floors[k]]; !ok {
			c.addf(k, "unknown level %q", floors[k])
		}
	}
}

func checkCategories(c *checker, cc *CategoryConfig) {
	c.groups("rules", cc.Rules, categoryKinds, 3)
	c.between("min_score", cc.MinScore, 0.01, 5)
	c.between("secondary_ratio", cc.SecondaryRatio, 0.01, 1)
	c.between("subject_weight", cc.SubjectWeight, 0, 5)
	c.between("quoted_weight", cc.QuotedWeight, 0, 1)
	r := cc.Complaint
	c.between("complaint.threshold", r.Threshold, 0.01, 5)
	for i, k := range r.SignalKinds {
		if _, ok := urgencyKinds[k]; !ok {
			c.addf(fmt.Sprintf("complaint.signal_kinds[%d]", i), "unknown urgency kind %q", k)
		}
	}
	for _, ch := range sortedKeys(r.Channels) {
		c.between("complaint.channels."+ch, r.Channels[ch], -2, 2)
	}
	for k, v := range map[string]float64{"markers": r.Markers, "negative_sentiment": r.NegativeSentiment,
		"positive_sentiment": r.PositiveSentiment, "forwarded": r.Forwarded, "signals": r.Signals, "signal_max": r.SignalMax,
		"problem_category": r.ProblemCategory, "category_max": r.CategoryMax, "praise": r.Praise,
		"notice": r.Notice, "question": r.Question} {
		c.between("complaint."+k, v, 0, 5)
	}
}

func checkFacts(c *checker, f *FactsConfig) {
	c.words("orders", f.Orders, true)
	c.words("invoices", f.Invoices, true)
	c.words("tickets", f.Tickets, true)
	c.words("id_fillers", f.IDFillers, false)
	if len(f.Currencies) == 0 {
		c.addf("currencies", "must not be empty")
	}
	for _, k := range sortedKeys(f.Currencies) {
		v := f.Currencies[k]
		if len(v) != 3 || strings.ToUpper(v) != v {
			c.addf("currencies."+k, "%q is not an ISO 4217 code", v)
		}
	}
	c.words("org_suffixes", f.OrgSuffixes, false)
	c.words("not_names", f.NotNames, false)
	c.words("staff_complaint_cues", f.StaffComplaintCues, true)
	c.between("max_entity_spans", float64(f.MaxEntitySpans), 0, 50)
}

func checkLanguage(c *checker, l *LanguageConfig) {
	c.between("min_words", float64(l.MinWords), 1, 100)
	if _, ok := l.Languages["en"]; !ok {
		c.addf("languages", `must include "en"`)
	}
	for _, code := range sortedKeys(l.Languages) {
		p := l.Languages[code]
		k := "languages." + code
		if len(code) != 2 || strings.ToLower(code) != code {
			c.addf(k, "not an ISO 639-1 code")
		}
		c.words(k+".stopwords", p.Stopwords, true)
		for name, list := range map[string][]string{"negative": p.Negative, "frustrated": p.Frustrated,
			"angry": p.Angry, "positive": p.Positive, "urgent": p.Urgent, "question": p.Question, "notice": p.Notice} {
			c.words(k+"."+name, list, false)
		}
		for _, cat := range sortedKeys(p.Categories) {
			if _, ok := categoryKinds[cat]; !ok {
				c.addf(k+".categories."+cat, "unknown category")
			}
			c.words(k+".categories."+cat, p.Categories[Category(cat)], true)
		}
	}
	w := l.CueWeights
	c.between("cue_weights.negative", w.Negative, -1, 0)
	c.between("cue_weights.frustrated", w.Frustrated, -1, 0)
	c.between("cue_weights.angry", w.Angry, -1, 0)
	c.between("cue_weights.positive", w.Positive, 0, 1)
	c.between("cue_weights.urgent", w.Urgent, 0, 3)
	c.between("cue_weights.category", w.Category, 0, 3)
}
