// Package clock is kiln's one time source. Every local service, the Step Functions engine and
// the handlers the local stack runs take a [Clock]: [Wall] in production and under kiln local,
// a [Virtual] clock in tests and wherever a story must not wait for real seconds.
//
// A Clock tells the time, sleeps until a deadline (returning early when a context ends), sends
// on a channel after a duration, and calls a function after a duration. Engines that run
// goroutines of their own may also report them to a [Tracker], which lets a Virtual clock jump
// to the next wake-up as soon as every tracked goroutine is asleep.
package clock

import (
	"context"
	"time"
)

// Clock is a time source. Implementations are safe for concurrent use.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep blocks until the clock reaches t or ctx ends, returning ctx.Err() in the latter
	// case; when t is not after Now it returns ctx.Err() at once.
	Sleep(ctx context.Context, t time.Time) error
	// After returns a channel that receives the clock's time once d has passed (as time.After).
	After(d time.Duration) <-chan time.Time
	// AfterFunc calls f once d has passed; Stop on the returned Timer cancels the call.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending call made by [Clock.AfterFunc].
type Timer interface {
	// Stop cancels the call and reports whether it did so before the call started.
	Stop() bool
}

// Tracker is implemented by clocks that must know how many goroutines of an engine can make
// progress (the [Virtual] clock): the engine calls Begin before starting a goroutine and End
// when it finishes; a goroutine blocked in Sleep counts as asleep, not busy.
type Tracker interface {
	Begin()
	End()
}
