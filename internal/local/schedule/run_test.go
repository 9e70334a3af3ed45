package schedule

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/clock"
)

func TestRunTicksOnTheClockItIsGiven(t *testing.T) {
	inv := &recorder{}
	r := NewRunner(inv, quiet)
	added := time.Date(2026, 11, 22, 19, 7, 0, 0, time.UTC)
	require.NoError(t, r.Add(Definition{Name: "hourly", Expression: "rate(1 hour)", Function: "kiln-local-monitor-drift"}, added))
	vc := clock.NewVirtual(added)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, vc, time.Minute) }()
	// An hour of virtual minutes passes at once; the rate fires when the hour is reached.
	for range 60 {
		require.Eventually(t, func() bool { return vc.Pending() == 1 }, 5*time.Second, time.Millisecond)
		vc.Advance(time.Minute)
	}
	require.Eventually(t, func() bool { return len(inv.functions()) == 1 }, 5*time.Second, time.Millisecond)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Run: got %v, want context.Canceled", err)
	}
}
