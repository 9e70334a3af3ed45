package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
)

func TestWallSleepReturnsAtTheDeadlineOrWhenTheContextEnds(t *testing.T) {
	var c clock.Wall
	start := time.Now()
	if err := c.Sleep(context.Background(), start.Add(5*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 5*time.Millisecond {
		t.Fatal("returned before the deadline")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Sleep(ctx, time.Now().Add(time.Hour)); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestWallAfterFuncRunsUnlessStopped(t *testing.T) {
	var c clock.Wall
	done := make(chan struct{})
	c.AfterFunc(time.Millisecond, func() { close(done) })
	<-done
	stopped := c.AfterFunc(time.Hour, func() { t.Error("a stopped function ran") })
	if !stopped.Stop() {
		t.Fatal("Stop: got false, want true")
	}
	if got := <-c.After(time.Millisecond); got.IsZero() {
		t.Fatal("After sent the zero time")
	}
}
