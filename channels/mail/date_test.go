package mail

import (
	"strings"
	"testing"
	"time"
)

// TestParseImplausibleDate checks that a Date the store could not hold, or
// that no real message has, is dropped with a warning while the rest of
// the message is read as usual.
func TestParseImplausibleDate(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 3, 3, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, date string
		want       time.Time // zero: dropped as implausible
	}{
		{"year 9999 west of UTC", "Fri, 31 Dec 9999 23:00:00 -0100", time.Time{}},
		{"year 9999", "Fri, 31 Dec 9999 23:59:59 +0000", time.Time{}},
		{"year 0", "Sat, 01 Jan 0000 00:00:00 +0000", time.Time{}},
		{"before 1970", "Wed, 31 Dec 1969 23:59:59 +0000", time.Time{}},
		{"two days ahead", "Wed, 5 Mar 2025 12:00:01 +0000", time.Time{}},
		{"lenient far future", "Mon Jan  1 00:00:00 3000", time.Time{}},
		{"1970 itself", "Thu, 1 Jan 1970 00:00:00 +0000", time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)},
		{"clock a day fast", "Tue, 4 Mar 2025 11:59:59 +0000", time.Date(2025, 3, 4, 11, 59, 59, 0, time.UTC)},
		{"ordinary", "Mon, 3 Mar 2025 09:14:58 +0100", time.Date(2025, 3, 3, 8, 14, 58, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := "From: a@example.com\nSubject: s\nDate: " + tt.date + "\n\nMy order is late.\n"
			m, err := Parse(strings.NewReader(in), Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatalf("Parse(Date: %s) = %v, want a message", tt.date, err)
			}
			if !m.Date.Equal(tt.want) {
				t.Errorf("Parse(Date: %s).Date = %v, want %v", tt.date, m.Date, tt.want)
			}
			warned := false
			for _, w := range m.Warnings {
				warned = warned || strings.HasPrefix(w, "implausible Date header")
			}
			if warned != tt.want.IsZero() {
				t.Errorf("Parse(Date: %s).Warnings = %q, want an implausible-date warning: %v", tt.date, m.Warnings, tt.want.IsZero())
			}
			if m.NewText != "My order is late." || m.From.Addr != "a@example.com" {
				t.Errorf("Parse(Date: %s) = {From %v, NewText %q}, want the rest of the message read", tt.date, m.From, m.NewText)
			}
		})
	}
}

// TestParseDateDefaultClock checks that without Options.Now a date a week
// ahead of the real clock is dropped.
func TestParseDateDefaultClock(t *testing.T) {
	t.Parallel()
	ahead := time.Now().Add(7 * 24 * time.Hour).Format(time.RFC1123Z)
	m, err := Parse(strings.NewReader("From: a@example.com\nDate: "+ahead+"\n\nhi\n"), Options{})
	if err != nil || !m.Date.IsZero() {
		t.Fatalf("Parse(Date a week ahead) = %v, %v; want a zero Date", m, err)
	}
}
