package clock_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
)

var t0 = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func TestVirtualStartsAtItsStartAndMovesOnlyForward(t *testing.T) {
	if got := clock.NewVirtual(time.Time{}).Now(); !got.Equal(clock.DefaultStart) {
		t.Fatalf("zero start: got %v, want %v", got, clock.DefaultStart)
	}
	c := clock.NewVirtual(t0)
	c.Advance(time.Minute)
	c.Set(t0) // backwards: ignored
	if got, want := c.Now(), t0.Add(time.Minute); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestVirtualFiresDueFunctionsInTimeOrderThenArmOrder(t *testing.T) {
	c := clock.NewVirtual(t0)
	var got []string
	c.AfterFunc(3*time.Second, func() { got = append(got, "c") })
	c.AfterFunc(time.Second, func() { got = append(got, "a") })
	c.AfterFunc(time.Second, func() { got = append(got, "b") })
	c.AfterFunc(time.Hour, func() { got = append(got, "late") })
	c.Advance(2 * time.Second)
	if len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Fatalf("after 2s: got %v, want [a b]", got)
	}
	c.Advance(time.Second)
	if len(got) != 3 || got[2] != "c" {
		t.Fatalf("after 3s: got %v, want [a b c]", got)
	}
	if n := c.Pending(); n != 1 {
		t.Fatalf("pending: got %d, want 1", n)
	}
}

func TestVirtualRunsANonPositiveAfterFuncAtTheNextMove(t *testing.T) {
	c := clock.NewVirtual(t0)
	ran := false
	c.AfterFunc(0, func() { ran = true })
	if ran {
		t.Fatal("ran before any move")
	}
	c.Advance(0)
	if !ran {
		t.Fatal("did not run on Advance(0)")
	}
}

func TestVirtualTimerStopReportsWhetherItCancelled(t *testing.T) {
	c := clock.NewVirtual(t0)
	ran := false
	tm := c.AfterFunc(time.Second, func() { ran = true })
	if !tm.Stop() {
		t.Fatal("first Stop: got false, want true")
	}
	if tm.Stop() {
		t.Fatal("second Stop: got true, want false")
	}
	c.Advance(time.Hour)
	if ran {
		t.Fatal("a stopped function ran")
	}
	fired := c.AfterFunc(time.Second, func() {})
	c.Advance(time.Second)
	if fired.Stop() {
		t.Fatal("Stop after firing: got true, want false")
	}
}

func TestVirtualAfterReceivesTheTimeItBecameDue(t *testing.T) {
	c := clock.NewVirtual(t0)
	ch := c.After(time.Minute)
	select {
	case <-ch:
		t.Fatal("received before the clock moved")
	default:
	}
	c.Advance(2 * time.Minute)
	if got, want := <-ch, t0.Add(2*time.Minute); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	select {
	case <-c.After(0):
	default:
		t.Fatal("After(0) did not receive at once")
	}
}

func TestVirtualAdvanceToNextJumpsToTheEarliestWait(t *testing.T) {
	c := clock.NewVirtual(t0)
	if c.AdvanceToNext() {
		t.Fatal("moved with nothing waiting")
	}
	c.After(time.Hour)
	c.After(time.Minute)
	if !c.AdvanceToNext() {
		t.Fatal("did not move")
	}
	if got, want := c.Now(), t0.Add(time.Minute); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestVirtualSleepReturnsOnAdvanceOrWhenTheContextEnds(t *testing.T) {
	c := clock.NewVirtual(t0)
	c.Begin() // the sleeping goroutine
	c.Begin() // another busy one: the clock must not jump on its own
	done := make(chan error, 1)
	go func() { done <- c.Sleep(context.Background(), t0.Add(time.Hour)) }()
	waitPending(t, c, 1)
	c.Advance(time.Hour)
	if err := <-done; err != nil {
		t.Fatalf("sleep: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- c.Sleep(ctx, c.Now().Add(time.Hour)) }()
	waitPending(t, c, 1)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled sleep: got %v, want context.Canceled", err)
	}
	if n := c.Pending(); n != 0 {
		t.Fatalf("a cancelled sleep is still pending: %d", n)
	}
	if err := c.Sleep(context.Background(), t0); err != nil {
		t.Fatalf("a sleep into the past: %v", err)
	}
}

func TestVirtualJumpsWhenEveryTrackedGoroutineSleeps(t *testing.T) {
	c := clock.NewVirtual(t0)
	var order []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i, d := range []time.Duration{3 * time.Hour, time.Hour, 2 * time.Hour} {
		c.Begin()
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer c.End()
			if err := c.Sleep(context.Background(), t0.Add(d)); err != nil {
				t.Error(err)
			}
			mu.Lock()
			order = append(order, i)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if len(order) != 3 || order[0] != 1 || order[1] != 2 || order[2] != 0 {
		t.Fatalf("wake order: got %v, want [1 2 0]", order)
	}
	if got, want := c.Now(), t0.Add(3*time.Hour); !got.Equal(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

func TestVirtualDoesNotJumpWithoutTracking(t *testing.T) {
	c := clock.NewVirtual(t0)
	ran := false
	c.AfterFunc(time.Second, func() { ran = true })
	c.Begin()
	c.End()
	if ran || !c.Now().Equal(t0) {
		t.Fatalf("a timer alone moved the clock: ran=%v now=%v", ran, c.Now())
	}
}

func TestVirtualResetRefusesWhileAnythingWaits(t *testing.T) {
	c := clock.NewVirtual(t0)
	c.After(time.Second)
	if c.Reset(t0) {
		t.Fatal("reset with a wait armed")
	}
	c.Advance(time.Second)
	c.Begin()
	if c.Reset(t0) {
		t.Fatal("reset with a busy goroutine")
	}
	c.End()
	if !c.Reset(time.Time{}) || !c.Now().Equal(clock.DefaultStart) {
		t.Fatalf("reset: now %v", c.Now())
	}
}

// TestVirtualIsSafeForConcurrentUse arms, stops and advances from many goroutines at once;
// run it with -race. Every function armed and not stopped runs exactly once.
func TestVirtualIsSafeForConcurrentUse(t *testing.T) {
	c := clock.NewVirtual(t0)
	var mu sync.Mutex
	ran := 0
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 50 {
				tm := c.AfterFunc(time.Duration(j%5)*time.Millisecond, func() {
					mu.Lock()
					ran++
					mu.Unlock()
				})
				if (i+j)%2 == 0 {
					tm.Stop()
				}
				_ = c.Now()
				c.Advance(time.Millisecond)
			}
		}()
	}
	wg.Wait()
	c.Advance(time.Second)
	mu.Lock()
	defer mu.Unlock()
	if ran > 8*50 || c.Pending() != 0 {
		t.Fatalf("ran %d of at most %d, %d still pending", ran, 8*50, c.Pending())
	}
}

// waitPending waits, on the wall clock, until n waits are armed on c.
func waitPending(t *testing.T, c *clock.Virtual, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for c.Pending() != n {
		if time.Now().After(deadline) {
			t.Fatalf("pending: got %d, want %d", c.Pending(), n)
		}
		time.Sleep(time.Millisecond)
	}
}
