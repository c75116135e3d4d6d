package routing

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// StaffReplyKind says what a staff member's email to a complainant is.
type StaffReplyKind string

// The kinds of staff reply ClassifyStaffReply tells apart.
const (
	// StaffReplyScheduling is a short reply that asks for or proposes a
	// time or a number for a call ("when can I call you?").
	StaffReplyScheduling StaffReplyKind = "scheduling"
	// StaffReplyAcknowledgement (P1 a) says the message was received and
	// asks for a time or a number for a call.
	StaffReplyAcknowledgement StaffReplyKind = "acknowledgement"
	// StaffReplyVoicemailLeft (P1 b) says a call reached voicemail and
	// asks the customer to call back or pick a time.
	StaffReplyVoicemailLeft StaffReplyKind = "voicemail_left"
	// StaffReplyResolution carries resolution content: a refund, credit,
	// discount or replacement, "we have fixed it", a technical
	// explanation, an apology with a remedy.
	StaffReplyResolution StaffReplyKind = "resolution"
	// StaffReplyOther answers the complaint by email in some other way:
	// too long for scheduling, or not about a call at all.
	StaffReplyOther StaffReplyKind = "other"
	// StaffReplyAfterCall is any reply sent after a call attempt.
	StaffReplyAfterCall StaffReplyKind = "after_call"
	// StaffReplyCaseClosed is any reply on a resolved or closed case.
	StaffReplyCaseClosed StaffReplyKind = "case_closed"
)

// StaffReplyInput is a staff member's email on a complaint's thread and
// what is known of the case when it was sent.
type StaffReplyInput struct {
	// Subject is the mail's subject. A reply's subject ("Re: …") repeats
	// the customer's words and is not read for content.
	Subject string
	// Text is the mail's new text: quotes and signature stripped.
	Text string
	// SentAt is when the mail was sent; zero when unknown.
	SentAt time.Time
	// Status is the case's status.
	Status Status
	// FirstAttemptAt is the case's first call attempt, zero when none.
	FirstAttemptAt time.Time
}

// StaffReplyVerdict is ClassifyStaffReply's answer.
type StaffReplyVerdict struct {
	// Violation: the mail broke POLICY P1.
	Violation bool
	Kind      StaffReplyKind
	// Reason says why, in a few words fit for a timeline and an SMS
	// ("offers a refund").
	Reason string
}

// Length bounds, in words of new text, of the replies the policy allows.
const (
	// maxSchedulingWords bounds a short scheduling reply.
	maxSchedulingWords = 50
	// maxAllowedWords bounds an acknowledgement or a voicemail note.
	maxAllowedWords = 120
)

// ClassifyStaffReply decides whether a staff email on a complaint breaks
// POLICY P1 ("never resolve a complaint by email"). On a resolved or
// closed case, or sent after a call attempt, no email is a violation.
// Before any call attempt on an open case every email is, except the two
// kinds the policy allows (an acknowledgement that asks for a time or
// number to call, a note that a voicemail was left) and a short reply that
// asks for or proposes a time or a number; none of these may carry
// resolution content (refund, credit, discount, replacement, "we have
// fixed it", a technical explanation, an apology with a remedy).
func ClassifyStaffReply(in StaffReplyInput) StaffReplyVerdict {
	switch in.Status {
	case StatusResolved, StatusClosed:
		return StaffReplyVerdict{Kind: StaffReplyCaseClosed, Reason: "the case is " + string(in.Status)}
	}
	if !in.FirstAttemptAt.IsZero() && (in.SentAt.IsZero() || !in.FirstAttemptAt.After(in.SentAt)) {
		return StaffReplyVerdict{Kind: StaffReplyAfterCall, Reason: "sent after a call attempt"}
	}

	text := normalize(in.Text)
	if !isReplySubject(in.Subject) {
		text = normalize(in.Subject) + "\n" + text
	}
	if reason := resolutionContent(text); reason != "" {
		return StaffReplyVerdict{Violation: true, Kind: StaffReplyResolution, Reason: reason}
	}
	words := len(strings.Fields(in.Text))
	asksCall := asksForCall(text)
	switch {
	case hasAny(text, voicemailCues) && words <= maxAllowedWords:
		return StaffReplyVerdict{Kind: StaffReplyVoicemailLeft, Reason: "says a voicemail was left"}
	case asksCall && hasAny(text, acknowledgementCues) && words <= maxAllowedWords:
		return StaffReplyVerdict{Kind: StaffReplyAcknowledgement, Reason: "acknowledges and asks for a time to call"}
	case asksCall && words <= maxSchedulingWords:
		return StaffReplyVerdict{Kind: StaffReplyScheduling, Reason: "short scheduling reply"}
	case asksCall:
		return StaffReplyVerdict{Violation: true, Kind: StaffReplyOther,
			Reason: fmt.Sprintf("answers at length by email (%d words) instead of calling", words)}
	default:
		return StaffReplyVerdict{Violation: true, Kind: StaffReplyOther, Reason: "answers by email without asking for a time to call"}
	}
}

