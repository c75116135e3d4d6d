package gateway_test

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"

	"github.com/triage-gw/triage/gateway"
	"github.com/triage-gw/triage/gateway/store"
)

// writeTemplate writes an operator's template of kind into dir.
func writeTemplate(t *testing.T, dir, kind, text string) string {
	t.Helper()
	return writeTemplateFile(t, dir, kind+".txt.tmpl", text)
}

// writeTemplateFile writes an operator's template file name into dir.
func writeTemplateFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// An operator's template in email.templates_dir words the email the
// customer receives; the kind it does not override keeps the default.
func TestCustomerEmailTemplateOverride(t *testing.T) {
	t.Parallel()
	w := mailSetup(t)
	w.cfg.Email.TemplatesDir = t.TempDir()
	writeTemplate(t, w.cfg.Email.TemplatesDir, "acknowledge",
		`{{define "subject"}}Case {{.CaseID}}: {{.Subject}}
Bcc: all@example.com{{end}}`+
			`{{define "body"}}Hi{{with .Customer}} {{.}}{{end}}, {{.Caller}} calls you{{with .CallBy}} by {{.}}{{end}}.
-- {{.Business}}
{{end}}`)
	w.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
	_, stop := w.start(t)
	r := w.next(t)
	st := openStore(t, w.cfg)
	msgs := w.waitEmails(t, 1)
	waitEvent(t, st, r.CaseID, "email_sent")
	stop()
	ack := decodeEmail(t, msgs[0])
	id := strconv.FormatInt(r.CaseID, 10)
	if want := "Case " + id + ": Order #48213 - third time Bcc: all@example.com"; ack.subject != want {
		t.Errorf("subject = %q, want %q (the operator's, on one line)", ack.subject, want)
	}
	if ack.header.Get("Bcc") != "" {
		t.Errorf("a template's subject made a Bcc header %q", ack.header.Get("Bcc"))
	}
	if !strings.HasPrefix(ack.body, "Hi Jane Doe, Tom calls you by ") || !strings.HasSuffix(ack.body, "\n-- Acme Support\n") {
		t.Errorf("body =\n%s\nwant the operator's template filled in", ack.body)
	}
	if strings.Contains(ack.body, "Thank you for your message") {
		t.Errorf("body =\n%s\nwant no default wording", ack.body)
	}
	if typ, _, err := ack.header.ContentType(); err != nil || typ != "text/plain" {
		t.Errorf("Content-Type = %q, %v; want text/plain alone without an HTML template", typ, err)
	}
}

// An operator's <kind>.html.tmpl adds an HTML alternative: the customer
// receives multipart/alternative, the plain text first, and the HTML,
// worded from the same data, escapes the customer's name.
func TestCustomerEmailTemplateHTML(t *testing.T) {
	t.Parallel()
	w := mailSetup(t)
	w.cfg.Email.TemplatesDir = t.TempDir()
	writeTemplateFile(t, w.cfg.Email.TemplatesDir, "acknowledge.html.tmpl",
		`{{define "body"}}<p>Hello {{.Customer}},</p><p>{{.Caller}} will call you about case {{.CaseID}}.</p>{{end}}`)
	w.appendMail(t, "m1", `"<b>Jane</b>" <jane@acme.example>`, "Order #48213 - third time", angry)
	_, stop := w.start(t)
	r := w.next(t)
	st := openStore(t, w.cfg)
	msgs := w.waitEmails(t, 1)
	waitEvent(t, st, r.CaseID, "email_sent")
	stop()

	mr, err := mail.CreateReader(bytes.NewReader(msgs[0].Data))
	if err != nil {
		t.Fatalf("parse received email: %v\n%s", err, msgs[0].Data)
	}
	if typ, _, err := mr.Header.ContentType(); err != nil || typ != "multipart/alternative" {
		t.Fatalf("Content-Type = %q, %v; want multipart/alternative\n%s", typ, err, msgs[0].Data)
	}
	parts := map[string]string{}
	var order []string
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("NextPart() = %v\n%s", err, msgs[0].Data)
		}
		typ, params, _ := part.Header.(*mail.InlineHeader).ContentType()
		body, err := io.ReadAll(part.Body)
		if err != nil {
			t.Fatalf("decode %s part: %v", typ, err)
		}
		if params["charset"] != "utf-8" {
			t.Errorf("%s part charset = %q, want utf-8", typ, params["charset"])
		}
		order = append(order, typ)
		parts[typ] = strings.ReplaceAll(string(body), "\r\n", "\n")
	}
	if !slices.Equal(order, []string{"text/plain", "text/html"}) {
		t.Fatalf("parts %v, want [text/plain text/html]", order)
	}
	if !strings.HasPrefix(parts["text/plain"], "Hello <b>Jane</b>,\n") || !strings.Contains(parts["text/plain"], "Thank you for your message") {
		t.Errorf("text part =\n%s\nwant the default plain text, the name as given", parts["text/plain"])
	}
	id := strconv.FormatInt(r.CaseID, 10)
	if want := "<p>Hello &lt;b&gt;Jane&lt;/b&gt;,</p><p>Tom will call you about case " + id + ".</p>\n"; parts["text/html"] != want {
		t.Errorf("HTML part = %q, want %q (the name escaped)", parts["text/html"], want)
	}
}

