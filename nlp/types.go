package nlp

import "time"

// Channel is how a message arrived; it changes how text is read (a
// voicemail transcript has no punctuation) and how urgent it is (a caller
// tried to reach a person).
type Channel string

// Channels.
const (
	ChannelEmail     Channel = "email"
	ChannelVoicemail Channel = "voicemail"
	ChannelSMS       Channel = "sms"
)

// StaffName is a staff member the analyser can recognise in text.
type StaffName struct {
	Name    string   // full name, e.g. "Tom Baker"
	Aliases []string // e.g. "Tom", "Tommy"
}

// Input is one message to analyse.
type Input struct {
	Subject string
	// Text is the body as written by the sender: for email the new text,
	// with the quoted history and the signature taken out by the reply
	// splitter (nlp/reply: the mail parser's, or SplitReply for raw
	// text). Analyze looks for neither in it again.
	Text string
	// Quoted is the quoted history the splitter took out of Text: read as
	// context (its own features, category phrases at a discount, a reply
	// subject as history), never as the sender's tone or urgency. Analyze
	// reads its first 8 KB, the nearest history.
	Quoted  string
	Channel Channel
	// Date is the message's own date; relative deadlines ("tomorrow",
	// "by Friday") resolve against it. The zero time disables resolution.
	Date time.Time
	// Staff lists the names to match for POLICY P4.
	Staff []StaffName
	// RecentContacts is how many times the sender wrote or called in the
	// recent window, this message excluded.
	RecentContacts int
	// CopiedExecutives counts recipients the caller recognised as executives.
	CopiedExecutives int
}

// ToneLabel names a tone.
type ToneLabel string

// Tone labels, most negative first.
const (
	ToneAngry      ToneLabel = "angry"
	ToneFrustrated ToneLabel = "frustrated"
	ToneNegative   ToneLabel = "negative"
	ToneNeutral    ToneLabel = "neutral"
	TonePositive   ToneLabel = "positive"
)

// Level is an urgency level.
type Level string

// Urgency levels, most urgent first.
const (
	LevelCritical Level = "critical"
	LevelHigh     Level = "high"
	LevelNormal   Level = "normal"
	LevelLow      Level = "low"
)

// Category names a kind of problem (POLICY P6) or of message.
type Category string

// Categories.
const (
	CategoryMissedOrLateShipment     Category = "missed_or_late_shipment"
	CategoryOverchargeOrBillingError Category = "overcharge_or_billing_error"
	CategoryWrongItem                Category = "wrong_item"
	CategoryMissedOrBouncedPayment   Category = "missed_or_bounced_payment"
	CategoryReturnOrRefund           Category = "return_or_refund"
	CategoryIncorrectDeliverable     Category = "incorrect_deliverable"
	CategoryServiceVisitGoneWrong    Category = "service_visit_gone_wrong"
	CategoryGeneralQuestion          Category = "general_question"
	CategoryPraise                   Category = "praise"
	CategoryNotAComplaint            Category = "not_a_complaint"
)

// Evidence is one phrase or rule that moved a score.
type Evidence struct {
	Rule   string  `json:"rule"`             // e.g. "lexicon", "repeat_contact", "deadline"
	Phrase string  `json:"phrase,omitempty"` // the text matched
	Start  int     `json:"start"`            // byte offset in the input Field names (-1 for rules without a phrase)
	End    int     `json:"end"`
	Weight float64 `json:"weight"`          // contribution to the score
	Field  string  `json:"field,omitempty"` // "text", "subject" or "quoted" (Input.Quoted)
}

// Tone is how the sender feels.
type Tone struct {
	Score    float64    `json:"score"` // -1 (hostile) .. 1 (delighted)
	Label    ToneLabel  `json:"label"`
	Evidence []Evidence `json:"evidence"`
}

// Urgency is how soon someone must call back.
type Urgency struct {
	Score    float64    `json:"score"` // 0..1
	Level    Level      `json:"level"`
	Deadline time.Time  `json:"deadline,omitzero"` // earliest deadline found, resolved against Input.Date
	Evidence []Evidence `json:"evidence"`
}

// CategoryResult is the kind of problem, with the alternatives found.
type CategoryResult struct {
	Primary  Category   `json:"primary"`
	All      []Category `json:"all"`
	Evidence []Evidence `json:"evidence"`
}

// Amount is a sum of money mentioned in the text.
type Amount struct {
	Text     string  `json:"text"`
	Value    float64 `json:"value"`
	Currency string  `json:"currency"` // ISO 4217, "" when unknown
}

// Facts are the specifics the caller-back must not have to ask for (POLICY P5).
type Facts struct {
	OrderNumbers   []string `json:"order_numbers,omitempty"`
	InvoiceNumbers []string `json:"invoice_numbers,omitempty"`
	TicketNumbers  []string `json:"ticket_numbers,omitempty"`
	Amounts        []Amount `json:"amounts,omitempty"`
	Dates          []string `json:"dates,omitempty"`
	Phones         []string `json:"phones,omitempty"`
	Emails         []string `json:"emails,omitempty"`
	People         []string `json:"people,omitempty"`
	Organizations  []string `json:"organizations,omitempty"`
}

// Language is what the analyser thinks the text is written in.
type Language struct {
	Code       string  `json:"code"` // ISO 639-1, "und" when unknown
	English    bool    `json:"english"`
	Confidence float64 `json:"confidence"`
}

// Assessment is everything the analyser found in one message, each score
// with the evidence that produced it.
type Assessment struct {
	Tone     Tone           `json:"tone"`
	Urgency  Urgency        `json:"urgency"`
	Category CategoryResult `json:"category"`
	Facts    Facts          `json:"facts"`
	// StaffComplainedAbout are the staff names (StaffName.Name) that the
	// message complains about.
	StaffComplainedAbout []string `json:"staff_complained_about"`
	// StaffEvidence explains the decision about each staff member named.
	StaffEvidence []Evidence `json:"staff_evidence,omitempty"`
	// IsComplaint is true when the message reports a problem to be handled.
	IsComplaint bool `json:"is_complaint"`
	// Summary is one line of at most 160 characters for an SMS.
	Summary string `json:"summary"`
	// Heard lists the customer's points, in their terms, for the call.
	Heard    []string `json:"heard"`
	Language Language `json:"language"`
}
