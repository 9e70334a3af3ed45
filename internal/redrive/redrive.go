// Package redrive continues an unsuccessful Step Functions execution from the state that
// stopped it (RedriveExecution), as `kiln redrive` does, for the command line and the demo
// alike, against kiln local or AWS through the same SDK calls. Its functions hold no state.
package redrive

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"

	"github.com/kiln-dev/kiln/internal/arn"
	"github.com/kiln-dev/kiln/internal/topology"
)

// API is what a redrive needs of Step Functions; *sfn.Client satisfies it.
type API interface {
	RedriveExecution(ctx context.Context, in *sfn.RedriveExecutionInput, optFns ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

var _ API = (*sfn.Client)(nil)

// Result is a redrive that started: the execution, when, its redrive count and its status
// right after (RUNNING, unless it already ended).
type Result struct {
	ExecutionARN string
	RedriveDate  time.Time
	RedriveCount int
	Status       string
}

// String returns the line kiln redrive prints.
func (r Result) String() string {
	return fmt.Sprintf("redriven %s at %s (redrive %d), now %s", r.ExecutionARN,
		r.RedriveDate.UTC().Format("2006-01-02T15:04:05Z"), r.RedriveCount, r.Status)
}

// ExecutionARN returns arg when it is an execution ARN, or the ARN of the execution named arg
// of env's pipeline (locally only: on AWS the account is not known here).
func ExecutionARN(arg string, env topology.Env, onAWS bool) (string, error) {
	if strings.HasPrefix(arg, "arn:") {
		if !strings.Contains(arg, ":execution:") {
			return "", fmt.Errorf("redrive: %q is not an execution ARN (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME)", arg)
		}
		return arg, nil
	}
	if onAWS {
		return "", fmt.Errorf("redrive: with --aws give the execution's ARN, not the name %q", arg)
	}
	return arn.Execution(topology.StateMachineARN(env, "pipeline"), arg), nil
}

// Execution redrives the execution executionARN and reports the redrive count and the status then.
func Execution(ctx context.Context, api API, executionARN string) (Result, error) {
	out, err := api.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(executionARN)})
	if err != nil {
		return Result{}, fmt.Errorf("redrive execution %s: %w", executionARN, err)
	}
	d, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(executionARN)})
	if err != nil {
		return Result{}, fmt.Errorf("describe execution %s: %w", executionARN, err)
	}
	return Result{ExecutionARN: executionARN, RedriveDate: aws.ToTime(out.RedriveDate), RedriveCount: int(aws.ToInt32(d.RedriveCount)),
		Status: string(d.Status)}, nil
}
