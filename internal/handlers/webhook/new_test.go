package webhook_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/handlers/webhook"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

func TestNewReadsTheVariablesTheTopologyGivesIt(t *testing.T) {
	env := topology.Local("prod")
	vars := topology.Derived(env).EnvironmentOf(env, topology.Webhook)
	d := lambdaenv.Deps{Getenv: lambdaenv.FromMap(vars), AWS: aws.Config{Region: env.Region}}
	h := webhook.New(d)
	assert.Equal(t, vars[topology.EnvWebhookSecretARN], h.SecretARN)
	assert.Equal(t, vars[topology.EnvArtifactsBucket], h.Bucket)
	assert.Equal(t, vars[topology.EnvBusName], h.BusName)
	assert.NotNil(t, h.Secrets)
	assert.NotNil(t, h.S3)
	assert.NotNil(t, h.Events)
}
