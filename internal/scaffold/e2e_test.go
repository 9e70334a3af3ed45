package scaffold_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/scaffold"
	"github.com/kiln-dev/kiln/internal/topology"
)

// TestScaffoldedModelTrainsGatesDeploysAndServes is the bring-your-own-model loop with a
// model that is not kiln's sample: kiln init writes the repository; its own policy file (its
// image mapped to `python3 model.py`, run with train or serve appended) drives a real local
// stack on the staging stage; uploading the data through the S3 API starts the pipeline,
// which trains, evaluates (the trainer writes no drift baseline: kiln computes it),
// registers, auto-approves and deploys; the endpoint answers a prediction through SageMaker
// Runtime.
func TestScaffoldedModelTrainsGatesDeploysAndServes(t *testing.T) {
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 is not installed: the scaffold's trainer and server are Python programs")
	}
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "acme-rings")
	_, err := scaffold.Write(dir, "")
	require.NoError(t, err)
	p, err := policy.LoadFile(filepath.Join(dir, "kiln.json"))
	require.NoError(t, err)
	state := filepath.Join(t.TempDir(), "state")
	images, err := stack.LocalImages(ctx, p, state)
	require.NoError(t, err)
	require.Contains(t, images, "acme-rings:latest")
	releaseAndPredict(ctx, t, dir, "acme-rings", state, stack.Options{Images: images})
	t.Logf("kiln init to a served prediction (command mode): %s", time.Since(t0).Round(10*time.Millisecond))
}

// releaseAndPredict runs a local stack on the scaffold in dir (staging, opts' images), uploads
// its data through the S3 API, and checks that the pipeline trains, gates, registers (with the
// baseline kiln computed), deploys, and that the endpoint answers a prediction.
func releaseAndPredict(ctx context.Context, t *testing.T, dir, name, state string, opts stack.Options) {
	t.Helper()
	p, err := policy.LoadFile(filepath.Join(dir, "kiln.json"))
	require.NoError(t, err)
	opts.Dir, opts.Addr, opts.Stage, opts.Policy = state, "127.0.0.1:0", "staging", p
	st, err := stack.Open(opts)
	require.NoError(t, err)
	defer st.Close()
	require.NoError(t, st.Start(ctx))

	c := st.Clients()
	data, err := os.ReadFile(filepath.Join(dir, "data", "train.csv"))
	require.NoError(t, err)
	_, err = c.S3.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(topology.ArtifactsBucket(st.TopologyEnv())),
		Key: aws.String("data/" + name + "/train.csv"), Body: bytes.NewReader(data)})
	require.NoError(t, err)

	endpoint := topology.EndpointName("staging", name)
	var last string
	require.Eventually(t, func() bool {
		d, err := c.SageMaker.DescribeEndpoint(ctx, &awssm.DescribeEndpointInput{EndpointName: aws.String(endpoint)})
		if err != nil {
			last = err.Error()
			return false
		}
		last = string(d.EndpointStatus)
		return d.EndpointStatus == smtypes.EndpointStatusInService
	}, 150*time.Second, 250*time.Millisecond, "endpoint %s never InService (last: %s); training log under %s", endpoint, last, state)

	rt := sagemakerruntime.NewFromConfig(c.Config)
	out, err := rt.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{EndpointName: aws.String(endpoint),
		ContentType: aws.String("text/csv"), Body: []byte("1.0,2.0,3.0\n")})
	require.NoError(t, err)
	body, _ := io.ReadAll(bytes.NewReader(out.Body))
	v, err := strconv.ParseFloat(strings.TrimSpace(string(body)), 64)
	require.NoError(t, err, string(body))
	assert.InDelta(t, 1.5, v, 0.3, "y = 1 + 3·1 − 2·2 + 0.5·3")

	// The registered package carries the baseline kiln computed from the training data.
	pkgs, err := c.SageMaker.ListModelPackages(ctx, &awssm.ListModelPackagesInput{ModelPackageGroupName: aws.String(topology.PackageGroup("staging", name))})
	require.NoError(t, err)
	require.Len(t, pkgs.ModelPackageSummaryList, 1)
	pkg, err := c.SageMaker.DescribeModelPackage(ctx, &awssm.DescribeModelPackageInput{ModelPackageName: pkgs.ModelPackageSummaryList[0].ModelPackageArn})
	require.NoError(t, err)
	require.NotNil(t, pkg.DriftCheckBaselines)
}
