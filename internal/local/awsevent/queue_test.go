package awsevent

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQueueDeliversInOrderAndFlushWaitsForIt puts events while the sink holds deliveries back:
// Put never blocks, Flush waits until all of them were handed over, in the order put, a
// refused one is reported, and after Stop nothing more is taken.
func TestQueueDeliversInOrderAndFlushWaitsForIt(t *testing.T) {
	gate := make(chan struct{})
	var mu sync.Mutex
	var got []string
	var refused []string
	q := NewQueue(SinkFunc(func(_ context.Context, ev Event) error {
		<-gate
		mu.Lock()
		defer mu.Unlock()
		got = append(got, ev.DetailType)
		if ev.DetailType == "c" {
			return errors.New("bus refused c")
		}
		return nil
	}), func(ev Event, err error) { refused = append(refused, ev.DetailType+": "+err.Error()) })

	for _, dt := range []string{"a", "b", "c", "d"} {
		q.Put(Event{DetailType: dt})
	}
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, q.Flush(short), context.DeadlineExceeded, "nothing was handed over yet")

	close(gate)
	require.NoError(t, q.Flush(context.Background()))
	mu.Lock()
	assert.Equal(t, []string{"a", "b", "c", "d"}, got)
	mu.Unlock()
	assert.Equal(t, []string{"c: bus refused c"}, refused)

	q.Stop()
	q.Put(Event{DetailType: "e"})
	require.NoError(t, q.Flush(context.Background()))
	mu.Lock()
	assert.Len(t, got, 4, "a stopped queue takes nothing")
	mu.Unlock()
}
