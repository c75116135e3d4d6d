package nlp

// Config is everything the analyser can be tuned with, one section per
// YAML file at the root of the configuration directory. LoadConfig reads
// and validates it; New compiles it.
type Config struct {
	Text       TextConfig     // text.yaml
	Tone       ToneConfig     // tone.yaml
	Urgency    UrgencyConfig  // urgency.yaml
	Categories CategoryConfig // categories.yaml
	Facts      FactsConfig    // facts.yaml
	Language   LanguageConfig // language.yaml
	// Model is the learned layer (model.json), nil to score with the
	// rules alone.
	Model *Model
}

// PhraseGroup is a list of phrases that share a kind and a weight.
//
// A phrase is a sequence of slots separated by spaces, matched on whole
// words, case-insensitively, after the normalisation in TextConfig. A slot
// is a word, "*" for any one word, a group of alternatives in parentheses
// ("(has not|hasn't)") or an optional group in brackets ("[the|a]", "[has
// been|was]"); an alternative may hold several words. A bare "a|b" is
// allowed only as the whole phrase.
type PhraseGroup struct {
	Kind    string   `yaml:"kind"`    // what the phrases signal (per file: anger, churn, wrong_item...)
	Weight  float64  `yaml:"weight"`  // added per phrase found
	Phrases []string `yaml:"phrases"` // the phrases, in the syntax above
	// IgnoreNegation keeps a match even when a negator ("not", "no",
	// "never") stands just before it; by default such a match is dropped.
	IgnoreNegation bool `yaml:"ignore_negation"`
}

// TextConfig says how raw text is cut into regions, sentences and words.
type TextConfig struct {
	// Normalize maps a lowercased word to the form phrases are written in
	// ("cant" -> "can't"), so that transcripts and sloppy email match.
	Normalize map[string]string `yaml:"normalize"`
	// Negators cancel a following match within NegationWindow words.
	Negators       []string `yaml:"negators"`
	NegationWindow int      `yaml:"negation_window"` // words before a match
	// Abbreviations (without their dot) do not end a sentence.
	Abbreviations []string `yaml:"abbreviations"`
	// Fillers are spoken fillers dropped from what-we-heard lines.
	Fillers []string `yaml:"fillers"`
	// ClauseBreaks are words before which an unpunctuated transcript is
	// split into clauses, once a clause has ClauseMinWords words.
	ClauseBreaks   []string `yaml:"clause_breaks"`
	ClauseMinWords int      `yaml:"clause_min_words"` // words a clause needs before a break
	// Pronouns are personal pronouns (in every language read) through which
	// a complaint about a named person goes on in the next sentences ("I
	// spoke to Dana. She hung up on me.").
	Pronouns []string `yaml:"pronouns"`
	// Titles name a person by surname ("Ms. Grant", "Herr Brandt"): a staff
	// member's last name after one of them is a mention of them.
	Titles []string `yaml:"titles"`
}

// ToneConfig tunes the tone score and label.
type ToneConfig struct {
	// Lexicon adds words to VADER's lexicon or overrides their valence
	// (-4..4).
	Lexicon map[string]float64 `yaml:"lexicon"`
	// Markers are phrases VADER misses; Weight is the signed change to the
	// tone score. Kinds: anger, profanity, frustration, sarcasm, problem,
	// praise, politeness.
	Markers []PhraseGroup `yaml:"markers"`
	// KindCaps bounds the total |weight| one kind of marker can add.
	KindCaps map[string]float64 `yaml:"kind_caps"`
	// NegativeSentenceWeight weighs negative sentences more than others
	// when sentence scores are averaged (a complaint wrapped in courtesy is
	// still a complaint).
	NegativeSentenceWeight float64 `yaml:"negative_sentence_weight"`
	// Caps scores runs of words in capitals (anger).
	Caps CapsRule `yaml:"caps"`
	// Exclamation scores runs of "!" (anger) and "?!" (frustration).
	Exclamation ExclamationRule `yaml:"exclamation"`
	// MaskedProfanity scores a word masked with asterisks ("f***ing").
	MaskedProfanity float64 `yaml:"masked_profanity"`
	// RecentContacts adds frustration per earlier contact.
	RecentContacts Ramp `yaml:"recent_contacts"`
	// Labels turns score and markers into a label.
	Labels ToneLabels `yaml:"labels"`
}

