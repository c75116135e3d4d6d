package smtptest

import (
	"crypto/subtle"
	"fmt"
	"io"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// session is one SMTP connection's state.
type session struct {
	srv      *Server
	conn     *smtp.Conn
	authUser string
	from     string
	to       []string
}

func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{srv: s, conn: c}, nil
}

// AuthMechanisms offers PLAIN when the server has credentials.
func (s *session) AuthMechanisms() []string {
	if s.srv.opts.Username == "" {
		return nil
	}
	return []string{sasl.Plain}
}

// Auth checks AUTH PLAIN credentials.
func (s *session) Auth(mech string) (sasl.Server, error) {
	if mech != sasl.Plain || s.srv.opts.Username == "" {
		return nil, smtp.ErrAuthUnknownMechanism
	}
	return sasl.NewPlainServer(func(identity, username, password string) error {
		userOK := subtle.ConstantTimeCompare([]byte(username), []byte(s.srv.opts.Username)) == 1
		passOK := subtle.ConstantTimeCompare([]byte(password), []byte(s.srv.opts.Password)) == 1
		if !userOK || !passOK || (identity != "" && identity != username) {
			return smtp.ErrAuthFailed
		}
		s.authUser = username
		return nil
	}), nil
}

// Mail starts a transaction, after authentication if it is required.
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.opts.Username != "" && s.authUser == "" {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

// Rcpt adds a recipient.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

// Data records the message, or refuses it as RefuseNext asked.
func (s *session) Data(r io.Reader) error {
	data, err := io.ReadAll(r)
	if err != nil {
		return fmt.Errorf("read message data: %w", err)
	}
	_, isTLS := s.conn.TLSConnectionState()
	m := Message{
		From: s.from, To: s.to, Data: data, TLS: isTLS,
		AuthUser: s.authUser, Received: time.Now(),
	}
	if code := s.srv.nextRefusal(); code != 0 {
		s.srv.refused.Add(m)
		return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{code / 100, 0, 0},
			Message: "refused by smtptest"}
	}
	s.srv.messages.Add(m)
	return nil
}

// Reset forgets the current transaction.
func (s *session) Reset() {
	s.from, s.to = "", nil
}

// Logout ends the session.
func (s *session) Logout() error { return nil }
