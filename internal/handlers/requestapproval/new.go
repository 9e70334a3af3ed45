package requestapproval

import (
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

// New returns the request-approval handler from its dependencies: S3, SNS and SageMaker
// clients from d.AWS, the bucket and topic its environment names.
func New(d lambdaenv.Deps) *Handler {
	return &Handler{
		S3:        d.S3(),
		Bucket:    d.Getenv(topology.EnvArtifactsBucket),
		SNS:       sns.NewFromConfig(d.AWS),
		TopicARN:  d.Getenv(topology.EnvTopicARN),
		SageMaker: sagemaker.NewFromConfig(d.AWS),
		Clock:     d.Clock,
		Log:       d.Log,
	}
}
