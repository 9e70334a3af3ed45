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
		return strings.Contains(strings.Join(h.logsSnapshot(), "\n"), "starting training with mode sleep")
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
