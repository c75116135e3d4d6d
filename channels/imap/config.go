package imap

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"
)

// Security says how the connection to the server is protected.
type Security string

// The values of Security. The zero value means SecurityTLS.
const (
	// SecurityTLS is implicit TLS from the first byte (usually port 993).
	SecurityTLS Security = "tls"
	// SecurityStartTLS connects in clear text and upgrades with STARTTLS
	// before logging in (usually port 143).
	SecurityStartTLS Security = "starttls"
	// SecurityNone sends everything, the password too, in clear text. It is
	// refused unless the host is a loopback address.
	SecurityNone Security = "none"
)

// Defaults applied to the zero values of Config's fields.
const (
	DefaultMailbox        = "INBOX"
	DefaultPollInterval   = 30 * time.Second
	DefaultBatchSize      = 50
	DefaultMaxMessageSize = 32 << 20
	// DefaultCommandTimeout is how long a command waits for the server's
	// next bytes before the connection is given up.
	DefaultCommandTimeout = time.Minute

	// maxIdlePeriod is how long one IDLE may last before it is restarted:
	// RFC 9051 section 6.3.13 lets servers drop a client idle for 30 minutes.
	maxIdlePeriod = 25 * time.Minute
	// maxBatchSize bounds BatchSize, and so the size of a batch's FETCH.
	maxBatchSize = 1000
	// maxMessageSizeLimit bounds MaxMessageSize to what a partial FETCH
	// can name on every server.
	maxMessageSizeLimit = 1 << 31
)

// Config is the configuration of one Poller: one account and one mailbox.
// The zero value of each optional field means its default.
type Config struct {
	// Addr is the server's host:port.
	Addr string
	// Username is the login name.
	Username string
	// Password is the login password. It is never logged, and it is
	// replaced by "***" in the DebugWriter trace.
	Password string
	// Mailbox is the mailbox to read, DefaultMailbox when empty.
	Mailbox string
	// Security is how the connection is protected, SecurityTLS when empty.
	Security Security
	// TLSConfig is the TLS configuration for SecurityTLS and
	// SecurityStartTLS; nil means the system roots. Its ServerName defaults
	// to Addr's host. This package never sets InsecureSkipVerify.
	TLSConfig *tls.Config
	// CAFile names a PEM file of CA certificates that the server's
	// certificate is verified against instead of the system roots (or in
	// addition to TLSConfig.RootCAs), for a server with a private CA or a
	// self-signed certificate. It is read once, by NewPoller.
	CAFile string
	// CommandTimeout is how long a command (LOGIN, EXAMINE, SEARCH, FETCH,
	// the start and end of IDLE, and the greeting and TLS handshake before
	// them) may wait with nothing from the server; the connection is then
	// closed and the poll fails with ErrTimeout, so that a stalled server
	// cannot stop intake. An answer that keeps arriving, such as a large
	// FETCH on a slow link, is never cut. The wait inside IDLE has no
	// limit. DefaultCommandTimeout when zero.
	CommandTimeout time.Duration
	// PollInterval is the time between polls when the server has no IDLE,
	// and the longest an IDLE lasts before a safety poll (capped at 25
	// minutes). DefaultPollInterval when zero.
	PollInterval time.Duration
	// BatchSize is how many messages one FETCH asks for, DefaultBatchSize
	// when zero. A batch is streamed: each message is delivered as it
	// arrives, so one message at a time is held in memory.
	BatchSize int
	// MaxMessageSize bounds what one message costs to fetch,
	// DefaultMaxMessageSize when zero. The size of each message is fetched
	// before its body; a larger message is still delivered, with its header
	// and the first MaxMessageSize bytes of its text in Body, its real size
	// in Size and Truncated set.
	MaxMessageSize int64
	// DebugWriter receives the raw protocol trace, message contents
	// included but the password replaced by "***"; nil turns it off.
	// Writes come one at a time.
	DebugWriter io.Writer
}

// Validate reports every problem with the configuration at once, each
// naming its field. Zero values of optional fields are valid.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, fmt.Errorf("imap config: %s: %s", field, fmt.Sprintf(format, args...)))
	}

	host, port, err := net.SplitHostPort(c.Addr)
	switch {
	case c.Addr == "":
		bad("Addr", "is empty, want host:port")
	case err != nil:
		bad("Addr", "%q is not host:port: %v", c.Addr, err)
	case host == "":
		bad("Addr", "%q has no host", c.Addr)
	default:
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			bad("Addr", "%q has no valid port", c.Addr)
		}
	}
	if c.Username == "" {
		bad("Username", "is empty")
	}
	if c.Password == "" {
		bad("Password", "is empty")
	}
	if strings.ContainsAny(c.Mailbox, "\r\n\x00") {
		bad("Mailbox", "%q holds a control character", c.Mailbox)
	}
	switch c.Security {
	case "", SecurityTLS, SecurityStartTLS:
	case SecurityNone:
		if host != "" && !isLoopback(host) {
			bad("Security", "%q is refused for non-loopback host %q: the password would cross the network in clear text", c.Security, host)
		}
	default:
		bad("Security", "%q is not one of %q, %q, %q", c.Security, SecurityTLS, SecurityStartTLS, SecurityNone)
	}
	if c.PollInterval < 0 {
		bad("PollInterval", "%v is negative", c.PollInterval)
	}
	if c.BatchSize < 0 || c.BatchSize > maxBatchSize {
		bad("BatchSize", "%d is outside 0..%d", c.BatchSize, maxBatchSize)
	}
	if c.MaxMessageSize < 0 || c.MaxMessageSize > maxMessageSizeLimit {
		bad("MaxMessageSize", "%d is outside 0..%d", c.MaxMessageSize, int64(maxMessageSizeLimit))
	}
	if c.CommandTimeout < 0 {
		bad("CommandTimeout", "%v is negative", c.CommandTimeout)
	}
	if c.CAFile != "" {
		if _, err := LoadCAFile(c.CAFile); err != nil {
			bad("CAFile", "%v", err)
		}
	}
	return errors.Join(errs...)
}

// withDefaults returns c with every zero optional field set to its default.
func (c Config) withDefaults() Config {
	if c.Mailbox == "" {
		c.Mailbox = DefaultMailbox
	}
	if c.Security == "" {
		c.Security = SecurityTLS
	}
	if c.PollInterval == 0 {
		c.PollInterval = DefaultPollInterval
	}
	if c.BatchSize == 0 {
		c.BatchSize = DefaultBatchSize
	}
	if c.MaxMessageSize == 0 {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.CommandTimeout == 0 {
		c.CommandTimeout = DefaultCommandTimeout
	}
	return c
}

// idlePeriod is how long one IDLE lasts before the safety poll.
func (c Config) idlePeriod() time.Duration {
	return min(c.PollInterval, maxIdlePeriod)
}

// cursorKey is the mailbox name the Sink files the cursor under.
func (c Config) cursorKey() string {
	return c.Username + "/" + c.Mailbox
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
