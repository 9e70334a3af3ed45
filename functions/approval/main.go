// Command approval is the approval Lambda: it wires the handler in internal/handlers/approval
// (and the release operations it uses to take a rejected model back) to the AWS SDK and the
// Lambda runtime.
package main

import (
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/internal/topology"
)

func main() {
	env := lambdaenv.Load()
	s3c := s3.NewFromConfig(env.AWS, func(o *s3.Options) { o.UsePathStyle = lambdaenv.PathStyleS3() })
	sfnc := sfn.NewFromConfig(env.AWS)
	rel := &release.Releaser{
		SFN: sfnc, SageMaker: sagemaker.NewFromConfig(env.AWS), S3: s3c, SNS: sns.NewFromConfig(env.AWS),
		TopicARN: env.Getenv(topology.EnvTopicARN), Bucket: env.Getenv(topology.EnvArtifactsBucket),
		PipelineARN: env.Getenv(topology.EnvPipelineARN), DeployARN: env.Getenv(topology.EnvDeployARN),
		Policy: env.Policy(), Stage: env.Getenv(topology.EnvStage), Clock: time.Now, Log: env.Log,
		// Within the function's 15-minute timeout: an update to a rejected package may have
		// to settle before the stage can roll back.
		SettleTimeout: 14 * time.Minute,
		Events:        &opsevents.Publisher{Events: eventbridge.NewFromConfig(env.AWS), Bus: env.Getenv(topology.EnvBusName)},
	}
	h := &approval.Handler{
		S3:       s3c,
		Bucket:   env.Getenv(topology.EnvArtifactsBucket),
		SFN:      sfnc,
		Releases: rel,
		Watch:    rel,
		Clock:    time.Now,
		Log:      env.Log,
	}
	lambda.Start(h.Handle)
}
