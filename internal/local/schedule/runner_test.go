package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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

// quiet discards the runner's logs.
var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestRunnerFiresWhatIsDueOnTheClockItIsGiven(t *testing.T) {
	inv := &recorder{}
	r := NewRunner(inv, quiet)
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
	r := NewRunner(inv, quiet)
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

func TestRunnerRetriesAFailedInvocationWithBackoff(t *testing.T) {
	inv := &recorder{fail: errors.New("function is throttled")}
	r := NewRunner(inv, quiet, WithRand(func() float64 { return 0 }))
	now := time.Date(2026, 11, 22, 19, 7, 0, 0, time.UTC)
	require.NoError(t, r.Add(Definition{Name: "once", Expression: "at(2026-11-22T20:00:00)", Function: "f"}, now))
	due := time.Date(2026, 11, 22, 20, 0, 0, 0, time.UTC)
	got := r.Tick(context.Background(), due)
	require.Len(t, got, 1)
	assert.ErrorContains(t, got[0].Err, "function is throttled")
	st := r.Schedules()[0]
	assert.Contains(t, st.LastError, "function is throttled")
	assert.True(t, st.Next.IsZero(), "an at() schedule is over after it fired")

	assert.Empty(t, r.Tick(context.Background(), due.Add(499*time.Millisecond)), "the first retry waits half a second")
	got = r.Tick(context.Background(), due.Add(500*time.Millisecond))
	require.Len(t, got, 1)
	assert.Equal(t, 1, got[0].Retry)
	assert.Equal(t, due, got[0].ScheduledTime)

	inv.fail = nil
	got = r.Tick(context.Background(), due.Add(2*time.Second))
	require.Len(t, got, 1)
	assert.NoError(t, got[0].Err)
	assert.Equal(t, 2, got[0].Retry)
	assert.Empty(t, r.Tick(context.Background(), due.Add(time.Hour)), "a success ends the retries")
	assert.Empty(t, r.DeadLetters())
	assert.Len(t, inv.calls, 3)
}

func TestRunnerGivesUpAsItsRetryPolicySays(t *testing.T) {
	cases := []struct {
		name     string
		policy   RetryPolicy
		ticks    time.Duration
		attempts int
	}{
		{"after the retries allowed", RetryPolicy{MaximumRetryAttempts: 2, MaximumEventAge: time.Hour}, time.Minute, 3},
		{"at once when retries are off", RetryPolicy{MaximumRetryAttempts: 0, MaximumEventAge: time.Hour}, time.Minute, 1},
		{"when the occurrence grows too old", RetryPolicy{MaximumRetryAttempts: 185, MaximumEventAge: 90 * time.Second}, 30 * time.Second, 4},
		{"when the runner was not ticked for longer than the age", RetryPolicy{MaximumRetryAttempts: 185, MaximumEventAge: time.Minute}, time.Hour, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := &recorder{fail: errors.New("ServiceException")}
			r := NewRunner(inv, quiet, WithRetryPolicy(c.policy), WithRand(func() float64 { return 0.999 }))
			start := time.Date(2026, 11, 22, 19, 0, 0, 0, time.UTC)
			require.NoError(t, r.Add(Definition{Name: "s", Expression: "at(2026-11-22T19:00:00)", Function: "f",
				Input: json.RawMessage(`{"k":1}`)}, start.Add(-time.Second)))
			for now := start; now.Before(start.Add(10*time.Hour)) && len(r.DeadLetters()) == 0; now = now.Add(c.ticks) {
				r.Tick(context.Background(), now)
			}
			dls := r.DeadLetters()
			require.Len(t, dls, 1)
			assert.Equal(t, c.attempts, dls[0].Attempts)
			assert.Equal(t, c.attempts, len(inv.calls))
			assert.Equal(t, "s", dls[0].Name)
			assert.Equal(t, start, dls[0].ScheduledTime)
			assert.JSONEq(t, `{"k":1}`, string(dls[0].Input))
			assert.Contains(t, dls[0].LastError, "ServiceException")
		})
	}
}

func TestRunnerAddRejectsBadDefinitionsAndKeepsTheOldOne(t *testing.T) {
	r := NewRunner(&recorder{}, quiet)
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
