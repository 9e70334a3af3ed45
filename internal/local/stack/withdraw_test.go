package stack

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/sns"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/internal/topology"
)

// TestRejectingALiveModelTakesItBack releases two models to prod through the real loop,
// then rejects the live one in the registry: the stage rolls back to the first through the
// deploy workflow, recorded with who and why; a repeat changes nothing; rejecting the first
// (no earlier release) takes the endpoint out of service and says so.
func TestRejectingALiveModelTakesItBack(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and trains the sample model twice")
	}
	root, err := ModuleRoot(".")
	require.NoError(t, err)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	pol := fastPolicy(t)
	images, err := BuildImages(ctx, root, dir, pol)
	require.NoError(t, err)
	env := topology.Local("prod")
	data, err := os.ReadFile(filepath.Join(root, "examples/abalone/data/abalone.csv"))
	require.NoError(t, err)
	dataDir := filepath.Join(dir, "s3", topology.ArtifactsBucket(env), "data", "abalone")
	require.NoError(t, os.MkdirAll(dataDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dataDir, "abalone.csv"), data, 0o644))

	subjects := make(chan string, 50)
	s := open(t, dir, Options{Images: images, Policy: pol, Observer: Observer{Notification: func(m sns.Message) { subjects <- m.Subject }}})
	defer s.Close()
	c := s.Clients()
	secret, err := s.WebhookSecret()
	require.NoError(t, err)
	group := topology.PackageGroup("prod", "abalone")
	endpoint := topology.EndpointName("prod", "abalone")
	pipeline := topology.StateMachineARN(env, "pipeline")
	deployARN := topology.StateMachineARN(env, "deploy")

	// start pushes sha and approves its package (version) once the pipeline waits; it
	// returns the package and the pipeline execution.
	start := func(sha string, version int) (string, string) {
		body := push(sha)
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.FunctionURL("webhook"), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-GitHub-Delivery", "d-"+sha)
		req.Header.Set("X-Hub-Signature-256", sign(secret, body))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		require.Less(t, resp.StatusCode, 300)
		var arn string
		require.Eventually(t, func() bool {
			l, err := c.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{ModelPackageGroupName: aws.String(group)})
			require.NoError(t, err)
			if len(l.ModelPackageSummaryList) < version {
				return false
			}
			for _, p := range l.ModelPackageSummaryList {
				if aws.ToInt32(p.ModelPackageVersion) == int32(version) {
					arn = aws.ToString(p.ModelPackageArn)
				}
			}
			return arn != ""
		}, 2*time.Minute, 50*time.Millisecond)
		exec := pipeline[:strings.LastIndex(pipeline, ":stateMachine:")] + ":execution:kiln-prod-pipeline:abalone-prod-commit-" + sha[:12]
		require.Eventually(t, func() bool {
			state, waiting := s.StepFunctions().Waiting(exec)
			return waiting && state == "RequestApproval"
		}, time.Minute, 10*time.Millisecond)
		_, err = c.SageMaker.UpdateModelPackage(ctx, &sagemaker.UpdateModelPackageInput{ModelPackageArn: aws.String(arn),
			ModelApprovalStatus: "Approved", ApprovalDescription: aws.String("good")})
		require.NoError(t, err)
		return arn, exec
	}
	ship := func(sha string, version int) string {
		arn, exec := start(sha, version)
		done, err := s.StepFunctions().Wait(ctx, exec)
		require.NoError(t, err)
		require.Equal(t, "SUCCEEDED", string(done.Status), "%s %s", done.Error, done.Cause)
		return arn
	}
	serving := func() string {
		ep, err := c.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(endpoint)})
		require.NoError(t, err)
		cfg, err := c.SageMaker.DescribeEndpointConfig(ctx, &sagemaker.DescribeEndpointConfigInput{EndpointConfigName: ep.EndpointConfigName})
		require.NoError(t, err)
		m, err := c.SageMaker.DescribeModel(ctx, &sagemaker.DescribeModelInput{ModelName: cfg.ProductionVariants[0].ModelName})
		require.NoError(t, err)
		return string(ep.EndpointStatus) + " " + aws.ToString(m.PrimaryContainer.ModelPackageName)
	}
	reject := func(arn, why string) {
		_, err := c.SageMaker.UpdateModelPackage(ctx, &sagemaker.UpdateModelPackageInput{ModelPackageArn: aws.String(arn),
			ModelApprovalStatus: "Rejected", ApprovalDescription: aws.String(why)})
		require.NoError(t, err)
		require.NoError(t, s.Settle(ctx))
	}
	deploys := func() []string {
		l, err := c.StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(deployARN)})
		require.NoError(t, err)
		var out []string
		for _, x := range l.Executions {
			out = append(out, aws.ToString(x.Name)+" "+string(x.Status))
		}
		return out
	}
	history := func() []release.Record {
		r := &release.Releaser{S3: c.S3, Bucket: topology.ArtifactsBucket(env)}
		h, err := r.History(ctx, endpoint)
		require.NoError(t, err)
		return h
	}

	v1 := ship("1111111111111111111111111111111111111111", 1)
	v2 := ship("2222222222222222222222222222222222222222", 2)
	require.Equal(t, "InService "+v2, serving())

	// Rejecting the live package rolls the stage back to v1 through the deploy workflow.
	reject(v2, "bias found in review")
	var rollback string
	require.Eventually(t, func() bool {
		for _, d := range deploys() {
			if strings.Contains(d, "-rb-v1-") {
				rollback = strings.Fields(d)[0]
				return true
			}
		}
		return false
	}, 30*time.Second, 20*time.Millisecond, "a rollback deploy execution starts: %v", deploys())
	done, err := s.StepFunctions().Wait(ctx, strings.Replace(deployARN, ":stateMachine:", ":execution:", 1)+":"+rollback)
	require.NoError(t, err)
	require.Equal(t, "SUCCEEDED", string(done.Status), "%s %s", done.Error, done.Cause)
	assert.Equal(t, "InService "+v1, serving(), "the endpoint serves the earlier Approved release")
	var rec *release.Record
	for _, h := range history() {
		if h.Kind == release.KindRollback {
			rec = &h
		}
	}
	require.NotNil(t, rec, "the rollback is in the deployment history")
	assert.Equal(t, v2, rec.FromPackageARN)
	assert.Equal(t, v1, rec.ModelPackageARN)
	assert.Contains(t, rec.Reason, "bias found in review")
	assert.NotEmpty(t, rec.RequestedBy)
	var cur release.Record
	out, err := c.S3.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(topology.ArtifactsBucket(env)), Key: aws.String(release.CurrentKey(endpoint))})
	require.NoError(t, err)
	require.NoError(t, json.NewDecoder(out.Body).Decode(&cur))
	out.Body.Close()
	assert.Equal(t, v1, cur.ModelPackageARN, "current.json names the release now live")

	// A repeat of the rejection changes nothing.
	before := len(deploys())
	reject(v2, "bias found in review (again)")
	assert.Len(t, deploys(), before, "a repeated rejection starts nothing")
	assert.Equal(t, "InService "+v1, serving())

	// Rejecting v3 while its canary runs stops its run; the endpoint ends on v1 again (v2 is
	// rejected), through a second rollback once SageMaker lets the update settle.
	v3, exec3 := start("3333333333333333333333333333333333333333", 3)
	require.Eventually(t, func() bool {
		ep, err := c.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(endpoint)})
		return err == nil && ep.EndpointStatus == "Updating"
	}, time.Minute, 10*time.Millisecond, "v3's canary starts")
	reject(v3, "wrong feature scaling")
	stopped, err := s.StepFunctions().Wait(ctx, exec3)
	require.NoError(t, err)
	assert.Equal(t, "ABORTED", string(stopped.Status), "the run of the rejected package is stopped")
	assert.Equal(t, "ModelPackageRejected", stopped.Error)
	assert.Contains(t, stopped.Cause, "wrong feature scaling")
	require.Eventually(t, func() bool {
		require.NoError(t, s.Settle(ctx))
		for _, d := range deploys() {
			if strings.HasSuffix(d, "RUNNING") {
				return false
			}
		}
		return serving() == "InService "+v1
	}, time.Minute, 100*time.Millisecond, "the endpoint returns to v1: %v", deploys())

	// Rejecting v1, with no earlier release, takes the endpoint out of service and says so.
	reject(v1, "data licence withdrawn")
	_, err = c.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(endpoint)})
	require.Error(t, err, "the endpoint was deleted")
	h := history()
	require.NotEmpty(t, h)
	last := h[len(h)-1]
	assert.Equal(t, release.KindOutOfService, last.Kind)
	assert.Equal(t, v1, last.FromPackageARN)
	assert.Contains(t, last.Reason, "data licence withdrawn")
	found := false
	for len(subjects) > 0 {
		if strings.Contains(<-subjects, "OUT OF SERVICE") {
			found = true
		}
	}
	assert.True(t, found, "an out-of-service notification was published")
}