// resolutionCues are phrases that carry resolution content, each group
// with the reason it gives. A phrase matches at the start of a word, and
// may end inside one ("refund" matches "refunded").
var resolutionCues = []struct {
	reason  string
	phrases []string
}{
	{"offers a refund", []string{"refund", "reimburs", "money back", "pay you back", "rückerstatt", "erstatten", "erstattung",
		"geld zurück", "reembols", "devolución del dinero", "devolver el dinero", "rembours"}},
	{"offers a credit", []string{"store credit", "credit note", "credited", "credit your", "credit to your", "a credit of",
		"issue a credit", "issued a credit", "account credit", "gutschrift"}},
	{"offers a discount", []string{"discount", "% off", "percent off", "coupon", "voucher", "promo code", "rabatt", "gutschein",
		"descuento", "cupón", "remise", "réduction", "bon d'achat"}},
	{"offers compensation", []string{"compensat", "goodwill", "make it up to you", "make up for", "free of charge", "at no cost",
		"no charge", "waive", "entschädig", "kulanz", "compensaci", "dédommag", "geste commercial"}},
	{"promises a replacement", []string{"replacement", "replace it", "replace the", "reship", "re-ship", "resend", "re-send",
		"send you a new", "sent you a new", "ship you a new", "shipped a new", "new one on its way", "ersatz", "reemplaz",
		"remplacement", "remplacer", "renvoy"}},
	{"says the problem is fixed", []string{"we have fixed", "we've fixed", "we fixed", "has been fixed", "have been fixed",
		"is fixed", "is now fixed", "we will fix", "we'll fix", "has been resolved", "have resolved", "we resolved",
		"has been corrected", "we have corrected", "we've corrected", "reversed the charge", "reverse the charge",
		"cancelled the charge", "canceled the charge", "behoben", "korrigiert", "repariert", "solucionado", "resuelto",
		"arreglado", "corrigé", "résolu", "réparé"}},
	{"explains the cause by email", []string{"caused by", "due to a", "due to an", "due to the", "because of a",
		"because of the", "root cause", "the problem was", "the issue was", "what happened was", "glitch", "a bug",
		"an outage", "verursacht", "lag an", "debido a", "se debió", "à cause d", "en raison d", "est dû"}},
}

// Apology cues, and the remedies that turn an apology into resolution
// content.
var (
	apologyCues = []string{"sorry", "apolog", "entschuldig", "tut uns leid", "tut mir leid", "lo siento", "disculp",
		"désolé", "desole", "excuse"}
	remedyCues = []string{"won't happen again", "will not happen again", "make sure", "ensure", "taken steps",
		"have taken action", "nicht wieder vorkommen", "no volverá a pasar", "no volvera a pasar", "ne se reproduira"}
)

// resolutionContent returns the reason text carries resolution content,
// or "".
func resolutionContent(text string) string {
	for _, c := range resolutionCues {
		if hasAny(text, c.phrases) {
			return c.reason
		}
	}
	if hasAny(text, apologyCues) && hasAny(text, remedyCues) {
		return "apologises with a remedy"
	}
	return ""
}

