package twilio

import (
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"
	"github.com/triage-gw/triage/channels/internal/fieldcheck"
)

// DefaultAPIBaseURL is where Twilio's REST API lives.
const DefaultAPIBaseURL = "https://api.twilio.com"

// DefaultRegion is the region used to read phone numbers written without a
// leading "+" when Config.DefaultRegion is empty.
const DefaultRegion = "US"

// Config is what a Client needs. The zero value of an optional field means
// its default.
type Config struct {
	// AccountSID is the account that sends ("AC" and 32 hex digits).
	AccountSID string
	// AuthToken is the account's auth token. It signs webhooks, and it
	// authenticates REST calls unless an API key is set. Never logged.
	AuthToken string
	// APIKeySID and APIKeySecret, when set, authenticate REST calls instead
	// of AccountSID and AuthToken (Twilio's recommended setup). The secret is
	// never logged.
	APIKeySID    string
	APIKeySecret string
	// From is the sender number in E.164 form ("+14155552671"). Either From
	// or MessagingServiceSID is required; when both are set, From is the
	// sender picked from the service's pool. Placing calls needs From: a
	// Messaging Service cannot place them.
	From string
	// MessagingServiceSID is a Messaging Service ("MG" and 32 hex digits)
	// that chooses the sender.
	MessagingServiceSID string
	// APIBaseURL is scheme and host of the REST API, default
	// DefaultAPIBaseURL. Tests and the demo point it at a loopback stand-in.
	// It must be https unless its host is loopback (localhost, 127.0.0.0/8,
	// ::1): every request carries the credentials.
	APIBaseURL string
	// StatusCallbackURL, if set, is passed on each message so that Twilio
	// reports delivery progress to it.
	StatusCallbackURL string
	// DefaultRegion is the ISO 3166-1 region used to read recipient numbers
	// written without a country code, default DefaultRegion.
	DefaultRegion string
}

var sidPattern = regexp.MustCompile(`^[A-Z]{2}[0-9a-fA-F]{32}$`)

// validSID reports whether s is a Twilio SID with the given two-letter prefix.
func validSID(s, prefix string) bool {
	return strings.HasPrefix(s, prefix) && sidPattern.MatchString(s)
}

// twilio-go refuses credentials that are not alphanumeric (its errors 21222
// and 21224), so Validate does too, before any request is made.
var alphanumeric = regexp.MustCompile(`^[a-zA-Z0-9]+$`)

// Validate reports every invalid field at once, as a *ConfigError.
func (c Config) Validate() error {
	var e ConfigError
	if !validSID(c.AccountSID, "AC") {
		e.Add("AccountSID", "must be \"AC\" followed by 32 hex digits")
	}
	if c.AuthToken == "" {
		e.Add("AuthToken", "required (it signs webhooks)")
	} else if !alphanumeric.MatchString(c.AuthToken) {
		e.Add("AuthToken", "must be letters and digits only")
	}
	switch {
	case c.APIKeySID == "" && c.APIKeySecret == "":
	case !validSID(c.APIKeySID, "SK"):
		e.Add("APIKeySID", "must be \"SK\" followed by 32 hex digits when APIKeySecret is set")
	case !alphanumeric.MatchString(c.APIKeySecret):
		e.Add("APIKeySecret", "required with APIKeySID, letters and digits only")
	}
	if c.From == "" && c.MessagingServiceSID == "" {
		e.Add("From", "either From or MessagingServiceSID is required")
	}
	if c.From != "" {
		if n, err := NormalizeE164(c.From, ""); err != nil || n != c.From {
			e.Add("From", "must be a valid number in E.164 form, like +14155552671")
		}
	}
	if c.MessagingServiceSID != "" && !validSID(c.MessagingServiceSID, "MG") {
		e.Add("MessagingServiceSID", "must be \"MG\" followed by 32 hex digits")
	}
	if c.APIBaseURL != "" {
		if _, err := parseBaseURL(c.APIBaseURL); err != nil {
			e.Add("APIBaseURL", err.Error())
		}
	}
	if c.StatusCallbackURL != "" && !absoluteHTTPURL(c.StatusCallbackURL) {
		e.Add("StatusCallbackURL", "must be an absolute http or https URL")
	}
	if c.DefaultRegion != "" && !phonenumbers.GetSupportedRegions()[c.DefaultRegion] {
		e.Add("DefaultRegion", fmt.Sprintf("%q is not a supported region code (use upper case, like \"US\")", c.DefaultRegion))
	}
	if len(e.Problems) > 0 {
		return &e
	}
	return nil
}

// parseBaseURL checks that raw is an http(s) URL with a host and no path,
// and that it uses plain http only for a loopback host: every request
// carries the auth token or API key secret, which must never cross a
// network in clear.
func parseBaseURL(raw string) (*url.URL, error) {
	if !absoluteHTTPURL(raw) {
		return nil, fmt.Errorf("must be an absolute http or https URL, like %s", DefaultAPIBaseURL)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("parse %q: %w", raw, err)
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" {
		return nil, fmt.Errorf("must be scheme and host only, without path or query")
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("plain http is allowed only for a loopback host (localhost, 127.0.0.0/8, ::1), not %q: the auth token must never cross a network in clear", u.Hostname())
	}
	return u, nil
}

// absoluteHTTPURL reports whether raw is an absolute http or https URL
// with a host.
func absoluteHTTPURL(raw string) bool {
	u, err := url.Parse(raw)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// isLoopback reports whether host (without port or brackets) is
// "localhost" or a loopback IP address: 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// String describes c with its secrets redacted, so that printing a Config
// with %v never shows them.
func (c Config) String() string {
	c.AuthToken = redact(c.AuthToken)
	c.APIKeySecret = redact(c.APIKeySecret)
	type plain Config // no String method: avoids recursion
	return fmt.Sprintf("%+v", plain(c))
}

// LogValue makes slog print c with its secrets redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("account_sid", c.AccountSID),
		slog.String("auth_token", redact(c.AuthToken)),
		slog.String("api_key_sid", c.APIKeySID),
		slog.String("api_key_secret", redact(c.APIKeySecret)),
		slog.String("from", c.From),
		slog.String("messaging_service_sid", c.MessagingServiceSID),
		slog.String("api_base_url", c.APIBaseURL),
		slog.String("status_callback_url", c.StatusCallbackURL),
		slog.String("default_region", c.DefaultRegion),
	)
}

func redact(secret string) string {
	if secret == "" {
		return ""
	}
	return "[redacted]"
}

// ConfigError lists every invalid field of a Config.
type ConfigError struct {
	fieldcheck.Problems
}

// FieldProblem is one invalid field and what is wrong with it.
type FieldProblem = fieldcheck.Problem

// Error lists every problem, "Field: problem", separated by semicolons.
func (e *ConfigError) Error() string {
	return "invalid twilio config: " + e.Problems.Join()
}
