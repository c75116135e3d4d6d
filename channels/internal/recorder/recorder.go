// Package recorder owns what the loopback stand-ins for the channels
// (smtptest, twiliotest) keep of the messages they accept: the messages in
// the order they came, a way to wait until enough have come without polling,
// and a hook called on each.
package recorder

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Recorder keeps the messages of type T a stand-in accepted, oldest first.
// The zero value is ready to use. Its methods are safe for concurrent use.
type Recorder[T any] struct {
	mu      sync.Mutex
	items   []T
	arrived chan struct{} // closed on the next Add; nil until a Wait needs it
	onAdd   func(T)
}

// Add records v, wakes every Wait, and then calls the OnAdd function, if
// any, with v, outside the lock, so that the function may use r.
func (r *Recorder[T]) Add(v T) {
	r.mu.Lock()
	r.items = append(r.items, v)
	if r.arrived != nil {
		close(r.arrived)
		r.arrived = nil
	}
	hook := r.onAdd
	r.mu.Unlock()
	if hook != nil {
		hook(v)
	}
}

// OnAdd sets a function that each later Add calls with its message after
// recording it; nil removes it.
func (r *Recorder[T]) OnAdd(fn func(T)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onAdd = fn
}

// All returns a copy of the recorded messages, oldest first.
func (r *Recorder[T]) All() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.items)
}

// Update calls fn with the recorded messages, oldest first, under the lock,
// so that fn may change them in place; it must not keep the slice or call r.
func (r *Recorder[T]) Update(fn func(items []T)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fn(r.items)
}

// Wait blocks until at least n messages have been recorded, and returns
// them, or returns ctx's error with the messages so far.
func (r *Recorder[T]) Wait(ctx context.Context, n int) ([]T, error) {
	for {
		items, arrived := r.snapshot(n)
		if arrived == nil {
			return items, nil
		}
		select {
		case <-arrived:
		case <-ctx.Done():
			return items, fmt.Errorf("wait for %d messages, have %d: %w", n, len(items), ctx.Err())
		}
	}
}

// snapshot returns a copy of the messages and, if there are fewer than n,
// the channel the next Add closes.
func (r *Recorder[T]) snapshot(n int) ([]T, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	items := slices.Clone(r.items)
	if len(items) >= n {
		return items, nil
	}
	if r.arrived == nil {
		r.arrived = make(chan struct{})
	}
	return items, r.arrived
}
