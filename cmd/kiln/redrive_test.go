package main

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/topology"
)

// readAfterPrepare reads an object a person has to put before it can succeed.
func readAfterPrepare(bucket string) string {
	return `{"StartAt":"Prepare","States":{
	  "Prepare":{"Type":"Pass","Result":"ready","ResultPath":"$.prep","Next":"Read"},
	  "Read":{"Type":"Task","Resource":"arn:aws:states:::aws-sdk:s3:getObject","Parameters":{"Bucket":"` + bucket + `","Key":"inputs/data.csv"},"ResultSelector":{"body.$":"$.Body"},"ResultPath":"$.read","End":true}}}`
}

func TestKilnRedriveRestartsAFailedExecutionFromItsFailedState(t *testing.T) {
	st, err := stack.Open(stack.Options{Dir: t.TempDir(), Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	require.NoError(t, st.Start(context.Background()))
	defer st.Close()
	ctx := context.Background()
	c := st.Clients()
	bucket := topology.ArtifactsBucket(topology.Local("prod"))
	sm, err := c.StepFunctions.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("reader"),
		Definition: aws.String(readAfterPrepare(bucket)), RoleArn: aws.String("arn:aws:iam::000000000000:role/reader")})
	require.NoError(t, err)
	start, err := c.StepFunctions.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: sm.StateMachineArn, Name: aws.String("first")})
	require.NoError(t, err)
	arn := aws.ToString(start.ExecutionArn)
	rec, err := st.StepFunctions().Wait(ctx, arn)
	require.NoError(t, err)
	require.Equal(t, "FAILED", string(rec.Status), "the object is missing: %s", rec.Cause)

	_, err = c.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("inputs/data.csv"), Body: strings.NewReader("1,2,3")})
	require.NoError(t, err)

	tests := []struct {
		name    string
		args    []string
		wantErr string
		wantOut string
	}{
		{"no running stack is a clear error", []string{arn, "--endpoint", freeEndpoint(t)}, "no kiln local at", ""},
		{"an ARN of another kind is refused", []string{aws.ToString(sm.StateMachineArn), "--endpoint", st.Endpoint()}, "is not an execution ARN", ""},
		{"a name that is no pipeline execution does not exist", []string{"nope", "--endpoint", st.Endpoint()}, "ExecutionDoesNotExist", ""},
		{"the failed execution is redriven", []string{arn, "--endpoint", st.Endpoint()}, "", "(redrive 1), now "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := run(t, newRedriveCmd(), tc.args...)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Contains(t, out, tc.wantOut)
		})
	}
	rec, err = st.StepFunctions().Wait(ctx, arn)
	require.NoError(t, err)
	assert.Equal(t, "SUCCEEDED", string(rec.Status), "%s %s", rec.Error, rec.Cause)
	assert.JSONEq(t, `{"prep":"ready","read":{"body":"1,2,3"}}`, string(rec.Output))
	h, err := c.StepFunctions.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	require.NoError(t, err)
	prepares := 0
	for _, ev := range h.Events {
		if ev.Type == types.HistoryEventTypePassStateEntered {
			prepares++
		}
	}
	assert.Equal(t, 1, prepares, "the successful Pass state was not run again")
}
