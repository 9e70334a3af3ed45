package stack

import (
	"context"
	"fmt"
	"log/slog"
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
	"github.com/kiln-dev/kiln/internal/handlers/trigger"
	"github.com/kiln-dev/kiln/internal/handlers/webhook"
	"github.com/kiln-dev/kiln/internal/local/lambda"
	"github.com/kiln-dev/kiln/internal/opsevents"
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
func WebhookSecretARN(env topology.Env) string {
	return fmt.Sprintf("arn:%s:secretsmanager:%s:%s:secret:%s", env.Partition, env.Region, env.Account,
		topology.ResourceName(env.Stage, "webhook-secret"))
}

// Env returns the environment of the function short, exactly the variables the topology
// lists for it, with the local stack's values.
func (s *Stack) Env(short string) map[string]string {
	all := map[string]string{
		topology.EnvStage:            s.env.Stage,
		topology.EnvPolicyObject:     s.policyObject,
		topology.EnvAccount:          s.env.Account,
		topology.EnvBusName:          topology.BusName(s.env.Stage),
		topology.EnvPipelineARN:      topology.StateMachineARN(s.env, "pipeline"),
		topology.EnvArtifactsBucket:  topology.ArtifactsBucket(s.env),
		topology.EnvTopicARN:         topology.TopicARN(s.env),
		topology.EnvDeployARN:        topology.StateMachineARN(s.env, "deploy"),
		topology.EnvWebhookSecretARN: WebhookSecretARN(s.env),
	}
	out := map[string]string{}
	if f, ok := topology.FunctionNamed(short); ok {
		for _, k := range f.Env {
			out[k] = all[k]
		}
	}
	return out
}

// LogGroup returns the CloudWatch Logs group of function short (/aws/lambda/kiln-<stage>-<short>).
func (s *Stack) LogGroup(short string) string {
	return "/aws/lambda/" + topology.ResourceName(s.env.Stage, short)
}

// functionLog returns a function's logger: the stack's log, and the function's log group in
// the local CloudWatch Logs (info and above, as JSON lines), as Lambda would keep them.
func (s *Stack) functionLog(short string) *slog.Logger {
	return slog.New(s.logs.Handler(s.LogGroup(short), s.log.Handler())).With("function", short)
}

// registerFunctions builds each Lambda's real handler with real clients and registers it.
// Every configuration value comes from Env, the topology's table of what each one reads.
func (s *Stack) registerFunctions(p *policy.Policy) error {
	env := s.Env
	c := s.clientsFor("webhook")

	wh := &webhook.Handler{Secrets: s.secretsFor("webhook"), SecretARN: env("webhook")[topology.EnvWebhookSecretARN],
		S3: c.S3, Bucket: env("webhook")[topology.EnvArtifactsBucket],
		Events: c.EventBridge, BusName: env("webhook")[topology.EnvBusName],
		Clock: s.clock.Now, Log: s.functionLog("webhook")}
	s.webhook = lambda.Handler(wh.Handle)
	s.lambdas.Register("webhook", s.webhook)

	// The functions that read the policy read the policy object at their cold start, as on AWS;
	// each closure keeps its own function's clients (signed as that function's role).
	tc := s.clientsFor("trigger")
	s.lambdas.Register("trigger", s.withPolicy("trigger", func(p *policy.Policy) lambda.Func {
		tr := &trigger.Handler{SFN: tc.StepFunctions, PipelineARN: env("trigger")[topology.EnvPipelineARN],
			Stage: env("trigger")[topology.EnvStage], Bucket: env("trigger")[topology.EnvArtifactsBucket],
			Policy: p, Clock: s.clock.Now, Log: s.functionLog("trigger")}
		return lambda.Handler(tr.Handle)
	}))

	ec := s.clientsFor("evaluate")
	s.lambdas.Register("evaluate", s.withPolicy("evaluate", func(p *policy.Policy) lambda.Func {
		ev := &evaluate.Handler{S3: ec.S3, List: ec.S3, Bucket: env("evaluate")[topology.EnvArtifactsBucket], SageMaker: ec.SageMaker,
			Policy: p, Stage: env("evaluate")[topology.EnvStage], Log: s.functionLog("evaluate")}
		return lambda.Handler(ev.Handle)
	}))

	ac := s.clientsFor("approval")
	ae := env("approval")
	releaser := func(c *Clients, p *policy.Policy, log *slog.Logger) *release.Releaser {
		return &release.Releaser{SFN: c.StepFunctions, SageMaker: c.SageMaker, S3: c.S3, SNS: c.SNS, TopicARN: ae[topology.EnvTopicARN],
			Bucket: ae[topology.EnvArtifactsBucket], PipelineARN: ae[topology.EnvPipelineARN], DeployARN: ae[topology.EnvDeployARN],
			Policy: p, Stage: ae[topology.EnvStage], Clock: s.clock.Now, Log: log,
			SettleTimeout: 14 * time.Minute, PollInterval: 250 * time.Millisecond,
			Events: &opsevents.Publisher{Events: c.EventBridge, Bus: ae[topology.EnvBusName]}}
	}
	s.lambdas.Register("approval", s.withPolicy("approval", func(p *policy.Policy) lambda.Func {
		rel := releaser(ac, p, s.functionLog("approval"))
		ap := &approval.Handler{S3: ac.S3, Bucket: ae[topology.EnvArtifactsBucket], SFN: ac.StepFunctions, Releases: rel, Watch: rel,
			Clock: s.clock.Now, Log: s.functionLog("approval")}
		return lambda.Handler(ap.Handle)
	}))
	// The console's Rollback button takes the same path as kiln rollback, as the person using
	// it (the account's own credentials), with the stack's policy.
	s.console.Releases, s.console.Stage = releaser(s.clients, s.policy, s.log.With("service", "console")), s.env.Stage

	c = s.clientsFor("monitor-drift")
	md := &monitordrift.Handler{S3: c.S3, CloudWatch: c.CloudWatch, Clock: s.clock.Now, Log: s.functionLog("monitor-drift"),
		Bucket: env("monitor-drift")[topology.EnvArtifactsBucket],
		Events: &opsevents.Publisher{Events: c.EventBridge, Bus: env("monitor-drift")[topology.EnvBusName]}}
	s.lambdas.Register("monitor-drift", lambda.Handler(md.Handle))

	return s.registerRequestApproval(p)
}
