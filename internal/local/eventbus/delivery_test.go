package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/topology"
)

// sampleEntry turns a sample event file into a PutEvents entry on bus.
func sampleEntry(t *testing.T, name, bus string) Entry {
	t.Helper()
	raw, err := events.Sample(name)
	require.NoError(t, err)
	var env Envelope
	require.NoError(t, json.Unmarshal(raw, &env))
	return Entry{Source: env.Source, DetailType: env.DetailType, Detail: string(env.Detail), Resources: env.Resources, EventBusName: bus}
}

func TestTopologyRulesRouteKilnsEventsToTheirFunctions(t *testing.T) {
	prod := topology.Local("prod") // the samples name the prod stage's resources
	cases := []struct {
		name   string
		sample string
		bus    string
		aws    bool
		want   []string
	}{
		{"a git push on the kiln bus reaches the trigger", "git-push.json", topology.BusName("prod"), false, []string{"kiln-prod-trigger"}},
		{"new training data in the artifacts bucket reaches the trigger", "s3-object-created.json", "", true, []string{"kiln-prod-trigger"}},
		{"a drift alarm going off reaches the trigger and the watch (the approval function)", "drift-alarm-alarm.json", "", true, []string{"kiln-prod-approval", "kiln-prod-trigger"}},
		{"a latency alarm going off reaches only the watch", "latency-alarm-alarm.json", "", true, []string{"kiln-prod-approval"}},
		{"a drift alarm going back to OK reaches nobody", "drift-alarm-ok.json", "", true, nil},
		{"a git push on the default bus reaches nobody", "git-push.json", "", false, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			require.NoError(t, f.svc.LoadTopology(prod))
			e := sampleEntry(t, c.sample, c.bus)
			if c.aws {
				_, err := f.svc.PutAWSEvent(context.Background(), e)
				require.NoError(t, err)
			} else {
				f.put(t, e)
			}
			f.wait(t)
			calls := f.lambda.invocations()
			var got []string
			for _, call := range calls {
				got = append(got, call.Function)
				assert.Equal(t, c.sample != "git-push.json", fieldOf(t, call.Payload, "source") != "kiln.git")
			}
			sort.Strings(got)
			assert.Equal(t, c.want, got)
		})
	}
}

func TestTopologyRulesAreNamedAndPlacedByTheTable(t *testing.T) {
	rules, err := TopologyRules(env)
	require.NoError(t, err)
	require.Len(t, rules, len(topology.Rules))
	for i, r := range rules {
		tr := topology.Rules[i]
		assert.Equal(t, "kiln-local-"+tr.Name, r.Name)
		assert.Equal(t, topology.FunctionARN(env, tr.Target), r.Targets[0].ARN)
		assert.NotContains(t, r.EventPattern, "${", "rule %s keeps a placeholder", r.Name)
		if tr.Bus == topology.KilnBus {
			assert.Equal(t, "kiln-local-kiln", r.EventBus)
		} else {
			assert.Equal(t, DefaultBusName, r.EventBus)
		}
	}
}

