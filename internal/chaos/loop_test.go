package chaos

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/require"

	kilnevents "github.com/kiln-dev/kiln/events"
	abalonedata "github.com/kiln-dev/kiln/examples/abalone/data"
	"github.com/kiln-dev/kiln/internal/local/server"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/topology"
)

const (
	stage = "prod"
	model = "abalone"
	// waitLimit bounds every wait for the loop to reach a phase or an end.
	waitLimit = 3 * time.Minute
)

var env = topology.Local(stage)

// loop drives the release loop of one state folder through the AWS SDK, against whichever
// kiln local process serves the folder now.
type loop struct {
	t        *testing.T
	bin      string
	dir      string
	policy   string
	kiln     *kilnProcess
	sfn      *sfn.Client
	sm       *sagemaker.Client
	runtime  *sagemakerruntime.Client
	cw       *cloudwatch.Client
	delivery int
}

// newLoop makes a state folder seeded with the abalone data and a policy whose prod stage
// shifts and bakes in seconds, and starts the kiln binary bin as kiln local on it.
func newLoop(t *testing.T, bin string) *loop {
	t.Helper()
	base, err := os.MkdirTemp("", "kiln-chaos-")
	require.NoError(t, err)
	t.Cleanup(func() {
		if !t.Failed() {
			_ = os.RemoveAll(base)
		} else {
			t.Logf("state and kiln local's log kept in %s", base)
		}
	})
	l := &loop{t: t, bin: bin, dir: filepath.Join(base, "state"), policy: filepath.Join(base, "policy.json")}
	require.NoError(t, writePolicy(l.policy))
	data := filepath.Join(l.dir, "s3", topology.ArtifactsBucket(env), "data", model, "abalone.csv")
	require.NoError(t, os.MkdirAll(filepath.Dir(data), 0o700))
	require.NoError(t, os.WriteFile(data, abalonedata.CSV, 0o600))
	l.start()
	return l
}

// writePolicy writes kiln's own policy with a prod canary that waits and bakes a few
// seconds (long enough to be caught in each phase) and a trainer that takes a moment.
func writePolicy(path string) error {
	root, err := stack.ModuleRoot(".")
	if err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(root, "internal", "policy", "kiln.json"))
	if err != nil {
		return err
	}
	var p map[string]any
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	d := p["stages"].(map[string]any)[stage].(map[string]any)["deployment"].(map[string]any)
	d["waitSeconds"], d["bakeSeconds"], d["pollSeconds"] = 4, 4, 1
	m := p["models"].([]any)[0].(map[string]any)
	m["hyperparameters"].(map[string]any)["num_round"] = "1500"
	out, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

// start (re)starts kiln local on the folder and points the clients at it.
func (l *loop) start() {
	l.kiln = startKiln(l.t, l.bin, l.dir, l.policy)
	cfg := aws.Config{
		Region:      env.Region,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", ""),
	}
	url := aws.String(l.kiln.endpoint)
	l.sfn = sfn.NewFromConfig(cfg, func(o *sfn.Options) { o.BaseEndpoint = url })
	l.sm = sagemaker.NewFromConfig(cfg, func(o *sagemaker.Options) { o.BaseEndpoint = url })
	l.runtime = sagemakerruntime.NewFromConfig(cfg, func(o *sagemakerruntime.Options) { o.BaseEndpoint = url })
	l.cw = cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.BaseEndpoint = url })
}

// push delivers a signed GitHub push of commit to main, as GitHub would, and returns the
// webhook's message.
func (l *loop) push(ctx context.Context, commit string) string {
	l.t.Helper()
	raw, err := kilnevents.Sample("github-push.json")
	require.NoError(l.t, err)
	var req events.LambdaFunctionURLRequest
	require.NoError(l.t, json.Unmarshal(raw, &req))
	var body map[string]any
	require.NoError(l.t, json.Unmarshal([]byte(req.Body), &body))
	body["after"] = commit
	body["head_commit"].(map[string]any)["id"] = commit
	b, err := json.Marshal(body)
	require.NoError(l.t, err)
	secret, err := os.ReadFile(filepath.Join(l.dir, "webhook-secret"))
	require.NoError(l.t, err)
	mac := hmac.New(sha256.New, bytes.TrimSpace(secret))
	mac.Write(b)
	l.delivery++
	hreq, err := http.NewRequestWithContext(ctx, http.MethodPost, l.kiln.endpoint+server.FunctionURLPrefix+"webhook", bytes.NewReader(b))
	require.NoError(l.t, err)
	hreq.Header.Set("Content-Type", "application/json")
	hreq.Header.Set("X-GitHub-Event", "push")
	hreq.Header.Set("X-GitHub-Delivery", fmt.Sprintf("chaos-%s-%d", commit[:8], l.delivery))
	hreq.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := http.DefaultClient.Do(hreq)
	require.NoError(l.t, err)
	defer resp.Body.Close()
	msg, _ := io.ReadAll(resp.Body)
	require.Equal(l.t, http.StatusOK, resp.StatusCode, "webhook answered %s", msg)
	return string(msg)
}

