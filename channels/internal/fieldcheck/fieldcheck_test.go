package fieldcheck_test

import (
	"slices"
	"testing"

	"github.com/triage-gw/triage/channels/internal/fieldcheck"
)

func TestProblems(t *testing.T) {
	t.Parallel()
	var p fieldcheck.Problems
	if got := p.Join(); got != "" {
		t.Errorf("Join() of none = %q, want \"\"", got)
	}
	p.Add("Addr", "required")
	p.Add("Timeout", "must not be negative")
	if got, want := p.Fields(), []string{"Addr", "Timeout"}; !slices.Equal(got, want) {
		t.Errorf("Fields() = %q, want %q", got, want)
	}
	if got, want := p.Join(), "Addr: required; Timeout: must not be negative"; got != want {
		t.Errorf("Join() = %q, want %q", got, want)
	}
}