// A template that does not parse, lacks a part, or fails on sample input
// stops gateway.Open with the file named; the gateway does not start.
func TestCustomerEmailTemplateBrokenFailsOpen(t *testing.T) {
	t.Parallel()
	for name, tt := range map[string]struct{ file, text, want string }{
		"parse":              {"acknowledge.txt.tmpl", `{{define "subject"}}{{if}}{{end}}{{define "body"}}x{{end}}`, "missing value for if"},
		"no body":            {"voicemail_left.txt.tmpl", `{{define "subject"}}Hello{{end}}`, `no {{define "body"}}`},
		"unknown field":      {"acknowledge.txt.tmpl", `{{define "subject"}}x{{end}}{{define "body"}}{{.Refund}}{{end}}`, "Refund"},
		"empty subject":      {"voicemail_left.txt.tmpl", `{{define "subject"}}{{.Phone}}{{end}}{{define "body"}}x{{end}}`, "empty subject"},
		"unknown kind":       {"refund_offer.txt.tmpl", `{{define "subject"}}x{{end}}{{define "body"}}x{{end}}`, "not a known kind"},
		"html parse":         {"acknowledge.html.tmpl", `{{define "body"}}{{if}}{{end}}`, "missing value for if"},
		"html no body":       {"acknowledge.html.tmpl", `<p>{{.Customer}}</p>`, `no {{define "body"}}`},
		"html unknown field": {"voicemail_left.html.tmpl", `{{define "body"}}<p>{{.Refund}}</p>{{end}}`, "Refund"},
		"html empty body":    {"voicemail_left.html.tmpl", `{{define "body"}}{{.Phone}}{{end}}`, "empty body"},
		"html unknown kind":  {"refund_offer.html.tmpl", `{{define "body"}}x{{end}}`, "not a known kind"},
		"html misspelt":      {"acknowledge.htm.tmpl", `{{define "body"}}x{{end}}`, "not a known kind"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t)
			b.cfg.IMAP.Enabled = false
			b.cfg.Email.TemplatesDir = t.TempDir()
			path := writeTemplateFile(t, b.cfg.Email.TemplatesDir, tt.file, tt.text)
			g, err := gateway.Open(t.Context(), b.cfg, gateway.SetupOptions{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
			if err == nil {
				_ = g.Close()
				t.Fatalf("gateway.Open() with %s = nil error, want it refused", path)
			}
			if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("gateway.Open() = %v; want an error naming %s and saying %q", err, path, tt.want)
			}
		})
	}
}

