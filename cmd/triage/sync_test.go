package main

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a log sink that tests can wait on.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor blocks until the buffer contains one of wants and returns it,
// failing after 30s.
func (s *syncBuffer) waitFor(t *testing.T, wants ...string) string {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for {
		s.mu.Lock()
		for _, w := range wants {
			if strings.Contains(s.b.String(), w) {
				s.mu.Unlock()
				return w
			}
		}
		ch := make(chan struct{})
		s.changed = ch
		s.mu.Unlock()
		select {
		case <-ch:
		case <-deadline:
			t.Fatalf("log never showed any of %q:\n%s", wants, s.String())
		}
	}
}
