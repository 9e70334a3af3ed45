package stack

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/stepfunctions"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

func open(t *testing.T, dir string, opts Options) *Stack {
	t.Helper()
	opts.Dir = dir
	opts.Addr = "127.0.0.1:0"
	s, err := Open(opts)
	require.NoError(t, err)
	require.NoError(t, s.Start(context.Background()))
	return s
}

func TestTheStackServesTheTopologyOverEveryProtocol(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir, Options{})
	defer s.Close()
	c := s.Clients()
	ctx := context.Background()
	env := topology.Local("prod")

	sms, err := c.StepFunctions.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	var names []string
	for _, m := range sms.StateMachines {
		names = append(names, aws.ToString(m.Name))
	}
	assert.Equal(t, []string{"kiln-prod-deploy", "kiln-prod-pipeline"}, names)

	d, err := c.StepFunctions.DescribeStateMachine(ctx, &sfn.DescribeStateMachineInput{StateMachineArn: aws.String(topology.StateMachineARN(env, "pipeline"))})
	require.NoError(t, err)
	assert.NotContains(t, aws.ToString(d.Definition), "${", "every placeholder is substituted")

	alarms, err := c.CloudWatch.DescribeAlarms(ctx, &awscw.DescribeAlarmsInput{})
	require.NoError(t, err)
	assert.Len(t, alarms.MetricAlarms, len(topology.Alarms(policy.Default(), "prod")))

	_, err = c.S3.HeadBucket(ctx, &awss3.HeadBucketInput{Bucket: aws.String(topology.ArtifactsBucket(env))})
	require.NoError(t, err)

	groups, err := c.SageMaker.ListModelPackageGroups(ctx, &sagemaker.ListModelPackageGroupsInput{})
	require.NoError(t, err)
	require.Len(t, groups.ModelPackageGroupSummaryList, 1)
	assert.Equal(t, "kiln-prod-abalone", aws.ToString(groups.ModelPackageGroupSummaryList[0].ModelPackageGroupName))

	rules, err := c.EventBridge.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String(topology.BusName("prod"))})
	require.NoError(t, err)
	assert.NotEmpty(t, rules.Rules)

	st, err := os.Stat(filepath.Join(dir, "webhook-secret"))
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	assert.Contains(t, s.Served()[len(s.Served())-1], "/_kiln/functions/webhook")

	// A second process on the same state directory is refused with a clear error.
	_, err = Open(Options{Dir: dir, Addr: "127.0.0.1:0"})
	assert.ErrorContains(t, err, "in use by another kiln process")
}