// CapsRule scores words written in capitals.
type CapsRule struct {
	MinRun   int     `yaml:"min_run"`   // capitalised words in a row that count as a run
	Weight   float64 `yaml:"weight"`    // per run (negative)
	MinWords int     `yaml:"min_words"` // words needed before shouting is judged
	// WordWeight scores one word in capitals ("STILL", "TODAY") with at
	// least MinLetters letters that is not in Acronyms.
	WordWeight float64  `yaml:"word_weight"`
	MinLetters int      `yaml:"min_letters"` // shortest word judged
	Acronyms   []string `yaml:"acronyms"`    // words written in capitals without shouting (ASAP, HVAC)
}

// ExclamationRule scores exclamation marks.
type ExclamationRule struct {
	MinRun      int     `yaml:"min_run"`     // "!!" and longer
	RunWeight   float64 `yaml:"run_weight"`  // per run (negative)
	Interrobang float64 `yaml:"interrobang"` // per "?!" or "??" (negative)
}

// Ramp is a contribution that grows by Per for each unit, up to Max.
type Ramp struct {
	Per float64 `yaml:"per"` // per unit
	Max float64 `yaml:"max"` // at most
}

// ToneLabels are the thresholds from score and markers to a label.
type ToneLabels struct {
	// AngryMarkers is the anger evidence (anger, profanity, caps,
	// exclamation) needed for "angry", with a score at most AngryMaxScore.
	AngryMarkers  float64 `yaml:"angry_markers"`
	AngryMaxScore float64 `yaml:"angry_max_score"` // and a score at most this
	// FrustratedMarkers is the frustration evidence (frustration, sarcasm,
	// repeat contact) needed for "frustrated".
	FrustratedMarkers  float64 `yaml:"frustrated_markers"`
	FrustratedMaxScore float64 `yaml:"frustrated_max_score"` // and a score at most this
	// PositiveMinScore is the least score of a "positive" message that
	// is not a complaint.
	PositiveMinScore float64 `yaml:"positive_min_score"`
}

// UrgencyConfig tunes the urgency score and level.
type UrgencyConfig struct {
	// Signals are phrases that add points. Kinds: time_pressure,
	// business_impact, churn, legal, escalation, safety, repeat_contact,
	// calm (negative weight).
	Signals []PhraseGroup `yaml:"signals"`
	// KindCaps bounds the points one kind of signal can add.
	KindCaps map[string]float64 `yaml:"kind_caps"`
	// Deadlines scores resolved deadlines by how soon they fall.
	Deadlines DeadlineConfig `yaml:"deadlines"`
	// RecentContacts and CopiedExecutives add points per unit.
	RecentContacts   Ramp `yaml:"recent_contacts"`
	CopiedExecutives Ramp `yaml:"copied_executives"` // Input.CopiedExecutives
	// Tone adds points by tone label; it never removes any.
	Tone map[string]float64 `yaml:"tone"`
	// Levels are the score thresholds (0..1) of each level; below Normal
	// is low. The score is 1-exp(-points).
	Levels LevelThresholds `yaml:"levels"`
	// CriticalKinds are the signals without which a message is at most
	// high: outage, safety, imminent_deadline. CriticalWithDeadline are
	// kinds that qualify when a deadline was also found (a chargeback
	// threat due tomorrow noon).
	CriticalKinds        []string `yaml:"critical_kinds"`
	CriticalWithDeadline []string `yaml:"critical_with_deadline"` // kinds that need a deadline too
	// NonComplaint is what urgency a message that is not a complaint can
	// get: only these kinds count, scaled by Scale; praise and notices get
	// none.
	NonComplaint NonComplaintRule `yaml:"non_complaint"`
	// ComplaintFloor is the lowest level of a complaint unless the sender
	// says it can wait (a calm signal); NonEnglishFloor is the lowest
	// level of a message whose language is not English. The channel never
	// changes urgency (NLP-LABELS.md): how fast a voicemail is handled is a
	// routing policy (voice.min_priority).
	ComplaintFloor  Level `yaml:"complaint_floor"`
	NonEnglishFloor Level `yaml:"non_english_floor"` // for text not in English
}

