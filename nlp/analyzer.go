package nlp

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
	"github.com/jonreiter/govader"
)

// Analyzer scores messages. It holds the compiled configuration and the
// models, loaded once by New; it is read-only afterwards and safe for
// concurrent use.
type Analyzer struct {
	cfg   *Config
	vader *govader.SentimentIntensityAnalyzer
	prose *prose.Model
	ner   *nerModel
	match matcher

	normWords    map[string]string
	negators     set
	abbrevs      set
	clauseBreaks set
	idFillers    set
	idPrefixes   map[string]string // "ord" -> "order"
	currencies   map[string]string
	orgSuffixes  set
	notNames     set
	acronyms     set
	langs        []langProfile
	pronouns     set
	titles       set
	model        *Model // the learned layer; nil scores with the rules alone
}

// set is a set of normalised words.
type set map[string]struct{}

func (a *Analyzer) newSet(words []string) set {
	s := make(set, len(words))
	for _, w := range words {
		s[strings.Join(splitWords(w, a.normalize), " ")] = struct{}{}
	}
	return s
}

func (s set) has(w string) bool { _, ok := s[w]; return ok }

// New compiles cfg: it loads VADER's lexicon (with cfg.Tone.Lexicon on
// top) and prose's tagger and entity models once, and builds one phrase
// matcher for every phrase list.
func New(cfg *Config) (*Analyzer, error) {
	if cfg == nil {
		return nil, errors.New("new analyzer: nil config")
	}
	if probs := cfg.Validate(); len(probs) > 0 {
		return nil, fmt.Errorf("new analyzer: %w", &ConfigError{Problems: probs})
	}
	a := &Analyzer{cfg: cfg, normWords: cfg.Text.Normalize}
	a.negators = a.newSet(cfg.Text.Negators)
	a.abbrevs = a.newSet(cfg.Text.Abbreviations)
	a.clauseBreaks = a.newSet(cfg.Text.ClauseBreaks)
	a.pronouns = a.newSet(cfg.Text.Pronouns)
	a.titles = a.newSet(cfg.Text.Titles)
	a.model = cfg.Model
	a.idFillers = a.newSet(cfg.Facts.IDFillers)
	a.orgSuffixes = a.newSet(cfg.Facts.OrgSuffixes)
	a.notNames = a.newSet(cfg.Facts.NotNames)
	a.acronyms = a.newSet(cfg.Tone.Caps.Acronyms)
	a.currencies = make(map[string]string, len(cfg.Facts.Currencies))
	for k, v := range cfg.Facts.Currencies {
		a.currencies[strings.ToLower(k)] = v
	}
	a.idPrefixes = map[string]string{}
	if err := a.compilePhrases(); err != nil {
		return nil, fmt.Errorf("new analyzer: %w", err)
	}
	if err := a.compileLanguages(); err != nil {
		return nil, fmt.Errorf("new analyzer: %w", err)
	}

	a.vader = govader.NewSentimentIntensityAnalyzer()
	for w, v := range cfg.Tone.Lexicon {
		a.vader.Lexicon[w] = v
	}
	// ModelFromData with no data is prose's default English model (tagger
	// and entity extractor), decoded once here instead of per document.
	a.prose = prose.ModelFromData("en")
	ner, err := loadNER()
	if err != nil {
		return nil, fmt.Errorf("new analyzer: %w", err)
	}
	a.ner = ner
	return a, nil
}

// compilePhrases puts every phrase list in the one matcher.
func (a *Analyzer) compilePhrases() error {
	c := a.cfg
	var errs []error
	add := func(p string, pl payload) {
		if err := a.match.add(p, pl, a.normalize); err != nil {
			errs = append(errs, err)
		}
	}
	groups := func(sec section, gs []PhraseGroup) {
		for _, g := range gs {
			for _, p := range g.Phrases {
				add(p, payload{sec: sec, kind: g.Kind, weight: g.Weight, ignoreNeg: g.IgnoreNegation || sec == secCategory})
			}
		}
	}
	groups(secTone, c.Tone.Markers)
	groups(secUrgency, c.Urgency.Signals)
	groups(secCategory, c.Categories.Rules)
	words := func(sec section, kind string, list []string) {
		for _, p := range list {
			add(p, payload{sec: sec, kind: kind, ignoreNeg: true})
		}
	}
	words(secStaffCue, "staff", c.Facts.StaffComplaintCues)
	words(secTrigger, "trigger", c.Urgency.Deadlines.Triggers)
	words(secSoftTrigger, "soft", c.Urgency.Deadlines.SoftTriggers)
	words(secPastMarker, "past", c.Urgency.Deadlines.PastMarkers)
	words(secFiller, "filler", c.Text.Fillers)
	for kind, list := range map[string][]string{"order": c.Facts.Orders, "invoice": c.Facts.Invoices, "ticket": c.Facts.Tickets} {
		words(secFactKey, kind, list)
		for _, k := range list {
			if w := splitWords(k, a.normalize); len(w) == 1 {
				a.idPrefixes[w[0]] = kind
			}
		}
	}
	return errors.Join(errs...)
}

// normalize is the normal form of one word: lowercase, straight
// apostrophes, then TextConfig.Normalize.
func (a *Analyzer) normalize(w string) string {
	l := lowerWord(w)
	if n, ok := a.normWords[l]; ok {
		return n
	}
	return l
}

// Analyze reads one message and returns its assessment. It is pure, safe
// for concurrent use and never panics: text it cannot read gets
// conservative scores and says so in its evidence.
func (a *Analyzer) Analyze(in Input) Assessment {
	p := a.parts(in)
	d, lang, hits, dates, sv := p.d, p.lang, p.hits, p.dates, p.sv

	var out Assessment
	out.Language = lang.Language
	td := a.tone(d, hits, sv, lang)
	cs := a.categoryScores(d, hits)
	complaint, why := a.complaint(d, hits, &td, &cs, lang)
	out.IsComplaint = complaint
	out.Category = a.category(d, &cs, complaint)
	out.Tone = Tone{Score: td.score, Label: a.toneLabel(&td, out.Category.Primary, complaint), Evidence: append(td.ev, why)}
	out.Facts = a.facts(d, hits, dates)
	out.StaffComplainedAbout = a.staffComplaints(d, hits, sv, p.staff)
	a.entities(d, p.staff, &out.Facts)
	out.Urgency = a.urgency(d, hits, dates, out, lang)
	if a.model != nil {
		a.applyModel(p, &out)
	}
	out.Summary, out.Heard = a.summarize(d, hits, dates, &out)
	if p.truncated {
		out.Tone.Evidence = append(out.Tone.Evidence, ruleEvidence("truncated", "only the first "+strconv.Itoa(MaxTextBytes)+" bytes were read", 0))
	}
	if out.StaffComplainedAbout == nil {
		out.StaffComplainedAbout = []string{}
	}
	return out
}

// Learned reports whether the analyser scores with a learned layer over
// its rules.
func (a *Analyzer) Learned() bool { return a.model != nil }

// MaxTextBytes is how much of Input.Text Analyze reads; the rest of a
// longer message (old quoted history, attachments pasted inline) is
// ignored, and the tone evidence says so.
const MaxTextBytes = 64 << 10

// maxSubjectBytes is how much of Input.Subject Analyze reads.
const maxSubjectBytes = 1 << 10

// truncate cuts s to at most n bytes on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
