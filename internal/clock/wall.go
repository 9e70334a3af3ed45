package clock

import (
	"context"
	"time"
)

// Wall is the wall clock. The zero value is ready to use and safe for concurrent use.
type Wall struct{}

// Now returns time.Now().
func (Wall) Now() time.Time { return time.Now() }

// Sleep blocks until the wall clock reaches t or ctx ends.
func (Wall) Sleep(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// After returns time.After(d).
func (Wall) After(d time.Duration) <-chan time.Time { return time.After(d) }

// AfterFunc calls f in its own goroutine after d, as time.AfterFunc.
func (Wall) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

var _ Clock = Wall{}
