package routing

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"strings"
	"text/template"
	"time"
	"unicode"
	"unicode/utf8"
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

// EmailTemplates are the parsed templates of the customer emails, by
// kind. Parsing them (from configs/email or the operator's directory) is
// the caller's: routing only executes them.
type EmailTemplates map[EmailKind]EmailTemplate

// EmailTemplate words one kind of customer email. Both templates are
// executed on the same EmailData.
type EmailTemplate struct {
	// Text defines "subject" and "body", in plain text.
	Text *template.Template
	// HTML, optional, defines "body" as HTML: the email then carries it
	// as an alternative to the plain text. html/template escapes what it
	// is given, so a customer's name or subject cannot become markup.
	HTML *htmltemplate.Template
}

// CustomerEmailResult is a worded customer email.
type CustomerEmailResult struct {
	// Subject is the subject, on one line.
	Subject string
	// Text is the plain-text body.
	Text string
	// HTML is the HTML body; "" when the kind has no HTML template.
	HTML string
}

// EmailData is what a customer email template is given: the
// CustomerEmailInput with its text from outside already cleaned (one line
// of valid UTF-8, no control characters, bounded length) and its optional
// parts reduced to "" when they are not to be shown.
type EmailData struct {
	CaseID int64
	// Customer is the name to greet; "" when the input does not read as a
	// name (an address, a phone number).
	Customer string
	// Subject is the customer's subject; ReSubject answers it ("Re: ..."
	// once). Both are "" when there is none.
	Subject, ReSubject string
	// Caller is the first name of who calls (or called) the customer.
	Caller string
	// Business is the business's name.
	Business string
	// CallBy is when we intend to call, as "Tue 10 Mar, 10:00 UTC" in the
	// caller's time zone; "" when no time is promised.
	CallBy string
	// SlotLink is the page where the customer picks a time; "" when there
	// is none or it is not a plain link.
	SlotLink string
	// Phone is the support line the customer may call.
	Phone string
}

// NewEmailData cleans in for a template.
func NewEmailData(in CustomerEmailInput) EmailData {
	d := EmailData{
		CaseID:   in.CaseID,
		Customer: cut(emailLine(in.Customer), maxEmailName),
		Subject:  cut(emailLine(in.Subject), maxEmailSubject),
		Caller:   cut(emailLine(in.Caller), maxEmailName),
		Business: cut(emailLine(in.Business), maxEmailName),
		Phone:    cut(emailLine(in.Phone), maxEmailName),
		SlotLink: in.SlotLink,
	}
	if !readsAsName(d.Customer) {
		d.Customer = ""
	}
	d.ReSubject = reSubject(d.Subject)
	if !in.CallBy.IsZero() {
		d.CallBy = in.CallBy.Format(callByLayout)
	}
	if len(d.SlotLink) > maxEmailLink || strings.IndexFunc(d.SlotLink, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}) >= 0 || !utf8.ValidString(d.SlotLink) {
		d.SlotLink = ""
	}
	return d
}

// maxRenderedSubject bounds the subject a template writes, well inside
// what a mail header carries.
const maxRenderedSubject = 300

// CustomerEmail words the customer email of kind with its template in
// tmpl: a plain-text subject and body, and an HTML body when the kind has
// an HTML template. The subject comes out on one line. By policy the
// wording carries no resolution (no refund, credit or replacement, no
// excuse, no technical answer): it only says that a person will call, and
// asks when. An unknown kind, a kind without a template, a template that
// fails or writes an empty subject or body is an error.
func CustomerEmail(tmpl EmailTemplates, kind EmailKind, in CustomerEmailInput) (CustomerEmailResult, error) {
	if !kind.Known() {
		return CustomerEmailResult{}, fmt.Errorf("customer email %q: not a kind the policy allows", kind)
	}
	t := tmpl[kind]
	if t.Text == nil {
		return CustomerEmailResult{}, fmt.Errorf("customer email %s: no template", kind)
	}
	out, _, err := renderEmail(t, NewEmailData(in))
	if err != nil {
		return CustomerEmailResult{}, fmt.Errorf("customer email %s: %w", kind, err)
	}
	return out, nil
}

// renderEmail executes t on data. On error, file is the name of the
// template that failed.
func renderEmail(t EmailTemplate, data EmailData) (out CustomerEmailResult, file string, err error) {
	var b strings.Builder
	if err := t.Text.ExecuteTemplate(&b, "subject", data); err != nil {
		return out, t.Text.Name(), fmt.Errorf("subject: %w", err)
	}
	out.Subject = cut(emailLine(b.String()), maxRenderedSubject)
	b.Reset()
	if err := t.Text.ExecuteTemplate(&b, "body", data); err != nil {
		return out, t.Text.Name(), fmt.Errorf("body: %w", err)
	}
	out.Text = strings.ToValidUTF8(b.String(), "")
	if out.Subject == "" || strings.TrimSpace(out.Text) == "" {
		return CustomerEmailResult{}, t.Text.Name(), fmt.Errorf("template %s wrote an empty subject or body", t.Text.Name())
	}
	if t.HTML == nil {
		return out, "", nil
	}
	b.Reset()
	if err := t.HTML.ExecuteTemplate(&b, "body", data); err != nil {
		return CustomerEmailResult{}, t.HTML.Name(), fmt.Errorf("html body: %w", err)
	}
	out.HTML = strings.ToValidUTF8(b.String(), "")
	if strings.TrimSpace(out.HTML) == "" {
		return CustomerEmailResult{}, t.HTML.Name(), fmt.Errorf("template %s wrote an empty body", t.HTML.Name())
	}
	return out, "", nil
}

// CheckEmailTemplates checks that tmpl has a template for each kind and
// that each executes without error, writing a subject and a body (and an
// HTML body where there is an HTML template), on sample inputs with every
// optional part present and with none. Errors name the template (its
// file).
func CheckEmailTemplates(tmpl EmailTemplates) error {
	samples := []CustomerEmailInput{
		{CaseID: 42},
		{CaseID: 42, Customer: "Jane Doe", Subject: "Order 48213", Caller: "Tom", Business: "Acme Support",
			CallBy: time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC), SlotLink: "https://triage.example.com/slot/abc", Phone: "+16175550199"},
	}
	var errs []error
	for _, kind := range []EmailKind{EmailAcknowledge, EmailVoicemailLeft} {
		t := tmpl[kind]
		if t.Text == nil {
			errs = append(errs, fmt.Errorf("customer email %s: no template", kind))
			continue
		}
		for _, in := range samples {
			if _, file, err := renderEmail(t, NewEmailData(in)); err != nil {
				errs = append(errs, fmt.Errorf("email template %s: customer email %s: %w", file, kind, err))
				break
			}
		}
	}
	return errors.Join(errs...)
}

// ResolutionWords lists the words in text that offer a resolution (P1
// forbids one by email): refund, credit, discount, compensation,
// replacement, in any case or inflection.
func ResolutionWords(text string) []string {
	text = strings.ToLower(text)
	var found []string
	for _, w := range []string{"refund", "credit", "discount", "compensat", "replace"} {
		if strings.Contains(text, w) {
			found = append(found, w)
		}
	}
	return found
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

// reSubject answers subject, already on one line, with "Re:" (once); ""
// when there is no subject.
func reSubject(s string) string {
	switch {
	case s == "":
		return ""
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
