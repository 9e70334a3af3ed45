package release

import (
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/topology"
)

// New returns the releaser of the approval function from its dependencies: clients from
// d.AWS, the topic, bucket, workflows, stage and bus its environment names, and d's policy.
// An update to a rejected package may have to settle before the stage rolls back: it waits
// up to 14 minutes, within the function's 15-minute timeout.
func New(d lambdaenv.Deps) *Releaser {
	return &Releaser{
		SFN: sfn.NewFromConfig(d.AWS), SageMaker: sagemaker.NewFromConfig(d.AWS), S3: d.S3(), SNS: sns.NewFromConfig(d.AWS),
		TopicARN: d.Getenv(topology.EnvTopicARN), Bucket: d.Getenv(topology.EnvArtifactsBucket),
		PipelineARN: d.Getenv(topology.EnvPipelineARN), DeployARN: d.Getenv(topology.EnvDeployARN),
		Policy: d.Policy, Stage: d.Getenv(topology.EnvStage), Clock: d.Clock, Log: d.Log,
		SettleTimeout: 14 * time.Minute,
		Events:        &opsevents.Publisher{Events: eventbridge.NewFromConfig(d.AWS), Bus: d.Getenv(topology.EnvBusName)},
	}
}