func TestTargetsOfEveryKindReceiveTheEvent(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.CreateEventBus("other"))
	sm := "arn:aws:states:us-east-1:000000000000:stateMachine:kiln-local-pipeline"
	require.NoError(t, f.svc.PutRule(Rule{Name: "fan-out", EventPattern: `{"source":["kiln.test"]}`, Targets: []Target{
		{ID: "fn", ARN: lambdaARN("trigger")},
		{ID: "sm", ARN: sm, InputPath: "$.detail"},
		{ID: "bus", ARN: f.svc.BusARN("other")},
	}}))
	require.NoError(t, f.svc.PutRule(Rule{Name: "on-other", EventBus: "other", EventPattern: `{"detail-type":["Hop"]}`,
		Targets: []Target{{ID: "fn", ARN: lambdaARN("approval")}}}))
	require.NoError(t, f.svc.PutRule(Rule{Name: "disabled", EventPattern: `{"source":["kiln.test"]}`, State: RuleDisabled,
		Targets: []Target{{ID: "fn", ARN: lambdaARN("never")}}}))
	id := f.put(t, Entry{Source: "kiln.test", DetailType: "Hop", Detail: `{"n":1}`})
	f.wait(t)
	assert.Equal(t, 1, f.lambda.count("trigger"))
	assert.Equal(t, 1, f.lambda.count("approval"), "the event crossed to the other bus and matched its rule")
	assert.Equal(t, 0, f.lambda.count("never"), "a disabled rule delivers nothing")
	for _, c := range f.lambda.invocations() {
		assert.Equal(t, id, fieldOf(t, c.Payload, "id"), "a forwarded event keeps its ID")
	}
	require.Len(t, f.sfn.starts, 1)
	assert.Equal(t, sm, f.sfn.starts[0].Function)
	assert.JSONEq(t, `{"n":1}`, f.sfn.starts[0].Payload)
}

func TestAFailingTargetIsRetriedWithBackoffUntilItSucceeds(t *testing.T) {
	f := newFixture(t) // jitter 0: waits of 0.5 s, 1 s, 2 s, ...
	f.lambda.failures["trigger"] = 2
	require.NoError(t, f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":["kiln.test"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("trigger")}}}))
	f.put(t, Entry{Source: "kiln.test", DetailType: "T", Detail: `{}`})
	f.wait(t)
	steps := []struct {
		advance time.Duration
		calls   int
		pending int
	}{
		{0, 1, 1},
		{499 * time.Millisecond, 1, 1},
		{time.Millisecond, 2, 1},
		{999 * time.Millisecond, 2, 1},
		{time.Millisecond, 3, 0},
	}
	for i, s := range steps {
		f.clock.Advance(s.advance)
		f.wait(t)
		assert.Equal(t, s.calls, f.lambda.count("trigger"), "step %d", i)
		assert.Equal(t, s.pending, f.svc.Pending(), "step %d", i)
	}
	dls, err := f.svc.DeadLetters()
	require.NoError(t, err)
	assert.Empty(t, dls)
}

// drain moves the clock from retry to retry until no delivery is pending, at most n times.
func drain(t *testing.T, f *fixture, n int) {
	t.Helper()
	for i := 0; i < n && f.svc.Pending() > 0; i++ {
		require.True(t, f.clock.AdvanceToNext(), "a delivery is pending but no retry waits for the clock")
		f.wait(t)
	}
	require.Zero(t, f.svc.Pending(), "deliveries still pending")
}

func TestAnEventThatCannotBeDeliveredEndsInTheDeadLetterStore(t *testing.T) {
	boom := errors.New("ServiceException: the function is broken")
	cases := []struct {
		name     string
		policy   RetryPolicy
		rand     float64
		err      error
		attempts int
		reason   string
	}{
		{"after the retries the policy allows", RetryPolicy{MaximumRetryAttempts: Attempts(2)}, 0, boom, 3, "maximum retry attempts reached"},
		{"at once when retries are off", RetryPolicy{MaximumRetryAttempts: Attempts(0)}, 0, boom, 1, "maximum retry attempts reached"},
		{"when the next wait would pass the maximum age", RetryPolicy{MaximumEventAge: time.Minute}, 0, boom, 7, "maximum event age reached"},
		{"after 185 retries by default", RetryPolicy{}, 0.5, boom, 186, "maximum retry attempts reached"},
		{"after 24 hours by default when the waits are long", RetryPolicy{}, 0.999, boom, 0, "maximum event age reached"},
		{"at once for an error retrying cannot fix", RetryPolicy{}, 0, Permanent(boom), 1, "the error is not retriable"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t, withRand(c.rand))
			f.lambda.always["trigger"] = c.err
			require.NoError(t, f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":["kiln.test"]}`,
				Targets: []Target{{ID: "t", ARN: lambdaARN("trigger"), RetryPolicy: c.policy}}}))
			id := f.put(t, Entry{Source: "kiln.test", DetailType: "T", Detail: `{"k":"v"}`})
			f.wait(t)
			drain(t, f, 400)
			dls, err := f.svc.DeadLetters()
			require.NoError(t, err)
			require.Len(t, dls, 1)
			dl := dls[0]
			assert.Equal(t, c.reason, dl.Reason)
			if c.attempts > 0 {
				assert.Equal(t, c.attempts, dl.Attempts)
			} else {
				assert.Less(t, dl.Attempts, 186)
				assert.LessOrEqual(t, dl.FailedAt.Sub(t0), DefaultMaximumEventAge)
			}
			assert.Equal(t, dl.Attempts, f.lambda.count("trigger"))
			assert.Equal(t, id, dl.EventID)
			assert.Equal(t, "r", dl.Rule)
			assert.Equal(t, "t", dl.TargetID)
			assert.Equal(t, lambdaARN("trigger"), dl.TargetARN)
			assert.Contains(t, dl.LastError, "the function is broken")
			assert.Equal(t, map[string]any{"k": "v"}, fieldOf(t, string(dl.Event), "detail"))
		})
	}
}

