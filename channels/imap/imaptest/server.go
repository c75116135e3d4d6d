// Package imaptest runs a real IMAP server in memory on the loopback
// interface, for tests and for `triage demo`: go-imap's imapserver with its
// imapmemserver backend, one user, an INBOX, and optionally implicit TLS
// with a self-signed certificate made in memory.
//
// It is not a mock: the server speaks IMAP4rev1 and IMAP4rev2 (RFC 9051),
// IDLE included, and a client talks to it over TCP.
package imaptest

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-imap/v2/imapserver/imapmemserver"
	"github.com/triage-gw/triage/channels/internal/selfsigned"
)

// ServerOptions configures Start.
type ServerOptions struct {
	// Username and Password are the one user's credentials; both required.
	Username, Password string
	// TLS makes the server speak implicit TLS. Without it the server speaks
	// clear text, offers STARTTLS and accepts LOGIN in clear text (safe
	// enough: it listens on 127.0.0.1 only).
	TLS bool
	// NoIdle makes the server speak IMAP4rev1 only and leave IDLE out of
	// every capability list it sends, for testing clients that must poll.
	NoIdle bool
	// Logger receives the server's error messages; nil discards them.
	Logger *slog.Logger
}

// Server is a running in-memory IMAP server on 127.0.0.1.
type Server struct {
	// Addr is the server's host:port, such as 127.0.0.1:38231.
	Addr string

	cert   *selfsigned.Certificate
	user   *imapmemserver.User
	srv    *imapserver.Server
	served chan struct{} // closed when Serve returns

	mu      sync.Mutex // guards conns, closed and resumed
	conns   map[net.Conn]struct{}
	closed  bool
	resumed chan struct{} // non-nil while stalled; closed by Resume
}

// Start starts a server with one user and an empty INBOX on 127.0.0.1 at a
// free port. ctx bounds the start only; the server runs until Close.
func Start(ctx context.Context, opts ServerOptions) (*Server, error) {
	if opts.Username == "" || opts.Password == "" {
		return nil, errors.New("imaptest start: Username and Password are required")
	}
	cert, err := selfsigned.New("imaptest")
	if err != nil {
		return nil, fmt.Errorf("imaptest start: %w", err)
	}
	user := imapmemserver.NewUser(opts.Username, opts.Password)
	if err := user.Create("INBOX", nil); err != nil {
		return nil, fmt.Errorf("imaptest start: create INBOX: %w", err)
	}

	caps := imap.CapSet{imap.CapIMAP4rev1: {}, imap.CapIMAP4rev2: {}}
	if opts.NoIdle {
		caps = imap.CapSet{imap.CapIMAP4rev1: {}}
	}
	s := &Server{cert: cert, user: user, served: make(chan struct{}), conns: make(map[net.Conn]struct{})}
	s.srv = imapserver.New(&imapserver.Options{
		NewSession: func(*imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
			return &session{user: user}, nil, nil
		},
		Caps:      caps,
		Logger:    serverLogger{opts.Logger},
		TLSConfig: cert.ServerConfig(),
		// NoIdle's connection wrapper hides TLS from imapserver, which
		// would then refuse LOGIN over TLS.
		InsecureAuth: !opts.TLS || opts.NoIdle,
	})

	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("imaptest start: listen: %w", err)
	}
	s.Addr = ln.Addr().String()
	ln = &trackingListener{Listener: ln, s: s}
	if opts.TLS {
		ln = tls.NewListener(ln, cert.ServerConfig())
	}
	if opts.NoIdle {
		ln = noIdleListener{ln}
	}
	go func() {
		defer close(s.served)
		if err := s.srv.Serve(ln); err != nil && !s.isClosed() {
			serverLogger{opts.Logger}.Printf("imaptest serve %s: %v", s.Addr, err)
		}
	}()
	return s, nil
}

// ClientTLSConfig returns a TLS configuration that trusts the server's
// certificate (valid for 127.0.0.1, ::1 and localhost) and nothing else.
func (s *Server) ClientTLSConfig() *tls.Config {
	return s.cert.ClientConfig()
}

// CertPEM returns the server's self-signed certificate in PEM form.
func (s *Server) CertPEM() []byte {
	return s.cert.PEM()
}

// Append adds raw as a message to mailbox with the given internal date
// (now when zero) and flags, such as `\Seen`.
func (s *Server) Append(ctx context.Context, mailbox string, raw []byte, date time.Time, flags ...string) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("imaptest append to %q: %w", mailbox, err)
	}
	opts := &imap.AppendOptions{Time: date}
	for _, f := range flags {
		opts.Flags = append(opts.Flags, imap.Flag(f))
	}
	if _, err := s.user.Append(mailbox, bytes.NewReader(raw), opts); err != nil {
		return fmt.Errorf("imaptest append to %q: %w", mailbox, err)
	}
	return nil
}

// RecreateMailbox deletes mailbox and creates it again, empty and with a
// new UIDVALIDITY, as a server does when it loses its UID state.
func (s *Server) RecreateMailbox(mailbox string) error {
	if err := s.user.Delete(mailbox); err != nil {
		return fmt.Errorf("imaptest recreate %q: delete: %w", mailbox, err)
	}
	if err := s.user.Create(mailbox, nil); err != nil {
		return fmt.Errorf("imaptest recreate %q: create: %w", mailbox, err)
	}
	return nil
}

// DropConnections closes every client connection while the server keeps
// listening, as a server restart or a network failure would.
func (s *Server) DropConnections() {
	s.mu.Lock()
	conns := make([]net.Conn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.Close()
	}
}

// Stall makes the server stop answering, as a hung server does: it keeps
// its connections and accepts new ones, but reads nothing more from any
// client (a TLS handshake included) until Resume. Changes made with Append
// still happen.
func (s *Server) Stall() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resumed == nil {
		s.resumed = make(chan struct{})
	}
}

// Resume ends a Stall: what the clients sent meanwhile is read and
// answered. It does nothing when the server is not stalled.
func (s *Server) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.resumed != nil {
		close(s.resumed)
		s.resumed = nil
	}
}

// isClosed reports whether Close has been called.
func (s *Server) isClosed() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.closed
}

// Close stops the server and closes every connection. It is safe to call
// more than once.
func (s *Server) Close() error {
	s.Resume()
	s.mu.Lock()
	closed := s.closed
	s.closed = true
	s.mu.Unlock()
	if closed {
		return nil
	}
	err := s.srv.Close()
	s.DropConnections()
	<-s.served
	if err != nil {
		return fmt.Errorf("imaptest close %s: %w", s.Addr, err)
	}
	return nil
}
