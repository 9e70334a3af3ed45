package sagemaker

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/sagemaker/container/dockertest"
)

const probeImage = "kiln-test/probe:latest"

func TestAnUnmappedImageWithoutDockerIsRefusedNamingBothWays(t *testing.T) {
	h := newHarness(t, newManualClock(), func(c *Config) { c.NoDocker = "docker daemon not reachable: no socket" })
	in := trainingInput("unmapped", nil)
	in.AlgorithmSpecification.TrainingImage = aws.String("team/model:1")
	_, err := h.api.CreateTrainingJob(context.Background(), in)
	requireValidation(t, err, "image team/model:1 has no local command", "no Docker daemon is reachable (docker daemon not reachable: no socket)",
		"local.images", "--runtime docker")
}

// TestAnUnmappedImageTrainsAndServesInDocker runs a training job and an endpoint of an image
// the config does not map, through a real Docker daemon, over the SageMaker API.
func TestAnUnmappedImageTrainsAndServesInDocker(t *testing.T) {
	d := dockertest.Require(t)
	dockertest.GoImage(t, probeImage, "./container/testdata/probe")
	h := newHarness(t, clock.Wall{}, func(c *Config) { c.Docker = d })
	ctx := context.Background()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1,2\n")))
	in := trainingInput("in-docker", map[string]string{"depth": "2"})
	in.AlgorithmSpecification.TrainingImage = aws.String(probeImage)
	in.Environment = map[string]string{"LD_PRELOAD": "/in/the/container.so"}
	_, err := h.api.CreateTrainingJob(ctx, in)
	require.NoError(t, err, "a container's environment is its own, so LD_PRELOAD is accepted")
	b, err := h.svc.WaitTrainingJob(ctx, "in-docker")
	require.NoError(t, err)
	var job struct{ TrainingJobStatus, FailureReason string }
	require.NoError(t, json.Unmarshal(b, &job))
	require.Equal(t, JobCompleted, job.TrainingJobStatus, job.FailureReason)
	model, err := h.blobs.Get(ctx, bucket, "training/abalone/in-docker/output/model.tar.gz")
	require.NoError(t, err)
	var seen probeSeen
	require.NoError(t, json.Unmarshal([]byte(untar(t, model)["probe.json"]), &seen))
	assert.Equal(t, "/in/the/container.so", seen.Env["LD_PRELOAD"])
	assert.Equal(t, "1,2\n", seen.Data)

	_, err = h.api.CreateModel(ctx, &awssm.CreateModelInput{ModelName: aws.String("probe"),
		ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/kiln-sagemaker"),
		PrimaryContainer: &types.ContainerDefinition{Image: aws.String(probeImage),
			ModelDataUrl: aws.String("s3://" + bucket + "/training/abalone/in-docker/output/model.tar.gz")}})
	require.NoError(t, err)
	h.config(t, "probe-config", "probe", "AllTraffic")
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("probe-ep"), EndpointConfigName: aws.String("probe-config")})
	require.NoError(t, err)
	h.waitStatus(t, "probe-ep", types.EndpointStatusInService)
	out, err := h.runtime.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{EndpointName: aws.String("probe-ep"),
		ContentType: aws.String("text/csv"), Body: []byte("1")})
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(out.Body, &seen))
	assert.Equal(t, []string{"serve"}, seen.Args)
}

// probeSeen is the probe program's report (container/testdata/probe).
type probeSeen struct {
	Args []string          `json:"args"`
	Data string            `json:"data"`
	Env  map[string]string `json:"env"`
}
