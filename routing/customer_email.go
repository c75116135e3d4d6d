package routing

import (
	"fmt"
	"strings"
	"time"
	"unicode"
)

// EmailKind is one of the two emails the policy lets the gateway send a
// customer (POLICY P1): nothing else ever goes to a customer by email.
type EmailKind string

// The two kinds of customer email.
const (
	// EmailAcknowledge (P1 a) says the message was received and asks for
	// a convenient time and number for the call-back.
	EmailAcknowledge EmailKind = "acknowledge"
	// EmailVoicemailLeft (P1 b) follows a call attempt that reached
	// voicemail: a message was left; call us back or pick a time.
	EmailVoicemailLeft EmailKind = "voicemail_left"
)

// Known reports whether k is one of the two kinds.
func (k EmailKind) Known() bool { return k == EmailAcknowledge || k == EmailVoicemailLeft }

// CustomerEmailInput is what a customer email says. Every field but CaseID
// may be empty: the text then leaves that part out. Text that comes from
// outside (names, the subject) is put on one line and shortened, so it can
// neither break the layout nor a header.
type CustomerEmailInput struct {
	CaseID int64
	// Customer is the customer's name as they gave it. A value that does
	// not read as a name (an address, a phone number) gives a plain
	// "Hello,".
	Customer string
	// Subject is the subject of the customer's message, answered with
	// "Re:"; "" when there is none (a voicemail case).
	Subject string
	// Caller is the first name of who calls (or called) the customer.
	Caller string
	// Business is the business's name, signing the email.
	Business string
	// CallBy is when we intend to call, in the caller's time zone; zero
	// when no time is promised (it has passed, or none is planned).
	CallBy time.Time
	// SlotLink is the absolute address of the page where the customer
	// picks a time to be called.
	SlotLink string
	// Phone is the support line the customer may call.
	Phone string
}

// Bounds on the text from outside that a customer email repeats.
const (
	maxEmailSubject = 200
	maxEmailName    = 80
	maxEmailLink    = 500
)

// callByLayout is how CallBy reads: "Tue 10 Mar, 10:00 UTC".
const callByLayout = "Mon 2 Jan, 15:04 MST"

// CustomerEmail words the customer email of kind: a plain-text subject and
// body, short and warm. By policy it carries no resolution (no refund,
// credit or replacement, no excuse, no technical answer): it only says
// that a person will call, and asks when. An unknown kind gives "", "".
func CustomerEmail(kind EmailKind, in CustomerEmailInput) (subject, body string) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n\n", greeting(in.Customer))
	caller := cut(emailLine(in.Caller), maxEmailName)
	phone := emailLine(in.Phone)
	link := in.SlotLink
	if len(link) > maxEmailLink || strings.IndexFunc(link, unicode.IsSpace) >= 0 {
		link = ""
	}

	switch kind {
	case EmailAcknowledge:
		subject = reSubject(in.Subject, fmt.Sprintf("We received your message (case %d)", in.CaseID))
		fmt.Fprintf(&b, "Thank you for your message. It has reached us, and your case number is %d.\n\n", in.CaseID)
		if caller != "" {
			fmt.Fprintf(&b, "We would like to talk it through with you in person: %s will call you.\n", caller)
		} else {
			b.WriteString("We would like to talk it through with you in person, so one of us will call you.\n")
		}
		if !in.CallBy.IsZero() {
			fmt.Fprintf(&b, "We aim to call by %s.\n", in.CallBy.Format(callByLayout))
		}
		b.WriteString("\nWhen is a good time to reach you, and on which number?\n")
		if link != "" {
			fmt.Fprintf(&b, "Just reply to this email, or pick a time that suits you here:\n%s\n", link)
		} else {
			b.WriteString("Just reply to this email with a time and a number.\n")
		}
		if phone != "" {
			fmt.Fprintf(&b, "\nIf you would rather call us, we are on %s; please mention case %d.\n", phone, in.CaseID)
		}
	case EmailVoicemailLeft:
		subject = reSubject(in.Subject, fmt.Sprintf("We tried to call you (case %d)", in.CaseID))
		who := "We"
		if caller != "" {
			who = caller
		}
		fmt.Fprintf(&b, "%s tried to call you about your case %d and left you a voicemail.\n\n", who, in.CaseID)
		if phone != "" {
			fmt.Fprintf(&b, "Please call us back on %s, or reply to this email with a time and a number that suit you.\n", phone)
		} else {
			b.WriteString("Please reply to this email with a time and a number that suit you.\n")
		}
		if link != "" {
			fmt.Fprintf(&b, "You can also pick a time here:\n%s\n", link)
		}
		if !in.CallBy.IsZero() {
			fmt.Fprintf(&b, "\nOtherwise we will try you again around %s.\n", in.CallBy.Format(callByLayout))
		}
	default:
		return "", ""
	}

	b.WriteString("\nKind regards,\n")
	business := cut(emailLine(in.Business), maxEmailName)
	switch {
	case caller != "" && business != "":
		fmt.Fprintf(&b, "%s\n%s\n", caller, business)
	case caller != "" || business != "":
		fmt.Fprintf(&b, "%s%s\n", caller, business)
	default:
		b.WriteString("The support team\n")
	}
	return subject, b.String()
}

// greeting opens the email with the customer's name when it reads as one.
func greeting(name string) string {
	name = cut(emailLine(name), maxEmailName)
	if !readsAsName(name) {
		return "Hello,"
	}
	return "Hello " + name + ","
}

// readsAsName reports whether s looks like a person's or company's name:
// it has a letter, and no digit or "@" (an address or a number is not a
// name to greet).
func readsAsName(s string) bool {
	letter := false
	for _, r := range s {
		switch {
		case r == '@' || unicode.IsDigit(r):
			return false
		case unicode.IsLetter(r):
			letter = true
		}
	}
	return letter
}

// reSubject answers subject with "Re:" (once), or gives fallback when
// there is no subject. The result is one line of bounded length.
func reSubject(subject, fallback string) string {
	s := cut(emailLine(subject), maxEmailSubject)
	switch {
	case s == "":
		return fallback
	case len(s) >= 3 && strings.EqualFold(s[:3], "re:"):
		return s
	}
	return "Re: " + s
}

// emailLine puts text from outside on one line of valid UTF-8 without control
// characters.
func emailLine(s string) string {
	return oneLine(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, "")))
}
