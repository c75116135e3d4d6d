package smtp

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// ErrNoStartTLS means the relay did not offer STARTTLS while the Config
// requires it; nothing was sent.
var ErrNoStartTLS = errors.New("relay does not offer STARTTLS")

// Sender sends Emails through one relay. It is safe for concurrent use;
// each Send uses its own connection.
type Sender struct {
	cfg    Config
	from   *mail.Address
	host   string
	addr   string
	logger *slog.Logger
	now    func() time.Time
}

// NewSender checks cfg and returns a Sender that logs to logger (nil
// discards).
func NewSender(cfg Config, logger *slog.Logger) (*Sender, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Security == "" {
		cfg.Security = SecurityStartTLS
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.CAFile != "" {
		tc, err := withCAFile(cfg.TLSConfig, cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("smtp new sender: %w", err)
		}
		cfg.TLSConfig = tc
	}
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("parse from address: %w", err)
	}
	host, port, err := splitAddr(cfg.Addr, cfg.Security)
	if err != nil {
		return nil, fmt.Errorf("parse relay address: %w", err)
	}
	return &Sender{
		cfg:    cfg,
		from:   from,
		host:   host,
		addr:   net.JoinHostPort(host, port),
		logger: logger.With("relay", net.JoinHostPort(host, port)),
		now:    time.Now,
	}, nil
}

// Send delivers e to the relay. Errors wrapping ErrInvalidEmail, and 5xx
// answers from the relay, are permanent (see IsPermanent). ctx bounds the
// whole session: when it ends, the connection is closed.
func (s *Sender) Send(ctx context.Context, e Email) error {
	msg, err := build(e, s.from, s.now())
	if err != nil {
		return fmt.Errorf("build email: %w", err)
	}
	log := s.logger.With("message_id", msg.id)
	ctx, cancel := context.WithTimeout(ctx, s.cfg.Timeout)
	defer cancel()

	c, err := s.dial(ctx)
	if err != nil {
		return fmt.Errorf("send email %s: %w", msg.id, contextErr(ctx, err))
	}
	defer c.Close()
	if err := s.deliver(c, msg); err != nil {
		return fmt.Errorf("send email %s: %w", msg.id, contextErr(ctx, err))
	}
	if err := c.Quit(); err != nil {
		// The relay has accepted the message; a failed goodbye loses nothing.
		log.Debug("smtp quit failed after delivery", "err", err)
	}
	log.Info("email handed to relay", "recipients", len(msg.recipients), "bytes", len(msg.data))
	return nil
}

// dial connects to the relay, secures the connection as configured and
// greets it. The connection is closed when ctx ends.
func (s *Sender) dial(ctx context.Context) (*smtp.Client, error) {
	tlsConfig := s.tlsConfig()
	var conn net.Conn
	var err error
	if s.cfg.Security == SecurityTLS {
		conn, err = (&tls.Dialer{Config: tlsConfig}).DialContext(ctx, "tcp", s.addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", s.addr)
	}
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	// go-smtp sets and clears its own deadlines on each command, so ctx is
	// enforced by closing the connection when it ends.
	stop := context.AfterFunc(ctx, func() { conn.Close() })

	var c *smtp.Client
	if s.cfg.Security == SecurityStartTLS {
		c, err = smtp.NewClientStartTLS(conn, tlsConfig)
		if err != nil {
			stop()
			conn.Close()
			return nil, startTLSError(err)
		}
	} else {
		c = smtp.NewClient(conn)
	}
	c.CommandTimeout, c.SubmissionTimeout = s.cfg.Timeout, s.cfg.Timeout
	// EHLO now, so that a failed TLS handshake after STARTTLS (which
	// happens on the first command) is reported as such. The connection
	// stays under ctx until the caller closes the client.
	if err := c.Hello(s.helloName()); err != nil {
		c.Close()
		return nil, fmt.Errorf("ehlo: %w", err)
	}
	return c, nil
}

// startTLSError explains a failed STARTTLS. go-smtp reports a server
// without STARTTLS with a plain error, not an *smtp.SMTPError.
func startTLSError(err error) error {
	var smtpErr *smtp.SMTPError
	if !errors.As(err, &smtpErr) && strings.Contains(err.Error(), "doesn't support STARTTLS") {
		return fmt.Errorf("%w; refusing to send in clear (security %q)", ErrNoStartTLS, SecurityStartTLS)
	}
	return fmt.Errorf("starttls: %w", err)
}

// deliver authenticates if configured and sends msg.
func (s *Sender) deliver(c *smtp.Client, msg message) error {
	if _, isTLS := c.TLSConnectionState(); !isTLS && s.cfg.Security != SecurityNone {
		return errors.New("connection is not encrypted") // cannot happen: dial secured it
	}
	if s.cfg.Username != "" {
		if _, isTLS := c.TLSConnectionState(); !isTLS {
			return errors.New("refusing AUTH over an unencrypted connection")
		}
		if !c.SupportsAuth(sasl.Plain) {
			return errors.New("relay does not offer AUTH PLAIN")
		}
		if err := c.Auth(sasl.NewPlainClient("", s.cfg.Username, s.cfg.Password)); err != nil {
			return fmt.Errorf("auth as %s: %w", s.cfg.Username, err)
		}
	}
	if err := c.SendMail(s.from.Address, msg.recipients, bytes.NewReader(msg.data)); err != nil {
		return fmt.Errorf("transfer: %w", err)
	}
	return nil
}

// helloName is the name to give in EHLO.
func (s *Sender) helloName() string {
	if s.cfg.HelloName != "" {
		return s.cfg.HelloName
	}
	return "localhost"
}

// tlsConfig returns the TLS settings for the relay: the configured ones,
// with ServerName defaulting to the relay's host and TLS 1.2 at least.
func (s *Sender) tlsConfig() *tls.Config {
	cfg := &tls.Config{}
	if s.cfg.TLSConfig != nil {
		cfg = s.cfg.TLSConfig.Clone()
	}
	if cfg.ServerName == "" {
		cfg.ServerName = s.host
	}
	if cfg.MinVersion < tls.VersionTLS12 {
		cfg.MinVersion = tls.VersionTLS12
	}
	return cfg
}

// contextErr puts ctx's error in front of err when ctx has ended, since
// closing the connection makes err a bare network error.
func contextErr(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
		return fmt.Errorf("%w: %w", ctxErr, err)
	}
	return err
}

// IsPermanent reports whether sending err's email again cannot succeed: the
// email itself is invalid, or the relay refused it with a 5xx reply.
// Network failures, timeouts and 4xx replies are temporary.
func IsPermanent(err error) bool {
	if errors.Is(err, ErrInvalidEmail) {
		return true
	}
	var smtpErr *smtp.SMTPError
	return errors.As(err, &smtpErr) && smtpErr.Code >= 500
}
