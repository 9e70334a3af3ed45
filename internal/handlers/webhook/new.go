package webhook

import (
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

// New returns the webhook handler from its dependencies: Secrets Manager, S3 and EventBridge
// clients from d.AWS, the secret, bucket and bus its environment names. kiln local, which
// emulates no Secrets Manager, replaces Secrets afterwards.
func New(d lambdaenv.Deps) *Handler {
	return &Handler{
		Secrets:   secretsmanager.NewFromConfig(d.AWS),
		SecretARN: d.Getenv(topology.EnvWebhookSecretARN),
		S3:        d.S3(),
		Bucket:    d.Getenv(topology.EnvArtifactsBucket),
		Events:    eventbridge.NewFromConfig(d.AWS),
		BusName:   d.Getenv(topology.EnvBusName),
		Clock:     d.Clock,
		Log:       d.Log,
	}
}
