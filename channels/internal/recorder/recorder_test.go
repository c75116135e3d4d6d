package recorder_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/triage-gw/triage/channels/internal/recorder"
)

func TestWaitWakesOnAdd(t *testing.T) {
	t.Parallel()
	var r recorder.Recorder[string]
	hooked := make(chan string, 2)
	r.OnAdd(func(s string) { hooked <- s })
	go func() {
		r.Add("a")
		r.Add("b")
	}()
	got, err := r.Wait(t.Context(), 2)
	if err != nil || !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("Wait(2) = %q, %v; want [a b], nil", got, err)
	}
	if a, b := <-hooked, <-hooked; a != "a" || b != "b" {
		t.Errorf("OnAdd got %q then %q, want a then b", a, b)
	}
	if got, err := r.Wait(t.Context(), 1); err != nil || len(got) != 2 {
		t.Errorf("Wait(1) with two recorded = %q, %v; want both at once", got, err)
	}
}

func TestWaitGivesUpWithContext(t *testing.T) {
	t.Parallel()
	var r recorder.Recorder[int]
	r.Add(1)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	got, err := r.Wait(ctx, 2)
	if !errors.Is(err, context.DeadlineExceeded) || !slices.Equal(got, []int{1}) {
		t.Errorf("Wait(2) with one recorded = %v, %v; want [1] and DeadlineExceeded", got, err)
	}
	if want := "wait for 2 messages, have 1: context deadline exceeded"; err.Error() != want {
		t.Errorf("Wait(2) error = %q, want %q", err, want)
	}
}

func TestAllIsACopyAndUpdateChangesInPlace(t *testing.T) {
	t.Parallel()
	var r recorder.Recorder[int]
	r.Add(1)
	r.Add(2)
	r.All()[0] = 99
	r.Update(func(items []int) { items[1] = 20 })
	if got := r.All(); !slices.Equal(got, []int{1, 20}) {
		t.Errorf("All() = %v, want [1 20]", got)
	}
}
