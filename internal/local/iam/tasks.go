package iam

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	kilnarn "github.com/kiln-dev/kiln/internal/arn"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/topology"
)

// TaskLayer returns an asl.Resources layer that authorizes each Task of a state machine the
// template knows under the state machine's role before the integration runs: the action the
// integration calls, what .sync does behind the scenes (the Describe/Stop calls and the
// managed EventBridge rule), and iam:PassRole for a role handed to SageMaker. A denial ends
// the task with the integration's error name and AWS's message; otherwise the lookup goes on
// to the real handler.
func (a *Authorizer) TaskLayer(env topology.Env) func(ctx context.Context, req *asl.TaskRequest) (any, error, bool) {
	return func(ctx context.Context, req *asl.TaskRequest) (any, error, bool) {
		if a == nil || a.mode == ModeOff || a.policies == nil {
			return nil, nil, false
		}
		role, ok := a.policies.StateMachines[req.StateMachineARN]
		if !ok {
			return nil, nil, false
		}
		p := a.RolePrincipal(role, sessionOf(req.ExecutionARN))
		if err := a.Authorize(ctx, p, TaskCalls(env, req)...); err != nil {
			return nil, asl.Fail(taskErrorName(req.Key), taskCause(req.Key, err)), true
		}
		return nil, nil, false
	}
}

// sessionOf names a state machine's role session after the execution, as Step Functions does.
func sessionOf(executionARN string) string {
	s := executionARN[strings.LastIndex(executionARN, ":")+1:]
	if len(s) > 64 {
		s = s[:64]
	}
	return s
}

// TaskCalls returns the IAM calls a Task makes on AWS, from its resource key, pattern and
// parameters.
func TaskCalls(env topology.Env, req *asl.TaskRequest) []Call {
	params := map[string]any{}
	if b, err := json.Marshal(req.Parameters); err == nil {
		_ = json.Unmarshal(b, &params)
	}
	key := req.Key
	switch {
	case key == "lambda:invoke" || key == "lambda:function":
		fn := req.Resource
		if key == "lambda:invoke" {
			fn = str(params, "FunctionName")
		}
		return []Call{{Action: "lambda:InvokeFunction", Resource: functionARN(env, fn), Context: secure()}}
	case key == "sns:publish":
		return []Call{{Action: "sns:Publish", Resource: str(params, "TopicArn"), Context: secure()}}
	case key == "states:startExecution":
		return startExecutionCalls(env, req.Pattern, params)
	case strings.HasPrefix(key, "aws-sdk:s3:"):
		op := upperFirst(strings.TrimPrefix(key, "aws-sdk:s3:"))
		return []Call{{Action: "s3:" + op, Resource: "arn:aws:s3:::" + str(params, "Bucket") + "/" + str(params, "Key"), Context: secure()}}
	case strings.HasPrefix(key, "sagemaker:"), strings.HasPrefix(key, "aws-sdk:sagemaker:"):
		op := upperFirst(key[strings.LastIndex(key, ":")+1:])
		return sagemakerTaskCalls(env, op, req.Pattern, params)
	}
	svc, op, _ := strings.Cut(strings.TrimPrefix(key, "aws-sdk:"), ":")
	return []Call{{Action: svc + ":" + upperFirst(op), Resource: "*", Context: secure()}}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func functionARN(env topology.Env, fn string) string {
	if strings.HasPrefix(fn, "arn:") {
		return fn
	}
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", env.Partition, env.Region, env.Account, fn)
}

// syncRule is the managed rule Step Functions puts for a .sync integration.
func syncRule(env topology.Env, name string) []Call {
	arn := fmt.Sprintf("arn:%s:events:%s:%s:rule/%s", env.Partition, env.Region, env.Account, name)
	var out []Call
	for _, a := range []string{"events:PutTargets", "events:PutRule", "events:DescribeRule"} {
		out = append(out, Call{Action: a, Resource: arn, Context: secure()})
	}
	return out
}

func startExecutionCalls(env topology.Env, pattern asl.IntegrationPattern, params map[string]any) []Call {
	sm := str(params, "StateMachineArn")
	calls := []Call{{Action: "states:StartExecution", Resource: sm, Context: secure()}}
	if pattern != asl.PatternSync && pattern != asl.PatternSync2 {
		return calls
	}
	name := str(params, "Name")
	if name == "" {
		name = "*"
	}
	exec := kilnarn.Execution(sm, name)
	calls = append(calls, Call{Action: "states:DescribeExecution", Resource: exec, Context: secure()},
		Call{Action: "states:StopExecution", Resource: exec, Context: secure()})
	return append(calls, syncRule(env, "StepFunctionsGetEventsForStepFunctionsExecutionRule")...)
}

// sagemakerTaskCalls adds to the operation's own call what Step Functions does for it:
// DescribeTrainingJob/StopTrainingJob and the managed rule for createTrainingJob.sync,
// AddTags when the request tags, and iam:PassRole for the role SageMaker will run under.
func sagemakerTaskCalls(env topology.Env, op string, pattern asl.IntegrationPattern, params map[string]any) []Call {
	var calls []Call
	res := sagemakerResources(env, op, params)
	if len(res) == 0 {
		res = []string{"*"}
	}
	for _, r := range res {
		calls = append(calls, Call{Action: "sagemaker:" + op, Resource: r, Context: secure()})
	}
	if _, tagged := params["Tags"]; tagged {
		calls = append(calls, Call{Action: "sagemaker:AddTags", Resource: res[0], Context: secure()})
	}
	for _, k := range []string{"RoleArn", "ExecutionRoleArn"} {
		if role := str(params, k); role != "" {
			calls = append(calls, Call{Action: "iam:PassRole", Resource: role,
				Context: map[string]string{"aws:SecureTransport": "true", "iam:PassedToService": "sagemaker.amazonaws.com"}})
		}
	}
	if op == "CreateTrainingJob" && pattern == asl.PatternSync {
		for _, a := range []string{"sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"} {
			calls = append(calls, Call{Action: a, Resource: res[0], Context: secure()})
		}
		calls = append(calls, syncRule(env, "StepFunctionsGetEventsForSageMakerTrainingJobsRule")...)
	}
	return calls
}

// taskErrorName is the error a denied integration raises in Step Functions: the service's
// prefix and the SDK exception it reports AccessDenied as.
func taskErrorName(key string) string {
	switch {
	case strings.HasPrefix(key, "lambda:"):
		return "Lambda.AWSLambdaException"
	case strings.HasPrefix(key, "sns:"):
		return "SNS.AuthorizationErrorException"
	case strings.HasPrefix(key, "states:"):
		return "StepFunctions.AWSStepFunctionsException"
	case strings.HasPrefix(key, "aws-sdk:s3:"):
		return "S3.S3Exception"
	}
	return "SageMaker.AccessDeniedException"
}

func taskCause(key string, err error) string {
	svc := map[bool]string{true: "AmazonSageMaker", false: "AWS"}[strings.Contains(key, "sagemaker:")]
	return fmt.Sprintf("%s (Service: %s; Status Code: 400; Error Code: AccessDeniedException; Request ID: %s; Proxy: null)", err.Error(), svc, requestID())
}
