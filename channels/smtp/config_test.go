package smtp_test

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/triage-gw/triage/channels/smtp"
)

func TestValidateNamesEveryBadField(t *testing.T) {
	t.Parallel()
	cfg := smtp.Config{
		Addr:      "mail.example.com:99999",
		Security:  "ssl",
		Username:  "only-user",
		From:      "not an address",
		HelloName: "two words",
		TLSConfig: &tls.Config{InsecureSkipVerify: true},
		Timeout:   -1,
	}
	err := cfg.Validate()
	var ce *smtp.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("Validate() = %v, want a *ConfigError", err)
	}
	want := []string{"Addr", "Security", "Password", "From", "HelloName", "TLSConfig", "Timeout"}
	if got := ce.Fields(); !slices.Equal(got, want) {
		t.Errorf("Validate() named %v, want %v (all problems: %v)", got, want, err)
	}
}

func TestValidateSecurityNone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cfg   smtp.Config
		field string // "" when valid
	}{
		{smtp.Config{Addr: "127.0.0.1:2525", Security: smtp.SecurityNone, From: "a@example.com"}, ""},
		{smtp.Config{Addr: "[::1]:25", Security: smtp.SecurityNone, From: "a@example.com"}, ""},
		{smtp.Config{Addr: "localhost", Security: smtp.SecurityNone, From: "a@example.com"}, ""},
		{smtp.Config{Addr: "smtp.example.com:25", Security: smtp.SecurityNone, From: "a@example.com"}, "Security"},
		{smtp.Config{Addr: "10.0.0.8:25", Security: smtp.SecurityNone, From: "a@example.com"}, "Security"},
		{smtp.Config{Addr: "127.0.0.1:25", Security: smtp.SecurityNone, From: "a@example.com", Username: "u", Password: "p"}, "Username"},
	}
	for _, tt := range tests {
		err := tt.cfg.Validate()
		var ce *smtp.ConfigError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("Validate(%v) = %v, want nil", tt.cfg, err)
		case tt.field != "" && (!errors.As(err, &ce) || !slices.Equal(ce.Fields(), []string{tt.field})):
			t.Errorf("Validate(%v) = %v, want a *ConfigError naming %s", tt.cfg, err, tt.field)
		}
	}
	if _, err := smtp.NewSender(tests[3].cfg, nil); err == nil {
		t.Errorf("NewSender(%v) = nil error, want a refusal to send in clear to a remote host", tests[3].cfg)
	}
}

func TestValidateAcceptsDefaults(t *testing.T) {
	t.Parallel()
	for _, cfg := range []smtp.Config{
		{Addr: "smtp.example.com", From: "support@example.com"},
		{Addr: "smtp.example.com:465", Security: smtp.SecurityTLS, Username: "u", Password: "p", From: "Support <support@example.com>"},
	} {
		if err := cfg.Validate(); err != nil {
			t.Errorf("Validate(%v) = %v, want nil", cfg, err)
		}
	}
}

func TestConfigNeverShowsPassword(t *testing.T) {
	t.Parallel()
	cfg := smtp.Config{Addr: "smtp.example.com:587", Username: "triage", Password: "PASSWORD-42", From: "a@example.com"}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "smtp", cfg)
	for _, shown := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), logged.String()} {
		if strings.Contains(shown, "PASSWORD-42") || !strings.Contains(shown, "smtp.example.com") {
			t.Errorf("config shown as %s; want the address and never the password", shown)
		}
	}
}
