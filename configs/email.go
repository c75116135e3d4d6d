package configs

import (
	"embed"
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"text/template"
)

// email holds the default templates of the two customer emails (POLICY
// P1), one file per kind: email/<kind>.txt.tmpl.
//
//go:embed email/*.txt.tmpl
var email embed.FS

// EmailTemplate is the parsed template of one kind of customer email.
type EmailTemplate struct {
	// Kind is the email's kind ("acknowledge", "voicemail_left").
	Kind string
	// File is where the template came from: a path under the operator's
	// templates directory, or "configs/email/<kind>.txt.tmpl" for the
	// embedded default. The template is named after it, so that errors
	// from text/template name the file.
	File string
	// Custom is true when the operator's directory gave the template.
	Custom bool
	// Source is the template's text as read.
	Source string
	// Text is the parsed template; it defines "subject" and "body".
	Text *template.Template

	// HTMLFile is the operator's <kind>.html.tmpl, "" when there is none:
	// the email is then plain text only. There is no embedded default.
	HTMLFile string
	// HTMLSource is the HTML template's text as read.
	HTMLSource string
	// HTML is the parsed HTML template (html/template, which escapes what
	// it is given); it defines "body", the HTML alternative of Text's
	// body, executed on the same data. The subject is always Text's. Nil
	// without HTMLFile.
	HTML *htmltemplate.Template
}

// EmailTemplateFile is the file name of the template of kind.
func EmailTemplateFile(kind string) string { return kind + ".txt.tmpl" }

// EmailHTMLTemplateFile is the file name of the optional HTML template of
// kind.
func EmailHTMLTemplateFile(kind string) string { return kind + ".html.tmpl" }

// ParseEmailTemplates reads and parses the template of each of kinds: from
// dir when dir is not "" and holds <kind>.txt.tmpl, else the embedded
// default. It checks that each defines "subject" and "body"; executing
// them on sample data is the caller's check. Errors name the file.
//
// When dir also holds <kind>.html.tmpl, it is parsed with html/template
// and must define "body": the email then carries it as an HTML
// alternative to the plain text.
func ParseEmailTemplates(dir string, kinds []string) ([]EmailTemplate, error) {
	out := make([]EmailTemplate, 0, len(kinds))
	var errs []error
	if dir != "" {
		errs = append(errs, checkEmailTemplateDir(dir, kinds))
	}
	for _, kind := range kinds {
		t, err := parseEmailTemplate(dir, kind)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, t)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}

// checkEmailTemplateDir fails when dir cannot be read or holds a template
// file for no known kind (a misspelt name would silently keep the default).
func checkEmailTemplateDir(dir string, kinds []string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("read email templates dir: %w", err)
	}
	known := make(map[string]bool, len(kinds))
	for _, k := range kinds {
		known[EmailTemplateFile(k)] = true
		known[EmailHTMLTemplateFile(k)] = true
	}
	var errs []error
	for _, e := range entries {
		if n := e.Name(); filepath.Ext(n) == ".tmpl" && !known[n] {
			errs = append(errs, fmt.Errorf("email template %s: not a known kind (want one of %v)",
				filepath.Join(dir, n), slices.Sorted(maps.Keys(known))))
		}
	}
	return errors.Join(errs...)
}

func parseEmailTemplate(dir, kind string) (EmailTemplate, error) {
	name := EmailTemplateFile(kind)
	t := EmailTemplate{Kind: kind, File: "configs/email/" + name}
	src, err := fs.ReadFile(email, "email/"+name)
	if err != nil {
		return t, fmt.Errorf("read embedded email template %s: %w", name, err)
	}
	if dir != "" {
		path := filepath.Join(dir, name)
		b, err := os.ReadFile(path)
		switch {
		case err == nil:
			src, t.File, t.Custom = b, path, true
		case !errors.Is(err, fs.ErrNotExist):
			return t, fmt.Errorf("read email template: %w", err)
		}
	}
	t.Source = string(src)
	t.Text, err = template.New(t.File).Option("missingkey=error").Parse(t.Source)
	if err != nil {
		return t, fmt.Errorf("parse email template %s: %w", t.File, err)
	}
	for _, def := range []string{"subject", "body"} {
		if t.Text.Lookup(def) == nil {
			return t, fmt.Errorf("email template %s: no {{define %q}}", t.File, def)
		}
	}
	if dir != "" {
		if err := parseHTMLTemplate(&t, filepath.Join(dir, EmailHTMLTemplateFile(kind))); err != nil {
			return t, err
		}
	}
	return t, nil
}

// parseHTMLTemplate reads and parses the HTML template at path into t,
// leaving t without one when there is no such file.
func parseHTMLTemplate(t *EmailTemplate, path string) error {
	src, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("read email template: %w", err)
	}
	t.HTMLFile, t.HTMLSource = path, string(src)
	t.HTML, err = htmltemplate.New(path).Option("missingkey=error").Parse(t.HTMLSource)
	if err != nil {
		return fmt.Errorf("parse email template %s: %w", path, err)
	}
	if t.HTML.Lookup("body") == nil {
		return fmt.Errorf("email template %s: no {{define %q}}", path, "body")
	}
	return nil
}
