package nlp

import (
	"os"
	"sync"
	"testing"
	"time"
)

// configDir is the project's NLP configuration, read the way the gateway
// reads it.
const configDir = "../configs/nlp"

// loadAnalyzer builds one Analyzer for the whole test binary: prose's
// models take a moment to load and the Analyzer is safe to share.
var loadAnalyzer = sync.OnceValues(func() (*Analyzer, error) {
	cfg, err := LoadConfig(os.DirFS(configDir))
	if err != nil {
		return nil, err
	}
	return New(cfg)
})

// setup returns the shared Analyzer built from configs/nlp.
func setup(t testing.TB) *Analyzer {
	t.Helper()
	a, err := loadAnalyzer()
	if err != nil {
		t.Fatalf("New(LoadConfig(%s)) error = %v", configDir, err)
	}
	return a
}

// testConfig loads a fresh, modifiable copy of the configuration.
func testConfig(t testing.TB) *Config {
	t.Helper()
	cfg, err := LoadConfig(os.DirFS(configDir))
	if err != nil {
		t.Fatalf("LoadConfig(%s) error = %v", configDir, err)
	}
	return cfg
}

// monday10 is Monday 2026-03-09 10:00 in New York, a message date for tests.
var monday10 = time.Date(2026, 3, 9, 10, 0, 0, 0, mustLoc("America/New_York"))

func mustLoc(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.FixedZone(name, -5*3600)
	}
	return loc
}

// email is an email Input dated monday10.
func email(subject, text string) Input {
	return Input{Subject: subject, Text: text, Channel: ChannelEmail, Date: monday10}
}
