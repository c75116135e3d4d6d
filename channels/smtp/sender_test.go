package smtp_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/triage-gw/triage/channels/smtp"
	"github.com/triage-gw/triage/channels/smtp/smtptest"
)

const (
	from     = "Acme Support <support@acme.example>"
	user     = "triage"
	password = "s3cret-Pa55"
)

// setup starts a recording server with opts and returns it with a Config
// pointing at it.
func setup(t *testing.T, opts smtptest.Options) (*smtptest.Server, smtp.Config) {
	t.Helper()
	srv, err := smtptest.NewServer(opts)
	if err != nil {
		t.Fatalf("smtptest.NewServer(%+v) = %v", opts, err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv, smtp.Config{
		Addr:      srv.Addr(),
		Username:  opts.Username,
		Password:  opts.Password,
		From:      from,
		TLSConfig: srv.ClientTLSConfig(),
	}
}

func newSender(t *testing.T, cfg smtp.Config, logger *slog.Logger) *smtp.Sender {
	t.Helper()
	s, err := smtp.NewSender(cfg, logger)
	if err != nil {
		t.Fatalf("NewSender(%v) = %v, want nil", cfg, err)
	}
	return s
}

// parsed is a received message, decoded.
type parsed struct {
	header mail.Header
	body   string
}

func parse(t *testing.T, data []byte) parsed {
	t.Helper()
	r, err := mail.CreateReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("parse received message: %v\n%s", err, data)
	}
	part, err := r.NextPart()
	if err != nil {
		t.Fatalf("read body of received message: %v\n%s", err, data)
	}
	body, err := io.ReadAll(part.Body)
	if err != nil {
		t.Fatalf("decode body of received message: %v\n%s", err, data)
	}
	return parsed{header: r.Header, body: string(body)}
}

func TestSendOverStartTLSWithAuth(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t, smtptest.Options{StartTLS: true, Username: user, Password: password})
	cfg.HelloName = "triage.acme.example"
	var logged bytes.Buffer
	s := newSender(t, cfg, slog.New(slog.NewJSONHandler(&logged, nil)))

	email := smtp.Email{
		To:      []string{"Dana Doe <dana@bakery.example>", "ops@bakery.example"},
		Subject: "When may we call you? — order 4411",
		Text:    "Hello Dana,\n\nwe read your message and would like to call you.\nWhen suits you, and on which number?\n",
		Headers: map[string]string{
			"In-Reply-To":    "<c1f3@mail.bakery.example>",
			"References":     "<c1f3@mail.bakery.example>",
			"Auto-Submitted": "auto-generated",
		},
		MessageID: "case-4411.ack@acme.example",
	}
	if err := s.Send(t.Context(), email); err != nil {
		t.Fatalf("Send() = %v, want nil", err)
	}
	msgs := srv.Messages()
	if len(msgs) != 1 {
		t.Fatalf("server got %d messages, want 1", len(msgs))
	}
	got := msgs[0]
	if got.From != "support@acme.example" || strings.Join(got.To, ",") != "dana@bakery.example,ops@bakery.example" ||
		!got.TLS || got.AuthUser != user {
		t.Errorf("envelope = from %q to %q, TLS %v, auth %q; want support@acme.example to both, TLS, auth %q",
			got.From, got.To, got.TLS, got.AuthUser, user)
	}

	m := parse(t, got.Data)
	for key, want := range map[string]string{
		"Message-Id":                "<case-4411.ack@acme.example>",
		"Mime-Version":              "1.0",
		"Content-Type":              "text/plain; charset=utf-8",
		"Content-Transfer-Encoding": "quoted-printable",
		"From":                      `"Acme Support" <support@acme.example>`,
		"To":                        `"Dana Doe" <dana@bakery.example>, <ops@bakery.example>`,
		"In-Reply-To":               "<c1f3@mail.bakery.example>",
		"References":                "<c1f3@mail.bakery.example>",
		"Auto-Submitted":            "auto-generated",
	} {
		if v := m.header.Get(key); v != want {
			t.Errorf("header %s = %q, want %q", key, v, want)
		}
	}
	if date, err := m.header.Date(); err != nil || time.Since(date) > time.Minute {
		t.Errorf("Date = %v, %v; want about now", date, err)
	}
	if subject, err := m.header.Subject(); err != nil || subject != email.Subject {
		t.Errorf("Subject = %q, %v; want %q", subject, err, email.Subject)
	}
	if want := strings.ReplaceAll(email.Text, "\n", "\r\n"); m.body != want {
		t.Errorf("body = %q, want %q", m.body, want)
	}
	if bytes.Contains(bytes.ReplaceAll(got.Data, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("message has bare LF line endings:\n%s", got.Data)
	}

	if log := logged.String(); !strings.Contains(log, "case-4411.ack@acme.example") || strings.Contains(log, password) {
		t.Errorf("log = %s; want the message id and never the password", log)
	}
}

func TestSendEncodesNonASCIISubject(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t, smtptest.Options{StartTLS: true})
	subject := "Rückruf zu Ihrer Bestellung Nr. 4411 — 折り返しのお電話 ✔"
	err := newSender(t, cfg, nil).Send(t.Context(), smtp.Email{To: []string{"Jörg <joerg@example.de>"}, Subject: subject, Text: "Grüße"})
	if err != nil {
		t.Fatalf("Send() = %v, want nil", err)
	}
	data := srv.Messages()[0].Data
	header, _, _ := bytes.Cut(data, []byte("\r\n\r\n"))
	for i, b := range header {
		if b >= 0x80 {
			t.Fatalf("header has a raw non-ASCII byte at %d; want RFC 2047 encoding:\n%s", i, header)
		}
	}
	if !bytes.Contains(header, []byte("Subject: =?utf-8?")) {
		t.Errorf("header has no RFC 2047 encoded subject:\n%s", header)
	}
	m := parse(t, data)
	if got, err := m.header.Subject(); err != nil || got != subject {
		t.Errorf("decoded Subject = %q, %v; want %q", got, err, subject)
	}
	if m.body != "Grüße\r\n" {
		t.Errorf("decoded body = %q, want %q", m.body, "Grüße\r\n")
	}
}

