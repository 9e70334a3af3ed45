package stack

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// gitPush returns the sample Git Push event, a commit on main (prod).
func gitPush(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "events", "git-push.json"))
	require.NoError(t, err)
	return b
}

func TestTheFunctionsReadThePolicyObjectTheStackWrote(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close()
	ctx := context.Background()
	env := s.TopologyEnv()

	doc, err := topology.PolicyDocument(policy.Default())
	require.NoError(t, err)
	bucket, key := topology.PolicyObject(env, doc)
	assert.Equal(t, "s3://"+bucket+"/"+key, s.Env("trigger")[topology.EnvPolicyObject])
	assert.NotContains(t, s.Env("trigger"), topology.EnvPolicy, "the policy is not in the environment")
	out, err := s.Clients().S3.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	require.NoError(t, err, "the object is where the deployed stack puts it")
	var got map[string]any
	require.NoError(t, json.NewDecoder(out.Body).Decode(&got))
	out.Body.Close()
	assert.NotContains(t, got, "local", "the object is the policy as AWS runs it")

	_, err = s.Lambdas().Invoke(ctx, topology.ResourceName("prod", "trigger"), gitPush(t))
	require.NoError(t, err)
	list, err := s.Clients().StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(topology.StateMachineARN(env, "pipeline"))})
	require.NoError(t, err)
	require.Len(t, list.Executions, 1)
	ex, err := s.Clients().StepFunctions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: list.Executions[0].ExecutionArn})
	require.NoError(t, err)
	var in struct {
		Training struct{ Image string } `json:"training"`
		Deploy   struct {
			ServingImage string `json:"servingImage"`
		} `json:"deploy"`
	}
	require.NoError(t, json.Unmarshal([]byte(aws.ToString(ex.Input)), &in))
	assert.Equal(t, "000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln/abalone-train:latest", in.Training.Image,
		"the trigger read the object and resolved its placeholders for the local account")
	assert.Equal(t, "000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln/abalone-serve:latest", in.Deploy.ServingImage)
}

func TestAMissingPolicyObjectFailsTheColdStartAndNothingStarts(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	defer s.Close()
	ctx := context.Background()
	doc, err := topology.PolicyDocument(policy.Default())
	require.NoError(t, err)
	bucket, key := topology.PolicyObject(s.TopologyEnv(), doc)
	_, err = s.Clients().S3.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	require.NoError(t, err)

	_, err = s.Lambdas().Invoke(ctx, topology.ResourceName("prod", "trigger"), gitPush(t))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "init trigger: read policy object s3://"+bucket+"/"+key)
	list, err := s.Clients().StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(topology.StateMachineARN(s.TopologyEnv(), "pipeline"))})
	require.NoError(t, err)
	assert.Empty(t, list.Executions)
}
