package stack

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
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/sns"
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
	sm, err := s.StepFunctions().CreateStateMachine(stepfunctions.MachineDefinition{Name: "waiter", Definition: []byte(def)}, time.Now())
	require.NoError(t, err)
	ctx := context.Background()
	out, err := s.Clients().StepFunctions.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(sm.ARN), Name: aws.String("w1")})
	require.NoError(t, err)
	token := <-tokens
	require.Eventually(t, func() bool {
		_, waiting := s.StepFunctions().Waiting(aws.ToString(out.ExecutionArn))
		return waiting
	}, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, s.Close())

	s2, err := Open(Options{Dir: dir, Addr: "127.0.0.1:0"})
	require.NoError(t, err)
	defer s2.Close()
	_, err = s2.StepFunctions().CreateStateMachine(stepfunctions.MachineDefinition{Name: "waiter", Definition: []byte(def)}, time.Now())
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

// fastPolicy is the default policy with a production canary that shifts, bakes and polls
// in seconds.
func fastPolicy(t testing.TB) *policy.Policy {
	t.Helper()
	p := policy.Default()
	prod := p.Stages["prod"]
	prod.Deployment.WaitSeconds, prod.Deployment.BakeSeconds, prod.Deployment.PollSeconds = 1, 1, 1
	p.Stages["prod"] = prod
	require.NoError(t, p.Validate())
	return p
}