// execution waits for the pipeline execution of commit named name (the governor's key,
// or key-aN for a retry) to exist and returns its ARN.
func (l *loop) execution(ctx context.Context, commit, suffix string) string {
	l.t.Helper()
	var arn string
	l.await(ctx, "the pipeline execution of "+commit[:12]+suffix, func() (bool, error) {
		out, err := l.sfn.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(topology.StateMachineARN(env, "pipeline"))})
		if err != nil {
			return false, err
		}
		for _, x := range out.Executions {
			name := aws.ToString(x.Name)
			if strings.Contains(name, commit[:12]) && strings.HasSuffix(name, commit[:12]+suffix) {
				arn = aws.ToString(x.ExecutionArn)
				return true, nil
			}
		}
		return false, nil
	})
	return arn
}

// finish waits for an execution to end and returns its description.
func (l *loop) finish(ctx context.Context, arn string) *sfn.DescribeExecutionOutput {
	l.t.Helper()
	var x *sfn.DescribeExecutionOutput
	l.await(ctx, "the end of "+arn, func() (bool, error) {
		var err error
		x, err = l.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		return err == nil && x.Status != sfntypes.ExecutionStatusRunning, err
	})
	return x
}

// approve approves the newest package waiting for approval, once the execution waits for
// the decision, and returns the package's ARN.
func (l *loop) approve(ctx context.Context, execARN string) string {
	l.t.Helper()
	l.await(ctx, "the approval wait", func() (bool, error) { return l.waitsForApproval(ctx, execARN) })
	out, err := l.sm.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{
		ModelPackageGroupName: aws.String(topology.PackageGroup(stage, model)), ModelApprovalStatus: smtypes.ModelApprovalStatusPendingManualApproval,
		SortBy: smtypes.ModelPackageSortByCreationTime, SortOrder: smtypes.SortOrderDescending,
	})
	require.NoError(l.t, err)
	require.NotEmpty(l.t, out.ModelPackageSummaryList, "a package waits for approval")
	arn := out.ModelPackageSummaryList[0].ModelPackageArn
	_, err = l.sm.UpdateModelPackage(ctx, &sagemaker.UpdateModelPackageInput{
		ModelPackageArn: arn, ModelApprovalStatus: smtypes.ModelApprovalStatusApproved,
		ApprovalDescription: aws.String("approved by the fault-injection test"),
	})
	require.NoError(l.t, err)
	return aws.ToString(arn)
}

// release runs commit through the whole loop (push, training, approval, deployment) and
// requires it to succeed.
func (l *loop) release(ctx context.Context, commit string) {
	l.t.Helper()
	l.push(ctx, commit)
	arn := l.execution(ctx, commit, "")
	l.approve(ctx, arn)
	x := l.finish(ctx, arn)
	require.Equal(l.t, sfntypes.ExecutionStatusSucceeded, x.Status, "release of %s: %s %s", commit[:12], aws.ToString(x.Error), aws.ToString(x.Cause))
}

// await polls cond (a question to the running kiln over its API) until it holds, failing
// the test when it errs persistently or waitLimit passes. kiln is another process: there
// is no channel to wait on, so the API is asked every 25 ms.
func (l *loop) await(ctx context.Context, what string, cond func() (bool, error)) {
	l.t.Helper()
	var last error
	ok := poll(ctx, waitLimit, func() (bool, error) {
		done, err := cond()
		last = err
		return done, nil
	})
	if !ok {
		l.t.Fatalf("waited %s for %s (last error: %v)\n%s", waitLimit, what, last, tail(filepath.Join(filepath.Dir(l.dir), "kiln-local.log")))
	}
}

// poll calls cond every 25 ms until it holds (true) or limit passes (false).
func poll(ctx context.Context, limit time.Duration, cond func() (bool, error)) bool {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		if done, err := cond(); done && err == nil {
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}
