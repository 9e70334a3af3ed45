package stepfunctions

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTestStateRunsOneStateAsAWSDoes(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	f := &flaky{}
	f.broken.Store(true)
	s, c := openFlaky(t, db, f)
	defer s.Close()
	const train = `"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","Parameters":{"FunctionName":"train"}`
	cases := []struct {
		name, def, input string
		status           types.TestExecutionStatus
		output, next     string
		errName          string
	}{
		{"a Pass state gives its output and next state",
			`{"Type":"Pass","Parameters":{"v.$":"$.x"},"ResultPath":"$.r","Next":"Later"}`, `{"x":1}`,
			types.TestExecutionStatusSucceeded, `{"r":{"v":1},"x":1}`, "Later", ""},
		{"a Choice names the branch taken",
			`{"Type":"Choice","Choices":[{"Variable":"$.x","NumericGreaterThan":0,"Next":"Positive"}],"Default":"Other"}`, `{"x":1}`,
			types.TestExecutionStatusSucceeded, `{"x":1}`, "Positive", ""},
		{"a failing task without Retry or Catch fails",
			`{` + train + `,"End":true}`, `{}`, types.TestExecutionStatusFailed, "", "", "TrainingFailed"},
		{"a failing task a Retrier matches is retriable",
			`{` + train + `,"Retry":[{"ErrorEquals":["States.ALL"]}],"End":true}`, `{}`, types.TestExecutionStatusRetriable, "", "", "TrainingFailed"},
		{"a failing task a Catcher matches is caught",
			`{` + train + `,"Catch":[{"ErrorEquals":["TrainingFailed"],"ResultPath":"$.error","Next":"Notify"}],"Next":"Done"}`, `{"a":1}`,
			types.TestExecutionStatusCaughtError, `{"a":1,"error":{"Cause":"the image is broken","Error":"TrainingFailed"}}`, "Notify", "TrainingFailed"},
		{"a Fail state fails with its error",
			`{"Type":"Fail","Error":"Nope","Cause":"because"}`, `{}`, types.TestExecutionStatusFailed, "", "", "Nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.TestState(context.Background(), &sfn.TestStateInput{Definition: aws.String(tc.def), RoleArn: aws.String(userRole), Input: aws.String(tc.input)})
			require.NoError(t, err)
			assert.Equal(t, tc.status, out.Status)
			if tc.output != "" {
				assert.JSONEq(t, tc.output, aws.ToString(out.Output))
			}
			assert.Equal(t, tc.next, aws.ToString(out.NextState))
			assert.Equal(t, tc.errName, aws.ToString(out.Error))
		})
	}
	assert.Equal(t, int32(3), f.trains.Load(), "each task test called the function once: a Retrier is reported, not followed")
}

func TestTestStateInspectionDataFollowsTheDataFlow(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	s, c := openFlaky(t, db, &flaky{})
	defer s.Close()
	def := `{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke","InputPath":"$.job",
	  "Parameters":{"FunctionName":"train","Payload.$":"$"},"ResultSelector":{"answer.$":"$.Payload"},
	  "ResultPath":"$.result","OutputPath":"$.result","End":true}`
	out, err := c.TestState(context.Background(), &sfn.TestStateInput{Definition: aws.String(def), RoleArn: aws.String(userRole),
		Input: aws.String(`{"job":{"n":2},"other":true}`), InspectionLevel: types.InspectionLevelDebug})
	require.NoError(t, err)
	require.Equal(t, types.TestExecutionStatusSucceeded, out.Status, "%s %s", aws.ToString(out.Error), aws.ToString(out.Cause))
	d := out.InspectionData
	require.NotNil(t, d)
	var params map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(d.AfterParameters)), &params))
	cases := []struct {
		name, got, want string
	}{
		{"input is the state input", aws.ToString(d.Input), `{"job":{"n":2},"other":true}`},
		{"InputPath selects the job", aws.ToString(d.AfterInputPath), `{"n":2}`},
		{"ResultSelector keeps the payload", aws.ToString(d.AfterResultSelector), `{"answer":"trained"}`},
		{"ResultPath puts it into the original input", aws.ToString(d.AfterResultPath), `{"job":{"n":2},"other":true,"result":{"answer":"trained"}}`},
		{"OutputPath gives the output", aws.ToString(out.Output), `{"answer":"trained"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assert.JSONEq(t, tc.want, tc.got) })
	}
	assert.Equal(t, map[string]any{"FunctionName": "train", "Payload": map[string]any{"n": float64(2)}}, params, "the parameters are evaluated on the InputPath's output")
	assert.Contains(t, aws.ToString(d.Result), `"Payload":"trained"`)
}

func TestStartSyncExecutionRunsExpressMachines(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	s := openService(t, db, newTokens(), nil)
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()
	express, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("quick"), Type: types.StateMachineTypeExpress,
		Definition: aws.String(`{"StartAt":"Add","States":{"Add":{"Type":"Pass","Parameters":{"sum.$":"States.MathAdd($.a, $.b)"},"End":true}}}`), RoleArn: aws.String(userRole)})
	require.NoError(t, err)
	out, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: express.StateMachineArn, Input: aws.String(`{"a":2,"b":3}`)})
	require.NoError(t, err)
	assert.Equal(t, types.SyncExecutionStatusSucceeded, out.Status)
	assert.JSONEq(t, `{"sum":5}`, aws.ToString(out.Output))
	assert.Contains(t, aws.ToString(out.ExecutionArn), ":express:quick:")
	assert.NotNil(t, out.BillingDetails)

	failing, err := c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: express.StateMachineArn, Input: aws.String(`{"a":"x","b":3}`)})
	require.NoError(t, err)
	assert.Equal(t, types.SyncExecutionStatusFailed, failing.Status)
	assert.Equal(t, "States.Runtime", aws.ToString(failing.Error))

	_, err = c.StartSyncExecution(ctx, &sfn.StartSyncExecutionInput{StateMachineArn: aws.String(approvalARN)})
	assert.Equal(t, "StateMachineTypeNotSupported", apiCode(t, err), "a STANDARD machine cannot run synchronously")
	_, err = c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: express.StateMachineArn})
	assert.Equal(t, "StateMachineTypeNotSupported", apiCode(t, err), "EXPRESS executions are not listed")
}