func TestSendOverImplicitTLS(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t, smtptest.Options{ImplicitTLS: true, Username: user, Password: password})
	cfg.Security = smtp.SecurityTLS
	if err := newSender(t, cfg, nil).Send(t.Context(), smtp.Email{To: []string{"a@example.com"}, Subject: "hi", Text: "hi"}); err != nil {
		t.Fatalf("Send() over implicit TLS = %v, want nil", err)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].TLS || got[0].AuthUser != user {
		t.Errorf("server got %+v, want one message over TLS by %q", got, user)
	}
}

func TestSendInClearToLoopback(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t, smtptest.Options{})
	cfg.Security = smtp.SecurityNone
	if err := newSender(t, cfg, nil).Send(t.Context(), smtp.Email{To: []string{"a@example.com"}, Subject: "hi", Text: "hi"}); err != nil {
		t.Fatalf("Send() with security none to %s = %v, want nil", cfg.Addr, err)
	}
	if got := srv.Messages(); len(got) != 1 || got[0].TLS {
		t.Errorf("server got %+v, want one message in clear", got)
	}
}

func TestSendRefusesWithoutStartTLS(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t, smtptest.Options{}) // offers no STARTTLS
	err := newSender(t, cfg, nil).Send(t.Context(), smtp.Email{To: []string{"a@example.com"}, Subject: "hi", Text: "hi"})
	if !errors.Is(err, smtp.ErrNoStartTLS) || !strings.Contains(err.Error(), "refusing to send in clear") {
		t.Errorf("Send() to a server without STARTTLS = %v, want ErrNoStartTLS and a clear refusal", err)
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server got %d messages, want 0", n)
	}
}

func TestSendFailures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		opts      smtptest.Options
		change    func(*smtp.Config)
		permanent bool
		says      string
	}{
		{"wrong password", smtptest.Options{StartTLS: true, Username: user, Password: password},
			func(c *smtp.Config) { c.Password = "wrong" }, true, "auth as triage"},
		{"untrusted certificate", smtptest.Options{StartTLS: true},
			func(c *smtp.Config) { c.TLSConfig = nil }, false, "certificate"},
		{"auth required but not configured", smtptest.Options{StartTLS: true, Username: user, Password: password},
			func(c *smtp.Config) { c.Username, c.Password = "", "" }, true, "authenticate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, cfg := setup(t, tt.opts)
			tt.change(&cfg)
			err := newSender(t, cfg, nil).Send(t.Context(), smtp.Email{To: []string{"a@example.com"}, Subject: "hi", Text: "hi"})
			if err == nil || smtp.IsPermanent(err) != tt.permanent || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Send() = %v (permanent %v), want an error saying %q with permanent %v",
					err, smtp.IsPermanent(err), tt.says, tt.permanent)
			}
			if n := len(srv.Messages()); n != 0 {
				t.Errorf("server got %d messages, want 0", n)
			}
		})
	}
}

func TestSendGeneratesMessageID(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t, smtptest.Options{StartTLS: true})
	s := newSender(t, cfg, nil)
	for range 2 {
		if err := s.Send(t.Context(), smtp.Email{To: []string{"a@example.com"}, Subject: "hi", Text: "hi"}); err != nil {
			t.Fatalf("Send() = %v, want nil", err)
		}
	}
	msgs := srv.Messages()
	first, second := parse(t, msgs[0].Data), parse(t, msgs[1].Data)
	firstID, secondID := first.header.Get("Message-Id"), second.header.Get("Message-Id")
	if !strings.HasSuffix(firstID, "@acme.example>") || firstID == secondID {
		t.Errorf("generated Message-Ids %q and %q; want distinct ids on the sender's domain", firstID, secondID)
	}
}

