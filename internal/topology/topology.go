// Package topology is the one table that names every part of kiln and how the parts connect:
// the Lambda functions, the workflows, the EventBridge rules and their targets, the schedules
// and the alarms. infra loops over it to create resources; the local stack loops over it to
// register the same handlers, rules and targets. Nothing is named twice: every resource name
// and ARN comes from the functions here.
//
// Everything in this package is immutable data and pure functions, safe for concurrent use.
package topology

import (
	"fmt"
	"sort"

	"github.com/kiln-dev/kiln/internal/policy"
)

// Environment variables the Lambda handlers read; infra sets them, the local stack too.
const (
	EnvStage = "KILN_STAGE"
	// EnvPolicy is the policy itself (a document or @FILE, see policy.Load): what `make synth`
	// and kiln local read; the deployed functions read [EnvPolicyObject] instead.
	EnvPolicy           = "KILN_POLICY"
	EnvBusName          = "KILN_BUS_NAME"
	EnvPipelineARN      = "KILN_PIPELINE_ARN"
	EnvArtifactsBucket  = "KILN_ARTIFACTS_BUCKET"
	EnvTopicARN         = "KILN_TOPIC_ARN"
	EnvDeployARN        = "KILN_DEPLOY_ARN"
	EnvWebhookSecretARN = "KILN_WEBHOOK_SECRET_ARN"
	// EnvPolicyObject is the policy object's s3://bucket/key (see [PolicyObject]); the
	// functions that read the policy read it once per cold start.
	EnvPolicyObject = "KILN_POLICY_OBJECT"
	// EnvAccount is the stack's account: with the runtime's AWS_REGION it resolves the
	// policy's image placeholders ([ResolveImages]).
	EnvAccount = "KILN_ACCOUNT"
)

// FunctionName is a Lambda function's short name: kebab-case, verb first where it is an
// action. The function is kiln-<stage>-<name>, its folder functions/<name>, its handler
// package internal/handlers/<name without hyphens>. The constants below are the only place a
// function's name is spelled.
type FunctionName string

// kiln's functions, in the order of [Functions].
const (
	Webhook         FunctionName = "webhook"
	Trigger         FunctionName = "trigger"
	Evaluate        FunctionName = "evaluate"
	RequestApproval FunctionName = "request-approval"
	Approval        FunctionName = "approval"
	MonitorDrift    FunctionName = "monitor-drift"
)

// Function is one Lambda function of the topology.
type Function struct {
	// Name is one of the [FunctionName] constants.
	Name FunctionName
	// Summary says what the function does, for descriptions and the README.
	Summary string
	// Env lists the environment variables its handler reads.
	Env []string
	// URL is true for a function reached through a Lambda function URL (the webhook).
	URL bool
	// SageMaker is true when the handler calls the SageMaker API (its bootstrap is larger).
	SageMaker bool
	// TimeoutSeconds bounds one invocation.
	TimeoutSeconds int
}

// FunctionMemoryMB is the memory every kiln function is given (infra's MemorySize, kiln
// local's GetFunction and platform.report).
const FunctionMemoryMB = 256

// Functions are kiln's Lambda functions.
var Functions = []Function{
	{Name: Webhook, Summary: "verifies GitHub push webhooks and puts Git Push events on the kiln bus",
		Env: []string{EnvBusName, EnvArtifactsBucket, EnvWebhookSecretARN}, URL: true, TimeoutSeconds: 10},
	{Name: Trigger, Summary: "the retraining governor: turns commits, schedules, new data and drift into pipeline executions",
		Env: []string{EnvStage, EnvPolicyObject, EnvAccount, EnvPipelineARN, EnvArtifactsBucket}, TimeoutSeconds: 30},
	{Name: Evaluate, Summary: "checks a trained model against the gate and against the model in production",
		Env: []string{EnvStage, EnvPolicyObject, EnvAccount, EnvArtifactsBucket}, SageMaker: true, TimeoutSeconds: 900},
	{Name: RequestApproval, Summary: "stores the approval task token and notifies approvers with the evidence",
		Env: []string{EnvStage, EnvArtifactsBucket, EnvTopicARN}, SageMaker: true, TimeoutSeconds: 30},
	{Name: Approval, Summary: "completes the waiting pipeline when a model package is approved or rejected, and takes a rejected live model back",
		Env: []string{EnvStage, EnvPolicyObject, EnvAccount, EnvArtifactsBucket, EnvPipelineARN, EnvDeployARN, EnvTopicARN, EnvBusName}, SageMaker: true, TimeoutSeconds: 900},
	{Name: MonitorDrift, Summary: "compares an endpoint's captured requests with the training baseline and publishes drift metrics",
		Env: []string{EnvArtifactsBucket, EnvStage, EnvBusName}, TimeoutSeconds: 300},
}

// FunctionNamed returns the function named name.
func FunctionNamed(name FunctionName) (Function, bool) {
	for _, f := range Functions {
		if f.Name == name {
			return f, true
		}
	}
	return Function{}, false
}

