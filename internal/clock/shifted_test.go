package clock_test

import (
	"context"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
)

func TestShiftedReadsAheadAfterSkipAndSleepsInRealTime(t *testing.T) {
	var c clock.Shifted
	if d := time.Until(c.Now()); d > time.Second || d < -time.Second {
		t.Fatalf("zero value is %v off the wall clock", d)
	}
	c.Skip(time.Hour)
	c.Skip(-time.Minute) // ignored
	if got := c.Ahead(); got != time.Hour {
		t.Fatalf("ahead: got %v, want 1h", got)
	}
	if d := time.Until(c.Now()); d < 59*time.Minute {
		t.Fatalf("after Skip(1h) the clock reads only %v ahead", d)
	}
	start := time.Now()
	if err := c.Sleep(context.Background(), c.Now().Add(5*time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if el := time.Since(start); el < 5*time.Millisecond || el > 10*time.Second {
		t.Fatalf("a 5 ms sleep took %v", el)
	}
	if got := <-c.After(time.Millisecond); time.Until(got) < 59*time.Minute {
		t.Fatalf("After sent %v, not the shifted time", got)
	}
}
