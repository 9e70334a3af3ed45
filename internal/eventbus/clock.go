package eventbus

import (
	"sort"
	"sync"
	"time"
)

// Clock tells the time and runs a function later. The bus schedules retries with AfterFunc,
// so a test that controls the clock controls when retries happen.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// AfterFunc calls f in its own goroutine once d has passed; the returned stop function
	// cancels the call and reports whether it did so before f started.
	AfterFunc(d time.Duration, f func()) (stop func() bool)
}

// SystemClock is the wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// AfterFunc runs f after d with time.AfterFunc.
func (SystemClock) AfterFunc(d time.Duration, f func()) func() bool {
	return time.AfterFunc(d, f).Stop
}

// ManualClock is a Clock that moves only when told to: Advance and Set move it and run the
// functions that became due, in due order. It is safe for concurrent use. The zero value
// starts at the zero time; NewManualClock starts it elsewhere.
type ManualClock struct {
	mu     sync.Mutex
	now    time.Time
	seq    int
	timers []*manualTimer
}

type manualTimer struct {
	at      time.Time
	seq     int
	f       func()
	stopped bool
}

// NewManualClock returns a ManualClock reading start.
func NewManualClock(start time.Time) *ManualClock { return &ManualClock{now: start} }

// Now returns the clock's current time.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// AfterFunc registers f to run when the clock reaches Now()+d; d <= 0 runs it at the next
// Advance or Set (even by zero).
func (c *ManualClock) AfterFunc(d time.Duration, f func()) func() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	t := &manualTimer{at: c.now.Add(d), seq: c.seq, f: f}
	c.timers = append(c.timers, t)
	return func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		if t.stopped {
			return false
		}
		t.stopped = true
		return true
	}
}

// Advance moves the clock forward by d and runs every function that became due, in due
// order, in the caller's goroutine (unlike time.AfterFunc), so that when Advance returns
// their effects have begun; the functions must not block.
func (c *ManualClock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Set moves the clock to t (never backwards) and runs every function that became due.
func (c *ManualClock) Set(t time.Time) {
	c.mu.Lock()
	if t.After(c.now) {
		c.now = t
	}
	var due, rest []*manualTimer
	for _, tm := range c.timers {
		switch {
		case tm.stopped:
		case !tm.at.After(c.now):
			tm.stopped = true
			due = append(due, tm)
		default:
			rest = append(rest, tm)
		}
	}
	c.timers = rest
	c.mu.Unlock()
	sort.Slice(due, func(i, j int) bool {
		if !due[i].at.Equal(due[j].at) {
			return due[i].at.Before(due[j].at)
		}
		return due[i].seq < due[j].seq
	})
	for _, tm := range due {
		tm.f()
	}
}

// AdvanceToNext moves the clock to the time of the earliest function waiting for it and runs
// what became due. It reports false, and does nothing, when no function waits.
func (c *ManualClock) AdvanceToNext() bool {
	c.mu.Lock()
	var next time.Time
	found := false
	for _, tm := range c.timers {
		if !tm.stopped && (!found || tm.at.Before(next)) {
			next, found = tm.at, true
		}
	}
	c.mu.Unlock()
	if found {
		c.Set(next)
	}
	return found
}

// Pending returns how many functions wait for the clock.
func (c *ManualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, tm := range c.timers {
		if !tm.stopped {
			n++
		}
	}
	return n
}
