package eventbus

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// replayFixture has two rules on the default bus and three events put a minute apart.
func replayFixture(t *testing.T) (*fixture, []string) {
	t.Helper()
	f := newFixture(t)
	require.NoError(t, f.svc.PutRule(Rule{Name: "a", EventPattern: `{"source":["kiln.test"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("fa")}}}))
	require.NoError(t, f.svc.PutRule(Rule{Name: "b", EventPattern: `{"source":["kiln.test"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("fb")}}}))
	var ids []string
	for i := 0; i < 3; i++ {
		ids = append(ids, f.put(t, Entry{Source: "kiln.test", DetailType: "T", Detail: `{}`}))
		f.clock.Advance(time.Minute)
	}
	f.wait(t)
	f.lambda.calls = nil
	return f, ids
}

func TestEveryEventPutIsArchivedInOrder(t *testing.T) {
	f, ids := replayFixture(t)
	got, err := f.svc.Archived(time.Time{}, time.Time{})
	require.NoError(t, err)
	require.Len(t, got, 3)
	for i, a := range got {
		assert.Equal(t, DefaultBusName, a.Bus)
		assert.Equal(t, t0.Add(time.Duration(i)*time.Minute), a.IngestionTime.UTC())
		assert.Equal(t, ids[i], fieldOf(t, string(a.Event), "id"))
	}
	some, err := f.svc.Archived(t0.Add(time.Minute), t0.Add(2*time.Minute))
	require.NoError(t, err)
	require.Len(t, some, 1, "the range includes its start and excludes its end")
	assert.Equal(t, ids[1], fieldOf(t, string(some[0].Event), "id"))
}

func TestReplayRedeliversARangeMarkedWithTheReplayName(t *testing.T) {
	cases := []struct {
		name     string
		from, to time.Time
		rule     string
		want     map[string]int
	}{
		{"all rules get every event in the range", t0, t0.Add(3 * time.Minute), "", map[string]int{"fa": 3, "fb": 3}},
		{"one rule by name gets only its own", t0, t0.Add(3 * time.Minute), "a", map[string]int{"fa": 3}},
		{"one rule by ARN gets only its own", t0, t0.Add(3 * time.Minute), "arn:aws:events:us-east-1:000000000000:rule/b", map[string]int{"fb": 3}},
		{"a narrower range replays fewer events", t0.Add(time.Minute), t0.Add(2 * time.Minute), "", map[string]int{"fa": 1, "fb": 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _ := replayFixture(t)
			res, err := f.svc.Replay(context.Background(), c.from, c.to, c.rule)
			require.NoError(t, err)
			f.wait(t)
			got := map[string]int{}
			for _, call := range f.lambda.invocations() {
				got[call.Function]++
				assert.Equal(t, res.Name, fieldOf(t, call.Payload, "replay-name"))
			}
			assert.Equal(t, c.want, got)
			total := 0
			for _, n := range c.want {
				total += n
			}
			assert.Equal(t, total, res.Deliveries)
			archived, err := f.svc.Archived(time.Time{}, time.Time{})
			require.NoError(t, err)
			assert.Len(t, archived, 3, "replayed events are not archived again")
		})
	}
}

func TestReplayRefusesBadRequestsAndReplaysNothing(t *testing.T) {
	cases := []struct {
		name string
		req  ReplayRequest
		code string
	}{
		{"an unknown rule", ReplayRequest{Name: "r", From: t0, To: t0.Add(time.Hour), Rules: []string{"nope"}}, "ResourceNotFoundException"},
		{"an unknown bus", ReplayRequest{Name: "r", From: t0, To: t0.Add(time.Hour), Bus: "nope"}, "ResourceNotFoundException"},
		{"an end before the start", ReplayRequest{Name: "r", From: t0.Add(time.Hour), To: t0}, "ValidationException"},
		{"a name with spaces", ReplayRequest{Name: "my replay", From: t0, To: t0.Add(time.Hour)}, "ValidationException"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _ := replayFixture(t)
			_, err := f.svc.StartReplay(context.Background(), c.req)
			var ae *APIError
			require.True(t, errors.As(err, &ae), "%v", err)
			assert.Equal(t, c.code, ae.Code)
			f.wait(t)
			assert.Empty(t, f.lambda.invocations())
		})
	}
	f := newFixture(t, withoutDB())
	_, err := f.svc.Replay(context.Background(), t0, t0.Add(time.Hour), "")
	assert.ErrorContains(t, err, "no archive")
}

func TestAReplayedEventThatFailsIsRetriedFromTheReplayOn(t *testing.T) {
	f, _ := replayFixture(t)
	f.clock.Advance(48 * time.Hour) // the events are two days old
	f.lambda.failures["fa"] = 1
	_, err := f.svc.Replay(context.Background(), t0, t0.Add(time.Minute), "a")
	require.NoError(t, err)
	f.wait(t)
	drain(t, f, 10)
	assert.Equal(t, 2, f.lambda.count("fa"), "the maximum age counts from the replay, not from the original put")
	dls, err := f.svc.DeadLetters()
	require.NoError(t, err)
	assert.Empty(t, dls)
}
