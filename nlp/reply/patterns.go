package reply

import (
	"regexp"
	"strings"
)

// Lines that introduce an inline forwarded message (Gmail, Thunderbird,
// Apple Mail, Outlook, Lotus Notes, and their translations).
var forwardMarkerRE = regexp.MustCompile(`(?i)^[-=_* ]*(` +
	`(begin |start of )?forwarded (e-?mail|message|mail)( follows)?|` +
	`forwarded by .{1,200}|` +
	`weitergeleitete nachricht|message transf[ée]r[ée]|mensaje reenviado|` +
	`messaggio inoltrato|doorgestuurd bericht|mensagem encaminhada|` +
	`videresendt meddelelse|vidarebefordrat meddelande|` +
	`пересылаемое сообщение|转发的邮件|転送されたメッセージ` +
	`)\s*:?[-=_* ]*$`)

// Separators above the quoted original in Outlook, Yahoo, AOL and Zimbra
// replies: "-----Original Message-----" and its translations.
var originalMessageRE = regexp.MustCompile(`(?i)^[-_*]{2,}\s*(` +
	`original message|ursprüngliche nachricht|originalnachricht|message d'origine|` +
	`mensaje original|messaggio originale|oorspronkelijk bericht|mensagem original|` +
	`alkuperäinen viesti|oprindelig meddelelse|ursprungligt meddelande|` +
	`opprinnelig melding|исходное сообщение|original mail|reply message` +
	`)\s*[-_*]{2,}\s*$`)

// Outlook's horizontal rule line above its reply header block.
var underscoreLineRE = regexp.MustCompile(`^_{8,}\s*$`)

// The first field of a reply or forward header block ("From: ...").
var fromLabelRE = regexp.MustCompile(`(?i)^[*"]?\s*(from|von|de|da|van|från|fra|od|lähettäjä|от|发件人|寄件者|差出人)\s*[*"]?\s*:\s*\S`)

// Further fields of such a header block.
var headerLabelRE = regexp.MustCompile(`(?i)^[*"]?\s*(` +
	`sent|date|to|subject|cc|bcc|reply-to|` +
	`gesendet|datum|an|betreff|kopie|` +
	`envoyé|envoye|à|a|objet|` +
	`enviado|fecha|para|asunto|` +
	`inviato|data|oggetto|` +
	`verzonden|aan|onderwerp|` +
	`skickat|till|ämne|sendt|emne|til|` +
	`lähetetty|vastaanottaja|aihe|` +
	`отправлено|кому|тема|дата|` +
	`发送时间|收件人|主题|日期|送信日時|宛先|件名` +
	`)\s*[*"]?\s*:`)

// Attribution lines above a quote, per language; also matched over up to
// three joined lines since clients wrap them.
var attributionRE = regexp.MustCompile(`(?i)^(` +
	`-*\s*on\b.{1,300}\b(wrote|writes|said)\s*:?\s*-*|` +
	`le\b.{1,300}\ba [ée]crit\s*:?|` +
	`am\b.{1,300}\bschrieb\b.{0,200}:|` +
	`el\b.{1,300}\bescribi[óo]\s*:?|` +
	`il\b.{1,300}\bha scritto\s*:?|` +
	`op\b.{1,300}\bschreef\b.{0,200}:|` +
	`(em|no dia)\b.{1,300}\bescreveu\s*:?|` +
	`(den|på)\b.{1,300}\bskrev\b.{0,200}:` +
	`)$`)

// A looser attribution, trusted only right above a quote block: a short
// paragraph ending in a colon that names an address or a date, or says
// someone wrote.
var (
	wroteVerbRE = regexp.MustCompile(`(?i)\b(wrote|writes|schrieb|a écrit|escribió|ha scritto|schreef|escreveu|skrev|kirjoitti|napisał|napsal|написал|написала|пишет)\b`)
	dateishRE   = regexp.MustCompile(`\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}|\b(19|20)\d{2}\b`)
)

// How the first line of a wrapped attribution starts: a lead-in word, a
// date or time, or an address.
var attributionStartRE = regexp.MustCompile(`(?i)^(-+\s*)?(on|le|am|el|il|op|em|no dia|den|på|w dniu|dne)\b|` +
	`\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\d{1,2}:\d{2}|@`)

// Subjects of forwards: Fwd:, Fw:, WG:, TR:, RV:, VS:, Doorst:, Enc:.
var forwardSubjectRE = regexp.MustCompile(`(?i)^\s*(\[[^\]]*\]\s*)?(fwd?|wg|tr|rv|vs|doorst|enc)\s*:`)

func isStrictAttribution(s string) bool {
	s = strings.TrimSpace(s)
	return len(s) <= 500 && mayBeAttribution(s) && attributionRE.MatchString(s)
}

func isLooseAttribution(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) > 500 || !strings.HasSuffix(s, ":") {
		return false
	}
	return isStrictAttribution(s) || wroteVerbRE.MatchString(s) ||
		strings.Contains(s, "@") || dateishRE.MatchString(s)
}

// mayBeAttribution is a cheap test that s ends like an attribution: with a
// colon or a verb such as "wrote". It spares the regular expressions most
// lines.
func mayBeAttribution(s string) bool {
	s = strings.TrimRight(s, "- \t")
	if strings.HasSuffix(s, ":") {
		return true
	}
	tail := strings.ToLower(s[max(0, len(s)-16):])
	for _, verb := range []string{"wrote", "writes", "said", "crit", "escribió", "escribio", "scritto", "escreveu"} {
		if strings.HasSuffix(tail, verb) {
			return true
		}
	}
	return false
}

// IsQuoted reports whether line is quoted with ">".
func IsQuoted(line string) bool { return isQuoted(line) }

// IsForwardMarker reports whether line, blanks around it aside, only
// introduces an inline forwarded message: "---------- Forwarded message
// ---------", "Begin forwarded message:", "-------- Message transféré
// --------" and the like.
func IsForwardMarker(line string) bool {
	t := strings.TrimSpace(line)
	return len(t) <= maxMarkerLine && forwardMarkerRE.MatchString(t)
}

// IsSeparator reports whether line, blanks around it aside, is a rule
// that stands above quoted or forwarded history: "-----Original
// Message-----" (in its translations) or Outlook's line of underscores.
func IsSeparator(line string) bool {
	t := strings.TrimSpace(line)
	return len(t) <= maxMarkerLine && (originalMessageRE.MatchString(t) || underscoreLineRE.MatchString(t))
}

// IsFromField reports whether line, leading blanks aside, is the From
// field of a quoted or forwarded header block ("From: Jo <jo@example.com>",
// "Von: …", "*De :* …").
func IsFromField(line string) bool { return fromLabelRE.MatchString(strings.TrimLeft(line, " \t")) }

// IsHeaderField reports whether line, leading blanks aside, is any field
// of such a header block: From, Sent, Date, To, Subject, Cc and their
// translations.
func IsHeaderField(line string) bool {
	t := strings.TrimLeft(line, " \t")
	return fromLabelRE.MatchString(t) || headerLabelRE.MatchString(t)
}

// HeaderBlockAt reports whether a reply or forward header block starts at
// lines[i]: at least three fields close together, one of them From.
func HeaderBlockAt(lines []string, i int) bool { return headerBlockAt(lines, i) }

// IsForwardSubject reports whether subject is a forward's: "Fwd:", "FW:",
// "WG:", "TR:", "RV:", "VS:", "Doorst:", "Enc:", after an optional
// "[list]" tag.
func IsForwardSubject(subject string) bool { return forwardSubjectRE.MatchString(subject) }
