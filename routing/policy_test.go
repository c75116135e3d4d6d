package routing

import (
	"strings"
	"testing"
	"time"
)

func TestDefaultPolicyCalls(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	c := p.Calls
	if c.MinConversation != 30*time.Second || len(c.Retry) != 3 || c.MaxAttempts != 3 || c.AutoCall || c.MaxSnooze != 4*time.Hour || p.ReopenWindow != 14*24*time.Hour {
		t.Errorf("DefaultPolicy() calls %+v reopen %v; want 30s, [15m 1h 3h], 3, no auto-call, 4h, 14 days", c, p.ReopenWindow)
	}
}

func TestPolicyValidateNamesEveryBadField(t *testing.T) {
	t.Parallel()
	p := DefaultPolicy()
	p.Calls = CallPolicy{Retry: []time.Duration{time.Minute, 0}, MaxSnooze: time.Second}
	p.ReopenWindow = -time.Hour
	err := p.Validate()
	if err == nil {
		t.Fatal("Validate() = nil, want errors")
	}
	for _, field := range []string{"calls.min_conversation", "calls.retry[1]", "calls.max_attempts", "calls.max_snooze", "reopen_window"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("Validate() = %q, want it to name %s", err, field)
		}
	}
	p.Calls.Retry = nil
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "calls.retry: must list") {
		t.Errorf("Validate() with no retries = %v, want calls.retry named", err)
	}
	p = DefaultPolicy()
	p.ReopenWindow = 0
	if err := p.Validate(); err != nil {
		t.Errorf("Validate() with reopening off = %v, want nil", err)
	}
}
