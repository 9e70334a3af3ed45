package monitordrift

import (
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/topology"
)

// New returns the drift job's handler from its dependencies: S3, CloudWatch and EventBridge
// clients from d.AWS, the bucket and bus its environment names.
func New(d lambdaenv.Deps) *Handler {
	return &Handler{
		S3:         d.S3(),
		CloudWatch: cloudwatch.NewFromConfig(d.AWS),
		Bucket:     d.Getenv(topology.EnvArtifactsBucket),
		Clock:      d.Clock,
		Log:        d.Log,
		Events:     &opsevents.Publisher{Events: eventbridge.NewFromConfig(d.AWS), Bus: d.Getenv(topology.EnvBusName)},
	}
}
