package iam

import (
	"reflect"
	"testing"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/topology"
)

func TestTaskCallsIncludeWhatIntegrationsDoBehindTheScenes(t *testing.T) {
	env := topology.Local("prod")
	job := "arn:aws:sagemaker:us-east-1:000000000000:training-job/job-1"
	cases := []struct {
		name string
		req  asl.TaskRequest
		want []string // action resource
	}{
		{"createTrainingJob.sync polls, may stop, uses the managed rule and passes the role",
			asl.TaskRequest{Key: "sagemaker:createTrainingJob", Pattern: asl.PatternSync,
				Parameters: map[string]any{"TrainingJobName": "Job-1", "RoleArn": "arn:aws:iam::000000000000:role/sm"}},
			[]string{"sagemaker:CreateTrainingJob " + job, "iam:PassRole arn:aws:iam::000000000000:role/sm",
				"sagemaker:DescribeTrainingJob " + job, "sagemaker:StopTrainingJob " + job,
				"events:PutTargets arn:aws:events:us-east-1:000000000000:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule",
				"events:PutRule arn:aws:events:us-east-1:000000000000:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule",
				"events:DescribeRule arn:aws:events:us-east-1:000000000000:rule/StepFunctionsGetEventsForSageMakerTrainingJobsRule"}},
		{"createEndpoint is authorized on the endpoint and on its config",
			asl.TaskRequest{Key: "sagemaker:createEndpoint", Parameters: map[string]any{"EndpointName": "E", "EndpointConfigName": "C"}},
			[]string{"sagemaker:CreateEndpoint arn:aws:sagemaker:us-east-1:000000000000:endpoint/e",
				"sagemaker:CreateEndpoint arn:aws:sagemaker:us-east-1:000000000000:endpoint-config/c"}},
		{"lambda:invoke names the function by ARN",
			asl.TaskRequest{Key: "lambda:invoke", Parameters: map[string]any{"FunctionName": "kiln-prod-evaluate"}},
			[]string{"lambda:InvokeFunction arn:aws:lambda:us-east-1:000000000000:function:kiln-prod-evaluate"}},
		{"startExecution.sync:2 describes and may stop the child",
			asl.TaskRequest{Key: "states:startExecution", Pattern: asl.PatternSync2,
				Parameters: map[string]any{"StateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:d", "Name": "n"}},
			[]string{"states:StartExecution arn:aws:states:us-east-1:000000000000:stateMachine:d",
				"states:DescribeExecution arn:aws:states:us-east-1:000000000000:execution:d:n",
				"states:StopExecution arn:aws:states:us-east-1:000000000000:execution:d:n",
				"events:PutTargets arn:aws:events:us-east-1:000000000000:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
				"events:PutRule arn:aws:events:us-east-1:000000000000:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule",
				"events:DescribeRule arn:aws:events:us-east-1:000000000000:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule"}},
		{"an aws-sdk S3 write names the object",
			asl.TaskRequest{Key: "aws-sdk:s3:putObject", Parameters: map[string]any{"Bucket": "b", "Key": "k/x"}},
			[]string{"s3:PutObject arn:aws:s3:::b/k/x"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, call := range TaskCalls(env, &c.req) {
				got = append(got, call.Action+" "+call.Resource)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