func TestSendRefusesInvalidEmails(t *testing.T) {
	t.Parallel()
	ok := smtp.Email{To: []string{"a@example.com"}, Subject: "hi", Text: "hi"}
	with := func(change func(*smtp.Email)) smtp.Email {
		e := ok
		change(&e)
		return e
	}
	tests := map[string]smtp.Email{
		"no recipient":      with(func(e *smtp.Email) { e.To = nil }),
		"bad recipient":     with(func(e *smtp.Email) { e.To = []string{"not an address"} }),
		"subject injection": with(func(e *smtp.Email) { e.Subject = "hi\r\nBcc: all@example.com" }),
		"header injection":  with(func(e *smtp.Email) { e.Headers = map[string]string{"X-Case": "1\nBcc: x@example.com"} }),
		"reserved header":   with(func(e *smtp.Email) { e.Headers = map[string]string{"from": "boss@example.com"} }),
		"bad header name":   with(func(e *smtp.Email) { e.Headers = map[string]string{"X Case": "1"} }),
		"bad message id":    with(func(e *smtp.Email) { e.MessageID = "no at sign" }),
		"text not UTF-8":    with(func(e *smtp.Email) { e.Text = "\xff" }),
		"subject too long":  with(func(e *smtp.Email) { e.Subject = strings.Repeat("é", smtp.MaxSubjectChars+1) }),
		"header too long": with(func(e *smtp.Email) {
			e.Headers = map[string]string{"References": strings.Repeat("<a@b> ", smtp.MaxHeaderBytes)}
		}),
	}
	srv, cfg := setup(t, smtptest.Options{StartTLS: true})
	s := newSender(t, cfg, nil)
	for name, email := range tests {
		err := s.Send(t.Context(), email)
		if !errors.Is(err, smtp.ErrInvalidEmail) || !smtp.IsPermanent(err) {
			t.Errorf("Send() with %s = %v, want a permanent ErrInvalidEmail", name, err)
		}
	}
	if n := len(srv.Messages()); n != 0 {
		t.Errorf("server got %d messages, want 0", n)
	}
}

func TestSendHonoursContext(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0") // accepts, then never greets
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() { ln.Close() })
	accepted := make(chan net.Conn, 1)
	go func() {
		if c, err := ln.Accept(); err == nil {
			accepted <- c
		}
	}()
	s := newSender(t, smtp.Config{Addr: ln.Addr().String(), From: from}, nil)

	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- s.Send(ctx, smtp.Email{To: []string{"a@example.com"}, Subject: "hi", Text: "hi"}) }()
	conn := <-accepted
	t.Cleanup(func() { conn.Close() })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) || smtp.IsPermanent(err) {
		t.Errorf("Send() cancelled while waiting for the greeting = %v; want context.Canceled, temporary", err)
	}
}

// serverCAFile writes the certificate that srv (with implicit TLS)
// presents to a PEM file and returns its path.
func serverCAFile(t *testing.T, srv *smtptest.Server) string {
	t.Helper()
	// Only to read the certificate: it is then the one thing trusted.
	conn, err := tls.Dial("tcp", srv.Addr(), &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("tls.Dial(%s) = %v", srv.Addr(), err)
	}
	certs := conn.ConnectionState().PeerCertificates
	conn.Close()
	if len(certs) == 0 {
		t.Fatalf("server %s presented no certificate", srv.Addr())
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certs[0].Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSendTrustsCAFile(t *testing.T) {
	t.Parallel()
	srv, cfg := setup(t, smtptest.Options{ImplicitTLS: true})
	cfg.Security = smtp.SecurityTLS
	cfg.TLSConfig = nil
	e := smtp.Email{To: []string{"a@example.com"}, Subject: "hi", Text: "hi"}

	if err := newSender(t, cfg, nil).Send(t.Context(), e); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("Send() without CAFile = %v, want a certificate error", err)
	}
	cfg.CAFile = serverCAFile(t, srv)
	if err := newSender(t, cfg, nil).Send(t.Context(), e); err != nil {
		t.Fatalf("Send() with CAFile %s = %v, want nil", cfg.CAFile, err)
	}
	if got := srv.Messages(); len(got) != 1 || !got[0].TLS {
		t.Errorf("server got %d messages (%+v), want 1 over TLS", len(got), got)
	}
}

func TestConfigCAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name     string
		security smtp.Security
		file     string
		want     string
	}{
		{"missing file", smtp.SecurityTLS, filepath.Join(dir, "gone.pem"), "CAFile: read CA file"},
		{"no certificate", smtp.SecurityStartTLS, notPEM, "CAFile: read CA file " + notPEM + ": no PEM CERTIFICATE block"},
		{"clear text", smtp.SecurityNone, notPEM, `CAFile: is set, but security is "none"`},
	} {
		cfg := smtp.Config{Addr: "127.0.0.1:2525", From: from, Security: tt.security, CAFile: tt.file}
		if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tt.name, err, tt.want)
		}
		if _, err := smtp.NewSender(cfg, nil); err == nil {
			t.Errorf("%s: NewSender() = nil error, want one", tt.name)
		}
	}
}
