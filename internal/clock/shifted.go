package clock

import (
	"context"
	"sync/atomic"
	"time"
)

// Shifted is the wall clock read ahead by an offset that only grows: durations (Sleep's wait,
// After, AfterFunc) pass in real time, and Skip moves every reading forward at once, as if
// that much time had passed. kiln demo runs its stack on one so that real training and
// serving processes keep real time while the story can still step past a window (the drift
// job's hour) without waiting for it. The zero value reads the wall clock; safe for
// concurrent use.
type Shifted struct {
	ahead atomic.Int64 // nanoseconds
}

// Skip moves the clock forward by d (d <= 0 does nothing) and returns the new offset.
func (c *Shifted) Skip(d time.Duration) time.Duration {
	if d <= 0 {
		return c.Ahead()
	}
	return time.Duration(c.ahead.Add(int64(d)))
}

// Ahead returns how far the clock reads ahead of the wall clock.
func (c *Shifted) Ahead() time.Duration { return time.Duration(c.ahead.Load()) }

// Now returns the wall time plus the offset.
func (c *Shifted) Now() time.Time { return time.Now().Add(c.Ahead()) }

// Sleep blocks until the clock reaches t or ctx ends; a Skip during the wait does not wake it
// early.
func (c *Shifted) Sleep(ctx context.Context, t time.Time) error {
	return Wall{}.Sleep(ctx, t.Add(-c.Ahead()))
}

// After returns a channel that receives the clock's time once d has passed in real time.
func (c *Shifted) After(d time.Duration) <-chan time.Time {
	ch := make(chan time.Time, 1)
	time.AfterFunc(max(d, 0), func() { ch <- c.Now() })
	return ch
}

// AfterFunc calls f in its own goroutine once d has passed in real time.
func (c *Shifted) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

var _ Clock = (*Shifted)(nil)
