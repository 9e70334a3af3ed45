package requestapproval_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/handlers/requestapproval"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/topology"
)

func TestNewReadsTheVariablesTheTopologyGivesIt(t *testing.T) {
	env := topology.Local("prod")
	vars := topology.Derived(env).EnvironmentOf(env, topology.RequestApproval)
	d := lambdaenv.Deps{Getenv: lambdaenv.FromMap(vars), AWS: aws.Config{Region: env.Region}}
	h := requestapproval.New(d)
	assert.Equal(t, vars[topology.EnvArtifactsBucket], h.Bucket)
	assert.Equal(t, vars[topology.EnvTopicARN], h.TopicARN)
	assert.NotNil(t, h.S3)
	assert.NotNil(t, h.SNS)
	assert.NotNil(t, h.SageMaker)
}
