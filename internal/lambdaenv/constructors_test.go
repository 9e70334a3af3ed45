package lambdaenv_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/handlers/evaluate"
	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
	"github.com/kiln-dev/kiln/internal/handlers/requestapproval"
	"github.com/kiln-dev/kiln/internal/handlers/trigger"
	"github.com/kiln-dev/kiln/internal/handlers/webhook"
	"github.com/kiln-dev/kiln/internal/lambdaenv"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/internal/topology"
)

// TestEachConstructorReadsTheVariablesTheTopologyGivesIt builds every handler with its
// package's New from the environment the topology lists for it, and checks what it read.
func TestEachConstructorReadsTheVariablesTheTopologyGivesIt(t *testing.T) {
	env := topology.Local("prod")
	tests := []struct {
		fn    topology.FunctionName
		check func(t *testing.T, d lambdaenv.Deps, v map[string]string)
	}{
		{topology.Webhook, func(t *testing.T, d lambdaenv.Deps, v map[string]string) {
			h := webhook.New(d)
			assert.Equal(t, []string{v[topology.EnvWebhookSecretARN], v[topology.EnvArtifactsBucket], v[topology.EnvBusName]},
				[]string{h.SecretARN, h.Bucket, h.BusName})
			assert.True(t, h.Secrets != nil && h.S3 != nil && h.Events != nil, "every client is made")
		}},
		{topology.Trigger, func(t *testing.T, d lambdaenv.Deps, v map[string]string) {
			h := trigger.New(d)
			assert.Equal(t, []string{v[topology.EnvPipelineARN], v[topology.EnvStage], v[topology.EnvArtifactsBucket]},
				[]string{h.PipelineARN, h.Stage, h.Bucket})
			assert.NotNil(t, h.SFN)
		}},
		{topology.Evaluate, func(t *testing.T, d lambdaenv.Deps, v map[string]string) {
			h := evaluate.New(d)
			assert.Equal(t, []string{v[topology.EnvArtifactsBucket], v[topology.EnvStage]}, []string{h.Bucket, h.Stage})
			assert.True(t, h.S3 != nil && h.List != nil && h.SageMaker != nil, "every client is made")
		}},
		{topology.RequestApproval, func(t *testing.T, d lambdaenv.Deps, v map[string]string) {
			h := requestapproval.New(d)
			assert.Equal(t, []string{v[topology.EnvArtifactsBucket], v[topology.EnvTopicARN]}, []string{h.Bucket, h.TopicARN})
			assert.True(t, h.S3 != nil && h.SNS != nil && h.SageMaker != nil, "every client is made")
		}},
		{topology.MonitorDrift, func(t *testing.T, d lambdaenv.Deps, v map[string]string) {
			h := monitordrift.New(d)
			assert.Equal(t, v[topology.EnvArtifactsBucket], h.Bucket)
			assert.True(t, h.S3 != nil && h.CloudWatch != nil && h.Events != nil, "every client is made")
		}},
		{topology.Approval, func(t *testing.T, d lambdaenv.Deps, v map[string]string) {
			rel := release.New(d)
			h := approval.New(d, rel)
			assert.Equal(t, v[topology.EnvArtifactsBucket], h.Bucket)
			assert.Same(t, rel, h.Releases)
			assert.Same(t, rel, h.Watch)
			assert.Equal(t, []string{v[topology.EnvPipelineARN], v[topology.EnvDeployARN], v[topology.EnvTopicARN], v[topology.EnvStage], v[topology.EnvArtifactsBucket]},
				[]string{rel.PipelineARN, rel.DeployARN, rel.TopicARN, rel.Stage, rel.Bucket})
		}},
	}
	for _, tt := range tests {
		t.Run(string(tt.fn), func(t *testing.T) {
			res := topology.Derived(env)
			res.PolicyObject = "s3://assets/policy.json"
			vars := res.EnvironmentOf(env, tt.fn)
			for name, value := range vars {
				assert.NotEmpty(t, value, "%s has no value", name)
			}
			tt.check(t, lambdaenv.Deps{Getenv: lambdaenv.FromMap(vars), AWS: aws.Config{Region: env.Region}}, vars)
		})
	}
}
