package stack

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/handlers/webhook"
	"github.com/kiln-dev/kiln/internal/local/eventbus"
	"github.com/kiln-dev/kiln/internal/local/iam"
	"github.com/kiln-dev/kiln/internal/local/sagemaker"
	"github.com/kiln-dev/kiln/internal/local/schedule"
	"github.com/kiln-dev/kiln/internal/topology"
)

// clientsFor returns the SDK clients of function short: with IAM on, they sign with an
// access key id naming the function's role from the template, so the endpoint's middleware
// evaluates each call under that role, as Lambda's execution role is on AWS. Without IAM, or
// for a function the template does not name, they are the stack's clients (the account root).
func (s *Stack) clientsFor(short topology.FunctionName) *Clients {
	a := s.opts.IAM
	if a == nil {
		return s.clients
	}
	name := topology.ResourceName(s.env.Stage, string(short))
	role, ok := a.Policies().Functions[name]
	if !ok {
		s.log.Warn("IAM: the template has no function; it runs as the account root", "function", name)
		return s.clients
	}
	return newClientsWithKey(s.endpoint, iam.AccessKeyID(iam.RoleName(role), name))
}

// authorizeTasks makes every Task of a template state machine run under its role.
func (s *Stack) authorizeTasks(r *asl.Resources) {
	if s.opts.IAM != nil {
		r.Over(s.opts.IAM.TaskLayer(s.env))
	}
}

// scheduleInvoker returns inv behind the Scheduler's check: a schedule invokes its target
// under the schedule's role (lambda:InvokeFunction on the function), as EventBridge Scheduler
// does; a denied invocation is an error the runner logs, as a failed delivery. A target no
// template schedule names is invoked as the account root.
func (s *Stack) scheduleInvoker(inv schedule.Invoker) schedule.Invoker {
	a := s.opts.IAM
	if a == nil {
		return inv
	}
	return scheduleInvokerFunc(func(ctx context.Context, function string, payload []byte) error {
		arn := s.functionARN(function)
		role := a.Policies().ScheduleTargets[arn]
		call := iam.Call{Action: "lambda:InvokeFunction", Resource: arn, Context: map[string]string{"aws:SecureTransport": "true"}}
		if err := a.Authorize(ctx, a.RolePrincipal(role, "scheduler"), call); err != nil {
			return err
		}
		return inv.Invoke(ctx, function, payload)
	})
}

type scheduleInvokerFunc func(ctx context.Context, function string, payload []byte) error

func (f scheduleInvokerFunc) Invoke(ctx context.Context, function string, payload []byte) error {
	return f(ctx, function, payload)
}

// sagemakerS3 authorizes SageMaker's own S3 call (s3:GetObject, s3:PutObject on
// bucket/key, or s3:ListBucket with s3:prefix key) under the execution role ctx carries, as
// SageMaker reads channels and model data and writes output with the role passed to it. No
// role (SageMaker's bookkeeping) or no authorizer: allowed.
func sagemakerS3(ctx context.Context, a *iam.Authorizer, action, bucket, key string) error {
	role := sagemaker.RoleFrom(ctx)
	if a == nil || role == "" {
		return nil
	}
	c := iam.Call{Action: action, Resource: "arn:aws:s3:::" + bucket + "/" + key,
		Context: map[string]string{"aws:SecureTransport": "true"}}
	if action == "s3:ListBucket" {
		c.Resource = "arn:aws:s3:::" + bucket
		c.Context["s3:prefix"] = key
	}
	return a.Authorize(ctx, a.RolePrincipal(role, "SageMaker"), c)
}

// sagemakerPreflight returns the checks SageMaker makes under the execution role before a
// training job or an endpoint's fleet starts, or nil without IAM.
func (s *Stack) sagemakerPreflight() sagemaker.Preflight {
	if s.opts.IAM == nil {
		return nil
	}
	return preflight{a: s.opts.IAM, env: s.env}
}

// preflight evaluates, under the execution role the context carries, SageMaker's image pulls
// from ECR (an image that is no ECR reference is not evaluated: no registry authorizes a
// local-only name) and its data-capture writes: s3:PutObject under the capture prefix (with
// the bucket's implicit KMS call) and kms:GenerateDataKey on the capture's own KmsKeyId.
type preflight struct {
	a   *iam.Authorizer
	env topology.Env
}

func (p preflight) PullImage(ctx context.Context, image string) error {
	role := sagemaker.RoleFrom(ctx)
	calls, ok := iam.ECRPullCalls(image)
	if !ok || role == "" {
		return nil
	}
	return p.a.Authorize(ctx, p.a.RolePrincipal(role, "SageMaker"), calls...)
}