// Workflow is one Step Functions state machine, defined by statemachines/<File>.
type Workflow struct {
	// Name is the short name; the state machine is kiln-<stage>-<Name>.
	Name string
	// File is the ASL file under statemachines/.
	File string
}

// Workflows are kiln's state machines.
var Workflows = []Workflow{
	{Name: "pipeline", File: "pipeline.asl.json"},
	{Name: "deploy", File: "deploy.asl.json"},
}

// Bus names. The kiln bus carries kiln's own events; AWS services put theirs on the default bus.
const (
	KilnBus    = "kiln"
	DefaultBus = "default"
)

// Rule is one EventBridge rule: a pattern file under events/rules/ on a bus, with a target.
type Rule struct {
	// Name is the rule's short name; the rule is kiln-<stage>-<Name>.
	Name string
	// Bus is KilnBus or DefaultBus.
	Bus string
	// Pattern is the file under events/rules/; it may hold ${...} placeholders.
	Pattern string
	// Target is the function the rule invokes.
	Target FunctionName
}

// Rules are kiln's EventBridge rules.
var Rules = []Rule{
	{Name: "git-push", Bus: KilnBus, Pattern: "git-push.pattern.json", Target: Trigger},
	{Name: "codecommit-push", Bus: DefaultBus, Pattern: "codecommit-push.pattern.json", Target: Trigger},
	{Name: "new-training-data", Bus: DefaultBus, Pattern: "new-training-data.pattern.json", Target: Trigger},
	{Name: "drift-alarm", Bus: DefaultBus, Pattern: "drift-alarm.pattern.json", Target: Trigger},
	{Name: "model-approval", Bus: DefaultBus, Pattern: "model-approval.pattern.json", Target: Approval},
	// watch-alarm: a kiln alarm in ALARM reaches the approval function, which rolls the stage
	// back when it fired inside the live release's watch window (release.Releaser.Watch).
	{Name: "watch-alarm", Bus: DefaultBus, Pattern: "watch-alarm.pattern.json", Target: Approval},
	// rollback-ended: a rollback's deploy execution ended; the approval function announces
	// "kiln Rollback Completed" from the execution's own status-change event
	// (release.Releaser.Announce), so no function waits for a rollback to end.
	{Name: "rollback-ended", Bus: DefaultBus, Pattern: "rollback-ended.pattern.json", Target: Approval},
}

// Schedule is one EventBridge Scheduler schedule with a function target and a fixed input.
type Schedule struct {
	// Name is the schedule's short name; the schedule is kiln-<stage>-<Name>-<model>.
	Name string
	// Expression is a Scheduler expression: rate(...), cron(...) with six fields, or at(...).
	Expression string
	// Target is the function it invokes.
	Target FunctionName
	// Input returns the target's input for a model and stage.
	Input func(model, stage string) map[string]any
	// NeedsEndpoint is true for a schedule that reads the stage's endpoint: it exists only in
	// stages whose policy deploys (see [SchedulesFor]).
	NeedsEndpoint bool
}

// Schedules are kiln's schedules; each exists once per model, in the stages [SchedulesFor]
// selects.
var Schedules = []Schedule{
	{Name: "retrain", Expression: "cron(0 3 ? * MON *)", Target: Trigger,
		Input: func(model, stage string) map[string]any {
			return map[string]any{"kind": "schedule", "model": model, "schedule": "retrain"}
		}},
	{Name: "drift", Expression: "rate(1 hour)", Target: MonitorDrift, NeedsEndpoint: true,
		Input: func(model, stage string) map[string]any {
			return map[string]any{"endpointName": EndpointName(stage, model), "windowMinutes": 60}
		}},
}

// SchedulesFor returns the schedules stage runs under p: every one of [Schedules], except that
// a stage the policy marks deploy: false gets none that needs an endpoint (its drift job would
// find no endpoint, ever). A stage the policy does not name (the local stack's own) keeps all.
// Before a deploying stage's first deploy the drift job runs and reports NoDeployment.
func SchedulesFor(p *policy.Policy, stage string) []Schedule {
	st, known := p.Stages[stage]
	var out []Schedule
	for _, s := range Schedules {
		if s.NeedsEndpoint && known && !st.Deploy {
			continue
		}
		out = append(out, s)
	}
	return out
}

// Env is where a stack lives.
type Env struct {
	Stage     string
	Account   string
	Region    string
	Partition string
}

// Local is the environment of the local stack: the account and region local AWS emulators use.
func Local(stage string) Env {
	return Env{Stage: stage, Account: "000000000000", Region: "us-east-1", Partition: "aws"}
}

// ResourceName returns kiln-<stage>-<short>, the name of a stage's resource.
func ResourceName(stage, short string) string { return "kiln-" + stage + "-" + short }

// EndpointName returns the SageMaker endpoint serving model in stage.
func EndpointName(stage, model string) string { return ResourceName(stage, model) }

// PackageGroup returns the model package group of model in stage.
func PackageGroup(stage, model string) string { return ResourceName(stage, model) }

// BusName returns the stage's kiln bus.
func BusName(stage string) string { return ResourceName(stage, KilnBus) }

