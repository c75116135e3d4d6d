package config

import (
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Secret is a configuration value that must not be written inline in a
// config file nor reach a log. In YAML it is either a "${ENV_VAR}" reference
// or, through the sibling "*_file" key, a path whose content is the value.
type Secret struct {
	value string
	from  string // where it came from, for messages: "$IMAP_PASSWORD", "file /run/..."
}

var envRef = regexp.MustCompile(`^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$`)

// UnmarshalYAML accepts only "${NAME}" (or an empty value).
func (s *Secret) UnmarshalYAML(n *yaml.Node) error {
	var raw string
	if err := n.Decode(&raw); err != nil {
		return err
	}
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil
	}
	m := envRef.FindStringSubmatch(raw)
	if m == nil {
		return fmt.Errorf("line %d: secrets are not written inline: use \"${ENV_VAR}\" or the *_file key", n.Line)
	}
	s.from = "$" + m[1]
	s.value = os.Getenv(m[1]) // an unset variable is reported by resolve
	return nil
}

// resolve reads the file variant if given and checks that a referenced
// environment variable was set. key names the YAML key for errors.
func (s *Secret) resolve(key, file string) error {
	if file != "" {
		if s.from != "" {
			return fmt.Errorf("%s: give either %s or %s_file, not both", key, key, key)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("%s_file: %w", key, err)
		}
		s.value, s.from = strings.TrimRight(string(b), "\r\n"), "file "+file
		return nil
	}
	if s.from != "" && s.value == "" {
		return fmt.Errorf("%s: environment variable %s is not set", key, strings.TrimPrefix(s.from, "$"))
	}
	return nil
}

// NewSecret returns a secret holding v, for programmatic configuration.
func NewSecret(v string) Secret { return Secret{value: v, from: "code"} }

// Value returns the secret itself. Call it only where it is used.
func (s Secret) Value() string { return s.value }

// IsSet reports whether the secret has a value.
func (s Secret) IsSet() bool { return s.value != "" }

// String never shows the value.
func (s Secret) String() string {
	if s.value == "" {
		return "(unset)"
	}
	return "(secret from " + s.from + ")"
}

// LogValue keeps the value out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalYAML and MarshalJSON never reveal the value either.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON never reveals the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(fmt.Sprintf("%q", s.String())), nil }
