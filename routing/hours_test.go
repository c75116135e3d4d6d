package routing

import (
	"testing"
	"time"
)

func mustHours(t *testing.T, spec, tz string) Hours {
	t.Helper()
	loc, err := time.LoadLocation(tz)
	if err != nil {
		t.Fatalf("LoadLocation(%q) = %v", tz, err)
	}
	h, err := ParseHours(spec, loc)
	if err != nil {
		t.Fatalf("ParseHours(%q, %q) = %v, want nil", spec, tz, err)
	}
	return h
}

func TestParseHoursErrors(t *testing.T) {
	t.Parallel()
	for _, spec := range []string{"Mon-Fri", "Xyz 09:00-17:00", "Mon 17:00-09:00", "Mon 9-5", "Mon 09:00-12:00,11:00-13:00"} {
		if _, err := ParseHours(spec, time.UTC); err == nil {
			t.Errorf("ParseHours(%q) = nil error, want an error", spec)
		}
	}
}

func TestHoursAdd(t *testing.T) {
	t.Parallel()
	ny := mustHours(t, "Mon-Fri 09:00-17:00", "America/New_York")
	loc := ny.Location()
	split := mustHours(t, "Mon-Fri 13:00-17:00,08:00-12:00", "UTC")
	tests := []struct {
		name  string
		h     Hours
		start time.Time
		d     time.Duration
		want  time.Time
	}{
		{"within the day", ny, time.Date(2026, 3, 10, 10, 0, 0, 0, loc), time.Hour, time.Date(2026, 3, 10, 11, 0, 0, 0, loc)},
		{"spills to next day", ny, time.Date(2026, 3, 10, 16, 30, 0, 0, loc), time.Hour, time.Date(2026, 3, 11, 9, 30, 0, 0, loc)},
		{"friday evening to monday", ny, time.Date(2026, 3, 13, 18, 0, 0, 0, loc), 4 * time.Hour, time.Date(2026, 3, 16, 13, 0, 0, 0, loc)},
		{"before opening", ny, time.Date(2026, 3, 10, 6, 0, 0, 0, loc), time.Hour, time.Date(2026, 3, 10, 10, 0, 0, 0, loc)},
		{"lunch break skipped (unsorted windows)", split, time.Date(2026, 3, 10, 11, 30, 0, 0, time.UTC), time.Hour, time.Date(2026, 3, 10, 13, 30, 0, 0, time.UTC)},
		{"always open", Hours{}, time.Date(2026, 3, 14, 23, 0, 0, 0, time.UTC), time.Hour, time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.h.Add(tt.start, tt.d); !got.Equal(tt.want) {
				t.Errorf("Add(%v, %v) = %v, want %v", tt.start, tt.d, got, tt.want)
			}
		})
	}
}

func TestHoursNextCloseAndIsOpen(t *testing.T) {
	t.Parallel()
	h := mustHours(t, "Mon-Fri 09:00-17:00", "Europe/Paris")
	loc := h.Location()
	fri := time.Date(2026, 3, 13, 10, 0, 0, 0, loc)
	if got, want := h.NextClose(fri), time.Date(2026, 3, 16, 17, 0, 0, 0, loc); !got.Equal(want) {
		t.Errorf("NextClose(Friday) = %v, want %v (Monday close)", got, want)
	}
	if !h.IsOpen(fri) {
		t.Errorf("IsOpen(%v) = false, want true", fri)
	}
	if sat := fri.AddDate(0, 0, 1); h.IsOpen(sat) {
		t.Errorf("IsOpen(%v) = true, want false", sat)
	}
}

func FuzzParseHours(f *testing.F) {
	f.Add("Mon-Fri 09:00-17:00", "UTC", int64(3600))
	f.Add("Mon-Thu 08:00-12:00,13:00-17:00; Fri 08:00-14:00", "Europe/Berlin", int64(36000))
	f.Add("Sat-Sun 00:00-24:00", "", int64(1))
	f.Fuzz(func(t *testing.T, spec, tz string, secs int64) {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			return
		}
		h, err := ParseHours(spec, loc)
		if err != nil {
			return
		}
		d := time.Duration(secs%(30*24*3600)) * time.Second
		if d < 0 {
			d = -d
		}
		start := time.Date(2026, 3, 10, 10, 0, 0, 0, time.UTC)
		if got := h.Add(start, d); got.Before(start) {
			t.Errorf("Add(%v, %v) = %v, before the start", start, d, got)
		}
		_ = h.NextClose(start)
	})
}
