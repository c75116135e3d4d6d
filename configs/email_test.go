package configs

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var emailKinds = []string{"acknowledge", "voicemail_left"}

// The embedded templates parse and define both parts; a directory
// overrides only the files it holds.
func TestParseEmailTemplates(t *testing.T) {
	t.Parallel()
	defaults, err := ParseEmailTemplates("", emailKinds)
	if err != nil || len(defaults) != 2 {
		t.Fatalf("ParseEmailTemplates(defaults) = %d, %v; want both kinds", len(defaults), err)
	}
	for _, d := range defaults {
		if d.Custom || d.File != "configs/email/"+d.Kind+".txt.tmpl" || d.Text.Name() != d.File {
			t.Errorf("default %s: file %q, custom %v, name %q; want the embedded file", d.Kind, d.File, d.Custom, d.Text.Name())
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "voicemail_left.txt.tmpl")
	if err := os.WriteFile(path, []byte(`{{define "subject"}}s{{end}}{{define "body"}}b{{end}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ParseEmailTemplates(dir, emailKinds)
	if err != nil || len(got) != 2 {
		t.Fatalf("ParseEmailTemplates(%s) = %d, %v; want both kinds", dir, len(got), err)
	}
	if got[0].Custom || !got[1].Custom || got[1].File != path {
		t.Errorf("ParseEmailTemplates(%s) = %+v, %+v; want the default acknowledgement and %s", dir, got[0].File, got[1].File, path)
	}
}

func TestParseEmailTemplatesMissingDir(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "nope")
	if _, err := ParseEmailTemplates(dir, emailKinds); err == nil || !strings.Contains(err.Error(), dir) {
		t.Errorf("ParseEmailTemplates(%s) = %v, want an error naming the directory", dir, err)
	}
}

// An HTML template beside the text is parsed with html/template; one
// without "body" or that does not parse is refused, naming the file.
func TestParseEmailTemplatesHTML(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "acknowledge.html.tmpl")
	if err := os.WriteFile(path, []byte(`{{define "body"}}<p>Hello {{.Customer}}</p>{{end}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := ParseEmailTemplates(dir, emailKinds)
	if err != nil || len(got) != 2 {
		t.Fatalf("ParseEmailTemplates(%s) = %d, %v; want both kinds", dir, len(got), err)
	}
	if got[0].Custom || got[0].HTMLFile != path || got[0].HTML == nil || got[0].HTML.Lookup("body") == nil {
		t.Errorf("acknowledge = custom %v, HTML file %q; want the default text and the HTML of %s", got[0].Custom, got[0].HTMLFile, path)
	}
	if got[1].HTML != nil || got[1].HTMLFile != "" {
		t.Errorf("voicemail_left HTML file = %q, want none", got[1].HTMLFile)
	}
	var b strings.Builder
	if err := got[0].HTML.ExecuteTemplate(&b, "body", struct{ Customer string }{"<b>Jane</b>"}); err != nil ||
		b.String() != "<p>Hello &lt;b&gt;Jane&lt;/b&gt;</p>" {
		t.Errorf("HTML body = %q, %v; want the name escaped", b.String(), err)
	}

	for name, src := range map[string]string{
		"no body": `<p>{{.Customer}}</p>`,
		"parse":   `{{define "body"}}{{if}}{{end}}`,
	} {
		dir := t.TempDir()
		path := filepath.Join(dir, "voicemail_left.html.tmpl")
		if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseEmailTemplates(dir, emailKinds); err == nil || !strings.Contains(err.Error(), path) {
			t.Errorf("ParseEmailTemplates(%s): %s = %v, want an error naming %s", name, dir, err, path)
		}
	}
}