func TestDeadLettersLiveInMemoryWithoutADB(t *testing.T) {
	f := newFixture(t, withoutDB())
	require.NoError(t, f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":["kiln.test"]}`,
		Targets: []Target{{ID: "t", ARN: "arn:aws:states:us-east-1:000000000000:stateMachine:x"}}}))
	f.svc.cfg.StepFunctions = nil
	f.put(t, Entry{Source: "kiln.test", DetailType: "T", Detail: `{}`})
	f.wait(t)
	dls, err := f.svc.DeadLetters()
	require.NoError(t, err)
	require.Len(t, dls, 1)
	assert.Contains(t, dls[0].LastError, "no Step Functions client is configured")
}

func TestDrainWaitsForRetriesAndGivesUpWithTheContext(t *testing.T) {
	f := newFixture(t)
	f.lambda.failures["trigger"] = 1
	require.NoError(t, f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":["kiln.test"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("trigger")}}}))
	f.put(t, Entry{Source: "kiln.test", DetailType: "T", Detail: `{}`})
	f.wait(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	assert.ErrorIs(t, f.svc.Drain(ctx), context.DeadlineExceeded, "the retry waits for the clock")
	done := make(chan error, 1)
	go func() { done <- f.svc.Drain(context.Background()) }()
	f.clock.Advance(time.Second)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("Drain did not return after the retry succeeded")
	}
	assert.Equal(t, 2, f.lambda.count("trigger"))
}

func TestCloseMovesWaitingRetriesToTheDeadLetterStore(t *testing.T) {
	f := newFixture(t)
	f.lambda.always["trigger"] = errors.New("ServiceException: down")
	require.NoError(t, f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":["kiln.test"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("trigger")}}}))
	f.put(t, Entry{Source: "kiln.test", DetailType: "T", Detail: `{}`})
	f.wait(t)
	require.Equal(t, 1, f.svc.Pending())
	require.NoError(t, f.svc.Close(context.Background()))
	assert.Zero(t, f.svc.Pending())
	dls, err := f.svc.DeadLetters()
	require.NoError(t, err)
	require.Len(t, dls, 1)
	assert.Equal(t, reasonClosed, dls[0].Reason)
	assert.False(t, f.clock.AdvanceToNext(), "the retry's timer is stopped")
	assert.Equal(t, 1, f.lambda.count("trigger"))
	_, err = f.svc.PutEvents(context.Background(), []Entry{{Source: "kiln.test", DetailType: "T", Detail: `{}`}})
	assert.ErrorContains(t, err, "closed")
}