// Cues of a reply that asks for or proposes a call.
var (
	callCues = []string{"call", "phone", "ring you", "reach you", "talk", "speak", "chat",
		"anruf", "ruf", "zurückruf", "telefon", "sprechen", "erreich",
		"llam", "teléfono", "telefono", "hablar",
		"appel", "rappel", "téléphon", "joindre", "parler"}
	timeCues = []string{"when", "what time", "which time", "best time", "good time", "convenient", "available",
		"availability", "free", "today", "tomorrow", "tonight", "morning", "afternoon", "evening", "later", "asap",
		"minutes", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "this week", "next week",
		"wann", "uhrzeit", "heute", "morgen", "vormittag", "nachmittag", "abend", "passt", "zeit",
		"montag", "dienstag", "mittwoch", "donnerstag", "freitag",
		"cuándo", "cuando", "qué hora", "que hora", "hoy", "mañana", "manana", "tarde", "disponible",
		"lunes", "martes", "miércoles", "jueves", "viernes",
		"quand", "quelle heure", "aujourd'hui", "demain", "après-midi", "matin", "soir", "disponib",
		"lundi", "mardi", "mercredi", "jeudi", "vendredi"}
	numberCues = []string{"phone number", "best number", "number to call", "number to reach", "which number",
		"what number", "good number", "contact number", "direct line", "number is best",
		"telefonnummer", "rückrufnummer", "nummer", "número", "numero", "numéro"}
	// clockTime matches a time of day: 3pm, 3 p.m., 15:30, 15 uhr, 15h.
	clockTime = regexp.MustCompile(`\b\d{1,2}(?::\d{2})?\s?(?:am\b|pm\b|a\.m\.|p\.m\.|uhr\b|h\b|h\d{2}\b)|\b\d{1,2}:\d{2}\b`)
)

// asksForCall reports whether text asks for or proposes a time or a
// number for a call.
func asksForCall(text string) bool {
	if hasAny(text, numberCues) {
		return true
	}
	if !hasAny(text, callCues) {
		return false
	}
	return hasAny(text, timeCues) || clockTime.MatchString(text) || strings.Contains(text, "?")
}

// acknowledgementCues say that the message was received.
var acknowledgementCues = []string{"received", "receipt", "thank you for", "thanks for", "got your", "sorry to hear",
	"looking into", "erhalten", "danke für", "vielen dank", "recibido", "gracias por", "reçu", "merci pour", "merci de"}

// voicemailCues say that a call reached voicemail or nobody.
var voicemailCues = []string{"voicemail", "voice mail", "left you a message", "left a message", "left you a voice",
	"tried to call", "tried calling", "tried to reach", "tried to phone", "couldn't reach", "could not reach",
	"missed you", "anrufbeantworter", "mailbox", "nachricht hinterlassen", "nicht erreicht",
	"buzón", "mensaje de voz", "dejé un mensaje", "intenté llamar", "messagerie", "message vocal",
	"laissé un message", "essayé de vous"}

// isReplySubject reports whether subject answers another mail's subject
// ("Re:", "AW:", "RE:", "SV:", "Antw:", "RV:", "Réf:").
func isReplySubject(subject string) bool {
	s := strings.ToLower(strings.TrimSpace(subject))
	for _, p := range []string{"re:", "re :", "aw:", "sv:", "antw:", "rv:", "réf:", "ref:", "r:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// normalize lower-cases s and turns typographic apostrophes into plain
// ones, so that cues match however the mail client wrote them.
func normalize(s string) string {
	return strings.NewReplacer("’", "'", "‘", "'").Replace(strings.ToLower(s))
}

// hasAny reports whether text holds one of phrases at the start of a word.
func hasAny(text string, phrases []string) bool {
	for _, p := range phrases {
		if hasPhrase(text, p) {
			return true
		}
	}
	return false
}

// hasPhrase reports whether text holds phrase at the start of a word: the
// character before it, if any, is no letter or digit. A phrase that starts
// with neither ("% off") matches anywhere.
func hasPhrase(text, phrase string) bool {
	if first, _ := utf8.DecodeRuneInString(phrase); !isWordRune(first) {
		return strings.Contains(text, phrase)
	}
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		j += i
		if r, _ := utf8.DecodeLastRuneInString(text[:j]); j == 0 || !isWordRune(r) {
			return true
		}
		_, size := utf8.DecodeRuneInString(text[j:])
		i = j + size
	}
	return false
}

// isWordRune reports whether r is part of a word.
func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