func (p preflight) WriteCapture(ctx context.Context, uri, kmsKey string) error {
	role := sagemaker.RoleFrom(ctx)
	rest, ok := strings.CutPrefix(uri, "s3://")
	if !ok || role == "" {
		return nil
	}
	put := iam.Call{Action: "s3:PutObject", Resource: "arn:aws:s3:::" + rest, Context: map[string]string{"aws:SecureTransport": "true"}}
	calls := []iam.Call{put}
	if kmsKey != "" {
		calls = append(calls, iam.KMSCall("kms:GenerateDataKey", iam.KeyARN(p.env, kmsKey), put, false))
	}
	return p.a.Authorize(ctx, p.a.RolePrincipal(role, "SageMaker"), calls...)
}

// sagemakerAlarms returns a behind the check SageMaker's deployment guardrails make: reading
// the rollback alarms needs cloudwatch:DescribeAlarms on each alarm, under the execution role
// the deploy workflow passes (topology.SageMakerRoleARN, its ${SageMakerRoleArn}). A denied
// read is logged and reads as no alarm state, so the alarm cannot roll the release back.
func (s *Stack) sagemakerAlarms(a sagemaker.Alarms) sagemaker.Alarms {
	if s.opts.IAM == nil {
		return a
	}
	return checkedAlarms{Alarms: a, stack: s}
}

type checkedAlarms struct {
	sagemaker.Alarms
	stack *Stack
}

func (c checkedAlarms) AlarmState(name string) string {
	s := c.stack
	a := s.opts.IAM
	call := iam.Call{Action: "cloudwatch:DescribeAlarms", Context: map[string]string{"aws:SecureTransport": "true"},
		Resource: fmt.Sprintf("arn:%s:cloudwatch:%s:%s:alarm:%s", s.env.Partition, s.env.Region, s.env.Account, name)}
	if err := a.Authorize(context.Background(), a.RolePrincipal(topology.SageMakerRoleARN(s.env), "SageMaker"), call); err != nil {
		s.log.Error("SageMaker cannot read a rollback alarm", "alarm", name, "err", err)
		return ""
	}
	return c.Alarms.AlarmState(name)
}

// busInvoker returns inv behind the check Lambda makes when EventBridge invokes a rule's
// target: the function's resource policy (its AWS::Lambda::Permission grants) must allow
// events.amazonaws.com with the rule as aws:SourceArn. A denied delivery is an error, retried
// and dead-lettered as AWS does. Invocations outside a rule pass.
func (s *Stack) busInvoker(inv eventbus.Invoker) eventbus.Invoker {
	a := s.opts.IAM
	if a == nil {
		return inv
	}
	return eventbus.InvokerFunc(func(ctx context.Context, function string, payload []byte) error {
		if rule := eventbus.SourceRule(ctx); rule != "" {
			call := iam.Call{Action: "lambda:InvokeFunction", Resource: s.functionARN(function),
				Context: map[string]string{"aws:SecureTransport": "true", "aws:SourceArn": rule, "aws:SourceAccount": s.env.Account}}
			p := iam.Principal{Service: "events.amazonaws.com", Account: s.env.Account}
			if err := a.Authorize(ctx, p, call); err != nil {
				return err
			}
		}
		return inv.Invoke(ctx, function, payload)
	})
}

// functionARN returns a function's ARN from its name or ARN.
func (s *Stack) functionARN(function string) string {
	if strings.HasPrefix(function, "arn:") {
		return function
	}
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", s.env.Partition, s.env.Region, s.env.Account, function)
}

// secretsFor returns the webhook secret's reader for function short: with IAM on, the read is
// secretsmanager:GetSecretValue on the secret's ARN under the function's role (Secrets
// Manager is not emulated over HTTP, so the check is made here, as its endpoint would).
func (s *Stack) secretsFor(short topology.FunctionName) webhook.SecretsAPI {
	a := s.opts.IAM
	if a == nil {
		return s.secret
	}
	name := topology.ResourceName(s.env.Stage, string(short))
	return checkedSecrets{secretFile: s.secret, a: a, p: a.RolePrincipal(a.Policies().Functions[name], name)}
}

type checkedSecrets struct {
	*secretFile
	a *iam.Authorizer
	p iam.Principal
}

func (c checkedSecrets) GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	call := iam.Call{Action: "secretsmanager:GetSecretValue", Resource: aws.ToString(in.SecretId),
		Context: map[string]string{"aws:SecureTransport": "true"}}
	if err := c.a.Authorize(ctx, c.p, call); err != nil {
		return nil, err
	}
	return c.secretFile.GetSecretValue(ctx, in, opts...)
}
