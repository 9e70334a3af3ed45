package stack

import (
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/handlers/evaluate"
	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
	"github.com/kiln-dev/kiln/internal/handlers/requestapproval"
	"github.com/kiln-dev/kiln/internal/handlers/trigger"
	"github.com/kiln-dev/kiln/internal/handlers/webhook"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/local/lambda"
	"github.com/kiln-dev/kiln/internal/local/logs"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/internal/topology"
)

// Clients are real aws-sdk-go-v2 clients pointed at the stack's endpoint, with static
// credentials test/test in us-east-1 and path-style S3: the Lambdas run with these.
type Clients struct {
	Config        aws.Config
	S3            *awss3.Client
	StepFunctions *sfn.Client
	SageMaker     *awssm.Client
	EventBridge   *eventbridge.Client
	CloudWatch    *awscw.Client
	SNS           *awssns.Client
	Logs          *cloudwatchlogs.Client
}

// NewClients returns clients for the local stack at endpoint (http://host:port).
func NewClients(endpoint string) *Clients { return newClientsWithKey(endpoint, "test") }

// newClientsWithKey returns clients signing with the access key id key (secret "test").
func newClientsWithKey(endpoint, key string) *Clients {
	cfg := aws.Config{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: "test", Source: "kiln-local"}, nil
		}),
		HTTPClient: &http.Client{Timeout: 5 * time.Minute},
	}
	return &Clients{
		Config:        cfg,
		S3:            awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true }),
		StepFunctions: sfn.NewFromConfig(cfg),
		SageMaker:     awssm.NewFromConfig(cfg),
		EventBridge:   eventbridge.NewFromConfig(cfg),
		CloudWatch:    awscw.NewFromConfig(cfg),
		SNS:           awssns.NewFromConfig(cfg),
		Logs:          cloudwatchlogs.NewFromConfig(cfg),
	}
}

// WebhookSecretARN returns the ARN the local stack gives the webhook secret (Secrets
// Manager is not emulated: the secret lives in <dir>/webhook-secret).
func WebhookSecretARN(env topology.Env) string { return topology.WebhookSecretARN(env) }

// Env returns the environment of function name: exactly the variables the topology lists
// for it, with the local stack's values.
func (s *Stack) Env(name topology.FunctionName) map[string]string {
	res := topology.Derived(s.env)
	res.PolicyObject = s.policyObject
	return res.EnvironmentOf(s.env, name)
}

// LogGroup returns the CloudWatch Logs group of function name (/aws/lambda/kiln-<stage>-<name>).
func (s *Stack) LogGroup(name topology.FunctionName) string {
	return "/aws/lambda/" + topology.ResourceName(s.env.Stage, string(name))
}

// functionLog returns a function's logger: the stack's log, and the function's log stream in
// the local CloudWatch Logs (info and above, as JSON lines), as Lambda would keep them.
func (s *Stack) functionLog(name topology.FunctionName) *slog.Logger {
	return slog.New(s.logs.Handler(s.LogGroup(name), s.logStream(name), s.log.Handler())).With("function", string(name))
}

// logStream returns function name's log stream: one for the life of this process, named as
// Lambda names an execution environment's (2026/12/06/[$LATEST]<hex>).
func (s *Stack) logStream(name topology.FunctionName) string {
	s.logStreamMu.Lock()
	defer s.logStreamMu.Unlock()
	if s.logStreams == nil {
		s.logStreams = map[topology.FunctionName]string{}
	}
	st, ok := s.logStreams[name]
	if !ok {
		st = logs.EnvironmentStream(s.clock.Now())
		s.logStreams[name] = st
	}
	return st
}

// platformRecord is a Lambda system log record in the JSON log format the functions use on
// AWS (infra sets LoggingFormat JSON): platform.start and platform.report around each
// invocation. maxMemoryUsedMB is left out: the functions run inside kiln local's process,
// whose memory is not theirs.
type platformRecord struct {
	Time   string `json:"time"`
	Type   string `json:"type"`
	Record any    `json:"record"`
}

// platformLog writes an invocation's platform event into the function's log stream.
func (s *Stack) platformLog(ev lambda.PlatformEvent) {
	rec := platformRecord{Time: ev.Time.UTC().Format("2006-01-02T15:04:05.000Z"), Type: ev.Type}
	switch ev.Type {
	case "platform.start":
		rec.Record = map[string]any{"requestId": ev.RequestID, "version": "$LATEST"}
	case "platform.report":
		ms := float64(ev.Duration.Microseconds()) / 1000
		rec.Record = map[string]any{"requestId": ev.RequestID, "status": ev.Status,
			"metrics": map[string]any{"durationMs": ms, "billedDurationMs": math.Ceil(ms), "memorySizeMB": topology.FunctionMemoryMB}}
	default:
		return
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return
	}
	_ = s.logs.Put(s.LogGroup(ev.Function), s.logStream(ev.Function), ev.Time, string(b))
}

// deps returns what function name's constructor reads: its environment from [Stack.Env],
// clients signed as its role, the stack's clock, its log, and p.
func (s *Stack) deps(name topology.FunctionName, p *policy.Policy) lambdaenv.Deps {
	return lambdaenv.Deps{Getenv: lambdaenv.FromMap(s.Env(name)), AWS: s.clientsFor(name).Config, PathStyleS3: true,
		Policy: p, Clock: s.clock.Now, Log: s.functionLog(name)}
}

// registerFunctions builds each Lambda's handler with its package's constructor, the one
// its main uses, from the local stack's dependencies, and registers it. The functions that
// read the policy read the policy object at their cold start, as on AWS.
func (s *Stack) registerFunctions(*policy.Policy) error {
	wh := webhook.New(s.deps(topology.Webhook, nil))
	wh.Secrets = s.secretsFor(topology.Webhook)
	s.webhook = lambda.Handler(wh.Handle)
	s.lambdas.Register(topology.Webhook, s.webhook)
	s.lambdas.Register(topology.Trigger, s.withPolicy(topology.Trigger, func(p *policy.Policy) lambda.Func {
		return lambda.Handler(trigger.New(s.deps(topology.Trigger, p)).Handle)
	}))
	s.lambdas.Register(topology.Evaluate, s.withPolicy(topology.Evaluate, func(p *policy.Policy) lambda.Func {
		return lambda.Handler(evaluate.New(s.deps(topology.Evaluate, p)).Handle)
	}))
	s.lambdas.Register(topology.Approval, s.withPolicy(topology.Approval, func(p *policy.Policy) lambda.Func {
		d := s.deps(topology.Approval, p)
		return lambda.Handler(approval.New(d, localReleaser(d)).Handle)
	}))
	// The console's Rollback button takes the same path as kiln rollback, as the person using
	// it (the account's own credentials), with the stack's policy.
	console := s.deps(topology.Approval, s.policy)
	console.AWS, console.Log = s.clients.Config, s.log.With("service", "console")
	s.console.Releases, s.console.Stage = localReleaser(console), s.env.Stage
	s.lambdas.Register(topology.MonitorDrift, lambda.Handler(monitordrift.New(s.deps(topology.MonitorDrift, nil)).Handle))
	s.lambdas.Register(topology.RequestApproval, lambda.Handler(requestapproval.New(s.deps(topology.RequestApproval, nil)).Handle))
	return nil
}

// localReleaser is [release.New] polling a settling endpoint every 250 ms: the local
// SageMaker shifts traffic in seconds, not minutes.
func localReleaser(d lambdaenv.Deps) *release.Releaser {
	rel := release.New(d)
	rel.PollInterval = 250 * time.Millisecond
	return rel
}
