package sagemaker

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAbaloneSampleTrainsAndServes runs the real sample programs (examples/abalone/train and
// serve, built here) under the stand-in: the training contract, the packed model, and the
// serving contract end to end. It builds two binaries, so -short skips it.
func TestAbaloneSampleTrainsAndServes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the abalone programs")
	}
	bin := t.TempDir()
	for _, prog := range []string{"train", "serve"} {
		cmd := exec.Command("go", "build", "-o", filepath.Join(bin, "abalone-"+prog), "github.com/kiln-dev/kiln/examples/abalone/"+prog)
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "build abalone %s: %s", prog, out)
	}
	data, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "abalone", "data", "abalone.csv"))
	require.NoError(t, err)

	h := newHarness(t, newManualClock(), func(c *Config) {
		c.Images = map[string]Command{
			"kiln/abalone-train:local": {Path: filepath.Join(bin, "abalone-train"), Args: []string{"--root", "{root}"}},
			"kiln/abalone-serve:local": {Path: filepath.Join(bin, "abalone-serve"), Args: []string{"--model-dir", "{model_dir}", "--port", "{port}"}},
		}
	})
	ctx := context.Background()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/abalone.csv", data))
	in := trainingInput("abalone-dev-commit-0123456789ab-0", map[string]string{"num_round": "20", "max_depth": "3", "seed": "7"})
	in.AlgorithmSpecification.TrainingImage = aws.String("kiln/abalone-train:local")
	_, err = h.api.CreateTrainingJob(ctx, in)
	require.NoError(t, err)
	_, err = h.svc.WaitTrainingJob(ctx, "abalone-dev-commit-0123456789ab-0")
	require.NoError(t, err)
	job, err := h.api.DescribeTrainingJob(ctx, &awssm.DescribeTrainingJobInput{TrainingJobName: aws.String("abalone-dev-commit-0123456789ab-0")})
	require.NoError(t, err)
	require.Equal(t, types.TrainingJobStatusCompleted, job.TrainingJobStatus, "failure: %s", aws.ToString(job.FailureReason))
	output, err := h.blobs.Get(ctx, bucket, "training/abalone/abalone-dev-commit-0123456789ab-0/output/output.tar.gz")
	require.NoError(t, err)
	files := untar(t, output)
	assert.Contains(t, files, "evaluation.json")
	assert.Contains(t, files, "baseline/constraints.json")

	_, err = h.api.CreateModel(ctx, &awssm.CreateModelInput{
		ModelName: aws.String("abalone-dev-commit-0123456789ab"), ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/r"),
		PrimaryContainer: &types.ContainerDefinition{Image: aws.String("kiln/abalone-serve:local"), ModelDataUrl: job.ModelArtifacts.S3ModelArtifacts},
	})
	require.NoError(t, err)
	h.config(t, "abalone-dev-commit-0123456789ab-config", "abalone-dev-commit-0123456789ab", "AllTraffic")
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("kiln-dev-abalone"), EndpointConfigName: aws.String("abalone-dev-commit-0123456789ab-config")})
	require.NoError(t, err)
	d := h.waitStatus(t, "kiln-dev-abalone", types.EndpointStatusInService)
	require.Empty(t, aws.ToString(d.FailureReason))
	body, variant := h.invoke(t, "kiln-dev-abalone", "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15")
	assert.Equal(t, "AllTraffic", variant)
	rings, err := strconv.ParseFloat(strings.TrimSpace(body), 64)
	require.NoError(t, err, "the prediction is a number, got %q", body)
	assert.InDelta(t, 10, rings, 8, "a plausible ring count")
}
