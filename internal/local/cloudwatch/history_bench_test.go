package cloudwatch

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// invocationStep is the virtual time between two invocations in the benchmarks: 2 ms, the
// 500 requests a second a fresh local endpoint serves.
const invocationStep = 2 * time.Millisecond

// benchStack is a service with the topology's alarms of one model and the clock the
// benchmark drives, as the local stack builds it.
type benchStack struct {
	s     *Service
	clock *clock.Virtual
	dims  map[string]string
}

func newBenchStack(tb testing.TB) *benchStack {
	tb.Helper()
	clk := clock.NewVirtual(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))
	s := New(Options{Clock: clk})
	var endpoint string
	for _, a := range topology.Alarms(policy.Default(), "prod") {
		if err := s.PutAlarm(context.Background(), FromTopology(a)); err != nil {
			tb.Fatal(err)
		}
		if e := a.Dimensions["EndpointName"]; e != "" && endpoint == "" {
			endpoint = e
		}
	}
	if endpoint == "" {
		tb.Fatal("the topology has no endpoint alarm")
	}
	return &benchStack{s: s, clock: clk, dims: map[string]string{"EndpointName": endpoint, "VariantName": "AllTraffic"}}
}

// invoke puts the five metrics of one endpoint invocation, as the SageMaker router does,
// and advances the clock by one invocation step.
func (b *benchStack) invoke(tb testing.TB, i int) {
	ctx := context.Background()
	at := b.clock.Now()
	for _, m := range []struct {
		name  string
		value float64
		unit  string
	}{
		{"Invocations", 1, "Count"},
		{"Invocation4XXErrors", 0, "Count"},
		{"Invocation5XXErrors", 0, "Count"},
		{"ModelLatency", float64(900 + i%200), "Microseconds"},
		{"OverheadLatency", float64(50 + i%20), "Microseconds"},
	} {
		if err := b.s.Put(ctx, "AWS/SageMaker", m.name, b.dims, m.value, m.unit, at); err != nil {
			tb.Fatal(err)
		}
	}
	b.clock.Advance(invocationStep)
}

// BenchmarkInvocationMetricsWithHistory measures one invocation's five metric puts (and
// the alarm evaluations they cause) after a history of 0 to 50,000 invocations. The cost
// of an operation must not grow with the history: run with a fixed count, e.g.
// go test -run '^$' -bench InvocationMetricsWithHistory -benchtime 20000x ./internal/local/cloudwatch/
func BenchmarkInvocationMetricsWithHistory(b *testing.B) {
	for _, history := range []int{0, 1000, 5000, 10000, 20000, 50000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			st := newBenchStack(b)
			for i := range history {
				st.invoke(b, i)
			}
			b.ResetTimer()
			for i := range b.N {
				st.invoke(b, history+i)
			}
		})
	}
}
