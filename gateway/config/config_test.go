package config

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/triage-gw/triage/configs"
)

func TestExampleParses(t *testing.T) {
	t.Setenv("IMAP_PASSWORD", "imap-secret-1")
	t.Setenv("TWILIO_AUTH_TOKEN", "twilio-secret-2")
	t.Setenv("SMTP_PASSWORD", "smtp-secret-3")
	c, err := Parse(bytes.NewReader(configs.Example))
	if err != nil {
		t.Fatalf("Parse(example) = %v, want nil", err)
	}
	if c.IMAP.Password.Value() != "imap-secret-1" || c.Twilio.AuthToken.Value() != "twilio-secret-2" {
		t.Errorf("secrets = %q, %q; want the environment's", c.IMAP.Password.Value(), c.Twilio.AuthToken.Value())
	}
	if len(c.Staff) != 2 || c.Policy.DefaultOwner != "lee@example.com" {
		t.Errorf("staff = %d, default owner %q; want 2 and lee@example.com", len(c.Staff), c.Policy.DefaultOwner)
	}
	for _, out := range []string{fmt.Sprintf("%v %+v", c, c), c.IMAP.Password.String()} {
		for _, secret := range []string{"imap-secret-1", "twilio-secret-2", "smtp-secret-3"} {
			if strings.Contains(out, secret) {
				t.Errorf("formatted config shows secret %q", secret)
			}
		}
	}
}

func TestEmptyConfigIsDefault(t *testing.T) {
	t.Parallel()
	c, err := Parse(strings.NewReader(""))
	if err != nil {
		t.Fatalf("Parse(\"\") = %v, want nil", err)
	}
	if c.DataDir != "./data" || c.HTTP.Addr != "127.0.0.1:8080" || c.IMAP.Enabled || c.Twilio.Enabled {
		t.Errorf("Parse(\"\") = data_dir %q addr %q imap %v twilio %v; want defaults, channels off", c.DataDir, c.HTTP.Addr, c.IMAP.Enabled, c.Twilio.Enabled)
	}
	if err := c.RoutingPolicy().Validate(); err != nil {
		t.Errorf("default RoutingPolicy().Validate() = %v", err)
	}
}

func TestBadConfigNamesTheKeys(t *testing.T) {
	t.Setenv("TRIAGE_TEST_TOKEN", "abc123")
	tests := []struct {
		name, yaml string
		want       []string
	}{
		{"unknown key", "htpp:\n  addr: x\n", []string{"htpp"}},
		{"unknown nested key", "imap:\n  pasword: x\n", []string{"pasword"}},
		{"inline secret", "imap:\n  password: hunter2\n", []string{"not written inline"}},
		{"unset variable", "imap:\n  enabled: true\n  addr: h:993\n  username: u\n  password: ${TRIAGE_TEST_SURELY_UNSET}\n", []string{"imap.password", "TRIAGE_TEST_SURELY_UNSET"}},
		{"every problem at once", "log:\n  level: loud\nimap:\n  enabled: true\n  security: none\n  addr: mail.example.com:143\ntwilio:\n  enabled: true\n  from: 555\n",
			[]string{"log.level", "imap.username", "imap.password", "imap.security", "twilio.account_sid", "twilio.auth_token", "twilio.from"}},
		{"bad policy", "policy:\n  sla:\n    urgent: 5m\n  notify_manager_at: soon\n", []string{"policy.sla.urgent", "policy.notify_manager_at"}},
		{"bad staff", "staff:\n  - name: A\n    email: a@x.com\n    manager: b@x.com\n    hours: Mon 17:00-09:00\n    phone: '555'\n", []string{"staff[0].manager", "staff[0].hours", "staff[0].phone", "policy.default_owner"}},
		{"unknown time zone", "staff:\n  - name: A\n    email: a@x.com\n    time_zone: Mars/Olympus\npolicy:\n  default_owner: a@x.com\n", []string{"staff[0].time_zone", "Mars/Olympus"}},
		{"bad database url", "database:\n  url: mysql://x\n", []string{"database.url"}},
		{"twilio in clear over a network", "twilio:\n  enabled: true\n  account_sid: AC0123456789abcdef0123456789abcdef\n  auth_token: ${TRIAGE_TEST_TOKEN}\n  from: '+16175550100'\n  api_base_url: http://twilio-proxy.internal\n",
			[]string{"twilio.api_base_url", "loopback", "http.public_url"}},
		{"bad call policy", "policy:\n  reopen_window: -1h\n  calls:\n    retry: [15m, 0s]\n    max_attempts: -1\n    ring_timeout: 2\njobs:\n  rescue_after: 1ms\n",
			[]string{"policy.reopen_window", "policy.calls.retry[1]", "policy.calls.max_attempts", "policy.calls.ring_timeout", "jobs.rescue_after"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse(strings.NewReader(tt.yaml))
			if err == nil {
				t.Fatalf("Parse(%q) = nil error, want one naming %v", tt.yaml, tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Parse(%q) = %q, want it to name %q", tt.yaml, err, w)
				}
			}
		})
	}
}

func TestSecretFromFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "token")
	if err := os.WriteFile(path, []byte("tokfromfile\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	y := "twilio:\n  enabled: true\n  account_sid: AC0123456789abcdef0123456789abcdef\n  from: '+16175550100'\n  auth_token_file: " + path + "\nhttp:\n  public_url: https://triage.example.com\n"
	c, err := Parse(strings.NewReader(y))
	if err != nil {
		t.Fatalf("Parse = %v, want nil", err)
	}
	if got := c.Twilio.AuthToken.Value(); got != "tokfromfile" {
		t.Errorf("auth token = %q, want the file's content without the newline", got)
	}
	if s := c.Twilio.AuthToken.String(); strings.Contains(s, "tokfromfile") {
		t.Errorf("String() = %q shows the secret", s)
	}
}

// The example has every channel off: it starts with no secret set.
func TestExampleNeedsNoSecretsWhileChannelsAreOff(t *testing.T) {
	for _, v := range []string{"IMAP_PASSWORD", "TWILIO_AUTH_TOKEN", "SMTP_PASSWORD"} {
		t.Setenv(v, "")
	}
	if _, err := Parse(bytes.NewReader(configs.Example)); err != nil {
		t.Errorf("Parse(example) with no secrets set = %v, want nil (every channel is off)", err)
	}
	on := bytes.Replace(configs.Example, []byte("imap:\n  # Pull the shared support inbox.\n  enabled: false"), []byte("imap:\n  enabled: true"), 1)
	if _, err := Parse(bytes.NewReader(on)); err == nil || !strings.Contains(err.Error(), "IMAP_PASSWORD") {
		t.Errorf("Parse(example with imap on, no secret) = %v, want an error naming IMAP_PASSWORD", err)
	}
}
