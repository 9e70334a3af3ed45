package stepfunctions

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/topology"
)

// flakyMocks answers the flaky machine's Train state: once with a result, once with an error.
const flakyMocks = `{
  "StateMachines": {"flaky": {"TestCases": {
    "TrainWorks": {"Train": "Trained"},
    "TrainBreaks": {"Train": "Broken"}
  }}},
  "MockedResponses": {
    "Trained": {"0": {"Return": {"Payload": "mocked model"}}},
    "Broken": {"0": {"Throw": {"Error": "MockedFailure", "Cause": "from the mock file"}}}
  }
}`

func TestTheMockFileAnswersTestCasesOverTheAPI(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	mc, err := asl.ParseMockConfig([]byte(flakyMocks))
	require.NoError(t, err)
	f := &flaky{}
	r := asl.NewResources()
	Integrations{Lambda: f.lambda}.Register(r)
	s, err := Open(Options{DB: db, Env: topology.Local("prod"), Machines: kilnMachines(t, topology.Local("prod")), Resources: r, Seed: 7, Mocks: mc})
	require.NoError(t, err)
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()
	sm, err := c.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{Name: aws.String("flaky"), Definition: aws.String(flakyMachine), RoleArn: aws.String(userRole)})
	require.NoError(t, err)
	arn := aws.ToString(sm.StateMachineArn)

	cases := []struct {
		name, target string
		status       asl.Status
		want         string
	}{
		{"a test case's Return is the task's result", arn + "#TrainWorks", asl.StatusSucceeded, `"train":{"Payload":"mocked model"}`},
		{"a test case's Throw is the task's error", arn + "#TrainBreaks", asl.StatusFailed, "MockedFailure"},
		{"without a test case the real integration runs", arn, asl.StatusSucceeded, `"Payload":"trained"`},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(tc.target), Name: aws.String(string(rune('a' + i)))})
			require.NoError(t, err)
			rec, err := s.Wait(ctx, aws.ToString(out.ExecutionArn))
			require.NoError(t, err)
			assert.Equal(t, tc.status, rec.Status)
			assert.Contains(t, string(rec.Output)+rec.Error, tc.want)
			assert.Equal(t, arn, rec.StateMachineARN, "the execution belongs to the machine, not to the test case")
		})
	}
	assert.Equal(t, int32(1), f.trains.Load(), "only the unmocked run called the real function")
	assert.Equal(t, int32(3), f.prepares.Load(), "states the test case does not mock run for real")
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(arn + "#NoSuchCase")})
	assert.Equal(t, "ValidationException", apiCode(t, err), "an unknown test case is refused")
}
