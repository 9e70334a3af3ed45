package lambda

import (
	"context"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
)

// TestEveryInvocationHasItsRequestIDAndPlatformEvents checks what the function's log group
// shows of an invocation: platform.start before the handler runs and platform.report after,
// with the request id the handler finds in its Lambda context, and how the invocation ended.
func TestEveryInvocationHasItsRequestIDAndPlatformEvents(t *testing.T) {
	var mu sync.Mutex
	var evs []PlatformEvent
	var seen []string
	var before []int // how many platform events preceded each handler run
	r := New(Options{Env: topology.Local("prod"), Platform: func(ev PlatformEvent) {
		mu.Lock()
		evs = append(evs, ev)
		mu.Unlock()
	}})
	r.Register(topology.Evaluate, func(ctx context.Context, payload []byte) ([]byte, error) {
		id := "no Lambda context"
		if lc, ok := lambdacontext.FromContext(ctx); ok {
			id = lc.AwsRequestID
		}
		mu.Lock()
		seen = append(seen, id)
		before = append(before, len(evs))
		mu.Unlock()
		switch string(payload) {
		case `"fail"`:
			return nil, assert.AnError
		case `"slow"`:
			<-ctx.Done()
			return nil, ctx.Err()
		}
		return []byte(`{}`), nil
	})
	r.funcs["kiln-prod-evaluate"].timeout = 50 * time.Millisecond

	ctx := context.Background()
	_, err := r.Invoke(ctx, "kiln-prod-evaluate", []byte(`"ok"`))
	require.NoError(t, err)
	_, err = r.Invoke(ctx, "kiln-prod-evaluate", []byte(`"fail"`))
	require.Error(t, err)
	_, err = r.Invoke(ctx, "kiln-prod-evaluate", []byte(`"slow"`))
	require.Error(t, err)

	require.Len(t, seen, 3)
	require.Len(t, evs, 6)
	assert.Equal(t, []int{1, 3, 5}, before, "platform.start comes before the handler runs")
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	for i, status := range []string{"success", "error", "timeout"} {
		start, report := evs[2*i], evs[2*i+1]
		assert.Equal(t, "platform.start", start.Type)
		assert.Equal(t, "platform.report", report.Type)
		assert.Equal(t, seen[i], start.RequestID)
		assert.Equal(t, seen[i], report.RequestID)
		assert.Regexp(t, uuid, seen[i])
		assert.Equal(t, topology.Evaluate, report.Function)
		assert.Equal(t, status, report.Status)
		assert.Equal(t, report.Time.Sub(start.Time), report.Duration)
	}
	assert.NotEqual(t, seen[0], seen[1], "each invocation has its own request id")
	assert.GreaterOrEqual(t, evs[5].Duration, 50*time.Millisecond, "the timed-out invocation ran until its timeout")
}