// NonComplaintRule limits the urgency of questions, praise and notices.
type NonComplaintRule struct {
	Kinds []string `yaml:"kinds"` // signal kinds that count
	Scale float64  `yaml:"scale"` // multiplies their points
}

// LevelThresholds are the lowest scores of each level.
type LevelThresholds struct {
	Critical float64 `yaml:"critical"` // lowest critical score
	High     float64 `yaml:"high"`     // lowest high score
	Normal   float64 `yaml:"normal"`   // lowest normal score
}

// DeadlineConfig says which dates are deadlines and how much they weigh.
type DeadlineConfig struct {
	// Triggers stand right before a date ("by", "no later than").
	Triggers []string `yaml:"triggers"`
	// SoftTriggers make any later date in the sentence a deadline
	// ("need", "must").
	SoftTriggers []string `yaml:"soft_triggers"`
	// PastMarkers before a date in a sentence make it a past promise, not
	// a deadline ("was supposed to arrive by Monday").
	PastMarkers []string `yaml:"past_markers"`
	// Windows weigh a deadline by the hours left; the first window that
	// holds it counts. Ordered by Hours. A deadline in the first window is
	// an imminent_deadline.
	Windows []DeadlineWindow `yaml:"windows"`
	// Unresolved weighs a deadline when the message has no date.
	Unresolved float64 `yaml:"unresolved"`
	// Hours of the day that day parts resolve to.
	Hours DayHours `yaml:"hours"`
}

// DeadlineWindow weighs deadlines that fall within Hours of the message.
type DeadlineWindow struct {
	Hours  float64 `yaml:"hours"`  // the deadline falls within this many hours
	Weight float64 `yaml:"weight"` // points it adds
}

// DayHours are the hours (0..23) that vague times resolve to.
type DayHours struct {
	Morning   int `yaml:"morning"`    // "tomorrow morning"
	Noon      int `yaml:"noon"`       // "by noon"
	Afternoon int `yaml:"afternoon"`  // "this afternoon"
	EndOfDay  int `yaml:"end_of_day"` // "EOD", "by Friday"
	Evening   int `yaml:"evening"`    // "tonight"
}

// CategoryConfig tunes the category.
type CategoryConfig struct {
	// Rules give points to a category (Kind is the category name).
	Rules []PhraseGroup `yaml:"rules"`
	// MinScore is the least a problem category needs to be chosen.
	MinScore float64 `yaml:"min_score"`
	// SecondaryRatio lists other categories scoring at least this share
	// of the primary's.
	SecondaryRatio float64 `yaml:"secondary_ratio"`
	// SubjectWeight and QuotedWeight scale matches in the subject and in
	// quoted history.
	SubjectWeight float64 `yaml:"subject_weight"`
	QuotedWeight  float64 `yaml:"quoted_weight"` // 0..1
	// Complaint decides whether the message reports a problem.
	Complaint ComplaintRule `yaml:"complaint"`
}

