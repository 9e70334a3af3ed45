package approval_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/internal/topology"
)

func TestNewReadsTheVariablesTheTopologyGivesIt(t *testing.T) {
	env := topology.Local("prod")
	vars := topology.Derived(env).EnvironmentOf(env, topology.Approval)
	d := lambdaenv.Deps{Getenv: lambdaenv.FromMap(vars), AWS: aws.Config{Region: env.Region}}
	rel := release.New(d)
	h := approval.New(d, rel)
	assert.Equal(t, vars[topology.EnvArtifactsBucket], h.Bucket)
	assert.Same(t, rel, h.Releases)
	assert.Same(t, rel, h.Watch)
	assert.Equal(t, vars[topology.EnvPipelineARN], rel.PipelineARN)
	assert.Equal(t, vars[topology.EnvDeployARN], rel.DeployARN)
	assert.Equal(t, vars[topology.EnvTopicARN], rel.TopicARN)
	assert.Equal(t, vars[topology.EnvStage], rel.Stage)
	assert.Equal(t, vars[topology.EnvArtifactsBucket], rel.Bucket)
}
