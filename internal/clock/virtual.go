package clock

import (
	"container/heap"
	"context"
	"sync"
	"time"
)

// DefaultStart is where a [Virtual] clock built from the zero time starts.
var DefaultStart = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// Virtual is a deterministic clock that moves only when told to or when nothing can run.
//
//   - [Virtual.Advance], [Virtual.Set] and [Virtual.AdvanceToNext] move it forward and fire,
//     in due order (ties in the order they were armed), every wait that became due: a Sleep
//     returns, an After channel receives, an AfterFunc function runs in the caller's goroutine
//     before Advance returns (unlike time.AfterFunc), so its effects have begun by then.
//   - As a [Tracker] it counts the goroutines an engine reports busy; when the last one ends
//     or falls asleep in Sleep, time jumps to the earliest wait and fires it, so a one-hour
//     Wait state costs nothing. Goroutines blocked on anything else count as busy. Without
//     Begin and End calls the clock never jumps on its own.
//
// AfterFunc with d <= 0 runs at the next move (even by zero). Safe for concurrent use.
type Virtual struct {
	mu    sync.Mutex
	now   time.Time
	busy  int
	seq   int64
	waits waitHeap
}

// NewVirtual returns a virtual clock reading start (the zero time means [DefaultStart]).
func NewVirtual(start time.Time) *Virtual {
	if start.IsZero() {
		start = DefaultStart
	}
	return &Virtual{now: start}
}

// wait is one pending Sleep, After or AfterFunc.
type wait struct {
	at    time.Time
	seq   int64
	index int
	fired bool
	sleep chan struct{}  // Sleep: closed when due
	after chan time.Time // After: receives the time when due (buffered)
	f     func()         // AfterFunc: called when due
}

// Now returns the virtual time.
func (c *Virtual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Begin records one more busy goroutine.
func (c *Virtual) Begin() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.busy++
}

// End records that a busy goroutine finished; when none is left, time jumps to the earliest
// wait.
func (c *Virtual) End() {
	var run []func()
	c.mu.Lock()
	c.busy--
	run = c.jumpLocked()
	c.mu.Unlock()
	runAll(run)
}

// Sleep blocks the calling goroutine until the virtual time reaches t or ctx ends. A tracked
// caller counts as asleep meanwhile.
func (c *Virtual) Sleep(ctx context.Context, t time.Time) error {
	c.mu.Lock()
	if !t.After(c.now) {
		c.mu.Unlock()
		return ctx.Err()
	}
	w := c.armLocked(t)
	w.sleep = make(chan struct{})
	c.busy--
	run := c.jumpLocked()
	c.mu.Unlock()
	runAll(run)
	select {
	case <-w.sleep:
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		defer c.mu.Unlock()
		if !w.fired {
			heap.Remove(&c.waits, w.index)
			c.busy++
		}
		return ctx.Err()
	}
}

// After returns a channel that receives the virtual time once the clock has moved d past now;
// with d <= 0 it receives at once, as time.After.
func (c *Virtual) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	if d <= 0 {
		ch <- c.now
		return ch
	}
	w := c.armLocked(c.now.Add(d))
	w.after = ch
	return ch
}

// AfterFunc arranges for f to be called once the clock has moved d past now.
func (c *Virtual) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.armLocked(c.now.Add(d))
	w.f = f
	return &virtualTimer{c: c, w: w}
}

type virtualTimer struct {
	c *Virtual
	w *wait
}

// Stop cancels the call; it reports false when the call has already fired or been stopped.
func (t *virtualTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.w.fired || t.w.index < 0 {
		return false
	}
	heap.Remove(&t.c.waits, t.w.index)
	return true
}

// Advance moves the clock forward by d and fires every wait that became due.
func (c *Virtual) Advance(d time.Duration) {
	c.mu.Lock()
	run := c.moveLocked(c.now.Add(d))
	c.mu.Unlock()
	runAll(run)
}