// A template of the operator's that offers a resolution starts, with a
// warning naming the file and the words.
func TestCustomerEmailTemplateResolutionWarning(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := writeTemplate(t, dir, "voicemail_left",
		`{{define "subject"}}Missed you{{end}}{{define "body"}}We tried to call about a refund or a store credit.{{end}}`)
	htmlPath := writeTemplateFile(t, dir, "acknowledge.html.tmpl",
		`{{define "body"}}<p>A full <em>replacement</em> is on its way.</p>{{end}}`)
	var logs strings.Builder
	tmpl, err := gateway.LoadEmailTemplates(dir, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil || len(tmpl) != 2 {
		t.Fatalf("LoadEmailTemplates(%s) = %d templates, %v; want both kinds, no error", dir, len(tmpl), err)
	}
	if out := logs.String(); !strings.Contains(out, "level=WARN") || !strings.Contains(out, path) ||
		!strings.Contains(out, "refund") || !strings.Contains(out, "credit") {
		t.Errorf("log =\n%s\nwant a warning naming %s, refund and credit", out, path)
	}
	if out := logs.String(); !strings.Contains(out, "file="+htmlPath+" words=[replace]") {
		t.Errorf("log =\n%s\nwant a warning naming %s and replace", out, htmlPath)
	}
	logs.Reset()
	if _, err := gateway.LoadEmailTemplates("", slog.New(slog.NewTextHandler(&logs, nil))); err != nil || logs.Len() != 0 {
		t.Errorf("LoadEmailTemplates(defaults) = %v, log %q; want the defaults, silently", err, logs.String())
	}
}

// At most one acknowledgement per customer per email.ack_window: a second
// complaint after the first case was resolved gets none inside the window
// (email_skipped says why), and its own once the window has passed.
func TestCustomerEmailAckWindow(t *testing.T) {
	t.Parallel()
	const window = 10 * time.Minute
	for name, tt := range map[string]struct {
		wait time.Duration
		want int
	}{
		"inside":  {time.Minute, 1},
		"outside": {window + time.Minute, 2},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			w := mailSetup(t)
			w.cfg.Email.AckWindow = new(window)
			w.appendMail(t, "m1", "Jane Doe <jane@acme.example>", "Order #48213 - third time", angry)
			_, stop := w.start(t)
			defer stop()
			first := w.next(t)
			st := openStore(t, w.cfg)
			w.waitEmails(t, 1)
			waitEvent(t, st, first.CaseID, "email_sent")
			now := w.clock.now()
			if _, err := st.CaseUpdate(t.Context(), store.CaseUpdateParams{ID: first.CaseID, Status: store.CaseResolved,
				ResolvedAt: now, UpdatedAt: now}); err != nil {
				t.Fatalf("CaseUpdate(resolve %d) = %v", first.CaseID, err)
			}

			w.clock.advance(tt.wait)
			w.appendMail(t, "m2", "Jane Doe <jane@acme.example>", "The replacement chair is broken too", angry)
			second := w.next(t)
			if second.CaseID == 0 {
				t.Fatalf("second complaint opened no case (plan %s: %s)", second.Plan.Action, second.Plan.Reason)
			}
			settleEmails(t, st)
			if tt.want == 2 {
				w.waitEmails(t, 2)
				waitEvent(t, st, second.CaseID, "email_sent")
			}
			if got := len(w.relay.Messages()); got != tt.want {
				t.Errorf("relay got %d acknowledgements, want %d", got, tt.want)
			}
			kinds, data := emailEvents(t, st, second.CaseID)
			if second.CaseID == first.CaseID { // reopened: its first acknowledgement is on the same timeline
				kinds, data = kinds[2:], data[2:]
			}
			want := []string{"email_queued/acknowledge", "email_sent/acknowledge"}
			if tt.want == 1 {
				want = []string{"email_skipped/acknowledge"}
			}
			if !slices.Equal(kinds, want) {
				t.Fatalf("email events of the second complaint %v, want %v", kinds, want)
			}
			if tt.want == 1 && (data[0].Error != "acknowledged within the window" || data[0].To != "jane@acme.example") {
				t.Errorf("email_skipped %+v; want to jane@acme.example, acknowledged within the window", data[0])
			}
		})
	}
}
