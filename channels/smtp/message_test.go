package smtp

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
)

// An Email with HTML is multipart/alternative: the plain text first, the
// HTML second, each UTF-8 and quoted-printable, reading back as given.
func TestBuildHTMLAlternative(t *testing.T) {
	t.Parallel()
	from := &mail.Address{Name: "Acme Support", Address: "support@acme.example"}
	e := Email{
		To:      []string{"Jane <jane@example.com>"},
		Subject: "Re: Order 48213",
		Text:    "Hello Jane,\nwhen may we call? — Tom\n",
		HTML:    "<p>Hello Jane,</p>\n<p>when may we call? — Tom</p>",
		Headers: map[string]string{"Auto-Submitted": "auto-replied"},
	}
	msg, err := build(e, from, time.Unix(1e9, 0))
	if err != nil {
		t.Fatalf("build() = %v, want nil", err)
	}
	r, err := mail.CreateReader(bytes.NewReader(msg.data))
	if err != nil {
		t.Fatalf("read back built message: %v\n%s", err, msg.data)
	}
	if typ, params, err := r.Header.ContentType(); err != nil || typ != "multipart/alternative" || params["boundary"] == "" {
		t.Errorf("Content-Type = %q %v, %v; want multipart/alternative with a boundary", typ, params, err)
	}
	if got := r.Header.Get("Content-Transfer-Encoding"); got != "" {
		t.Errorf("top-level Content-Transfer-Encoding = %q, want none on a multipart", got)
	}
	if got := r.Header.Get("Auto-Submitted"); got != "auto-replied" {
		t.Errorf("Auto-Submitted = %q, want auto-replied", got)
	}
	for _, want := range []struct{ typ, body string }{
		{"text/plain", "Hello Jane,\r\nwhen may we call? — Tom\r\n"},
		{"text/html", "<p>Hello Jane,</p>\r\n<p>when may we call? — Tom</p>\r\n"},
	} {
		part, err := r.NextPart()
		if err != nil {
			t.Fatalf("NextPart() for %s = %v\n%s", want.typ, err, msg.data)
		}
		h, ok := part.Header.(*mail.InlineHeader)
		if !ok {
			t.Fatalf("part %s has header %T, want an inline part", want.typ, part.Header)
		}
		if typ, params, err := h.ContentType(); err != nil || typ != want.typ || params["charset"] != "utf-8" {
			t.Errorf("part Content-Type = %q %v, %v; want %s; charset=utf-8", typ, params, err, want.typ)
		}
		if got := h.Get("Content-Transfer-Encoding"); got != "quoted-printable" {
			t.Errorf("part %s Content-Transfer-Encoding = %q, want quoted-printable", want.typ, got)
		}
		body, err := io.ReadAll(part.Body)
		if err != nil {
			t.Fatalf("decode %s part: %v", want.typ, err)
		}
		if string(body) != want.body {
			t.Errorf("%s part = %q, want %q", want.typ, body, want.body)
		}
	}
	if _, err := r.NextPart(); err != io.EOF {
		t.Errorf("NextPart() after two parts = %v, want io.EOF", err)
	}
}

// Without HTML the message stays a single text/plain part.
func TestBuildTextOnly(t *testing.T) {
	t.Parallel()
	from := &mail.Address{Address: "support@acme.example"}
	msg, err := build(Email{To: []string{"jane@example.com"}, Subject: "Hi", Text: "Hello"}, from, time.Unix(1e9, 0))
	if err != nil {
		t.Fatalf("build() = %v, want nil", err)
	}
	r, err := mail.CreateReader(bytes.NewReader(msg.data))
	if err != nil {
		t.Fatalf("read back built message: %v\n%s", err, msg.data)
	}
	if typ, _, err := r.Header.ContentType(); err != nil || typ != "text/plain" {
		t.Errorf("Content-Type = %q, %v; want text/plain", typ, err)
	}
	if strings.Contains(string(msg.data), "multipart") {
		t.Errorf("message =\n%s\nwant no multipart", msg.data)
	}
}

// HTML that is not valid UTF-8 is refused like such text.
func TestBuildRefusesInvalidHTML(t *testing.T) {
	t.Parallel()
	from := &mail.Address{Address: "support@acme.example"}
	_, err := build(Email{To: []string{"jane@example.com"}, Subject: "Hi", Text: "Hello", HTML: "<p>\xff</p>"}, from, time.Unix(1e9, 0))
	if err == nil || !strings.Contains(err.Error(), "html is not valid UTF-8") {
		t.Errorf("build(invalid HTML) = %v, want ErrInvalidEmail about the HTML", err)
	}
}