// ComplaintRule weighs the evidence of a problem against the evidence of
// praise, questions and notices; a message whose balance reaches
// Threshold is a complaint.
type ComplaintRule struct {
	Threshold float64 `yaml:"threshold"` // balance needed
	// Markers counts per point of problem, anger and frustration markers.
	Markers float64 `yaml:"markers"`
	// NegativeSentiment counts per point of negative mean sentence score,
	// PositiveSentiment subtracts per point of positive mean score.
	NegativeSentiment float64 `yaml:"negative_sentiment"`
	PositiveSentiment float64 `yaml:"positive_sentiment"` // subtracted
	// Forwarded counts per point of negative markers in a forwarded
	// message.
	Forwarded float64 `yaml:"forwarded"`
	// Channels counts by channel: a voicemail is most often a problem.
	Channels map[string]float64 `yaml:"channels"`
	// Signals counts per point of the urgency signals of SignalKinds
	// (an outage, a churn threat), up to SignalMax.
	Signals     float64  `yaml:"signals"`
	SignalKinds []string `yaml:"signal_kinds"` // urgency kinds
	SignalMax   float64  `yaml:"signal_max"`   // at most
	// ProblemCategory counts per point of the best problem category, up
	// to CategoryMax.
	ProblemCategory float64 `yaml:"problem_category"`
	CategoryMax     float64 `yaml:"category_max"` // at most
	// Praise, Notice and Question subtract per point of the praise,
	// not_a_complaint and general_question categories.
	Praise   float64 `yaml:"praise"`
	Notice   float64 `yaml:"notice"`   // per not_a_complaint point
	Question float64 `yaml:"question"` // per general_question point
}

// FactsConfig says how facts are recognised.
type FactsConfig struct {
	// Keywords that introduce an order, invoice or ticket number.
	Orders   []string `yaml:"orders"`
	Invoices []string `yaml:"invoices"` // "invoice", "inv"
	Tickets  []string `yaml:"tickets"`  // "ticket", "case", "rma"
	// IDFillers may stand between a keyword and its number ("#", "no").
	IDFillers []string `yaml:"id_fillers"`
	// Currencies maps a symbol, code or word to its ISO 4217 code.
	Currencies map[string]string `yaml:"currencies"`
	// OrgSuffixes end organisation names ("Inc", "Ltd").
	OrgSuffixes []string `yaml:"org_suffixes"`
	// NotNames are capitalised words that never start a name.
	NotNames []string `yaml:"not_names"`
	// StaffComplaintCues mark a sentence naming staff as a complaint about
	// them (POLICY P4), besides negative sentiment.
	StaffComplaintCues []string `yaml:"staff_complaint_cues"`
	// MaxEntitySpans bounds the spans given to the entity extractor.
	MaxEntitySpans int `yaml:"max_entity_spans"`
}

// LanguageConfig says how the language is detected.
type LanguageConfig struct {
	// MinWords is the fewest words needed to call a language.
	MinWords int `yaml:"min_words"`
	// Languages maps an ISO 639-1 code to its profile; "en" is required.
	Languages map[string]LanguageProfile `yaml:"languages"`
	// CueWeights weigh the cue phrases of the other languages.
	CueWeights CueWeights `yaml:"cue_weights"`
}

// LanguageProfile lists a language's common words, and the cue phrases
// that score a message in that language: the English lexicons do not read
// it, so these few words are all the analyser has (conservative scoring).
type LanguageProfile struct {
	Stopwords  []string `yaml:"stopwords"`  // its most common words
	Negative   []string `yaml:"negative"`   // a problem (tone marker "problem")
	Frustrated []string `yaml:"frustrated"` // exasperation, repeat contact
	Angry      []string `yaml:"angry"`      // outrage, insults
	Positive   []string `yaml:"positive"`   // thanks and praise
	Urgent     []string `yaml:"urgent"`     // time pressure
	Question   []string `yaml:"question"`   // a question (general_question)
	Notice     []string `yaml:"notice"`     // a notice (not_a_complaint)
	// Categories maps a category to phrases naming it in the language.
	Categories map[Category][]string `yaml:"categories"`
}

// CueWeights are the weights of language cues: tone changes for
// negative, frustrated, angry and positive; urgency points for urgent;
// category points for the rest.
type CueWeights struct {
	Negative   float64 `yaml:"negative"`   // tone change (negative)
	Frustrated float64 `yaml:"frustrated"` // tone change (negative)
	Angry      float64 `yaml:"angry"`      // tone change (negative)
	Positive   float64 `yaml:"positive"`   // tone change (positive)
	Urgent     float64 `yaml:"urgent"`     // urgency points
	Category   float64 `yaml:"category"`   // category points
}
