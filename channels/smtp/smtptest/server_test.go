package smtptest_test

import (
	"context"
	"crypto/tls"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
	"github.com/triage-gw/triage/channels/smtp/smtptest"
)

func setup(t *testing.T, opts smtptest.Options) *smtptest.Server {
	t.Helper()
	srv, err := smtptest.NewServer(opts)
	if err != nil {
		t.Fatalf("NewServer(%+v) = %v", opts, err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

func TestRecordsWhatArrives(t *testing.T) {
	t.Parallel()
	srv := setup(t, smtptest.Options{})
	seen := make(chan smtptest.Message, 1)
	srv.OnMessage(func(m smtptest.Message) { seen <- m })

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		err := send(srv.Addr(), "a@example.com", []string{"b@example.com", "c@example.com"}, "Subject: hi\r\n\r\nhello\r\n")
		if err != nil {
			cancel() // stop waiting for a message that will not come
		}
		done <- err
	}()
	msgs, waitErr := srv.Wait(ctx, 1)
	if err := <-done; err != nil {
		t.Fatalf("send in clear to %s = %v", srv.Addr(), err)
	}
	if waitErr != nil {
		t.Fatalf("Wait(1) = %v", waitErr)
	}
	m := msgs[0]
	if m.From != "a@example.com" || strings.Join(m.To, " ") != "b@example.com c@example.com" ||
		string(m.Data) != "Subject: hi\r\n\r\nhello\r\n" || m.TLS || m.AuthUser != "" {
		t.Errorf("recorded %+v, want the envelope and data sent, in clear, without auth", m)
	}
	if hooked := <-seen; hooked.From != m.From {
		t.Errorf("OnMessage got %+v, want the recorded message", hooked)
	}
}

// send delivers data in clear with go-smtp's client.
func send(addr, from string, to []string, data string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, strings.NewReader(data)); err != nil {
		return err
	}
	return c.Quit()
}

func TestWaitGivesUpWithContext(t *testing.T) {
	t.Parallel()
	srv := setup(t, smtptest.Options{})
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if msgs, err := srv.Wait(ctx, 1); !errors.Is(err, context.DeadlineExceeded) || len(msgs) != 0 {
		t.Errorf("Wait(1) with nothing sent = %v, %v; want DeadlineExceeded", msgs, err)
	}
}

func TestStartTLSAndAuth(t *testing.T) {
	t.Parallel()
	srv := setup(t, smtptest.Options{StartTLS: true, Username: "u", Password: "p"})

	plain, err := smtp.Dial(srv.Addr())
	if err != nil {
		t.Fatalf("smtp.Dial() = %v", err)
	}
	defer plain.Close()
	if ok, _ := plain.Extension("STARTTLS"); !ok || plain.SupportsAuth(sasl.Plain) {
		t.Errorf("before TLS: STARTTLS offered %v, AUTH PLAIN offered %v; want STARTTLS only", ok, plain.SupportsAuth(sasl.Plain))
	}
	if err := plain.Mail("a@example.com", nil); err == nil {
		t.Errorf("MAIL without auth = nil, want an error")
	}

	c, err := smtp.DialStartTLS(srv.Addr(), srv.ClientTLSConfig())
	if err != nil {
		t.Fatalf("smtp.DialStartTLS() with ClientTLSConfig = %v, want nil", err)
	}
	defer c.Close()
	if err := c.Auth(sasl.NewPlainClient("", "u", "wrong")); err == nil {
		t.Errorf("AUTH with a wrong password = nil, want an error")
	}
	if err := c.Auth(sasl.NewPlainClient("", "u", "p")); err != nil {
		t.Fatalf("AUTH = %v, want nil", err)
	}
	if err := c.SendMail("a@example.com", []string{"b@example.com"}, strings.NewReader("\r\nhi\r\n")); err != nil {
		t.Fatalf("SendMail() after AUTH = %v, want nil", err)
	}
	if m := srv.Messages(); len(m) != 1 || !m[0].TLS || m[0].AuthUser != "u" {
		t.Errorf("recorded %+v, want one message over TLS by u", m)
	}
}

func TestImplicitTLS(t *testing.T) {
	t.Parallel()
	srv := setup(t, smtptest.Options{ImplicitTLS: true})
	c, err := smtp.DialTLS(srv.Addr(), srv.ClientTLSConfig())
	if err != nil {
		t.Fatalf("smtp.DialTLS() = %v", err)
	}
	defer c.Close()
	if err := c.Noop(); err != nil {
		t.Fatalf("NOOP over TLS = %v", err)
	}
	if _, err := smtp.DialTLS(srv.Addr(), &tls.Config{}); err == nil {
		t.Errorf("smtp.DialTLS() without trusting the certificate = nil, want an error")
	}
}

func TestOptionsConflict(t *testing.T) {
	t.Parallel()
	if srv, err := smtptest.NewServer(smtptest.Options{StartTLS: true, ImplicitTLS: true}); err == nil {
		srv.Close()
		t.Errorf("NewServer(StartTLS and ImplicitTLS) = nil error, want a refusal")
	}
	srv := setup(t, smtptest.Options{})
	if srv.ClientTLSConfig() != nil {
		t.Errorf("ClientTLSConfig() without TLS = non-nil, want nil")
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close() = %v, want nil", err)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close() = %v, want nil", err)
	}
}

func TestRefuseNextThenAccept(t *testing.T) {
	t.Parallel()
	srv := setup(t, smtptest.Options{})
	srv.RefuseNext(1, 451)
	srv.RefuseNext(1, 550)
	for _, wantCode := range []int{451, 550, 0} {
		err := send(srv.Addr(), "a@example.com", []string{"b@example.com"}, "Subject: hi\r\n\r\nhello\r\n")
		var smtpErr *smtp.SMTPError
		switch {
		case wantCode == 0 && err != nil:
			t.Errorf("send after the refusals = %v, want nil", err)
		case wantCode != 0 && (!errors.As(err, &smtpErr) || smtpErr.Code != wantCode):
			t.Errorf("send = %v, want an SMTP error %d", err, wantCode)
		}
	}
	if refused, accepted := srv.Refused(), srv.Messages(); len(refused) != 2 || len(accepted) != 1 ||
		string(refused[0].Data) != "Subject: hi\r\n\r\nhello\r\n" {
		t.Errorf("refused %+v, accepted %+v; want the first two refused with their data, the third accepted", refused, accepted)
	}
}
