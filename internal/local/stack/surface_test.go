package stack

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
)

// failedDeploy starts the deploy workflow with an input it cannot use and waits for it to
// fail, so the executions' log group has a whole run in it. It returns the execution's ARN.
func failedDeploy(t *testing.T, s *Stack) string {
	t.Helper()
	ctx := context.Background()
	c := s.Clients().StepFunctions
	out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(topology.StateMachineARN(s.TopologyEnv(), "deploy")),
		Name: aws.String("logs-test"), Input: aws.String(`{}`)})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: out.ExecutionArn})
		return err == nil && d.Status != sfntypes.ExecutionStatusRunning
	}, 30*time.Second, 20*time.Millisecond)
	return aws.ToString(out.ExecutionArn)
}

func TestTheStackServesLambdaSchedulerAndLogsOverTheirAPIs(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close()
	ctx := context.Background()
	cfg := s.Clients().Config

	fns, err := awslambda.NewFromConfig(cfg).ListFunctions(ctx, &awslambda.ListFunctionsInput{})
	require.NoError(t, err)
	var names []string
	for _, f := range fns.Functions {
		names = append(names, aws.ToString(f.FunctionName))
	}
	assert.ElementsMatch(t, s.Lambdas().Names(), names)
	assert.Len(t, names, len(topology.Functions))

	out, err := awslambda.NewFromConfig(cfg).Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-evaluate"), Payload: []byte(`"not an event"`)})
	require.NoError(t, err)
	assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
	assert.Contains(t, string(out.Payload), `"errorType":"UnmarshalTypeError"`, "the Go runtime's name for a payload that does not decode")

	tailed, err := awslambda.NewFromConfig(cfg).Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-trigger"),
		Payload: []byte(`{"kind":"nothing kiln knows"}`), LogType: lambdatypes.LogTypeTail})
	require.NoError(t, err)
	logText, err := base64.StdEncoding.DecodeString(aws.ToString(tailed.LogResult))
	require.NoError(t, err)
	assert.Contains(t, string(logText), `"function":"trigger"`, "LogType Tail returns what the invocation logged")

	scheds, err := scheduler.NewFromConfig(cfg).ListSchedules(ctx, &scheduler.ListSchedulesInput{})
	require.NoError(t, err)
	assert.Len(t, scheds.Schedules, len(s.Schedules().Schedules()))

	arn := failedDeploy(t, s)
	logs := cloudwatchlogs.NewFromConfig(cfg)
	groups, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/vendedlogs/states/")})
	require.NoError(t, err)
	var gnames []string
	for _, g := range groups.LogGroups {
		gnames = append(gnames, aws.ToString(g.LogGroupName))
	}
	assert.Equal(t, []string{"/aws/vendedlogs/states/kiln-prod-deploy", "/aws/vendedlogs/states/kiln-prod-pipeline"}, gnames)

	evs, err := logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: aws.String("/aws/vendedlogs/states/kiln-prod-deploy"),
		LogStreamName: aws.String("states/kiln-prod-deploy/logs-test"), StartFromHead: aws.Bool(true)})
	require.NoError(t, err)
	require.NotEmpty(t, evs.Events)
	var first, last map[string]any
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(evs.Events[0].Message)), &first))
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(evs.Events[len(evs.Events)-1].Message)), &last))
	assert.Equal(t, "ExecutionStarted", first["type"])
	assert.Equal(t, "1", first["id"])
	assert.Equal(t, arn, first["execution_arn"])
	assert.Equal(t, "{}", first["details"].(map[string]any)["input"], "execution data is included, as infra's logging configuration asks")
	assert.Contains(t, []any{"ExecutionFailed", "ExecutionSucceeded"}, last["type"])

	_, err = dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) { o.RetryMaxAttempts = 1 }).ListTables(ctx, &dynamodb.ListTablesInput{})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "got %v", err)
	assert.True(t, strings.HasPrefix(api.ErrorMessage(), "kiln local does not emulate DynamoDB"), api.ErrorMessage())
}
