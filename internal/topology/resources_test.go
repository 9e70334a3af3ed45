package topology_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/topology"
)

func TestEnvironmentOfListsExactlyAFunctionsVariables(t *testing.T) {
	env := topology.Local("prod")
	res := topology.Derived(env)
	res.PolicyObject = "s3://assets/policy.json"
	for _, f := range topology.Functions {
		t.Run(string(f.Name), func(t *testing.T) {
			got := res.EnvironmentOf(env, f.Name)
			assert.Len(t, got, len(f.Env))
			for _, name := range f.Env {
				assert.NotEmpty(t, got[name], "%s has no value", name)
			}
		})
	}
	assert.Empty(t, res.EnvironmentOf(env, "no-such-function"), "an unknown function gets no variables")
}

func TestInfrasValuesReachBothTables(t *testing.T) {
	env := topology.Env{Stage: "prod", Account: "${Token[AWS.AccountId]}", Region: "${Token[AWS.Region]}", Partition: "${Token[AWS.Partition]}"}
	res := topology.Resources{PolicyObject: "${Token[Policy]}", ArtifactsBucket: "${Token[Bucket]}", TopicARN: "${Token[Topic]}",
		WebhookSecretARN: "${Token[Secret]}", SageMakerRoleARN: "${Token[Role]}"}
	vars := res.Environment(env)
	assert.Equal(t, "${Token[Bucket]}", vars[topology.EnvArtifactsBucket])
	assert.Equal(t, "${Token[Topic]}", vars[topology.EnvTopicARN])
	assert.Equal(t, "${Token[Secret]}", vars[topology.EnvWebhookSecretARN])
	assert.Equal(t, "${Token[Policy]}", vars[topology.EnvPolicyObject])
	values := res.Placeholders(env)
	assert.Equal(t, "${Token[Role]}", values["SageMakerRoleArn"])
	assert.Equal(t, "${Token[Bucket]}", values["ArtifactsBucket"])
	assert.Equal(t, "${Token[Topic]}", values["NotificationTopicArn"])
}

func TestDerivedResourcesAreTheNamedOnes(t *testing.T) {
	env := topology.Local("prod")
	values := topology.Placeholders(env)
	assert.Equal(t, "arn:aws:iam::000000000000:role/kiln-prod-sagemaker", values["SageMakerRoleArn"])
	assert.Equal(t, "arn:aws:lambda:us-east-1:000000000000:function:kiln-prod-evaluate", values["EvaluateFunctionArn"])
	assert.Equal(t, "arn:aws:secretsmanager:us-east-1:000000000000:secret:kiln-prod-webhook-secret", topology.Derived(env).WebhookSecretARN)
	assert.Equal(t, topology.ArtifactsBucket(env), topology.Derived(env).Environment(env)[topology.EnvArtifactsBucket])
}
