// Package clock lets code read time and wait through an interface, so tests
// run 24-hour shifts, one-hour windows and backoffs in microseconds.
package clock

import (
	"context"
	"sort"
	"sync"
	"time"
)

// Clock tells the time and waits.
type Clock interface {
	Now() time.Time
	// After delivers the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

// Real is the system clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// After is time.After.
func (Real) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Uptime is a monotonic clock: the time since a fixed point, which setting
// the wall clock does not move.
type Uptime interface {
	Uptime() time.Duration
}

var started = time.Now()

// Uptime is the process's time since it started, on the monotonic clock.
func (Real) Uptime() time.Duration { return time.Since(started) }

// Since is c's monotonic time when c has one (Uptime), else its wall
// clock's time since the epoch.
func Since(c Clock) time.Duration {
	if u, ok := c.(Uptime); ok {
		return u.Uptime()
	}
	return time.Duration(c.Now().UnixNano())
}

// Sleep waits d on c, or until ctx ends.
func Sleep(ctx context.Context, c Clock, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	select {
	case <-c.After(d):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Fake is a clock that moves only when told to. The zero value is not
// usable; make one with NewFake.
type Fake struct {
	mu      sync.Mutex
	now     time.Time
	up      time.Duration // the monotonic time Advance moved on
	waiters []waiter
	onWait  chan struct{} // signalled whenever a waiter is added
}

type waiter struct {
	at time.Time
	ch chan time.Time
}

// NewFake returns a fake clock set to t.
func NewFake(t time.Time) *Fake {
	return &Fake{now: t, onWait: make(chan struct{}, 1024)}
}

// Now returns the fake time.
func (f *Fake) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.now
}

// After returns a channel that receives when the clock is advanced past d.
func (f *Fake) After(d time.Duration) <-chan time.Time {
	f.mu.Lock()
	ch := make(chan time.Time, 1)
	at := f.now.Add(d)
	if d <= 0 {
		ch <- f.now
	} else {
		f.waiters = append(f.waiters, waiter{at, ch})
	}
	f.mu.Unlock()
	select {
	case f.onWait <- struct{}{}:
	default:
	}
	return ch
}

// Waiting returns a channel that receives each time code starts waiting.
func (f *Fake) Waiting() <-chan struct{} { return f.onWait }

// Advance moves the clock forward by d and wakes the waiters it passes.
// Advance moves the fake's time on by d, its wall clock and its uptime.
func (f *Fake) Advance(d time.Duration) {
	f.mu.Lock()
	f.up += d
	f.mu.Unlock()
	f.Set(f.Now().Add(d))
}

// Uptime is the time Advance moved the fake on; Set, like setting a real
// wall clock, does not move it.
func (f *Fake) Uptime() time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.up
}

// Set moves the clock to t (never backwards for waiters) and wakes the
// waiters whose time has come.
func (f *Fake) Set(t time.Time) {
	f.mu.Lock()
	f.now = t
	sort.Slice(f.waiters, func(i, j int) bool { return f.waiters[i].at.Before(f.waiters[j].at) })
	var keep []waiter
	for _, w := range f.waiters {
		if !w.at.After(t) {
			w.ch <- t
		} else {
			keep = append(keep, w)
		}
	}
	f.waiters = keep
	f.mu.Unlock()
}

// Pending returns how many waiters have not fired yet.
func (f *Fake) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.waiters)
}
