package stepfunctions

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/topology"
)

// flakyMachine prepares (a Lambda call counted), then trains through a Lambda that fails
// while the rig is broken.
const flakyMachine = `{
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "prepare"}, "ResultPath": "$.prep", "Next": "Train"},
    "Train": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "train"}, "ResultPath": "$.train", "End": true}
  }
}`

// flaky counts calls per function; train fails while broken.
type flaky struct {
	prepares, trains atomic.Int32
	broken           atomic.Bool
}

func (f *flaky) lambda(_ context.Context, fn string, _ any) (any, error) {
	if fn == "prepare" {
		f.prepares.Add(1)
		return "ready", nil
	}
	f.trains.Add(1)
	if f.broken.Load() {
		return nil, asl.Fail("TrainingFailed", "the image is broken")
	}
	return "trained", nil
}

func openFlaky(t *testing.T, db *bolt.DB, f *flaky) (*Service, *sfn.Client) {
	t.Helper()
	r := asl.NewResources()
	Integrations{Lambda: f.lambda}.Register(r)
	s, err := Open(Options{DB: db, Env: topology.Local("prod"), Machines: kilnMachines(t, topology.Local("prod")), Resources: r, Seed: 7})
	require.NoError(t, err)
	require.NoError(t, s.Resume())
	return s, client(t, s)
}

func TestRedriveExecutionThroughTheSDKSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiln.db")
	db := openDB(t, path)
	f := &flaky{}
	f.broken.Store(true)
	s, c := openFlaky(t, db, f)
	ctx := context.Background()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("flaky"), Definition: aws.String(flakyMachine), RoleArn: aws.String(userRole)})
	require.NoError(t, err)
	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("run-1"), Input: aws.String(`{"model":"abalone"}`)})
	require.NoError(t, err)
	rec, err := s.Wait(ctx, aws.ToString(start.ExecutionArn))
	require.NoError(t, err)
	require.Equal(t, asl.StatusFailed, rec.Status)
	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
	require.NoError(t, err)
	assert.Equal(t, types.ExecutionRedriveStatusRedrivable, d.RedriveStatus)
	assert.Equal(t, int32(0), aws.ToInt32(d.RedriveCount))

	// The checkpoint of the failed state outlives the process.
	require.NoError(t, s.Close())
	require.NoError(t, db.Close())
	db = openDB(t, path)
	defer db.Close()
	f.broken.Store(false)
	s, c = openFlaky(t, db, f)
	defer s.Close()

	red, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: start.ExecutionArn})
	require.NoError(t, err)
	assert.False(t, aws.ToTime(red.RedriveDate).IsZero())
	rec, err = s.Wait(ctx, aws.ToString(start.ExecutionArn))
	require.NoError(t, err)
	require.Equal(t, asl.StatusSucceeded, rec.Status, "%s %s", rec.Error, rec.Cause)
	var out map[string]any
	require.NoError(t, json.Unmarshal(rec.Output, &out))
	assert.Equal(t, "abalone", out["model"])

	d, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
	require.NoError(t, err)
	hist, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, MaxResults: 1000})
	require.NoError(t, err)
	var kinds []string
	entered := map[string]int{}
	for _, ev := range hist.Events {
		kinds = append(kinds, string(ev.Type))
		if ev.StateEnteredEventDetails != nil {
			entered[aws.ToString(ev.StateEnteredEventDetails.Name)]++
		}
	}
	redriven := -1
	for i, ev := range hist.Events {
		if ev.Type == types.HistoryEventTypeExecutionRedriven {
			redriven = i
		}
	}
	list, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, RedriveFilter: types.ExecutionRedriveFilterRedriven})
	require.NoError(t, err)
	notRedriven, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: sm.StateMachineArn, RedriveFilter: types.ExecutionRedriveFilterNotRedriven})
	require.NoError(t, err)

	cases := []struct {
		name      string
		got, want any
	}{
		{"the successful state ran once", f.prepares.Load(), int32(1)},
		{"the failed state ran twice", f.trains.Load(), int32(2)},
		{"the redrive count is 1", aws.ToInt32(d.RedriveCount), int32(1)},
		{"the redrive date is the answer's", aws.ToTime(d.RedriveDate).Unix(), aws.ToTime(red.RedriveDate).Unix()},
		{"a succeeded execution is not redrivable", d.RedriveStatus, types.ExecutionRedriveStatusNotRedrivable},
		{"the reason says why", aws.ToString(d.RedriveStatusReason), "Execution is SUCCEEDED and cannot be redriven"},
		{"the history has one ExecutionRedriven event", count(kinds, "ExecutionRedriven"), 1},
		{"ExecutionRedriven comes right after ExecutionFailed", kinds[max(redriven-1, 0)], "ExecutionFailed"},
		{"the redriven event carries the count", aws.ToInt32(hist.Events[max(redriven, 0)].ExecutionRedrivenEventDetails.RedriveCount), int32(1)},
		{"Prepare was entered once", entered["Prepare"], 1},
		{"Train was entered twice", entered["Train"], 2},
		{"the history ends with success", kinds[len(kinds)-1], "ExecutionSucceeded"},
		{"the REDRIVEN filter lists it", len(list.Executions), 1},
		{"the listing carries the count", aws.ToInt32(list.Executions[0].RedriveCount), int32(1)},
		{"the NOT_REDRIVEN filter does not", len(notRedriven.Executions), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.got) })
	}
}

func TestRedriveRefusals(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	tk := newTokens()
	s := openService(t, db, tk, nil)
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()
	ok, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:child"), Name: aws.String("fine"), Input: aws.String(`{"x":1}`)})
	require.NoError(t, err)
	_, err = s.Wait(ctx, aws.ToString(ok.ExecutionArn))
	require.NoError(t, err)
	running, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN), Name: aws.String("waiting"), Input: aws.String(`{"model":"m"}`)})
	require.NoError(t, err)
	token := <-tk.ch

	cases := []struct {
		name, arn, want string
	}{
		{"a succeeded execution is not redrivable", aws.ToString(ok.ExecutionArn), "ExecutionNotRedrivable"},
		{"a running execution is not redrivable", aws.ToString(running.ExecutionArn), "ExecutionNotRedrivable"},
		{"an unknown execution does not exist", "arn:aws:states:us-east-1:000000000000:execution:child:nope", "ExecutionDoesNotExist"},
		{"a state machine ARN is not an execution ARN", approvalARN, "InvalidArn"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := c.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(tc.arn)})
			require.Error(t, err)
			assert.Equal(t, tc.want, apiCode(t, err))
		})
	}
	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: running.ExecutionArn})
	require.NoError(t, err)
	assert.Equal(t, types.ExecutionStatusRunning, d.Status, "a refused redrive changed nothing")
	assert.Equal(t, int32(0), aws.ToInt32(d.RedriveCount))
	_, err = s.StopExecution(aws.ToString(running.ExecutionArn), "Stop", "test over")
	require.NoError(t, err)
	d, err = c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: running.ExecutionArn})
	require.NoError(t, err)
	assert.Equal(t, types.ExecutionRedriveStatusRedrivable, d.RedriveStatus, "an aborted execution can be redriven")
	_, waiting := s.Waiting(aws.ToString(running.ExecutionArn))
	assert.False(t, waiting, "the checkpoint kept for a redrive does not make a stopped execution look waiting")
	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String("{}")})
	assert.Equal(t, "TaskTimedOut", apiCode(t, err), "the stopped execution's token is dead")
}
