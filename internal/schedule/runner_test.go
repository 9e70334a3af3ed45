package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// recorder is a fake Invoker that records every invocation and fails while fail is set.
type recorder struct {
	mu    sync.Mutex
	calls []call
	fail  error
}

type call struct {
	function string
	payload  string
}

func (r *recorder) Invoke(_ context.Context, function string, payload []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call{function, string(payload)})
	return r.fail
}

func (r *recorder) functions() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, c := range r.calls {
		out = append(out, c.function)
	}
	return out
}

func TestTopologyDefinitionsMakeOneSchedulePerModel(t *testing.T) {
	p, err := policy.Load()
	require.NoError(t, err)
	defs, err := TopologyDefinitions(topology.Local("local"), p)
	require.NoError(t, err)
	require.Len(t, defs, len(topology.Schedules)*len(p.Models))
	byName := map[string]Definition{}
	for _, d := range defs {
		byName[d.Name] = d
		_, err := Parse(d.Expression, d.Timezone)
		assert.NoError(t, err, "schedule %s", d.Name)
	}
	m := p.Models[0].Name
	retrain, ok := byName["kiln-local-retrain-"+m]
	require.True(t, ok, "have %v", defs)
	assert.Equal(t, "kiln-local-trigger", retrain.Function)
	assert.JSONEq(t, `{"kind":"schedule","model":"`+m+`","schedule":"retrain"}`, string(retrain.Input))
	drift := byName["kiln-local-drift-"+m]
	assert.Equal(t, "kiln-local-monitor-drift", drift.Function)
	assert.Equal(t, "rate(1 hour)", drift.Expression)
}

func TestRunnerFiresWhatIsDueOnTheClockItIsGiven(t *testing.T) {
	inv := &recorder{}
	r := NewRunner(inv, nil)
	added := time.Date(2026, 11, 22, 19, 7, 0, 0, time.UTC) // a Sunday
	require.NoError(t, r.Add(Definition{Name: "weekly", Expression: "cron(0 3 ? * MON *)", Function: "kiln-local-trigger",
		Input: json.RawMessage(`{"kind":"schedule"}`)}, added))
	require.NoError(t, r.Add(Definition{Name: "hourly", Expression: "rate(1 hour)", Function: "kiln-local-monitor-drift"}, added))

	steps := []struct {
		name string
		now  time.Time
		want []string
	}{
		{"nothing is due when the schedules were just added", added, nil},
		{"a rate first fires one interval after it was added", added.Add(time.Hour), []string{"kiln-local-monitor-drift"}},
		{"a tick between two times fires nothing", added.Add(90 * time.Minute), nil},
		{"missed hours fire once and the cron fires on Monday 3:00", time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC),
			[]string{"kiln-local-monitor-drift", "kiln-local-trigger"}},
	}
	for _, s := range steps {
		inv.calls = nil
		got := r.Tick(context.Background(), s.now)
		assert.Equal(t, s.want, inv.functions(), s.name)
		assert.Len(t, got, len(s.want), s.name)
	}
	st := r.Schedules()
	require.Len(t, st, 2)
	assert.Equal(t, "hourly", st[0].Name)
	assert.Equal(t, time.Date(2026, 11, 23, 3, 7, 0, 0, time.UTC), st[0].Next, "the rate keeps its phase")
	assert.Equal(t, "weekly", st[1].Name)
	assert.Equal(t, time.Date(2026, 11, 30, 3, 0, 0, 0, time.UTC), st[1].Next)
	assert.Equal(t, 1, st[1].Fired)
	assert.Equal(t, `{"kind":"schedule"}`, inv.calls[1].payload)
}

func TestRunnerFireInvokesByHandWithoutMovingTheSchedule(t *testing.T) {
	inv := &recorder{}
	r := NewRunner(inv, nil)
	now := time.Date(2026, 11, 22, 19, 7, 0, 0, time.UTC)
	require.NoError(t, r.Add(Definition{Name: "weekly", Expression: "cron(0 3 ? * MON *)", Function: "f"}, now))
	f, err := r.Fire(context.Background(), "weekly", now)
	require.NoError(t, err)
	assert.True(t, f.Manual)
	assert.Equal(t, []call{{"f", "{}"}}, inv.calls)
	assert.Equal(t, time.Date(2026, 11, 23, 3, 0, 0, 0, time.UTC), r.Schedules()[0].Next)

	_, err = r.Fire(context.Background(), "nope", now)
	assert.ErrorContains(t, err, "fire schedule nope: no such schedule")
}

func TestRunnerRecordsAFailedInvocation(t *testing.T) {
	inv := &recorder{fail: errors.New("function is throttled")}
	r := NewRunner(inv, nil)
	now := time.Date(2026, 11, 22, 19, 7, 0, 0, time.UTC)
	require.NoError(t, r.Add(Definition{Name: "once", Expression: "at(2026-11-22T20:00:00)", Function: "f"}, now))
	got := r.Tick(context.Background(), now.Add(time.Hour))
	require.Len(t, got, 1)
	assert.ErrorContains(t, got[0].Err, "function is throttled")
	st := r.Schedules()[0]
	assert.Contains(t, st.LastError, "function is throttled")
	assert.True(t, st.Next.IsZero(), "an at() schedule is over after it fired")
	assert.Empty(t, r.Tick(context.Background(), now.Add(48*time.Hour)), "it does not fire again")
}

func TestRunnerAddRejectsBadDefinitionsAndKeepsTheOldOne(t *testing.T) {
	r := NewRunner(&recorder{}, nil)
	now := time.Date(2026, 11, 22, 19, 7, 0, 0, time.UTC)
	require.NoError(t, r.Add(Definition{Name: "s", Expression: "rate(1 hour)", Function: "f"}, now))
	cases := []struct {
		name string
		def  Definition
		want string
	}{
		{"a bad expression", Definition{Name: "s", Expression: "cron(0 10 * * * *)", Function: "f"}, "day-of-week"},
		{"a bad zone", Definition{Name: "s", Expression: "rate(1 hour)", Timezone: "Nowhere/Land", Function: "f"}, "time zone"},
		{"input that is not JSON", Definition{Name: "s", Expression: "rate(1 hour)", Function: "f", Input: json.RawMessage(`{`)}, "not valid JSON"},
		{"no function", Definition{Name: "s", Expression: "rate(1 hour)"}, "target function"},
	}
	for _, c := range cases {
		err := r.Add(c.def, now)
		assert.ErrorContains(t, err, c.want, c.name)
	}
	st := r.Schedules()
	require.Len(t, st, 1)
	assert.Equal(t, "rate(1 hour)", st[0].Expression)
	assert.Equal(t, "", st[0].Timezone)
}
