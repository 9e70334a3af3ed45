package eventbus

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPutTargetsAddsReplacesAndLimitsTargets(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":["x"]}`}))
	var five []Target
	for i := 0; i < 5; i++ {
		five = append(five, Target{ID: fmt.Sprint(i), ARN: lambdaARN(fmt.Sprint("f", i))})
	}
	require.NoError(t, f.svc.PutTargets("", "r", five))
	require.NoError(t, f.svc.PutTargets("", "r", []Target{{ID: "0", ARN: lambdaARN("replaced")}}), "a known ID is replaced")
	err := f.svc.PutTargets("", "r", []Target{{ID: "5", ARN: lambdaARN("f5")}})
	var ae *APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "LimitExceededException", ae.Code)
	r, err := f.svc.DescribeRule("", "r")
	require.NoError(t, err)
	require.Len(t, r.Targets, 5)
	assert.Equal(t, lambdaARN("replaced"), r.Targets[0].ARN)

	require.NoError(t, f.svc.RemoveTargets("", "r", []string{"1", "2", "not-there"}))
	r, err = f.svc.DescribeRule("", "r")
	require.NoError(t, err)
	assert.Len(t, r.Targets, 3)
	assert.Error(t, f.svc.PutTargets("", "r", []Target{{ID: "bad", ARN: "nope"}}), "a bad target changes nothing")
	r, _ = f.svc.DescribeRule("", "r")
	assert.Len(t, r.Targets, 3)
}

func TestRulesAreListedByBusAndPrefix(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.LoadTopology(env))
	rules, err := f.svc.ListRules("", "kiln-local-")
	require.NoError(t, err)
	var names []string
	for _, r := range rules {
		names = append(names, r.Name)
	}
	assert.Equal(t, []string{"kiln-local-codecommit-push", "kiln-local-drift-alarm", "kiln-local-model-approval", "kiln-local-new-training-data", "kiln-local-rollback-ended", "kiln-local-watch-alarm"}, names)
	_, err = f.svc.ListRules("nope", "")
	assert.ErrorContains(t, err, "Event bus nope does not exist.")
	assert.True(t, f.svc.DeleteRule("kiln-local-kiln", "kiln-local-git-push"))
	assert.False(t, f.svc.DeleteRule("kiln-local-kiln", "kiln-local-git-push"))
	assert.Equal(t, []string{"default", "kiln-local-kiln"}, f.svc.EventBuses())
	assert.Error(t, f.svc.CreateEventBus("kiln-local-kiln"))
	assert.Error(t, f.svc.CreateEventBus("bad name"))
}
