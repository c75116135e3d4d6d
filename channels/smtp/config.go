package smtp

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/triage-gw/triage/channels/internal/cafile"
	"github.com/triage-gw/triage/channels/internal/fieldcheck"
)

// Security is how the connection to the relay is protected.
type Security string

// The kinds of Security. The zero value means SecurityStartTLS.
const (
	// SecurityStartTLS upgrades a plain connection with STARTTLS (RFC 3207),
	// usually on port 587, and refuses to send if the server does not offer it.
	SecurityStartTLS Security = "starttls"
	// SecurityTLS speaks TLS from the first byte (RFC 8314), usually port 465.
	SecurityTLS Security = "tls"
	// SecurityNone sends in clear; allowed only to a loopback address.
	SecurityNone Security = "none"
)

// defaultPort is the port used when Config.Addr has none.
func (s Security) defaultPort() string {
	switch s {
	case SecurityTLS:
		return "465"
	case SecurityNone:
		return "25"
	}
	return "587"
}

// DefaultTimeout bounds one Send when the context has no earlier deadline.
const DefaultTimeout = time.Minute

// Config is what a Sender needs. The zero value of an optional field means
// its default.
type Config struct {
	// Addr is the relay as "host:port"; the port defaults to 587, 465 or 25
	// according to Security.
	Addr string
	// Username and Password authenticate with AUTH PLAIN, over TLS only.
	// Both or neither. The password is never logged.
	Username string
	Password string
	// Security is how the connection is protected, default SecurityStartTLS.
	Security Security
	// From is the sender, "support@example.com" or
	// "Example Support <support@example.com>"; also the envelope sender.
	From string
	// TLSConfig, if set, is used for the TLS handshake (for example to trust
	// a private CA). ServerName defaults to the host of Addr.
	TLSConfig *tls.Config
	// CAFile names a PEM file of CA certificates that the relay's
	// certificate is verified against instead of the system roots (or in
	// addition to TLSConfig.RootCAs), for a relay with a private CA or a
	// self-signed certificate. It is read once, by NewSender.
	CAFile string
	// HelloName is the name given in EHLO, default "localhost". With
	// STARTTLS it is used for the EHLO after the upgrade.
	HelloName string
	// Timeout bounds one Send, default DefaultTimeout.
	Timeout time.Duration
}

// Validate reports every invalid field at once, as a *ConfigError.
func (c Config) Validate() error {
	var e ConfigError
	host, _, addrErr := splitAddr(c.Addr, c.Security)
	if addrErr != nil {
		e.Add("Addr", addrErr.Error())
	}
	switch c.Security {
	case "", SecurityStartTLS, SecurityTLS:
	case SecurityNone:
		if addrErr == nil && !isLoopback(host) {
			e.Add("Security", fmt.Sprintf("%q is allowed only to a loopback relay, not %q", SecurityNone, host))
		}
		if c.Username != "" || c.Password != "" {
			e.Add("Username", fmt.Sprintf("credentials need TLS; security %q would send them in clear", SecurityNone))
		}
	default:
		e.Add("Security", fmt.Sprintf("%q is not one of %q, %q, %q", c.Security, SecurityStartTLS, SecurityTLS, SecurityNone))
	}
	if (c.Username == "") != (c.Password == "") {
		e.Add("Password", "Username and Password go together")
	}
	if c.From == "" {
		e.Add("From", "required")
	} else if _, err := mail.ParseAddress(c.From); err != nil {
		e.Add("From", "not an email address: "+err.Error())
	}
	if c.HelloName != "" && strings.ContainsAny(c.HelloName, " \t\r\n") {
		e.Add("HelloName", "must be a host name, without spaces")
	}
	if c.CAFile != "" {
		if c.Security == SecurityNone {
			e.Add("CAFile", fmt.Sprintf("is set, but security is %q: there is no certificate to check", SecurityNone))
		} else if _, err := LoadCAFile(c.CAFile); err != nil {
			e.Add("CAFile", err.Error())
		}
	}
	if c.TLSConfig != nil && c.TLSConfig.InsecureSkipVerify {
		e.Add("TLSConfig", "InsecureSkipVerify would accept any certificate; add the relay's CA to RootCAs instead")
	}
	if c.Timeout < 0 {
		e.Add("Timeout", "must not be negative")
	}
	if len(e.Problems) > 0 {
		return &e
	}
	return nil
}

// LoadCAFile reads the PEM file at path and returns a pool of its CA
// certificates (see Config.CAFile); it fails on an unreadable file, a
// certificate that does not parse, or no certificate at all.
func LoadCAFile(path string) (*x509.CertPool, error) { return cafile.Load(path) }

// withCAFile returns a copy of base that also trusts the CA file at path.
func withCAFile(base *tls.Config, path string) (*tls.Config, error) { return cafile.Trust(base, path) }

// splitAddr returns addr's host and port, the port defaulting by security.
func splitAddr(addr string, security Security) (host, port string, err error) {
	if addr == "" {
		return "", "", fmt.Errorf("required, as host:port")
	}
	host, port, err = net.SplitHostPort(addr)
	if err != nil {
		host, port = strings.Trim(addr, "[]"), security.defaultPort()
	}
	if n, perr := strconv.Atoi(port); perr != nil || n < 1 || n > 65535 {
		return "", "", fmt.Errorf("port %q is not a number from 1 to 65535", port)
	}
	if host == "" || strings.ContainsAny(host, " /") {
		return "", "", fmt.Errorf("%q is not host:port", addr)
	}
	return host, port, nil
}

// isLoopback reports whether host is "localhost" or a loopback IP address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String describes c with the password redacted, so that printing a
// Config with %v never shows it.
func (c Config) String() string {
	if c.Password != "" {
		c.Password = "[redacted]"
	}
	type plain Config // no String method: avoids recursion
	return fmt.Sprintf("%+v", plain(c))
}

// LogValue makes slog print c without the password.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("addr", c.Addr),
		slog.String("username", c.Username),
		slog.Bool("password_set", c.Password != ""),
		slog.String("security", string(c.Security)),
		slog.String("from", c.From),
		slog.String("hello_name", c.HelloName),
		slog.String("ca_file", c.CAFile),
	)
}

// ConfigError lists every invalid field of a Config.
type ConfigError struct {
	fieldcheck.Problems
}

// FieldProblem is one invalid field and what is wrong with it.
type FieldProblem = fieldcheck.Problem

// Error lists every problem, "Field: problem", separated by semicolons.
func (e *ConfigError) Error() string {
	return "invalid smtp config: " + e.Problems.Join()
}
