package asl

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/lambdaerr"
)

const mockFile = `{
  "StateMachines": {"pipeline": {"TestCases": {
    "HappyPath": {"Train": "TrainOK"},
    "RetryPath": {"Train": "TrainFlaky"}}}},
  "MockedResponses": {
    "TrainOK": {"0": {"Return": {"TrainingJobStatus": "Completed"}}},
    "TrainFlaky": {
      "0-1": {"Throw": {"Error": "SageMaker.AmazonSageMakerException", "Cause": "throttled"}},
      "2": {"Return": {"TrainingJobStatus": "Completed", "attempt": 2}}}}}`

const mockedMachine = `{"StartAt":"Train","States":{"Train":{"Type":"Task","Resource":"arn:aws:states:::sagemaker:createTrainingJob.sync","Parameters":{"TrainingJobName.$":"$$.Execution.Name"},
 "Retry":[{"ErrorEquals":["SageMaker.AmazonSageMakerException"],"IntervalSeconds":60,"MaxAttempts":3}],"End":true}}}`

func TestMockConfigAnswersTasksByAttempt(t *testing.T) {
	cases := []struct {
		name, testCase, want string
	}{
		{"the happy path returns the mocked job", "HappyPath", `{"TrainingJobStatus":"Completed"}`},
		{"a throttled job is retried until the ranged mock returns", "RetryPath", `{"TrainingJobStatus":"Completed","attempt":2}`},
	}
	mc, err := ParseMockConfig([]byte(mockFile))
	require.NoError(t, err)
	m, err := Parse([]byte(mockedMachine))
	require.NoError(t, err)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			layer, err := mc.Layer("pipeline", c.testCase)
			require.NoError(t, err)
			res := NewResources()
			res.Over(layer)
			e := NewEngine(Options{Resources: res, Clock: clock.NewVirtual(time.Time{}), Seed: 1})
			_, r, err := e.Run(context.Background(), m, StartInput{Name: "job-1"})
			require.NoError(t, err)
			require.Equal(t, StatusSucceeded, r.Status, r.Cause)
			assert.JSONEq(t, c.want, string(r.Output))
		})
	}
}

func TestMockConfigRejectsBadFiles(t *testing.T) {
	cases := map[string]string{
		"a test case naming a missing response is rejected": `{"StateMachines":{"m":{"TestCases":{"c":{"S":"Nope"}}}},"MockedResponses":{}}`,
		"an attempt key that is not a number is rejected":   `{"StateMachines":{},"MockedResponses":{"R":{"first":{"Return":1}}}}`,
		"a response with both Return and Throw is rejected": `{"StateMachines":{},"MockedResponses":{"R":{"0":{"Return":1,"Throw":{"Error":"E"}}}}}`,
	}
	for name, doc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := ParseMockConfig([]byte(doc))
			assert.Error(t, err)
		})
	}
}

