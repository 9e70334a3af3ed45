package sagemaker

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRestartReportsLostWorkAsAWSDoes(t *testing.T) {
	clock := newManualClock()
	h := newHarness(t, clock, nil)
	ctx := context.Background()
	h.release(t, "abalone-r1", "v1")
	h.release(t, "abalone-r2", "v2")
	_, err := h.api.CreateModelPackageGroup(ctx, &awssm.CreateModelPackageGroupInput{ModelPackageGroupName: aws.String("kiln-dev-abalone")})
	require.NoError(t, err)
	_, err = h.api.CreateModelPackage(ctx, packageInput("kiln-dev-abalone"))
	require.NoError(t, err)

	for _, ep := range []string{"steady", "updating"} {
		_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String(ep), EndpointConfigName: aws.String("abalone-r1-config")})
		require.NoError(t, err)
		h.waitStatus(t, ep, types.EndpointStatusInService)
	}
	_, err = h.api.UpdateEndpoint(ctx, &awssm.UpdateEndpointInput{
		EndpointName: aws.String("updating"), EndpointConfigName: aws.String("abalone-r2-config"),
		DeploymentConfig: canary(10, 600, 600),
	})
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		hist, _ := h.svc.DeploymentHistory("updating")
		return hist[len(hist)-1].Phase == PhaseShifting
	}, 30*time.Second, 5*time.Millisecond)

	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1\n")))
	_, err = h.api.CreateTrainingJob(ctx, trainingInput("job-running", map[string]string{"mode": "sleep"}))
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		return strings.Contains(strings.Join(h.logsSnapshot(), "\n"), sleepReady)
	}, 10*time.Second, 5*time.Millisecond)

	h.stop(t)
	clock.Advance(time.Hour)
	h.start(t)

	job, err := h.api.DescribeTrainingJob(ctx, &awssm.DescribeTrainingJobInput{TrainingJobName: aws.String("job-running")})
	require.NoError(t, err)
	assert.Equal(t, types.TrainingJobStatusFailed, job.TrainingJobStatus)
	assert.Equal(t, LostInstanceReason, aws.ToString(job.FailureReason))
	raw, err := h.svc.WaitTrainingJob(ctx, "job-running")
	require.NoError(t, err, "a lost job is terminal: .sync waiters return")
	assert.Contains(t, string(raw), `"TrainingJobStatus":"Failed"`)

	d := h.describe(t, "updating")
	assert.Equal(t, types.EndpointStatusInService, d.EndpointStatus)
	assert.Equal(t, "abalone-r1-config", aws.ToString(d.EndpointConfigName), "an update cut short rolls back to the old config")
	assert.Nil(t, d.PendingDeploymentSummary)
	assert.Equal(t, InterruptedUpdateReason, aws.ToString(d.FailureReason), "the cause is the stop, not an alarm")

	for ep, want := range map[string]string{"steady": "v1|x", "updating": "v1|x"} {
		require.Eventually(t, func() bool {
			out, err := h.svc.Invoke(ctx, InvokeInput{EndpointName: ep, ContentType: "text/csv", Body: []byte("x")})
			return err == nil && string(out.Body) == want
		}, 30*time.Second, 10*time.Millisecond, "endpoint %s serves again after the restart", ep)
	}
	assert.Equal(t, InterruptedUpdateReason, aws.ToString(h.describe(t, "updating").FailureReason),
		"the reason outlives the old fleet's restart, for the deploy workflow to read")
	hist, err := h.svc.DeploymentHistory("updating")
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(hist), 2)
	assert.Equal(t, PhaseRolledBack, hist[len(hist)-2].Phase)
	assert.Equal(t, PhaseRestarted, hist[len(hist)-1].Phase)

	out, err := h.api.CreateModelPackage(ctx, packageInput("kiln-dev-abalone"))
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(aws.ToString(out.ModelPackageArn), "/kiln-dev-abalone/2"), "versions continue after a restart, got %s", aws.ToString(out.ModelPackageArn))

	// An update after the restart works on the restarted fleet.
	_, err = h.api.UpdateEndpoint(ctx, &awssm.UpdateEndpointInput{EndpointName: aws.String("updating"), EndpointConfigName: aws.String("abalone-r2-config")})
	require.NoError(t, err)
	h.waitStatus(t, "updating", types.EndpointStatusInService)
	require.Eventually(t, func() bool {
		return aws.ToString(h.describe(t, "updating").EndpointConfigName) == "abalone-r2-config"
	}, 30*time.Second, 10*time.Millisecond)
	body, _ := h.invoke(t, "updating", "x")
	assert.Equal(t, "v2|x", body)
}

func TestRestartFailsAnEndpointWhoseCreationWasInterrupted(t *testing.T) {
	const silentImage = "000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln-test-silent:latest"
	h := newHarness(t, nil, func(c *Config) {
		// A server that never answers /ping keeps the endpoint Creating until the stop.
		c.Images[silentImage] = Command{Path: "sleep", Args: []string{"300"}}
		c.PingTimeout = 5 * time.Minute
	})
	ctx := context.Background()
	uri := h.putModel(t, "silent", "s")
	_, err := h.api.CreateModel(ctx, &awssm.CreateModelInput{
		ModelName:        aws.String("silent"),
		ExecutionRoleArn: aws.String("arn:aws:iam::000000000000:role/kiln-sagemaker"),
		PrimaryContainer: &types.ContainerDefinition{Image: aws.String(silentImage), ModelDataUrl: aws.String(uri)},
	})
	require.NoError(t, err)
	h.config(t, "silent-config", "silent", "AllTraffic")
	h.release(t, "abalone-r1", "v1")
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("first"), EndpointConfigName: aws.String("silent-config")})
	require.NoError(t, err)
	assert.Equal(t, types.EndpointStatusCreating, h.describe(t, "first").EndpointStatus)

	h.stop(t)
	h.start(t)

	d := h.describe(t, "first")
	assert.Equal(t, types.EndpointStatusFailed, d.EndpointStatus, "a creation cut short has no old config to fall back on")
	assert.Equal(t, InterruptedCreateReason, aws.ToString(d.FailureReason), "the cause is the stop, not an alarm")
	hist, err := h.svc.DeploymentHistory("first")
	require.NoError(t, err)
	assert.Equal(t, PhaseFailed, hist[len(hist)-1].Phase)

	// What the deploy workflow does next: delete the Failed endpoint and create it again.
	_, err = h.api.DeleteEndpoint(ctx, &awssm.DeleteEndpointInput{EndpointName: aws.String("first")})
	require.NoError(t, err)
	_, err = h.api.CreateEndpoint(ctx, &awssm.CreateEndpointInput{EndpointName: aws.String("first"), EndpointConfigName: aws.String("abalone-r1-config")})
	require.NoError(t, err)
	h.waitStatus(t, "first", types.EndpointStatusInService)
	body, _ := h.invoke(t, "first", "x")
	assert.Equal(t, "v1|x", body)
}
