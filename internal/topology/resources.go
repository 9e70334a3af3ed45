package topology

import "fmt"

// Resources are the values of a stack's resources that the functions' environment and the
// definitions' placeholders hold. [Derived] gives them as an [Env] names them; infra replaces
// the ones CloudFormation decides (the bucket's name, the topic's and the secret's ARNs, the
// policy object's URI) with its tokens, so the two tables below are written once for both.
type Resources struct {
	// PolicyObject is the policy object's s3://bucket/key (see [PolicyObject]).
	PolicyObject string
	// ArtifactsBucket is the stage's artifacts bucket.
	ArtifactsBucket string
	// TopicARN is the stage's notification topic.
	TopicARN string
	// WebhookSecretARN is the secret the webhook verifies deliveries with.
	WebhookSecretARN string
	// SageMakerRoleARN is the role SageMaker jobs and models run as.
	SageMakerRoleARN string
}

// Derived returns the resources of env as the topology names them; PolicyObject is empty
// (its key depends on the policy's content: see [PolicyObject]).
func Derived(env Env) Resources {
	return Resources{
		ArtifactsBucket:  ArtifactsBucket(env),
		TopicARN:         TopicARN(env),
		WebhookSecretARN: WebhookSecretARN(env),
		SageMakerRoleARN: SageMakerRoleARN(env),
	}
}

// WebhookSecretARN returns the ARN of the webhook secret as named (a secret deployed by
// CloudFormation gets a random suffix: infra uses its token instead).
func WebhookSecretARN(env Env) string {
	return fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s", env.Partition, env.Region, env.Account,
		ResourceName(env.Stage, "webhook-secret"))
}

// Environment returns the one environment table: every variable a handler may read with its
// value for the stack in env with resources r.
func (r Resources) Environment(env Env) map[string]string {
	return map[string]string{
		EnvStage:            env.Stage,
		EnvPolicyObject:     r.PolicyObject,
		EnvAccount:          env.Account,
		EnvBusName:          BusName(env.Stage),
		EnvPipelineARN:      StateMachineARN(env, "pipeline"),
		EnvDeployARN:        StateMachineARN(env, "deploy"),
		EnvArtifactsBucket:  r.ArtifactsBucket,
		EnvTopicARN:         r.TopicARN,
		EnvWebhookSecretARN: r.WebhookSecretARN,
	}
}

// EnvironmentOf returns the environment of function name: exactly the variables [Functions]
// lists for it, from [Resources.Environment]. A name outside [Functions] gets none.
func (r Resources) EnvironmentOf(env Env, name FunctionName) map[string]string {
	out := map[string]string{}
	f, ok := FunctionNamed(name)
	if !ok {
		return out
	}
	all := r.Environment(env)
	for _, k := range f.Env {
		out[k] = all[k]
	}
	return out
}

// Placeholders returns the one placeholder table: every ${...} key the workflows, rule
// patterns and policy images use, with its value for the stack in env with resources r
// (images may use only [ImagePlaceholders]). A test proves each file's placeholders are all
// provided.
func (r Resources) Placeholders(env Env) map[string]string {
	return map[string]string{
		"SageMakerRoleArn":           r.SageMakerRoleARN,
		"EvaluateFunctionArn":        FunctionARN(env, Evaluate),
		"RequestApprovalFunctionArn": FunctionARN(env, RequestApproval),
		"DeployStateMachineArn":      StateMachineARN(env, "deploy"),
		"NotificationTopicArn":       r.TopicARN,
		"ArtifactsBucket":            r.ArtifactsBucket,
		"Stage":                      env.Stage,
		"Account":                    env.Account,
		"Region":                     env.Region,
		"Partition":                  env.Partition,
	}
}

// Placeholders returns [Resources.Placeholders] of the resources [Derived] from env: the
// values kiln local uses, and the ones infra uses where CloudFormation decides nothing.
func Placeholders(env Env) map[string]string { return Derived(env).Placeholders(env) }