func TestNestedExecutionsRunInTheEngine(t *testing.T) {
	child, err := Parse([]byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":600,"Next":"D"},"D":{"Type":"Pass","Parameters":{"doubled.$":"States.MathAdd($.n, $.n)"},"End":true}}}`))
	require.NoError(t, err)
	parent, err := Parse([]byte(`{"StartAt":"Sync","States":{
	  "Sync":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync:2","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:child","Input":{"n":21}},"OutputPath":"$.Output","Next":"Str"},
	  "Str":{"Type":"Task","Resource":"arn:aws:states:::states:startExecution.sync","Parameters":{"StateMachineArn":"arn:aws:states:us-east-1:123456789012:stateMachine:child","Input":{"n.$":"$.doubled"}},"ResultSelector":{"out.$":"States.StringToJson($.Output)"},"End":true}}}`))
	require.NoError(t, err)
	res := NewResources()
	res.Handle("states:startExecution", NestedExecutions(func(arn string) (*Machine, bool) {
		return child, arn == "arn:aws:states:us-east-1:123456789012:stateMachine:child"
	}))
	vc := clock.NewVirtual(time.Time{})
	e := NewEngine(Options{Resources: res, Clock: vc, Seed: 1})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	x, err := e.Start(ctx, parent, StartInput{Name: "p"})
	require.NoError(t, err)
	r, err := x.Wait(ctx)
	require.NoError(t, err)
	require.Equal(t, StatusSucceeded, r.Status, r.Cause)
	assert.JSONEq(t, `{"out":{"doubled":84}}`, string(r.Output))
	assert.Equal(t, 20*time.Minute, r.StopDate.Sub(r.StartDate), "two ten-minute child waits on virtual time")
}

func TestHeartbeatTimeoutOnVirtualClock(t *testing.T) {
	m, err := Parse([]byte(`{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken","Parameters":{"FunctionName":"f"},"HeartbeatSeconds":30,"End":true}}}`))
	require.NoError(t, err)
	res := NewResources()
	issued := make(chan string, 1)
	res.Handle("lambda:invoke", func(ctx context.Context, req *TaskRequest) (any, error) {
		issued <- req.TaskToken
		return nil, nil
	})
	vc := clock.NewVirtual(time.Time{})
	e := NewEngine(Options{Resources: res, Clock: vc, Seed: 1})
	x, err := e.Start(context.Background(), m, StartInput{Name: "hb"})
	require.NoError(t, err)
	<-issued
	require.Eventually(t, func() bool { return vc.Pending() == 1 }, 5*time.Second, time.Millisecond, "the heartbeat timer is armed")
	vc.Advance(29 * time.Second)
	assert.Equal(t, StatusRunning, x.Status(), "29 seconds without a heartbeat are fine")
	vc.Advance(2 * time.Second)
	r, err := x.Wait(context.Background())
	require.NoError(t, err)
	assert.Equal(t, StatusFailed, r.Status)
	assert.Equal(t, ErrHeartbeatTimeout, r.Error)
}

func TestAPanickingHandlerFailsOnlyItsExecution(t *testing.T) {
	m, err := Parse([]byte(`{"StartAt":"P","States":{"P":{"Type":"Parallel","Branches":[{"StartAt":"T","States":{"T":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:test:panic","End":true}}}],"End":true}}}`))
	require.NoError(t, err)
	res := NewResources()
	res.Handle("aws-sdk:test:*", func(ctx context.Context, req *TaskRequest) (any, error) { panic("handler bug") })
	e := NewEngine(Options{Resources: res, Clock: clock.NewVirtual(time.Time{})})
	_, r, err := e.Run(context.Background(), m, StartInput{})
	require.NoError(t, err)
	assert.Equal(t, StatusFailed, r.Status)
	assert.Equal(t, ErrRuntime, r.Error)
	assert.Contains(t, r.Cause, "handler bug")
}

func TestItemReaderAndResultWriterGoThroughTheRegistry(t *testing.T) {
	m, err := Parse([]byte(`{"StartAt":"M","States":{"M":{"Type":"Map",
	  "ItemReader":{"Resource":"arn:aws:states:::s3:getObject","ReaderConfig":{"InputType":"JSON"},"Parameters":{"Bucket":"b","Key.$":"$.key"}},
	  "ItemProcessor":{"ProcessorConfig":{"Mode":"DISTRIBUTED","ExecutionType":"STANDARD"},"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"double.$":"States.MathAdd($.n, $.n)"},"End":true}}},
	  "ResultWriter":{"Resource":"arn:aws:states:::s3:putObject","Parameters":{"Bucket":"out","Prefix":"runs"}},
	  "End":true}}}`))
	require.NoError(t, err)
	var written any
	res := NewResources()
	res.Handle("s3:getObject", func(ctx context.Context, req *TaskRequest) (any, error) {
		p := req.Parameters.(map[string]any)
		assert.Equal(t, map[string]any{"Bucket": "b", "Key": "items.json"}, p["Parameters"])
		return []any{map[string]any{"n": 1.0}, map[string]any{"n": 2.0}}, nil
	})
	res.Handle("s3:putObject", func(ctx context.Context, req *TaskRequest) (any, error) {
		written = req.Parameters.(map[string]any)["Results"]
		return map[string]any{"ResultWriterDetails": map[string]any{"Bucket": "out", "Key": "runs/manifest.json"}}, nil
	})
	e := NewEngine(Options{Resources: res, Clock: clock.NewVirtual(time.Time{})})
	_, r, err := e.Run(context.Background(), m, StartInput{Input: []byte(`{"key":"items.json"}`)})
	require.NoError(t, err)
	require.Equal(t, StatusSucceeded, r.Status, r.Cause)
	assert.JSONEq(t, `{"ResultWriterDetails":{"Bucket":"out","Key":"runs/manifest.json"}}`, string(r.Output))
	assert.Equal(t, []any{map[string]any{"double": 2.0}, map[string]any{"double": 4.0}}, written)
}

func TestStopAbortsAWaitingExecution(t *testing.T) {
	m, err := Parse([]byte(`{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":60,"End":true}}}`))
	require.NoError(t, err)
	e := NewEngine(Options{Clock: clock.Wall{}})
	x, err := e.Start(context.Background(), m, StartInput{Name: "stop-me"})
	require.NoError(t, err)
	require.True(t, x.Stop("Operator", "stopped by hand"))
	r, err := x.Wait(context.Background())
	require.NoError(t, err)
	assert.Equal(t, StatusAborted, r.Status)
	assert.Equal(t, "Operator", r.Error)
	assert.False(t, x.Stop("Again", ""), "a finished execution cannot be stopped")
	h := x.History()
	assert.Equal(t, "ExecutionAborted", h[len(h)-1].Type)
}

type modelRejectedError struct{}

func (modelRejectedError) Error() string     { return "mse over the gate" }
func (modelRejectedError) ErrorName() string { return "ModelRejectedError" }

func TestLambdaErrorNamesLikeTheRuntime(t *testing.T) {
	cases := []struct {
		name      string
		err       error
		wantName  string
		wantCause string
	}{
		{"a wrapped plain error arrives as wrapError", fmt.Errorf("deploy: %w", errors.New("rolled back")), "wrapError",
			`{"errorMessage":"deploy: rolled back","errorType":"wrapError"}`},
		{"a named error wrapped by lambdaerr keeps its name", lambdaerr.Wrap(fmt.Errorf("evaluate: %w", modelRejectedError{})), "ModelRejectedError",
			`{"errorMessage":"evaluate: mse over the gate","errorType":"ModelRejectedError"}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := LambdaError(c.err)
			assert.Equal(t, c.wantName, f.Name)
			assert.JSONEq(t, c.wantCause, f.Cause)
		})
	}
}
