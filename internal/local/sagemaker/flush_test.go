package sagemaker

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/awsevent"
)

// gatedEvents is an events sink that delivers nothing until its gate opens.
type gatedEvents struct {
	gate      chan struct{}
	delivered atomic.Int32
}

func (g *gatedEvents) PutAWSEvent(ctx context.Context, _ awsevent.Event) error {
	select {
	case <-g.gate:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.delivered.Add(1)
	return nil
}

// TestFlushEventsWaitsForEveryEventEmittedSoFar checks what the stack's Settle relies on: a
// package's state change still in SageMaker's queue keeps FlushEvents waiting, and FlushEvents
// returns once it has been handed to the bus.
func TestFlushEventsWaitsForEveryEventEmittedSoFar(t *testing.T) {
	g := &gatedEvents{gate: make(chan struct{})}
	h := newHarness(t, newManualClock(), func(c *Config) { c.Events = g })
	ctx := context.Background()
	_, err := h.api.CreateModelPackageGroup(ctx, &awssm.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String("kiln-dev-abalone")})
	require.NoError(t, err)
	_, err = h.api.CreateModelPackage(ctx, packageInput("kiln-dev-abalone"))
	require.NoError(t, err)

	short, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, h.svc.FlushEvents(short), context.DeadlineExceeded, "the package's event is still queued")
	assert.Zero(t, g.delivered.Load())

	close(g.gate)
	require.NoError(t, h.svc.FlushEvents(ctx))
	assert.Positive(t, g.delivered.Load(), "FlushEvents returned after the event was delivered")
	require.NoError(t, h.svc.FlushEvents(ctx), "nothing queued: at once")
}
