package routing

import (
	"fmt"
	htmltemplate "html/template"
	"slices"
	"strings"
	"testing"
	"text/template"
	"time"
	"unicode/utf8"

	"github.com/triage-gw/triage/configs"
)

// defaultTemplates are the embedded templates, configs/email.
func defaultTemplates(t testing.TB) EmailTemplates {
	t.Helper()
	files, err := configs.ParseEmailTemplates("", []string{string(EmailAcknowledge), string(EmailVoicemailLeft)})
	if err != nil {
		t.Fatalf("ParseEmailTemplates() = %v", err)
	}
	tmpl := EmailTemplates{}
	for _, f := range files {
		tmpl[EmailKind(f.Kind)] = EmailTemplate{Text: f.Text, HTML: f.HTML}
	}
	if err := CheckEmailTemplates(tmpl); err != nil {
		t.Fatalf("CheckEmailTemplates(defaults) = %v", err)
	}
	return tmpl
}

// render is CustomerEmail with the embedded templates.
func render(t testing.TB, kind EmailKind, in CustomerEmailInput) (subject, body string) {
	t.Helper()
	got, err := CustomerEmail(defaultTemplates(t), kind, in)
	if err != nil {
		t.Fatalf("CustomerEmail(%s) = %v", kind, err)
	}
	if got.HTML != "" {
		t.Errorf("CustomerEmail(%s) HTML = %q, want none from the plain-text defaults", kind, got.HTML)
	}
	return got.Subject, got.Text
}

// typicalEmail is a case whose owner, Tom, aims to call Jane on Tuesday.
var typicalEmail = CustomerEmailInput{
	CaseID: 42, Customer: "Jane Doe", Subject: "Order #48213 - third time", Caller: "Tom",
	Business: "Acme Support", CallBy: tuesday10, SlotLink: "https://triage.example.com/slot/abc123", Phone: "+16175550199",
}

func TestCustomerEmailAcknowledge(t *testing.T) {
	t.Parallel()
	subject, body := render(t, EmailAcknowledge, typicalEmail)
	if want := "Re: Order #48213 - third time"; subject != want {
		t.Errorf("subject = %q, want %q", subject, want)
	}
	want := `Hello Jane Doe,

Thank you for your message. It has reached us, and your case number is 42.

We would like to talk it through with you in person: Tom will call you.
We aim to call by Tue 10 Mar, 10:00 UTC.

When is a good time to reach you, and on which number?
Just reply to this email, or pick a time that suits you here:
https://triage.example.com/slot/abc123

If you would rather call us, we are on +16175550199; please mention case 42.

Kind regards,
Tom
Acme Support
`
	if body != want {
		t.Errorf("body =\n%s\nwant\n%s", body, want)
	}
}

func TestCustomerEmailVoicemailLeft(t *testing.T) {
	t.Parallel()
	in := typicalEmail
	in.CallBy = tuesday10.Add(2 * time.Hour)
	subject, body := render(t, EmailVoicemailLeft, in)
	if want := "Re: Order #48213 - third time"; subject != want {
		t.Errorf("subject = %q, want %q", subject, want)
	}
	want := `Hello Jane Doe,

Tom tried to call you about your case 42 and left you a voicemail.

Please call us back on +16175550199, or reply to this email with a time and a number that suit you.
You can also pick a time here:
https://triage.example.com/slot/abc123

Otherwise we will try you again around Tue 10 Mar, 12:00 UTC.

Kind regards,
Tom
Acme Support
`
	if body != want {
		t.Errorf("body =\n%s\nwant\n%s", body, want)
	}
}

// With nothing but the case number, both emails still read well: a plain
// greeting, no promise of a time, no link or number, a generic signature.
func TestCustomerEmailWithTheLeastInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		kind                       EmailKind
		subject, opening, noAnswer string
	}{
		{EmailAcknowledge, "We received your message (case 7)", "one of us will call you",
			"Just reply to this email with a time and a number."},
		{EmailVoicemailLeft, "We tried to call you (case 7)", "We tried to call you about your case 7",
			"Please reply to this email with a time and a number that suit you."},
	}
	for _, tt := range tests {
		subject, body := render(t, tt.kind, CustomerEmailInput{CaseID: 7, Customer: "jane@acme.example"})
		if subject != tt.subject {
			t.Errorf("%s: subject = %q, want %q", tt.kind, subject, tt.subject)
		}
		for _, want := range []string{"Hello,\n", tt.opening, tt.noAnswer, "Kind regards,\nThe support team\n"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: body =\n%s\nwant it to contain %q", tt.kind, body, want)
			}
		}
		for _, never := range []string{"aim to call", "try you again", "http", "call us", "UTC"} {
			if strings.Contains(body, never) {
				t.Errorf("%s: body =\n%s\nwant no %q without the input it needs", tt.kind, body, never)
			}
		}
	}
}

