package imap_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/imap"
	"github.com/triage-gw/triage/channels/internal/selfsigned"
)

// writeFile writes data to a file named name in a temporary directory of
// the test and returns its path.
func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("WriteFile(%s) = %v", path, err)
	}
	return path
}

func TestValidateReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	err := imap.Config{}.Validate()
	for _, field := range []string{"Addr", "Username", "Password"} {
		if err == nil || !strings.Contains(err.Error(), field) {
			t.Errorf("Config{}.Validate() = %v, want it to name %s", err, field)
		}
	}
}

func TestValidate(t *testing.T) {
	t.Parallel()
	valid := imap.Config{Addr: "imap.example.com:993", Username: "u", Password: "p"}
	cert, err := selfsigned.New("ca")
	if err != nil {
		t.Fatalf("selfsigned.New() = %v", err)
	}
	caFile := writeFile(t, "ca.pem", cert.PEM())
	notPEM := writeFile(t, "not.pem", []byte("hello\n"))
	badCert := writeFile(t, "bad.pem", []byte("-----BEGIN CERTIFICATE-----\naGVsbG8=\n-----END CERTIFICATE-----\n"))
	tests := []struct {
		name    string
		change  func(c *imap.Config)
		wantErr string // "" for valid
	}{
		{"defaults", func(*imap.Config) {}, ""},
		{"everything set", func(c *imap.Config) {
			c.Mailbox, c.Security, c.PollInterval, c.BatchSize, c.MaxMessageSize = "Support", imap.SecurityStartTLS, time.Minute, 10, 1<<20
		}, ""},
		{"none on 127.0.0.1", func(c *imap.Config) { c.Addr, c.Security = "127.0.0.1:143", imap.SecurityNone }, ""},
		{"none on ::1", func(c *imap.Config) { c.Addr, c.Security = "[::1]:143", imap.SecurityNone }, ""},
		{"none on localhost", func(c *imap.Config) { c.Addr, c.Security = "localhost:143", imap.SecurityNone }, ""},
		{"none on a remote host", func(c *imap.Config) { c.Security = imap.SecurityNone }, `Security: "none" is refused for non-loopback host "imap.example.com"`},
		{"none on a private address", func(c *imap.Config) { c.Addr, c.Security = "10.0.0.5:143", imap.SecurityNone }, "non-loopback"},
		{"unknown security", func(c *imap.Config) { c.Security = "ssl" }, `Security: "ssl" is not one of`},
		{"addr without port", func(c *imap.Config) { c.Addr = "imap.example.com" }, "Addr:"},
		{"addr without host", func(c *imap.Config) { c.Addr = ":993" }, "Addr: \":993\" has no host"},
		{"port zero", func(c *imap.Config) { c.Addr = "imap.example.com:0" }, "no valid port"},
		{"mailbox with newline", func(c *imap.Config) { c.Mailbox = "INBOX\r\nA LOGOUT" }, "Mailbox:"},
		{"negative poll interval", func(c *imap.Config) { c.PollInterval = -time.Second }, "PollInterval:"},
		{"negative batch", func(c *imap.Config) { c.BatchSize = -1 }, "BatchSize:"},
		{"huge batch", func(c *imap.Config) { c.BatchSize = 5000 }, "BatchSize:"},
		{"negative max size", func(c *imap.Config) { c.MaxMessageSize = -1 }, "MaxMessageSize:"},
		{"negative command timeout", func(c *imap.Config) { c.CommandTimeout = -time.Second }, "CommandTimeout:"},
		{"command timeout", func(c *imap.Config) { c.CommandTimeout = 10 * time.Second }, ""},
		{"CA file", func(c *imap.Config) { c.CAFile = caFile }, ""},
		{"missing CA file", func(c *imap.Config) { c.CAFile = caFile + ".gone" }, "CAFile: read CA file"},
		{"CA file without PEM", func(c *imap.Config) { c.CAFile = notPEM }, "CAFile: read CA file " + notPEM + ": no PEM CERTIFICATE block"},
		{"CA file with a broken certificate", func(c *imap.Config) { c.CAFile = badCert }, "PEM block 1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := valid
			tt.change(&c)
			err := c.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate(%+v) = %v, want nil", c, err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate(%+v) = %v, want an error containing %q", c, err, tt.wantErr)
			}
		})
	}
}

func TestNewPollerRefusesClearTextToRemoteHost(t *testing.T) {
	t.Parallel()
	cfg := imap.Config{Addr: "imap.example.com:143", Username: "u", Password: "secret", Security: imap.SecurityNone}
	p, err := imap.NewPoller(cfg, newSink(), nil)
	if p != nil || err == nil || !strings.Contains(err.Error(), "Security") {
		t.Fatalf("NewPoller(Security none, remote host) = %v, %v; want nil and an error naming Security", p, err)
	}
	if strings.Contains(err.Error(), "secret") {
		t.Errorf("NewPoller() error %q holds the password", err)
	}
}