// TestEndToEndSmoke plays the loop's first story through the real entry points: a signed
// push to the webhook's function URL, the governor starting the pipeline, a real training
// job, evaluation, registration and the approval request; then the stack stops while the
// pipeline waits for approval, starts again, the package is approved through the SageMaker
// API, and the pipeline deploys the model through the nested deploy workflow to an endpoint
// that serves predictions.
func TestEndToEndSmoke(t *testing.T) {
	if testing.Short() {
		t.Skip("the end-to-end smoke test builds and trains the sample model")
	}
	root, err := ModuleRoot(".")
	require.NoError(t, err)
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	pol := fastPolicy(t)
	images, err := BuildImages(ctx, root, dir, pol)
	require.NoError(t, err)

	// The training data is copied into the bucket's folder by hand, so no new-data event
	// starts a second pipeline.
	env := topology.Local("prod")
	data, err := os.ReadFile(filepath.Join(root, "examples/abalone/data/abalone.csv"))
	require.NoError(t, err)
	dataDir := filepath.Join(dir, "s3", topology.ArtifactsBucket(env), "data", "abalone")
	require.NoError(t, os.MkdirAll(dataDir, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dataDir, "abalone.csv"), data, 0o644))

	var mu sync.Mutex
	var states []string
	notified := make(chan string, 10)
	obs := Observer{
		Execution: func(ev stepfunctions.HistoryEvent) {
			if strings.HasSuffix(ev.Event.Type, "StateEntered") {
				mu.Lock()
				states = append(states, ev.Event.Name)
				mu.Unlock()
			}
		},
		Notification: func(m sns.Message) { notified <- m.Subject },
	}
	s := open(t, dir, Options{Images: images, Policy: pol, Observer: obs})
	closed := false
	defer func() {
		if !closed {
			s.Close()
		}
	}()
	c := s.Clients()

	secret, err := s.WebhookSecret()
	require.NoError(t, err)
	body := push("4e1243bd22c66e76c2ba9eddc1f91394e57f9f83")
	deliver := func(s *Stack, id string) int {
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
		return resp.StatusCode
	}
	require.Less(t, deliver(s, "d-1"), 300)
	require.NoError(t, s.Settle(ctx))

	select {
	case subject := <-notified:
		t.Logf("notification: %s", subject)
	case <-ctx.Done():
		t.Fatal("no approval request was published")
	}
	pipeline := topology.StateMachineARN(env, "pipeline")
	l, err := c.StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(pipeline)})
	require.NoError(t, err)
	require.Len(t, l.Executions, 1)
	execARN := aws.ToString(l.Executions[0].ExecutionArn)
	assert.Equal(t, "abalone-prod-commit-4e1243bd22c6", aws.ToString(l.Executions[0].Name))
	assert.Equal(t, types.ExecutionStatusRunning, l.Executions[0].Status, "the pipeline waits for approval")

	pkgs, err := c.SageMaker.ListModelPackages(ctx, &sagemaker.ListModelPackagesInput{ModelPackageGroupName: aws.String(topology.PackageGroup("prod", "abalone"))})
	require.NoError(t, err)
	require.Len(t, pkgs.ModelPackageSummaryList, 1, "the trained model is registered")
	pkg := pkgs.ModelPackageSummaryList[0]
	assert.Equal(t, "PendingManualApproval", string(pkg.ModelApprovalStatus))

	// The same delivery again starts nothing new.
	deliver(s, "d-1")
	require.NoError(t, s.Settle(ctx))
	l, err = c.StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(pipeline)})
	require.NoError(t, err)
	assert.Len(t, l.Executions, 1)

	// Stop while waiting for approval, start again, approve: the pipeline finishes.
	require.Eventually(t, func() bool {
		state, waiting := s.StepFunctions().Waiting(execARN)
		return waiting && state == "RequestApproval"
	}, 10*time.Second, 5*time.Millisecond)
	require.NoError(t, s.Close())
	closed = true
	// The second stack's clock can be moved ahead: the drift job's window ends at the current
	// second, so the traffic it judges must be older than that.
	clk := &clock.Shifted{}
	s2 := open(t, dir, Options{Images: images, Policy: pol, Observer: obs, Clock: clk})
	defer s2.Close()
	c = s2.Clients()
	_, err = c.SageMaker.UpdateModelPackage(ctx, &sagemaker.UpdateModelPackageInput{ModelPackageArn: pkg.ModelPackageArn,
		ModelApprovalStatus: "Approved", ApprovalDescription: aws.String("looks good")})
	require.NoError(t, err)

	done, err := s2.StepFunctions().Wait(ctx, execARN)
	require.NoError(t, err)
	mu.Lock()
	t.Logf("states entered: %v", states)
	mu.Unlock()
	require.Equal(t, "SUCCEEDED", string(done.Status), "%s %s", done.Error, done.Cause)

	deploys, err := c.StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(topology.StateMachineARN(env, "deploy"))})
	require.NoError(t, err)
	require.Len(t, deploys.Executions, 1, "the deploy workflow ran as a child execution")
	assert.Equal(t, "abalone-prod-commit-4e1243bd22c6-deploy", aws.ToString(deploys.Executions[0].Name))

	ep, err := c.SageMaker.DescribeEndpoint(ctx, &sagemaker.DescribeEndpointInput{EndpointName: aws.String(topology.EndpointName("prod", "abalone"))})
	require.NoError(t, err)
	assert.Equal(t, "InService", string(ep.EndpointStatus))
	rt := sagemakerruntime.NewFromConfig(c.Config)
	pred, err := rt.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{EndpointName: ep.EndpointName,
		ContentType: aws.String("text/csv"), Body: []byte("M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15\n")})
	require.NoError(t, err)
	t.Logf("prediction: %s", pred.Body)
	assert.NotEmpty(t, strings.TrimSpace(string(pred.Body)))

	// Traffic whose distribution has shifted reaches the endpoint; the drift job finds it,
	// the drift alarm fires and the governor starts a retraining.
	var shifted strings.Builder
	for i := 0; i < 80; i++ {
		fmt.Fprintf(&shifted, "I,%.3f,%.3f,0.400,2.500,1.100,0.600,0.900\n", 0.9+float64(i%10)/100, 0.8+float64(i%7)/100)
	}
	for _, row := range strings.SplitAfter(shifted.String(), "\n") {
		if row == "" {
			continue
		}
		_, err := rt.InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{EndpointName: ep.EndpointName,
			ContentType: aws.String("text/csv"), Body: []byte(row)})
		require.NoError(t, err)
	}
	require.NoError(t, s2.SageMaker().FlushCapture(ctx))
	clk.Skip(2 * time.Second)
	_, err = s2.Schedules().Fire(ctx, topology.ResourceName("prod", "drift-abalone"), clk.Now())
	require.NoError(t, err)
	require.NoError(t, s2.Settle(ctx))
	require.Eventually(t, func() bool {
		require.NoError(t, s2.Settle(ctx))
		l, err := c.StepFunctions.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(pipeline)})
		require.NoError(t, err)
		for _, x := range l.Executions {
			if strings.Contains(aws.ToString(x.Name), "-drift-") {
				t.Logf("drift retraining: %s %s", aws.ToString(x.Name), x.Status)
				return true
			}
		}
		return false
	}, time.Minute, 50*time.Millisecond, "the drift alarm starts a retraining")
	for _, a := range s2.CloudWatch().Alarms() {
		if a.Current.Value == "ALARM" {
			t.Logf("alarm %s: %s", a.Alarm.Name, a.Current.Reason)
		}
	}
}