// Set moves the clock to t (never backwards) and fires every wait that became due.
func (c *Virtual) Set(t time.Time) {
	c.mu.Lock()
	run := c.moveLocked(t)
	c.mu.Unlock()
	runAll(run)
}

// AdvanceToNext moves the clock to the earliest wait and fires what became due. It reports
// false, and does nothing, when nothing waits.
func (c *Virtual) AdvanceToNext() bool {
	c.mu.Lock()
	if len(c.waits) == 0 {
		c.mu.Unlock()
		return false
	}
	run := c.moveLocked(c.waits[0].at)
	c.mu.Unlock()
	runAll(run)
	return true
}

// Pending returns how many Sleep, After and AfterFunc waits are armed (tests use it to know a
// timer is armed before calling Advance).
func (c *Virtual) Pending() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waits)
}

// Reset sets the clock back to start (the zero time means [DefaultStart]) so one engine can run
// one execution after another from the same instant. It refuses, returning false and changing
// nothing, while any goroutine is tracked busy or anything waits on the clock.
func (c *Virtual) Reset(start time.Time) bool {
	if start.IsZero() {
		start = DefaultStart
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy != 0 || len(c.waits) != 0 {
		return false
	}
	c.now, c.seq = start, 0
	return true
}

// armLocked adds a wait due at t.
func (c *Virtual) armLocked(t time.Time) *wait {
	c.seq++
	w := &wait{at: t, seq: c.seq}
	heap.Push(&c.waits, w)
	return w
}

// moveLocked moves now to t (never backwards) and fires the waits due by then; it returns the
// AfterFunc calls to make once the lock is released, in due order.
func (c *Virtual) moveLocked(t time.Time) []func() {
	if t.After(c.now) {
		c.now = t
	}
	var run []func()
	for len(c.waits) > 0 && !c.waits[0].at.After(c.now) {
		if f := c.fireLocked(heap.Pop(&c.waits).(*wait)); f != nil {
			run = append(run, f)
		}
	}
	return run
}

// jumpLocked, when no tracked goroutine is busy and a Sleep waits, fires the waits in due
// order up to and including the earliest Sleep (one Sleep per jump, so woken goroutines run
// one at a time and in the same order every run).
func (c *Virtual) jumpLocked() []func() {
	if c.busy > 0 || !c.sleepingLocked() {
		return nil
	}
	var run []func()
	for len(c.waits) > 0 {
		w := heap.Pop(&c.waits).(*wait)
		if w.at.After(c.now) {
			c.now = w.at
		}
		if f := c.fireLocked(w); f != nil {
			run = append(run, f)
		}
		if w.sleep != nil {
			break
		}
	}
	return run
}

// sleepingLocked reports whether a Sleep waits.
func (c *Virtual) sleepingLocked() bool {
	for _, w := range c.waits {
		if w.sleep != nil {
			return true
		}
	}
	return false
}

// fireLocked fires w; a woken Sleep counts busy from now on. It returns w's AfterFunc, if any.
func (c *Virtual) fireLocked(w *wait) func() {
	w.fired = true
	switch {
	case w.sleep != nil:
		c.busy++
		close(w.sleep)
	case w.after != nil:
		w.after <- c.now
	}
	return w.f
}

func runAll(fs []func()) {
	for _, f := range fs {
		f()
	}
}

// waitHeap orders waits by due time, then by the order they were armed.
type waitHeap []*wait

func (h waitHeap) Len() int { return len(h) }
func (h waitHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h waitHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *waitHeap) Push(x any) {
	w := x.(*wait)
	w.index = len(*h)
	*h = append(*h, w)
}
func (h *waitHeap) Pop() any {
	old := *h
	n := len(old)
	w := old[n-1]
	old[n-1] = nil
	*h = old[:n-1]
	w.index = -1
	return w
}

var (
	_ Clock   = (*Virtual)(nil)
	_ Tracker = (*Virtual)(nil)
)
