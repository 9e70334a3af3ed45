package redrive

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
)

func TestExecutionARN(t *testing.T) {
	env := topology.Local("prod")
	cases := []struct {
		name, arg string
		onAWS     bool
		want, err string
	}{
		{"an execution ARN is taken as it is", "arn:aws:states:eu-west-1:1:execution:kiln-prod-pipeline:x", false, "arn:aws:states:eu-west-1:1:execution:kiln-prod-pipeline:x", ""},
		{"a name is an execution of the stage's pipeline", "abalone-prod-commit-abc", false,
			"arn:aws:states:us-east-1:000000000000:execution:kiln-prod-pipeline:abalone-prod-commit-abc", ""},
		{"an ARN of another kind is refused", "arn:aws:states:us-east-1:1:stateMachine:kiln-prod-pipeline", false, "", "is not an execution ARN"},
		{"on AWS a name is refused", "abalone-prod-commit-abc", true, "", "give the execution's ARN"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ExecutionARN(tc.arg, env, tc.onAWS)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

// fakeSFN answers RedriveExecution and DescribeExecution from its fields.
type fakeSFN struct {
	redriveErr error
	at         time.Time
}

func (f fakeSFN) RedriveExecution(context.Context, *sfn.RedriveExecutionInput, ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error) {
	if f.redriveErr != nil {
		return nil, f.redriveErr
	}
	return &sfn.RedriveExecutionOutput{RedriveDate: aws.Time(f.at)}, nil
}

func (f fakeSFN) DescribeExecution(context.Context, *sfn.DescribeExecutionInput, ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error) {
	return &sfn.DescribeExecutionOutput{Status: types.ExecutionStatusRunning, RedriveCount: aws.Int32(1)}, nil
}

func TestExecutionReportsTheRedrive(t *testing.T) {
	at := time.Date(2026, 12, 6, 1, 30, 0, 0, time.UTC)
	r, err := Execution(context.Background(), fakeSFN{at: at}, "arn:x")
	require.NoError(t, err)
	assert.Equal(t, Result{ExecutionARN: "arn:x", RedriveDate: at, RedriveCount: 1, Status: "RUNNING"}, r)
	assert.Equal(t, "redriven arn:x at 2026-12-06T01:30:00Z (redrive 1), now RUNNING", r.String())

	_, err = Execution(context.Background(), fakeSFN{redriveErr: errors.New("ExecutionNotRedrivable: Execution is SUCCEEDED")}, "arn:x")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "redrive execution arn:x: ExecutionNotRedrivable")
}
