package approval

import (
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/internal/topology"
)

// New returns the approval handler from its dependencies: S3 and Step Functions clients
// from d.AWS, the bucket its environment names, and rel (see [release.New]) to release,
// withdraw and watch with.
func New(d lambdaenv.Deps, rel *release.Releaser) *Handler {
	return &Handler{
		S3:        d.S3(),
		Bucket:    d.Getenv(topology.EnvArtifactsBucket),
		SFN:       sfn.NewFromConfig(d.AWS),
		Releases:  rel,
		Watch:     rel,
		Rollbacks: rel,
		Clock:     d.Clock,
		Log:       d.Log,
	}
}