// TestAnApprovalWaitSurvivesAStackRestart drives a machine that waits for a task token
// through the stack's own endpoint, restarts the stack, and completes it.
func TestAnApprovalWaitSurvivesAStackRestart(t *testing.T) {
	dir := t.TempDir()
	const def = `{"StartAt":"Wait","States":{"Wait":{"Type":"Task","Resource":"arn:aws:states:::lambda:invoke.waitForTaskToken",
	  "Parameters":{"FunctionName":"kiln-prod-approval","Payload":{"token.$":"$$.Task.Token"}},"End":true}}}`
	tokens := make(chan string, 1)
	s := open(t, dir, Options{})
	// The approval function stands in for request-approval: it receives the token.
	s.Lambdas().Register("approval", func(_ context.Context, payload []byte) ([]byte, error) {
		var p struct{ Token string }
		if err := json.Unmarshal(payload, &p); err != nil {
			return nil, err
		}
		tokens <- p.Token
		return []byte(`{}`), nil
	})
	sm, err := s.StepFunctions().CreateStateMachine("waiter", []byte(def), time.Now())
	require.NoError(t, err)
	ctx := context.Background()
	out, err := s.Clients().StepFunctions.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm.ARN), Name: aws.String("w1")})
	require.NoError(t, err)
	token := <-tokens
	require.Eventually(t, func() bool {
		h, _ := s.StepFunctions().History(aws.ToString(out.ExecutionArn))
		return len(h) >= 5 // started, entered, scheduled, started, submitted
	}, 5*time.Second, 10*time.Millisecond)
	time.Sleep(50 * time.Millisecond) // the checkpoint follows TaskSubmitted
	require.NoError(t, s.Close())

	s2, err := Open(Options{Dir: dir, Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	defer s2.Close()
	_, err = s2.StepFunctions().CreateStateMachine("waiter", []byte(def), time.Now())
	require.NoError(t, err)
	require.NoError(t, s2.Start(ctx))
	_, err = s2.Clients().StepFunctions.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"approved":true}`)})
	require.NoError(t, err)
	rec, err := s2.StepFunctions().Wait(ctx, aws.ToString(out.ExecutionArn))
	require.NoError(t, err)
	assert.Equal(t, "SUCCEEDED", string(rec.Status))
	assert.JSONEq(t, `{"approved":true}`, string(rec.Output))
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func push(sha string) []byte {
	b, _ := json.Marshal(map[string]any{
		"ref": "refs/heads/main", "before": strings.Repeat("0", 39) + "1", "after": sha,
		"repository":  map[string]any{"full_name": "kiln-dev/abalone-model"},
		"head_commit": map[string]any{"id": sha, "message": "train abalone", "timestamp": "2026-11-22T12:00:00Z", "author": map[string]any{"name": "Ada"}},
		"commits":     []any{map[string]any{"added": []string{}, "removed": []string{}, "modified": []string{"examples/abalone/train/main.go"}}},
		"pusher":      map[string]any{"name": "ada"},
	})
	return b
}

// TestEndToEndSmoke plays the first part of the loop through the real entry points: the
// sample data uploaded over S3, a signed push to the webhook's function URL, the governor
// starting the pipeline, a real training job, evaluation and registration, up to the
// approval step.
func TestEndToEndSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("the end-to-end smoke test builds and trains the sample model")
	}
	root, err := ModuleRoot(".")
	require.NoError(t, err)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	images, err := BuildImages(ctx, root, dir, policy.Default())
	require.NoError(t, err)

	var mu sync.Mutex
	var states []string
	s := open(t, dir, Options{Images: images, Observer: Observer{Execution: func(ev stepfunctions.HistoryEvent) {
		if strings.HasSuffix(ev.Event.Type, "StateEntered") {
			mu.Lock()
			states = append(states, ev.Event.Name)
			mu.Unlock()
		}
	}}})
	defer s.Close()
	c := s.Clients()
	env := s.TopologyEnv()

	data, err := os.ReadFile(filepath.Join(root, "examples/abalone/data/abalone.csv"))
	require.NoError(t, err)
	_, err = c.S3.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(topology.ArtifactsBucket(env)), Key: aws.String("data/abalone/abalone.csv"), Body: bytes.NewReader(data)})
	require.NoError(t, err)
	require.NoError(t, s.Settle(ctx))

	secret, err := s.WebhookSecret()
	require.NoError(t, err)
	body := push("4e1243bd22c66e76c2ba9eddc1f91394e57f9f83")
	deliver := func(id string) *http.Response {
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, s.FunctionURL("webhook"), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-GitHub-Event", "push")
		req.Header.Set("X-GitHub-Delivery", id)
		req.Header.Set("X-Hub-Signature-256", sign(secret, body))
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Logf("webhook %s: %d %s", id, resp.StatusCode, b)
		return resp
	}
	resp := deliver("d-1")
	require.Less(t, resp.StatusCode, 300)
	require.NoError(t, s.Settle(ctx))

	pipeline := topology.StateMachineARN(env, "pipeline")
	var execARN string
	require.Eventually(t, func() bool {
		l, err := c.StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(pipeline)})
		if err != nil || len(l.Executions) == 0 {
			return false
		}
		for _, x := range l.Executions {
			if strings.Contains(aws.ToString(x.Name), "commit-4e1243bd22c6") {
				execARN = aws.ToString(x.ExecutionArn)
				return true
			}
		}
		return false
	}, 30*time.Second, 50*time.Millisecond, "the push starts a pipeline execution named for the commit")

	// The pipeline trains, evaluates and registers, then waits for approval (or, while the
	// request-approval function is not wired, fails at that step and notifies).
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		for _, st := range states {
			if st == "RequestApproval" {
				return true
			}
		}
		return false
	}, 2*time.Minute, 100*time.Millisecond, "the pipeline reaches the approval step")

	mu.Lock()
	t.Logf("states entered: %v", states)
	mu.Unlock()
	pkgs, err := c.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{ModelPackageGroupName: aws.String(topology.PackageGroup("prod", "abalone"))})
	require.NoError(t, err)
	require.NotEmpty(t, pkgs.ModelPackageSummaryList, "the trained model is registered")
	assert.Equal(t, "PendingManualApproval", string(pkgs.ModelPackageSummaryList[0].ModelApprovalStatus))

	// The data upload started its own (data-) execution, the push a commit- one; the same
	// delivery again starts nothing new.
	l, err := c.StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(pipeline)})
	require.NoError(t, err)
	var kinds []string
	for _, x := range l.Executions {
		kinds = append(kinds, strings.Split(aws.ToString(x.Name), "-")[2])
	}
	assert.ElementsMatch(t, []string{"data", "commit"}, kinds)
	deliver("d-1")
	require.NoError(t, s.Settle(ctx))
	l, err = c.StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(pipeline)})
	require.NoError(t, err)
	assert.Len(t, l.Executions, 2)

	d, err := c.StepFunctions.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(execARN)})
	require.NoError(t, err)
	t.Logf("pipeline %s: %s %s %s", execARN, d.Status, aws.ToString(d.Error), aws.ToString(d.Cause))
	if d.Status != types.ExecutionStatusRunning {
		t.Logf("the pipeline did not wait for approval (request-approval is not wired yet): %s", aws.ToString(d.Cause))
	}
}
