package twilio_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/triage-gw/triage/channels/twilio"
)

func TestValidateNamesEveryBadField(t *testing.T) {
	t.Parallel()
	cfg := twilio.Config{
		AccountSID:          "AC123",
		AuthToken:           "not/alnum",
		APIKeySID:           "KS123",
		APIKeySecret:        "s",
		From:                "415 555 0100",
		MessagingServiceSID: "MG1",
		APIBaseURL:          "https://api.example.com/v1",
		StatusCallbackURL:   "/status",
		DefaultRegion:       "us",
	}
	err := cfg.Validate()
	var ce *twilio.ConfigError
	if !errors.As(err, &ce) {
		t.Fatalf("Validate() = %v, want a *ConfigError", err)
	}
	want := []string{"AccountSID", "AuthToken", "APIKeySID", "From", "MessagingServiceSID",
		"APIBaseURL", "StatusCallbackURL", "DefaultRegion"}
	if got := ce.Fields(); !slices.Equal(got, want) {
		t.Errorf("Validate() named %v, want %v (all problems: %v)", got, want, err)
	}
}

func TestValidateRequiresASender(t *testing.T) {
	t.Parallel()
	err := twilio.Config{AccountSID: accountSID, AuthToken: authToken}.Validate()
	var ce *twilio.ConfigError
	if !errors.As(err, &ce) || !slices.Equal(ce.Fields(), []string{"From"}) {
		t.Fatalf("Validate() without From or MessagingServiceSID = %v, want a *ConfigError naming From", err)
	}
	if !strings.Contains(err.Error(), "MessagingServiceSID") {
		t.Errorf("Validate() = %q, want it to mention MessagingServiceSID as the alternative", err)
	}
}

func TestValidateAcceptsGoodConfigs(t *testing.T) {
	t.Parallel()
	for _, cfg := range []twilio.Config{
		{AccountSID: accountSID, AuthToken: authToken, From: sender},
		{AccountSID: accountSID, AuthToken: authToken, MessagingServiceSID: serviceSID, DefaultRegion: "GB"},
		{AccountSID: accountSID, AuthToken: authToken, From: sender, APIKeySID: apiKeySID, APIKeySecret: "secret",
			APIBaseURL: "http://127.0.0.1:8080/", StatusCallbackURL: callback},
	} {
		if err := cfg.Validate(); err != nil {
			t.Errorf("Validate(%v) = %v, want nil", cfg, err)
		}
	}
}

// Plain http carries the credentials in clear: only a loopback stand-in may
// be reached that way.
func TestValidateAllowsPlainHTTPOnlyOnLoopback(t *testing.T) {
	t.Parallel()
	tests := []struct {
		baseURL string
		ok      bool
	}{
		{"https://api.twilio.com", true},
		{"https://api.example.com:8443", true},
		{"http://127.0.0.1:8080", true},
		{"http://127.8.9.10", true},
		{"http://localhost:9000/", true},
		{"http://LOCALHOST", true},
		{"http://[::1]:8080", true},
		{"http://api.twilio.com", false},
		{"http://10.0.0.5:8080", false},
		{"http://192.168.1.2", false},
		{"http://0.0.0.0:8080", false},
		{"http://[::]:8080", false},
		{"http://localhost.example.com", false},
		{"http://127.0.0.1.nip.io", false},
	}
	for _, tt := range tests {
		cfg := twilio.Config{AccountSID: accountSID, AuthToken: authToken, From: sender, APIBaseURL: tt.baseURL}
		err := cfg.Validate()
		if tt.ok {
			if err != nil {
				t.Errorf("Validate(APIBaseURL %s) = %v, want nil", tt.baseURL, err)
			}
			continue
		}
		var ce *twilio.ConfigError
		if !errors.As(err, &ce) || !slices.Equal(ce.Fields(), []string{"APIBaseURL"}) || !strings.Contains(err.Error(), "loopback") {
			t.Errorf("Validate(APIBaseURL %s) = %v; want a *ConfigError naming APIBaseURL, saying plain http is for loopback only", tt.baseURL, err)
		}
		if _, err := twilio.New(cfg, nil); err == nil {
			t.Errorf("New(APIBaseURL %s) = nil error, want the config refused", tt.baseURL)
		}
	}
}

func TestConfigNeverShowsSecrets(t *testing.T) {
	t.Parallel()
	cfg := twilio.Config{AccountSID: accountSID, AuthToken: "tokenSECRET1", APIKeySID: apiKeySID, APIKeySecret: "keySECRET2", From: sender}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "twilio", cfg)
	for _, shown := range []string{fmt.Sprint(cfg), fmt.Sprintf("%+v", cfg), logged.String()} {
		if strings.Contains(shown, "SECRET") || !strings.Contains(shown, accountSID) {
			t.Errorf("config shown as %s; want the account SID and no secret", shown)
		}
	}
}

func TestNormalizeE164(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, region, want string
	}{
		{"+14155552671", "", "+14155552671"},
		{"(415) 555-2671", "US", "+14155552671"},
		{"+1 415.555.2671", "GB", "+14155552671"},
		{"020 7183 8750", "GB", "+442071838750"},
		{"415 555 2671", "", ""},    // no country code and no region
		{"+1 555 867 5310", "", ""}, // possible length, but no such area code
		{"12345", "US", ""},
		{"not a number", "US", ""},
	}
	for _, tt := range tests {
		got, err := twilio.NormalizeE164(tt.in, tt.region)
		if tt.want == "" {
			if !errors.Is(err, twilio.ErrInvalidNumber) {
				t.Errorf("NormalizeE164(%q, %q) = %q, %v; want ErrInvalidNumber", tt.in, tt.region, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeE164(%q, %q) = %q, %v; want %q", tt.in, tt.region, got, err, tt.want)
		}
	}
}
