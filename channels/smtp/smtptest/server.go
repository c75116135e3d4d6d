// Package smtptest is an in-process SMTP server (go-smtp) on 127.0.0.1 that
// records every message it accepts, for tests of code that sends email. It
// can offer STARTTLS or speak implicit TLS with an in-memory self-signed
// certificate, require AUTH PLAIN, and refuse the next messages with a
// given reply code (RefuseNext) to exercise a sender's retries.
package smtptest

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/triage-gw/triage/channels/internal/recorder"
	"github.com/triage-gw/triage/channels/internal/selfsigned"
)

// Options configures a Server. The zero value is a plain server without
// TLS or authentication.
type Options struct {
	// StartTLS offers STARTTLS with a self-signed certificate.
	StartTLS bool
	// ImplicitTLS speaks TLS from the first byte, like port 465.
	ImplicitTLS bool
	// Username and Password, if set, make AUTH PLAIN required before MAIL.
	// go-smtp offers AUTH only on a TLS connection.
	Username, Password string
	// Logger receives the server's errors; nil discards them.
	Logger *slog.Logger
}

// Message is one message the server accepted.
type Message struct {
	From     string   // envelope sender (MAIL FROM)
	To       []string // envelope recipients (RCPT TO)
	Data     []byte   // the message as transferred, CRLF line endings
	TLS      bool     // whether the session was encrypted
	AuthUser string   // who authenticated, "" if nobody
	Received time.Time
}

// Server is a recording SMTP server. Its methods are safe for concurrent use.
type Server struct {
	opts   Options
	smtp   *smtp.Server
	ln     net.Listener
	served chan struct{}
	client *tls.Config

	messages recorder.Recorder[Message] // serves Messages, Wait and OnMessage
	refused  recorder.Recorder[Message] // serves Refused and WaitRefused

	mu      sync.Mutex
	refuses []int // reply codes for the next messages, consumed in order
}

// NewServer starts a server on 127.0.0.1 and a free port. Close it when done.
func NewServer(opts Options) (*Server, error) {
	if opts.StartTLS && opts.ImplicitTLS {
		return nil, fmt.Errorf("start smtp test server: StartTLS and ImplicitTLS exclude each other")
	}
	s := &Server{opts: opts, served: make(chan struct{})}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s.smtp = smtp.NewServer(smtp.BackendFunc(s.newSession))
	s.smtp.Domain = "smtptest.localhost"
	s.smtp.ReadTimeout, s.smtp.WriteTimeout = time.Minute, time.Minute
	s.smtp.MaxMessageBytes = 10 << 20
	s.smtp.MaxRecipients = 100
	s.smtp.ErrorLog = slogPrinter{logger}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start smtp test server: %w", err)
	}
	if opts.StartTLS || opts.ImplicitTLS {
		cert, err := selfsigned.New("smtptest")
		if err != nil {
			ln.Close()
			return nil, fmt.Errorf("start smtp test server: %w", err)
		}
		s.client = cert.ClientConfig()
		if opts.StartTLS {
			s.smtp.TLSConfig = cert.ServerConfig()
		} else {
			ln = tls.NewListener(ln, cert.ServerConfig())
		}
	}
	s.ln = ln
	go func() {
		defer close(s.served)
		_ = s.smtp.Serve(ln) // returns smtp.ErrServerClosed after Close
	}()
	return s, nil
}

// Addr is the server's "127.0.0.1:port".
func (s *Server) Addr() string { return s.ln.Addr().String() }

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate, or nil if the server has no TLS.
func (s *Server) ClientTLSConfig() *tls.Config {
	if s.client == nil {
		return nil
	}
	return s.client.Clone()
}

// Close stops the server and waits for it. It is safe to call twice.
func (s *Server) Close() error {
	err := s.smtp.Close()
	_ = s.ln.Close() // in case Close came before Serve registered it
	<-s.served
	if err != nil && err != smtp.ErrServerClosed {
		return fmt.Errorf("close smtp test server: %w", err)
	}
	return nil
}

// OnMessage sets a function called with each accepted message, after it is
// recorded and before the server answers the DATA command.
func (s *Server) OnMessage(fn func(Message)) { s.messages.OnAdd(fn) }

// Messages returns the accepted messages, oldest first.
func (s *Server) Messages() []Message { return s.messages.All() }

// Wait blocks until at least n messages have been accepted, and returns
// them, or returns ctx's error with the messages so far.
func (s *Server) Wait(ctx context.Context, n int) ([]Message, error) {
	return s.messages.Wait(ctx, n)
}

// RefuseNext makes the server answer the next n messages, once their
// data is in, with the SMTP reply code (such as 451, temporary, or 550,
// permanent) instead of 250. Refused messages are not in Messages; Refused
// lists them.
func (s *Server) RefuseNext(n, code int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.refuses = append(s.refuses, code)
	}
}

// Refused returns the messages refused by RefuseNext, oldest first.
func (s *Server) Refused() []Message { return s.refused.All() }

// WaitRefused blocks until at least n messages have been refused, and
// returns them, or returns ctx's error with the messages so far.
func (s *Server) WaitRefused(ctx context.Context, n int) ([]Message, error) {
	return s.refused.Wait(ctx, n)
}

// nextRefusal takes the reply code for the message at hand, 0 to accept it.
func (s *Server) nextRefusal() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.refuses) == 0 {
		return 0
	}
	code := s.refuses[0]
	s.refuses = s.refuses[1:]
	return code
}

// slogPrinter passes go-smtp's error log to slog.
type slogPrinter struct{ logger *slog.Logger }

// Printf logs a formatted line as a warning.
func (p slogPrinter) Printf(format string, v ...any) {
	p.logger.Warn(fmt.Sprintf(format, v...), "component", "smtptest")
}

// Println logs its arguments as a warning.
func (p slogPrinter) Println(v ...any) {
	p.logger.Warn(fmt.Sprint(v...), "component", "smtptest")
}
