package sqlstore

import "testing"

func TestLessonNote(t *testing.T) {
	t.Parallel()
	ptr := func(s string) *string { return &s }
	tests := []struct {
		lessons, note *string
		want          string
	}{
		{nil, ptr("resolved by Ann; lessons learned: check the refund queue"), "check the refund queue"},
		{nil, ptr("resolved by Ann; no live conversation on record; lessons learned: a; lessons learned: b"), "a; lessons learned: b"},
		{nil, ptr("resolved by Ann; no lessons-learned note"), ""},
		{ptr(" spare part "), ptr("resolved by Ann; lessons learned: older form"), "spare part"},
		{ptr(""), ptr("resolved by Ann; lessons learned: x "), "x"},
		{nil, nil, ""},
	}
	for _, tt := range tests {
		if got := lessonNote(tt.lessons, tt.note); got != tt.want {
			t.Errorf("lessonNote(%v, %v) = %q, want %q", deref(tt.lessons), deref(tt.note), got, tt.want)
		}
	}
}

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestLikeArg(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"Refund":   "%refund%",
		"100%":     `%100\%%`,
		"a_b":      `%a\_b%`,
		`C:\temp`:  `%c:\\temp%`,
		"ÉCOLE 12": "%école 12%",
	}
	for in, want := range tests {
		if got := likeArg(in); got != want {
			t.Errorf("likeArg(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestQualified(t *testing.T) {
	t.Parallel()
	if got, want := qualified("c", "id, owner_id,\n\tstatus"), "c.id, c.owner_id, c.status"; got != want {
		t.Errorf("qualified(c, ...) = %q, want %q", got, want)
	}
}
