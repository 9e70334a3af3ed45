package evaluate

import (
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

// New returns the evaluate handler from its dependencies: S3 and SageMaker clients from
// d.AWS, the bucket and stage its environment names, and d's policy.
func New(d lambdaenv.Deps) *Handler {
	objects := d.S3()
	return &Handler{
		S3:        objects,
		List:      objects,
		Bucket:    d.Getenv(topology.EnvArtifactsBucket),
		SageMaker: sagemaker.NewFromConfig(d.AWS),
		Policy:    d.Policy,
		Stage:     d.Getenv(topology.EnvStage),
		Log:       d.Log,
	}
}