// ArtifactsBucket returns the name of the stage's artifacts bucket in env (bucket names
// are global, so the account and region are part of it).
func ArtifactsBucket(env Env) string {
	return fmt.Sprintf("kiln-%s-artifacts-%s-%s", env.Stage, env.Account, env.Region)
}

// FunctionARN returns the ARN of the stage's function name.
func FunctionARN(env Env, name FunctionName) string {
	return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", env.Partition, env.Region, env.Account, ResourceName(env.Stage, string(name)))
}

// StateMachineARN returns the ARN of the stage's workflow short.
func StateMachineARN(env Env, short string) string {
	return fmt.Sprintf("arn:%s:states:%s:%s:stateMachine:%s", env.Partition, env.Region, env.Account, ResourceName(env.Stage, short))
}

// TopicARN returns the ARN of the stage's notification topic.
func TopicARN(env Env) string {
	return fmt.Sprintf("arn:%s:sns:%s:%s:%s", env.Partition, env.Region, env.Account, ResourceName(env.Stage, "notifications"))
}

// SageMakerRoleARN returns the ARN of the role SageMaker jobs and models run as.
func SageMakerRoleARN(env Env) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition, env.Account, ResourceName(env.Stage, "sagemaker"))
}

// Alarm is a CloudWatch alarm kiln creates.
type Alarm struct {
	// Name is the alarm's full name.
	Name string
	// Purpose is "rollback" (named in the deployment's AutoRollbackConfiguration) or "drift"
	// (its ALARM state starts retraining through the drift-alarm rule).
	Purpose    string
	Namespace  string
	Metric     string
	Dimensions map[string]string
	// Statistic is Sum, Average, Maximum or a percentile such as p99.
	Statistic          string
	PeriodSeconds      int
	EvaluationPeriods  int
	Threshold          float64
	ComparisonOperator string
	// TreatMissingData is how a period without data counts: notBreaching for every kiln
	// alarm, so an endpoint without traffic or a drift job without a new window reads OK.
	TreatMissingData string
	// Model is the model whose endpoint the alarm watches.
	Model string
}

// Alarm purposes.
const (
	PurposeRollback = "rollback"
	PurposeDrift    = "drift"
)

// DriftAlarmPrefix begins every drift alarm's name; the drift-alarm rule matches on it.
const DriftAlarmPrefix = "kiln-drift-"

// DriftMetricNamespace and the metric name below are Model Monitor's, so a user with Model
// Monitor and a user of kiln's own drift job get the same alarms.
const DriftMetricNamespace = "aws/sagemaker/Endpoints/data-metrics"

// DriftMetric returns the metric name for feature.
func DriftMetric(feature string) string { return "feature_baseline_drift_" + feature }

// DriftSchedule returns the MonitoringSchedule dimension value of the endpoint's drift metrics.
func DriftSchedule(endpoint string) string { return "kiln-drift-" + endpoint }

// DriftAlarmName returns the drift alarm for a feature of the stage's model.
func DriftAlarmName(stage, model, feature string) string {
	return DriftAlarmPrefix + stage + "-" + model + "-" + feature
}

// RollbackAlarmNames returns the alarms a deployment of model in stage rolls back on.
func RollbackAlarmNames(stage, model string) []string {
	e := EndpointName(stage, model)
	return []string{e + "-5xx", e + "-latency"}
}

// Alarms returns every alarm of stage: per model, the rollback alarms on its endpoint and
// a drift alarm per feature. Sorted by name.
func Alarms(p *policy.Policy, stage string) []Alarm {
	var out []Alarm
	for _, m := range p.Models {
		e := EndpointName(stage, m.Name)
		dims := map[string]string{"EndpointName": e, "VariantName": VariantName}
		names := RollbackAlarmNames(stage, m.Name)
		out = append(out,
			Alarm{Name: names[0], Purpose: PurposeRollback, Namespace: "AWS/SageMaker", Metric: "Invocation5XXErrors",
				Dimensions: dims, Statistic: "Sum", PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 1,
				ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching", Model: m.Name},
			Alarm{Name: names[1], Purpose: PurposeRollback, Namespace: "AWS/SageMaker", Metric: "ModelLatency",
				Dimensions: dims, Statistic: "p99", PeriodSeconds: 60, EvaluationPeriods: 2, Threshold: 500000,
				ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching", Model: m.Name},
		)
		for _, f := range m.Features {
			out = append(out, Alarm{Name: DriftAlarmName(stage, m.Name, f), Purpose: PurposeDrift,
				Namespace: DriftMetricNamespace, Metric: DriftMetric(f),
				Dimensions: map[string]string{"Endpoint": e, "MonitoringSchedule": DriftSchedule(e)},
				Statistic:  "Maximum", PeriodSeconds: 300, EvaluationPeriods: 1, Threshold: m.DriftThreshold,
				ComparisonOperator: "GreaterThanThreshold", TreatMissingData: "notBreaching", Model: m.Name})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// VariantName is the production variant every kiln endpoint uses; a blue/green update must
// keep the variant name.
const VariantName = "AllTraffic"
