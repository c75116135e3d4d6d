package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// email.ack_window defaults to 24h, keeps an explicit 0 (every opening is
// acknowledged), and refuses a negative window; a relative templates_dir
// is read from beside the configuration file (whether it holds templates
// is checked when the gateway loads them).
func TestEmailAckWindowAndTemplatesDir(t *testing.T) {
	t.Parallel()
	for yaml, want := range map[string]time.Duration{"": DefaultAckWindow, "email: {ack_window: 0s}": 0, "email: {ack_window: 2h}": 2 * time.Hour} {
		c, err := Parse(strings.NewReader(yaml))
		if err != nil || c.Email.AckWindow == nil || *c.Email.AckWindow != want {
			t.Errorf("Parse(%q) ack_window = %v, %v; want %s", yaml, c.Email.AckWindow, err, want)
		}
	}
	c := Default()
	c.Email.AckWindow = new(-time.Minute)
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "email.ack_window") {
		t.Errorf("Validate() = %v, want email.ack_window named", err)
	}

	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "email"), 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "gateway.yaml")
	if err := os.WriteFile(path, []byte("email: {templates_dir: email}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(path)
	if err != nil || c.Email.TemplatesDir != filepath.Join(dir, "email") {
		t.Errorf("Load(%s) templates_dir = %q, %v; want %s", path, c.Email.TemplatesDir, err, filepath.Join(dir, "email"))
	}
}
