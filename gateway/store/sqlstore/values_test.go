package sqlstore

import (
	"slices"
	"testing"
	"time"
)

func TestTimeDest(t *testing.T) {
	t.Parallel()
	want := time.Date(2025, 3, 14, 8, 26, 53, 589793000, time.UTC)
	paris := time.FixedZone("CET", 3600)
	tests := []struct {
		src  any
		want time.Time
	}{
		{nil, time.Time{}},
		{want.In(paris), want},
		{want.Format(TimeLayout), want},
		{[]byte(want.Format(TimeLayout)), want},
		{"2025-03-14T09:26:53.589793+01:00", want},
	}
	for _, tt := range tests {
		var got time.Time
		if err := (timeDest{&got}).Scan(tt.src); err != nil || !got.Equal(tt.want) || got.Location() != time.UTC {
			t.Errorf("timeDest.Scan(%v) = %v (%v), %v; want %v in UTC", tt.src, got, got.Location(), err, tt.want)
		}
	}
	var got time.Time
	for _, bad := range []any{"yesterday", int64(5)} {
		if err := (timeDest{&got}).Scan(bad); err == nil {
			t.Errorf("timeDest.Scan(%v) error = nil, want an error", bad)
		}
	}
}

func TestTimeLayoutSortsAsTime(t *testing.T) {
	t.Parallel()
	a := time.Date(2025, 1, 1, 0, 0, 0, 999000, time.UTC)
	b := a.Add(time.Microsecond)
	c := time.Date(2025, 1, 1, 0, 0, 1, 0, time.UTC)
	sa, sb, sc := a.Format(TimeLayout), b.Format(TimeLayout), c.Format(TimeLayout)
	if !(sa < sb && sb < sc) || len(sa) != len(sc) {
		t.Errorf("Format(TimeLayout) = %q, %q, %q; want equal widths in time order", sa, sb, sc)
	}
}

func TestTimeArg(t *testing.T) {
	t.Parallel()
	if got := timeArg(time.Time{}); got != nil {
		t.Errorf("timeArg(zero) = %v, want nil", got)
	}
	in := time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.FixedZone("CET", 3600))
	got, ok := timeArg(in).(time.Time)
	if want := time.Date(2025, 3, 14, 8, 26, 53, 589793000, time.UTC); !ok || !got.Equal(want) || got.Location() != time.UTC {
		t.Errorf("timeArg(%v) = %v, want %v", in, got, want)
	}
}

func TestStrings(t *testing.T) {
	t.Parallel()
	for _, in := range [][]string{nil, {"a"}, {"a, b", `quote "x"`, "ünï"}} {
		var got []string
		arg := stringsArg(in)
		if err := (stringsDest{&got}).Scan(arg); err != nil || !slices.Equal(got, in) {
			t.Errorf("stringsDest.Scan(stringsArg(%q) = %s) = %q, %v; want %q", in, arg, got, err, in)
		}
	}
	var got []string
	if err := (stringsDest{&got}).Scan(`{"not": "a list"}`); err == nil {
		t.Errorf("stringsDest.Scan(object) error = nil, want an error")
	}
}

func TestIDArgAndDest(t *testing.T) {
	t.Parallel()
	if idArg(0) != nil || idArg(7) != int64(7) {
		t.Errorf("idArg(0), idArg(7) = %v, %v; want nil, 7", idArg(0), idArg(7))
	}
	var id int64 = 9
	if err := (idDest{&id}).Scan(nil); err != nil || id != 0 {
		t.Errorf("idDest.Scan(nil) = %d, %v; want 0", id, err)
	}
	if err := (idDest{&id}).Scan(int64(12)); err != nil || id != 12 {
		t.Errorf("idDest.Scan(12) = %d, %v; want 12", id, err)
	}
}

func TestPlaceholders(t *testing.T) {
	t.Parallel()
	if got := placeholders(3, 3); got != "$3, $4, $5" {
		t.Errorf("placeholders(3, 3) = %q, want %q", got, "$3, $4, $5")
	}
	if got := placeholders(1, 0); got != "" {
		t.Errorf("placeholders(1, 0) = %q, want empty", got)
	}
}
