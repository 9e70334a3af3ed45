package trigger

import (
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

// New returns the trigger handler from its dependencies: a Step Functions client from d.AWS,
// the pipeline, stage and bucket its environment names, and d's policy.
func New(d lambdaenv.Deps) *Handler {
	return &Handler{
		SFN:         sfn.NewFromConfig(d.AWS),
		PipelineARN: d.Getenv(topology.EnvPipelineARN),
		Stage:       d.Getenv(topology.EnvStage),
		Bucket:      d.Getenv(topology.EnvArtifactsBucket),
		Policy:      d.Policy,
		Clock:       d.Clock,
		Log:         d.Log,
	}
}
