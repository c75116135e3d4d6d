package mail

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// tenKBMessage builds a realistic ~10 KB multipart message: a plain and an
// HTML alternative of a quoted reply, and a small base64 attachment.
func tenKBMessage() []byte {
	var plain, html strings.Builder
	plain.WriteString("The replacement part still has not arrived and I am losing money every day.\n\n")
	html.WriteString("<p>The replacement part still has not arrived and I am losing money every day.</p>")
	plain.WriteString("On Mon, Mar 3, 2025 at 10:00 AM Acme <support@acme.test> wrote:\n")
	html.WriteString("<div>On Mon, Mar 3, 2025 at 10:00 AM Acme &lt;support@acme.test&gt; wrote:<blockquote>")
	for i := 0; i < 60; i++ {
		line := fmt.Sprintf("Line %d of the earlier conversation about order %d.", i, 1000+i)
		plain.WriteString("> " + line + "\n")
		html.WriteString("<p>" + line + "</p>")
	}
	html.WriteString("</blockquote></div>")
	att := base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0x89, 'P', 'N', 'G'}, 500))
	var b strings.Builder
	b.WriteString("From: Ann Lee <ann@example.com>\r\nTo: support@acme.test\r\nSubject: Re: Replacement part\r\n" +
		"Date: Mon, 3 Mar 2025 09:14:58 +0000\r\nMessage-ID: <bench@example.com>\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n" +
		"--mix\r\nContent-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n" +
		"--alt\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	b.WriteString(strings.ReplaceAll(plain.String(), "\n", "\r\n"))
	b.WriteString("\r\n--alt\r\nContent-Type: text/html; charset=utf-8\r\n\r\n")
	b.WriteString(html.String())
	b.WriteString("\r\n--alt--\r\n\r\n--mix\r\nContent-Type: image/png; name=photo.png\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	for len(att) > 76 {
		b.WriteString(att[:76] + "\r\n")
		att = att[76:]
	}
	b.WriteString(att + "\r\n--mix--\r\n")
	return []byte(b.String())
}

func BenchmarkParse(b *testing.B) {
	msg := tenKBMessage()
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		m, err := Parse(bytes.NewReader(msg), Options{})
		if err != nil || m.NewText == "" {
			b.Fatalf("Parse(bench message) = %v, %v; want a message with new text", m, err)
		}
	}
}

func TestBenchMessageParses(t *testing.T) {
	t.Parallel()
	msg := tenKBMessage()
	if n := len(msg); n < 9000 || n > 12000 {
		t.Errorf("bench message is %d bytes, want about 10 KB", n)
	}
	m, err := Parse(bytes.NewReader(msg), Options{})
	if err != nil {
		t.Fatalf("Parse(bench message) error = %v", err)
	}
	want := "The replacement part still has not arrived and I am losing money every day."
	if m.NewText != want || len(m.Attachments) != 1 || len(m.Warnings) != 0 {
		t.Errorf("Parse(bench message) NewText, Attachments, Warnings = %q, %v, %q; want %q, 1 attachment, none",
			m.NewText, m.Attachments, m.Warnings, want)
	}
}