// POLICY P1: the two templates carry no resolution content, whatever the
// combination of parts they show.
func TestCustomerEmailCarriesNoResolution(t *testing.T) {
	t.Parallel()
	banned := []string{"refund", "credit", "discount", "compensat", "replace", "we will fix", "fixed", "sorry", "apolog",
		"money back", "free of charge", "voucher"}
	for _, kind := range []EmailKind{EmailAcknowledge, EmailVoicemailLeft} {
		for mask := range 1 << 6 {
			in := CustomerEmailInput{CaseID: 42}
			parts := []func(){
				func() { in.Customer = typicalEmail.Customer },
				func() { in.Subject = "Order 48213" },
				func() { in.Caller = typicalEmail.Caller },
				func() { in.Business = typicalEmail.Business },
				func() { in.CallBy = typicalEmail.CallBy },
				func() { in.SlotLink, in.Phone = typicalEmail.SlotLink, typicalEmail.Phone },
			}
			for i, set := range parts {
				if mask&(1<<i) != 0 {
					set()
				}
			}
			subject, body := render(t, kind, in)
			text := strings.ToLower(subject + "\n" + body)
			for _, w := range banned {
				if strings.Contains(text, w) {
					t.Errorf("%s with %+v says %q:\n%s\n%s", kind, in, w, subject, body)
				}
			}
			if !strings.Contains(body, "42") || !strings.Contains(body, "call") {
				t.Errorf("%s with %+v: body has no case number or call:\n%s", kind, in, body)
			}
		}
	}
}

// Text from outside cannot break a header or the layout: the subject and
// names come out on one line, of bounded length, in valid UTF-8.
func TestCustomerEmailKeepsOutsideTextOnOneLine(t *testing.T) {
	t.Parallel()
	in := CustomerEmailInput{
		CaseID:   9,
		Customer: "Jane\r\nBcc: all@example.com",
		Subject:  "Order\r\nBcc: all@example.com\x00 " + strings.Repeat("très long ", 100) + "\xff",
		Caller:   "Tom\nX-Evil: 1",
		Business: "Acme\tSupport",
		SlotLink: "https://triage.example.com/slot/x y",
	}
	subject, body := render(t, EmailAcknowledge, in)
	if strings.ContainsAny(subject, "\r\n\x00") || !utf8.ValidString(subject) || utf8.RuneCountInString(subject) > maxEmailSubject+4 {
		t.Errorf("subject = %q (%d runes); want one line of valid UTF-8, at most %d runes", subject, utf8.RuneCountInString(subject), maxEmailSubject+4)
	}
	if !strings.HasPrefix(subject, "Re: Order Bcc: all@example.com très long") || !strings.HasSuffix(subject, "...") {
		t.Errorf("subject = %q, want the customer's subject on one line, cut", subject)
	}
	if !strings.HasPrefix(body, "Hello,\n") {
		t.Errorf("body starts %q; a name holding an address is not greeted", body[:min(len(body), 30)])
	}
	for _, want := range []string{"Tom X-Evil: 1 will call you", "Tom X-Evil: 1\nAcme Support\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("body =\n%s\nwant %q", body, want)
		}
	}
	if strings.Contains(body, "/slot/") {
		t.Errorf("body =\n%s\nwant no link that has a space in it", body)
	}
}

func TestCustomerEmailSubjectAnsweredOnce(t *testing.T) {
	t.Parallel()
	for subject, want := range map[string]string{
		"Order 1":        "Re: Order 1",
		"Re: Order 1":    "Re: Order 1",
		"RE:Order 1":     "RE:Order 1",
		"  re: Order 1 ": "re: Order 1",
		"Réclamation":    "Re: Réclamation",
		" \t ":           "We received your message (case 3)",
	} {
		if got, _ := render(t, EmailAcknowledge, CustomerEmailInput{CaseID: 3, Subject: subject}); got != want {
			t.Errorf("subject for %q = %q, want %q", subject, got, want)
		}
	}
}

func TestCustomerEmailUnknownKind(t *testing.T) {
	t.Parallel()
	if got, err := CustomerEmail(defaultTemplates(t), "refund_offer", typicalEmail); err == nil || got != (CustomerEmailResult{}) {
		t.Errorf("CustomerEmail(refund_offer) = %+v, %v; want an error for a kind the policy does not allow", got, err)
	}
	if EmailKind("refund_offer").Known() || !EmailAcknowledge.Known() || !EmailVoicemailLeft.Known() {
		t.Errorf("Known() is wrong for the allowed kinds or an unknown one")
	}
}

