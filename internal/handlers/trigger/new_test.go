package trigger_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/handlers/trigger"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

func TestNewReadsTheVariablesTheTopologyGivesIt(t *testing.T) {
	env := topology.Local("prod")
	vars := topology.Derived(env).EnvironmentOf(env, topology.Trigger)
	d := lambdaenv.Deps{Getenv: lambdaenv.FromMap(vars), AWS: aws.Config{Region: env.Region}}
	h := trigger.New(d)
	assert.Equal(t, vars[topology.EnvPipelineARN], h.PipelineARN)
	assert.Equal(t, vars[topology.EnvStage], h.Stage)
	assert.Equal(t, vars[topology.EnvArtifactsBucket], h.Bucket)
	assert.NotNil(t, h.SFN)
}
