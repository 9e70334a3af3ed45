package asl

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// RealClock is the wall clock. The zero value is ready to use and safe for concurrent use.
type RealClock struct{}

// Now returns time.Now().
func (RealClock) Now() time.Time { return time.Now() }

// Sleep blocks until the wall clock reaches t or ctx ends.
func (RealClock) Sleep(ctx context.Context, t time.Time) error {
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

// VirtualClock is a deterministic clock for tests and the CLI. Time stands still while any
// engine goroutine can make progress; when every tracked goroutine is blocked in Sleep, time
// jumps to the earliest wake-up. So a one-hour Wait costs nothing, and timers fire in the same
// order every run. Goroutines blocked on anything else (a task token, a handler doing I/O)
// count as busy: use [VirtualClock.Advance] to move time past a heartbeat or task timeout while
// waiting for a callback. Safe for concurrent use.
type VirtualClock struct {
	mu       sync.Mutex
	now      time.Time
	busy     int
	seq      int64
	sleepers sleeperHeap
}

// NewVirtualClock returns a virtual clock that starts at start (the zero time means
// 2024-01-01T00:00:00Z).
func NewVirtualClock(start time.Time) *VirtualClock {
	if start.IsZero() {
		start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return &VirtualClock{now: start}
}

type sleeper struct {
	at    time.Time
	seq   int64
	ch    chan struct{}
	index int
	fired bool
}

type sleeperHeap []*sleeper

func (h sleeperHeap) Len() int { return len(h) }
func (h sleeperHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h sleeperHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *sleeperHeap) Push(x any) {
	s := x.(*sleeper)
	s.index = len(*h)
	*h = append(*h, s)
}
func (h *sleeperHeap) Pop() any {
	old := *h
	n := len(old)
	s := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	s.index = -1
	return s
}

// Now returns the virtual time.
func (c *VirtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Begin records one more runnable goroutine.
func (c *VirtualClock) Begin() {
	c.mu.Lock()
	c.busy++
	c.mu.Unlock()
}

// End records that a runnable goroutine finished; when none is left, time jumps to the
// earliest sleeper.
func (c *VirtualClock) End() {
	c.mu.Lock()
	c.busy--
	c.advanceLocked()
	c.mu.Unlock()
}

// Sleep blocks the calling (tracked) goroutine until the virtual time reaches t or ctx ends.
func (c *VirtualClock) Sleep(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	if !t.After(c.now) {
		c.mu.Unlock()
		return ctx.Err()
	}
	c.seq++
	s := &sleeper{at: t, seq: c.seq, ch: make(chan struct{})}
	heap.Push(&c.sleepers, s)
	c.busy--
	c.advanceLocked()
	c.mu.Unlock()
	select {
	case <-s.ch:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		if !s.fired {
			heap.Remove(&c.sleepers, s.index)
			c.busy++
		}
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Pending returns how many goroutines are sleeping on the clock (tests use it to know a
// timer is armed before calling Advance).
func (c *VirtualClock) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.sleepers)
}

// Reset sets the clock back to start (the zero time means 2024-01-01T00:00:00Z) so one engine
// can run one execution after another, each from the same instant. It refuses, returning false
// and changing nothing, while any goroutine is tracked or sleeping on the clock.
func (c *VirtualClock) Reset(start time.Time) bool {
	if start.IsZero() {
		start = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy != 0 || len(c.sleepers) != 0 {
		return false
	}
	c.now, c.seq = start, 0
	return true
}

// Advance moves the virtual time forward by d, waking every sleeper due by then.
func (c *VirtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	for len(c.sleepers) > 0 && !c.sleepers[0].at.After(c.now) {
		c.fireLocked(heap.Pop(&c.sleepers).(*sleeper))
	}
}

// advanceLocked jumps to the earliest sleeper when nothing is runnable.
func (c *VirtualClock) advanceLocked() {
	if c.busy > 0 || len(c.sleepers) == 0 {
		return
	}
	first := heap.Pop(&c.sleepers).(*sleeper)
	if first.at.After(c.now) {
		c.now = first.at
	}
	c.fireLocked(first)
}

// fireLocked wakes s; the woken goroutine is counted busy from now on.
func (c *VirtualClock) fireLocked(s *sleeper) {
	s.fired = true
	c.busy++
	close(s.ch)
}

var (
	_ Clock   = RealClock{}
	_ Clock   = (*VirtualClock)(nil)
	_ Tracker = (*VirtualClock)(nil)
)