func ExampleCustomerEmail() {
	files, err := configs.ParseEmailTemplates("", []string{string(EmailAcknowledge), string(EmailVoicemailLeft)})
	if err != nil {
		fmt.Println(err)
		return
	}
	tmpl := EmailTemplates{}
	for _, f := range files {
		tmpl[EmailKind(f.Kind)] = EmailTemplate{Text: f.Text, HTML: f.HTML}
	}
	email, err := CustomerEmail(tmpl, EmailVoicemailLeft, CustomerEmailInput{
		CaseID: 42, Customer: "Jane Doe", Caller: "Tom", Business: "Acme Support", Phone: "+16175550199",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(email.Subject)
	fmt.Print(email.Text)
	// Output:
	// We tried to call you (case 42)
	// Hello Jane Doe,
	//
	// Tom tried to call you about your case 42 and left you a voicemail.
	//
	// Please call us back on +16175550199, or reply to this email with a time and a number that suit you.
	//
	// Kind regards,
	// Tom
	// Acme Support
}

// CheckEmailTemplates refuses a missing kind and a template that fails on
// sample input, naming the template; ResolutionWords finds an offer.
func TestCheckEmailTemplates(t *testing.T) {
	t.Parallel()
	good := defaultTemplates(t)
	if err := CheckEmailTemplates(good); err != nil {
		t.Fatalf("CheckEmailTemplates(defaults) = %v, want nil", err)
	}
	missing := EmailTemplates{EmailAcknowledge: good[EmailAcknowledge]}
	if err := CheckEmailTemplates(missing); err == nil || !strings.Contains(err.Error(), "voicemail_left: no template") {
		t.Errorf("CheckEmailTemplates(no voicemail_left) = %v, want it named as missing", err)
	}
	bad := template.Must(template.New("ops/acknowledge.txt.tmpl").Parse(
		`{{define "subject"}}x{{end}}{{define "body"}}{{.CallBy.Hour}}{{end}}`))
	err := CheckEmailTemplates(EmailTemplates{EmailAcknowledge: {Text: bad}, EmailVoicemailLeft: good[EmailVoicemailLeft]})
	if err == nil || !strings.Contains(err.Error(), "ops/acknowledge.txt.tmpl") {
		t.Errorf("CheckEmailTemplates(bad) = %v, want an error naming ops/acknowledge.txt.tmpl", err)
	}
	for name, src := range map[string]string{
		"fails":      `{{define "body"}}{{.CallBy.Hour}}{{end}}`,
		"empty body": `{{define "body"}}{{.Phone}}{{end}}`,
	} {
		badHTML := htmltemplate.Must(htmltemplate.New("ops/voicemail_left.html.tmpl").Parse(src))
		vm := EmailTemplate{Text: good[EmailVoicemailLeft].Text, HTML: badHTML}
		err := CheckEmailTemplates(EmailTemplates{EmailAcknowledge: good[EmailAcknowledge], EmailVoicemailLeft: vm})
		if err == nil || !strings.Contains(err.Error(), "ops/voicemail_left.html.tmpl") {
			t.Errorf("CheckEmailTemplates(HTML %s) = %v, want an error naming ops/voicemail_left.html.tmpl", name, err)
		}
	}
	if got := ResolutionWords("A full REFUND, or store credit?"); !slices.Equal(got, []string{"refund", "credit"}) {
		t.Errorf("ResolutionWords() = %v, want [refund credit]", got)
	}
	if got := ResolutionWords("Tom will call you."); got != nil {
		t.Errorf("ResolutionWords(no offer) = %v, want none", got)
	}
}

// An HTML template words the HTML body from the same data as the text,
// escaping the customer's name and subject; the subject stays the text
// template's.
func TestCustomerEmailHTML(t *testing.T) {
	t.Parallel()
	tmpl := defaultTemplates(t)
	ack := tmpl[EmailAcknowledge]
	ack.HTML = htmltemplate.Must(htmltemplate.New("ops/acknowledge.html.tmpl").Parse(
		`{{define "body"}}<p>Hello {{.Customer}},</p><p>about “{{.Subject}}”: {{.Caller}} calls you{{with .CallBy}} by {{.}}{{end}}.</p>` +
			`{{with .SlotLink}}<a href="{{.}}">Pick a time</a>{{end}}{{end}}`))
	tmpl[EmailAcknowledge] = ack
	in := typicalEmail
	in.Customer, in.Subject = "<b>Jane</b>", `Order <script>alert("x")</script>`
	got, err := CustomerEmail(tmpl, EmailAcknowledge, in)
	if err != nil {
		t.Fatalf("CustomerEmail(acknowledge, HTML) = %v", err)
	}
	want := `<p>Hello &lt;b&gt;Jane&lt;/b&gt;,</p><p>about “Order &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;”: Tom calls you by Tue 10 Mar, 10:00 UTC.</p>` +
		`<a href="https://triage.example.com/slot/abc123">Pick a time</a>`
	if got.HTML != want {
		t.Errorf("HTML =\n%s\nwant\n%s", got.HTML, want)
	}
	if !strings.HasPrefix(got.Text, "Hello <b>Jane</b>,") || got.Subject != `Re: Order <script>alert("x")</script>` {
		t.Errorf("subject %q, text\n%s\nwant the plain-text template's, unescaped", got.Subject, got.Text)
	}
	if err := CheckEmailTemplates(tmpl); err != nil {
		t.Errorf("CheckEmailTemplates(with HTML) = %v, want nil", err)
	}
}
