package config

import (
	"strings"
	"testing"
)

// imap.lists is ignore by default, takes ignore or customer, and names
// itself when it is anything else.
func TestIMAPLists(t *testing.T) {
	t.Parallel()
	for yaml, want := range map[string]string{
		"":                           ListsIgnore,
		"imap:\n  lists: ignore\n":   ListsIgnore,
		"imap:\n  lists: customer\n": ListsCustomer,
	} {
		c, err := Parse(strings.NewReader(yaml))
		if err != nil || c.IMAP.Lists != want {
			t.Errorf("Parse(%q) = imap.lists %q, %v; want %q", yaml, c.IMAP.Lists, err, want)
		}
	}
	yaml := "imap:\n  lists: drop\n"
	if _, err := Parse(strings.NewReader(yaml)); err == nil || !strings.Contains(err.Error(), "imap.lists") {
		t.Errorf("Parse(%q) = %v, want an error naming imap.lists", yaml, err)
	}
}
