package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/user"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/internal/topology"
)

// opsTarget is where the operations commands (history, rollback, drift run) act: the running
// kiln local (default), or AWS with the default credential chain (--aws). Either way they use
// the same SDK calls.
type opsTarget struct {
	endpoint   string
	onAWS      bool
	policyFile string
	stage      string
}

// flags adds --endpoint, --aws, --policy and --stage (required) to cmd.
func (o *opsTarget) flags(cmd *cobra.Command) {
	endpointFlag(cmd, &o.endpoint)
	cmd.Flags().BoolVar(&o.onAWS, "aws", false, "act on AWS with the default credential chain (AWS_PROFILE, AWS_REGION, ...) instead of kiln local")
	cmd.Flags().StringVar(&o.policyFile, "policy", "", "the policy kiln runs under (default $KILN_POLICY or the embedded kiln.json)")
	cmd.Flags().StringVar(&o.stage, "stage", "", "the stage (required)")
	_ = cmd.MarkFlagRequired("stage")
}

// opsClients are the SDK clients of a target, and the stage's environment there.
type opsClients struct {
	env           topology.Env
	policy        *policy.Policy
	s3            *awss3.Client
	stepFunctions *sfn.Client
	sageMaker     *awssm.Client
	sns           *awssns.Client
	events        *eventbridge.Client
	cloudWatch    *awscw.Client
}

// clients connects to the target: kiln local must be running at the endpoint; on AWS the
// account comes from STS GetCallerIdentity and the region from the configuration.
func (o *opsTarget) clients(ctx context.Context) (*opsClients, error) {
	p, err := loadPolicy(o.policyFile)
	if err != nil {
		return nil, err
	}
	if _, ok := p.Stages[o.stage]; !ok {
		return nil, fmt.Errorf("the policy has no stage %q", o.stage)
	}
	var cfg aws.Config
	env := topology.Local(o.stage)
	pathStyle := !o.onAWS
	if o.onAWS {
		if cfg, err = config.LoadDefaultConfig(ctx); err != nil {
			return nil, fmt.Errorf("load AWS configuration: %w", err)
		}
		id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
		if err != nil {
			return nil, fmt.Errorf("find the AWS account (sts get-caller-identity): %w", err)
		}
		env = topology.Env{Stage: o.stage, Account: aws.ToString(id.Account), Region: cfg.Region, Partition: partitionOf(aws.ToString(id.Arn))}
	} else {
		if !reachable(o.endpoint) {
			return nil, fmt.Errorf("no kiln local at %s: start it with kiln local, or use --aws", o.endpoint)
		}
		cfg = stack.NewClients(o.endpoint).Config
	}
	return &opsClients{env: env, policy: p,
		s3:            awss3.NewFromConfig(cfg, func(so *awss3.Options) { so.UsePathStyle = pathStyle }),
		stepFunctions: sfn.NewFromConfig(cfg), sageMaker: awssm.NewFromConfig(cfg), sns: awssns.NewFromConfig(cfg),
		events: eventbridge.NewFromConfig(cfg), cloudWatch: awscw.NewFromConfig(cfg)}, nil
}

// releaser returns the stage's Releaser on the target, logging to log.
func (c *opsClients) releaser(log *slog.Logger) *release.Releaser {
	return &release.Releaser{SFN: c.stepFunctions, SageMaker: c.sageMaker, S3: c.s3, SNS: c.sns, TopicARN: topology.TopicARN(c.env),
		Bucket: topology.ArtifactsBucket(c.env), PipelineARN: topology.StateMachineARN(c.env, "pipeline"),
		DeployARN: topology.StateMachineARN(c.env, "deploy"), Policy: c.policy, Stage: c.env.Stage, Clock: time.Now, Log: log,
		PollInterval: 200 * time.Millisecond, Events: &opsevents.Publisher{Events: c.events, Bus: topology.BusName(c.env.Stage)}}
}

// partitionOf returns the partition of an ARN (arn:PARTITION:...), "aws" when unclear.
func partitionOf(arn string) string {
	if parts := strings.SplitN(arn, ":", 3); len(parts) == 3 && parts[1] != "" {
		return parts[1]
	}
	return "aws"
}

// whoAmI names the person running the command: $KILN_USER, else the login name.
func whoAmI() string {
	if u := os.Getenv("KILN_USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}
