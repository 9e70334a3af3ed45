package statemachines_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// These tests run the real workflow definitions on kiln's engine with every Task answered by
// testdata/pipeline.mocks.json, the Step Functions Local mock file users can also pass to
// `kiln sfn run --mocks` (see testdata/README.md). Time is virtual: the one-minute training
// retry backoff and the endpoint polls cost nothing.

const (
	releaseID = "abalone-prod-commit-0123456789ab"
	// packageARN is ModelPackageCreated's ModelPackageArn in the mock file.
	packageARN = "arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/3"
)

var (
	env = topology.Local("prod")
	// start is the virtual clock's start: every execution begins at this instant.
	start = time.Date(2026, 11, 22, 14, 30, 0, 0, time.UTC)
)

// layer is an [asl.Resources.Over] layer.
type layer = func(ctx context.Context, req *asl.TaskRequest) (any, error, bool)

// execution is what one finished execution left behind.
type execution struct {
	result asl.Result
	// entered lists the states entered, in order.
	entered []string
	// scheduled holds each state's effective task parameters, one entry per attempt.
	scheduled map[string][]map[string]any
	// history is the full history.
	history []asl.Event
}

// summarize reads an execution's history.
func summarize(r asl.Result, h []asl.Event) execution {
	x := execution{result: r, scheduled: map[string][]map[string]any{}, history: h}
	state := ""
	for _, ev := range h {
		switch {
		case strings.HasSuffix(ev.Type, "StateEntered"):
			state = ev.Name
			x.entered = append(x.entered, ev.Name)
		case ev.Type == "TaskScheduled":
			p, _ := ev.Parameters.(map[string]any)
			x.scheduled[state] = append(x.scheduled[state], p)
		}
	}
	return x
}

// machine loads, substitutes and parses the workflow file name.
func machine(t *testing.T, name string) *asl.Machine {
	t.Helper()
	def, err := statemachines.Load(name)
	require.NoError(t, err)
	def, err = statemachines.Substitute(def, topology.Placeholders(env))
	require.NoError(t, err)
	m, err := asl.Parse(def)
	require.NoError(t, err)
	return m
}

// mocks reads the mock file.
func mocks(t *testing.T) *asl.MockConfig {
	t.Helper()
	b, err := os.ReadFile("testdata/pipeline.mocks.json")
	require.NoError(t, err)
	mc, err := asl.ParseMockConfig(b)
	require.NoError(t, err)
	return mc
}

// mockCause returns the Cause of the Throw at attempt "0" of the mocked response name, so a
// test can check a workflow hands the original cause on unchanged.
func mockCause(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/pipeline.mocks.json")
	require.NoError(t, err)
	var doc struct {
		MockedResponses map[string]map[string]struct {
			Throw struct{ Cause string }
		}
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	c := doc.MockedResponses[name]["0"].Throw.Cause
	require.NotEmpty(t, c, "mocked response %s has no Throw at attempt 0", name)
	return c
}

// pipelineInput reads testdata/pipeline-input.json strictly as a [statemachines.PipelineInput]
// and lets edit change it.
func pipelineInput(t *testing.T, edit func(*statemachines.PipelineInput)) statemachines.PipelineInput {
	t.Helper()
	b, err := os.ReadFile("testdata/pipeline-input.json")
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var in statemachines.PipelineInput
	require.NoError(t, dec.Decode(&in), "pipeline-input.json is a PipelineInput")
	if edit != nil {
		edit(&in)
	}
	return in
}

// deployInput reads testdata/deploy-input.json strictly as a [statemachines.DeployInput]: the
// deploy workflow's input as the pipeline's Deploy state builds it from pipeline-input.json and
// the mocked evaluation and registration (the happy pipeline case checks that).
func deployInput(t *testing.T) statemachines.DeployInput {
	t.Helper()
	b, err := os.ReadFile("testdata/deploy-input.json")
	require.NoError(t, err)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var in statemachines.DeployInput
	require.NoError(t, dec.Decode(&in), "deploy-input.json is a DeployInput")
	return in
}

// harness runs workflows on one engine with a virtual clock, the mock file's test cases and
// the deploy workflow available as a nested execution.
type harness struct {
	engine *asl.Engine
	clock  *clock.Virtual

	mu      sync.Mutex
	history map[string][]asl.Event
}

// newHarness layers the given layers (first one consulted first) over the mock test cases
// (machine, test case) pairs.
func newHarness(t *testing.T, layers []layer, cases ...[2]string) *harness {
	t.Helper()
	mc := mocks(t)
	res := asl.NewResources()
	for _, c := range cases {
		l, err := mc.Layer(c[0], c[1])
		require.NoError(t, err)
		res.Over(l)
	}
	for i := len(layers) - 1; i >= 0; i-- {
		res.Over(layers[i])
	}
	deploy := machine(t, "deploy.asl.json")
	deployARN := topology.StateMachineARN(env, "deploy")
	res.Handle("states:startExecution", asl.NestedExecutions(func(arn string) (*asl.Machine, bool) {
		return deploy, arn == deployARN
	}))
	h := &harness{clock: clock.NewVirtual(start), history: map[string][]asl.Event{}}
	h.engine = asl.NewEngine(asl.Options{
		Resources: res, Clock: h.clock, Seed: 1, Region: env.Region, Account: env.Account,
		Observer: &asl.Observer{Event: func(x *asl.Execution, ev asl.Event) {
			h.mu.Lock()
			defer h.mu.Unlock()
			h.history[x.ARN()] = append(h.history[x.ARN()], ev)
		}},
	})
	return h
}

// start starts the workflow file (pipeline or deploy) as the stage's state machine.
func (h *harness) start(t *testing.T, workflow, name string, input any) *asl.Execution {
	t.Helper()
	b, err := json.Marshal(input)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	x, err := h.engine.Start(ctx, machine(t, workflow+".asl.json"), asl.StartInput{
		Name: name, Input: b, StateMachineARN: topology.StateMachineARN(env, workflow),
	})
	require.NoError(t, err)
	return x
}

// wait waits for x and summarizes it.
func (h *harness) wait(t *testing.T, x *asl.Execution) execution {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := x.Wait(ctx)
	require.NoError(t, err)
	return summarize(r, x.History())
}

// child returns the summary of the finished execution arn started by another one.
func (h *harness) child(arn string) execution {
	h.mu.Lock()
	defer h.mu.Unlock()
	ev := h.history[arn]
	return summarize(asl.Result{}, ev)
}

// runPipeline runs the pipeline with the mock test case.
func runPipeline(t *testing.T, testCase string, in statemachines.PipelineInput, layers ...layer) (*harness, execution) {
	t.Helper()
	h := newHarness(t, layers, [2]string{"pipeline", testCase})
	return h, h.wait(t, h.start(t, "pipeline", releaseID, in))
}

// publish returns the effective SNS Publish parameters of state's only attempt.
func publish(t *testing.T, x execution, state string) map[string]any {
	t.Helper()
	require.Len(t, x.scheduled[state], 1, "%s publishes once", state)
	return x.scheduled[state][0]
}

// outcome returns the notification's outcome message attribute.
func outcome(t *testing.T, p map[string]any) string {
	t.Helper()
	attrs, _ := p["MessageAttributes"].(map[string]any)
	o, _ := attrs["outcome"].(map[string]any)
	s, _ := o["StringValue"].(string)
	return s
}

// assertNotifiedFailure checks that state published the failure error and cause.
func assertNotifiedFailure(t *testing.T, x execution, state, wantOutcome, wantError, wantCause string) {
	t.Helper()
	p := publish(t, x, state)
	assert.Equal(t, topology.TopicARN(env), p["TopicArn"])
	assert.Equal(t, wantOutcome, outcome(t, p))
	var failure struct{ Error, Cause string }
	require.NoError(t, json.Unmarshal([]byte(p["Message"].(string)), &failure), "the message is the failure as JSON")
	assert.Equal(t, wantError, failure.Error)
	assert.Equal(t, wantCause, failure.Cause)
}

func TestPipelineWorkflow(t *testing.T) {
	happy := []string{"StartTraining", "EvaluateModel", "RegisterModel", "RequestApproval", "ShouldDeploy", "Deploy", "NotifyDeployed", "Released"}
	cases := []struct {
		name       string
		testCase   string
		edit       func(*statemachines.PipelineInput)
		wantStatus asl.Status
		wantError  string
		// wantCause is the name of the mocked response whose cause the execution ends with.
		wantCause  string
		wantStates []string
		check      func(t *testing.T, h *harness, x execution)
	}{
		{
			name: "a trained, passing, approved model is deployed and released", testCase: "ApprovedModelIsDeployed",
			wantStatus: asl.StatusSucceeded, wantStates: happy,
			check: func(t *testing.T, h *harness, x execution) {
				var out map[string]any
				require.NoError(t, json.Unmarshal(x.result.Output, &out))
				assert.Equal(t, map[string]any{"status": "Approved", "modelPackageArn": packageARN,
					"decidedBy": "arn:aws:sts::000000000000:assumed-role/ml-leads/ana", "description": "metrics and lineage reviewed",
					"decidedAt": "2026-11-22T14:30:00Z"}, out["decision"], "the approval callback's output is the decision")
				dep := out["deployment"].(map[string]any)
				assert.Equal(t, "arn:aws:states:us-east-1:000000000000:execution:kiln-prod-deploy:abalone-prod-commit-0123456789ab-deploy", dep["executionArn"])
				p := publish(t, x, "NotifyDeployed")
				assert.Equal(t, "deployed", outcome(t, p))
				assert.Equal(t, "kiln: abalone deployed to prod", p["Subject"])
				var msg map[string]any
				require.NoError(t, json.Unmarshal([]byte(p["Message"].(string)), &msg))
				assert.Equal(t, dep["result"], msg, "the notification carries the deployment record")

				job := x.scheduled["StartTraining"]
				require.Len(t, job, 1)
				assert.Equal(t, releaseID+"-0", job[0]["TrainingJobName"])
				approval := x.scheduled["RequestApproval"][0]["Payload"].(map[string]any)
				assert.Equal(t, packageARN, approval["modelPackageArn"])
				assert.NotEmpty(t, approval["taskToken"], "request-approval receives the task token")
				deploy := x.scheduled["Deploy"][0]
				assert.Equal(t, releaseID+"-deploy", deploy["Name"])
				assert.Equal(t, topology.StateMachineARN(env, "deploy"), deploy["StateMachineArn"])
				var din statemachines.DeployInput
				b, err := json.Marshal(deploy["Input"])
				require.NoError(t, err)
				require.NoError(t, json.Unmarshal(b, &din))
				assert.Equal(t, deployInput(t), din, "the Deploy state builds the deploy workflow's input")
			},
		},
		{
			name: "a model failing the gate is notified as rejected and ends Rejected", testCase: "ModelFailsTheGate",
			wantStatus: asl.StatusFailed, wantError: statemachines.ErrModelRejected, wantCause: "EvaluationRejected",
			wantStates: []string{"StartTraining", "EvaluateModel", "NotifyRejected", "Rejected"},
			check: func(t *testing.T, h *harness, x execution) {
				assertNotifiedFailure(t, x, "NotifyRejected", "rejected", statemachines.ErrModelRejected, mockCause(t, "EvaluationRejected"))
			},
		},
		{
			name: "an approver's rejection is notified as rejected and ends Rejected", testCase: "ApproverRejectsThePackage",
			wantStatus: asl.StatusFailed, wantError: statemachines.ErrPackageRejected, wantCause: "ApprovalRejected",
			wantStates: []string{"StartTraining", "EvaluateModel", "RegisterModel", "RequestApproval", "NotifyRejected", "Rejected"},
			check: func(t *testing.T, h *harness, x execution) {
				assertNotifiedFailure(t, x, "NotifyRejected", "rejected", statemachines.ErrPackageRejected, mockCause(t, "ApprovalRejected"))
			},
		},
		{
			name: "an approval timeout is notified as a failure and ends Failed", testCase: "ApprovalTimesOut",
			wantStatus: asl.StatusFailed, wantError: asl.ErrTimeout, wantCause: "ApprovalTimedOut",
			wantStates: []string{"StartTraining", "EvaluateModel", "RegisterModel", "RequestApproval", "NotifyFailure", "Failed"},
			check: func(t *testing.T, h *harness, x execution) {
				assertNotifiedFailure(t, x, "NotifyFailure", "failed", asl.ErrTimeout, mockCause(t, "ApprovalTimedOut"))
				assert.Empty(t, x.scheduled["NotifyRejected"])
			},
		},
		{
			name: "a failed training job ends Failed with the job's failure as the cause", testCase: "TrainingJobFails",
			wantStatus: asl.StatusFailed, wantError: asl.ErrTaskFailed, wantCause: "TrainingFailed",
			wantStates: []string{"StartTraining", "NotifyFailure", "Failed"},
			check: func(t *testing.T, h *harness, x execution) {
				assert.Contains(t, x.result.Cause, `"FailureReason":"AlgorithmError:`)
				assert.Len(t, x.scheduled["StartTraining"], 1, "a failed job is not retried")
				assertNotifiedFailure(t, x, "NotifyFailure", "failed", asl.ErrTaskFailed, mockCause(t, "TrainingFailed"))
			},
		},
		{
			name: "a throttled training request is made again after a wait and then succeeds", testCase: "TrainingThrottleIsRepeated",
			wantStatus: asl.StatusSucceeded,
			wantStates: append([]string{"StartTraining", "IsTrainingThrottled", "FirstTrainingThrottle", "WaitToRetryTraining"}, happy...),
			check: func(t *testing.T, h *harness, x execution) {
				job := x.scheduled["StartTraining"]
				require.Len(t, job, 2)
				assert.Equal(t, job[0]["TrainingJobName"], job[1]["TrainingJobName"], "a throttled request created no job, so its name is free")
				assert.GreaterOrEqual(t, x.result.StopDate.Sub(x.result.StartDate), time.Minute, "the wait passed on the virtual clock")
			},
		},
		{
			name: "a registration throttled four times fails after three waits", testCase: "RegistrationThrottledTooOftenFails",
			wantStatus: asl.StatusFailed, wantError: "SageMaker.SageMakerException", wantCause: "ModelPackageThrottledThrice",
			wantStates: []string{"StartTraining", "EvaluateModel", "RegisterModel", "IsRegistrationThrottled", "FirstRegistrationThrottle", "WaitToRetryRegistration",
				"RegisterModel", "IsRegistrationThrottled", "CountRegistrationThrottle", "WaitToRetryRegistration",
				"RegisterModel", "IsRegistrationThrottled", "CountRegistrationThrottle", "WaitToRetryRegistration",
				"RegisterModel", "IsRegistrationThrottled", "NotifyFailure", "Failed"},
			check: func(t *testing.T, h *harness, x execution) {
				assert.Len(t, x.scheduled["RegisterModel"], 4, "the first request and three more")
			},
		},
		{
			name: "a training request SageMaker finds invalid fails at once", testCase: "InvalidTrainingRequestFailsAtOnce",
			wantStatus: asl.StatusFailed, wantError: "SageMaker.AmazonSageMakerException", wantCause: "TrainingRequestInvalid",
			wantStates: []string{"StartTraining", "IsTrainingThrottled", "NotifyFailure", "Failed"},
			check: func(t *testing.T, h *harness, x execution) {
				assert.Len(t, x.scheduled["StartTraining"], 1, "a ValidationException is not retried")
			},
		},
		{
			name: "a capacity error is retried under a new training job name and then succeeds", testCase: "CapacityErrorIsRetried",
			wantStatus: asl.StatusSucceeded, wantStates: happy,
			check: func(t *testing.T, h *harness, x execution) {
				job := x.scheduled["StartTraining"]
				require.Len(t, job, 2)
				assert.Equal(t, releaseID+"-0", job[0]["TrainingJobName"])
				assert.Equal(t, releaseID+"-1", job[1]["TrainingJobName"], "the retry's name ends in $$.State.RetryCount")
				var out map[string]any
				require.NoError(t, json.Unmarshal(x.result.Output, &out))
				assert.Equal(t, releaseID+"-1", out["trainingJob"].(map[string]any)["TrainingJobName"])
				assert.Equal(t, releaseID+"-1", x.scheduled["EvaluateModel"][0]["Payload"].(map[string]any)["trainingJobName"])
				assert.Positive(t, x.result.StopDate.Sub(x.result.StartDate), "the backoff passed on the virtual clock")
			},
		},
		{
			name: "a stage that does not deploy is notified as registered and released without a deployment", testCase: "RegisterOnlyStage",
			edit:       func(in *statemachines.PipelineInput) { in.Deploy.Enabled = false },
			wantStatus: asl.StatusSucceeded,
			wantStates: []string{"StartTraining", "EvaluateModel", "RegisterModel", "RequestApproval", "ShouldDeploy", "NotifyRegistered", "Released"},
			check: func(t *testing.T, h *harness, x execution) {
				assert.Empty(t, x.scheduled["Deploy"])
				p := publish(t, x, "NotifyRegistered")
				assert.Equal(t, "registered", outcome(t, p))
				assert.JSONEq(t, `{"ModelPackageArn":"`+packageARN+`"}`, p["Message"].(string))
			},
		},
		{
			name: "a failed nested deploy is notified as a failure and ends Failed", testCase: "DeployFails",
			wantStatus: asl.StatusFailed, wantError: asl.ErrTaskFailed, wantCause: "DeployRolledBack",
			wantStates: []string{"StartTraining", "EvaluateModel", "RegisterModel", "RequestApproval", "ShouldDeploy", "Deploy", "NotifyFailure", "Failed"},
			check: func(t *testing.T, h *harness, x execution) {
				assert.Contains(t, x.result.Cause, statemachines.ErrRolledBack, "the child's error is in the cause")
				assertNotifiedFailure(t, x, "NotifyFailure", "failed", asl.ErrTaskFailed, mockCause(t, "DeployRolledBack"))
			},
		},
		{
			name: "a failing rejection notification still ends Rejected with the gate's error", testCase: "RejectionNotificationFails",
			wantStatus: asl.StatusFailed, wantError: statemachines.ErrModelRejected, wantCause: "EvaluationRejected",
			wantStates: []string{"StartTraining", "EvaluateModel", "NotifyRejected", "Rejected"},
			check: func(t *testing.T, h *harness, x execution) {
				assert.Len(t, x.scheduled["NotifyRejected"], 4, "the notification is tried four times")
			},
		},
		{
			name: "a failing deployment notification still releases the deployed model", testCase: "DeployedNotificationFails",
			wantStatus: asl.StatusSucceeded, wantStates: happy,
			check: func(t *testing.T, h *harness, x execution) {
				assert.Len(t, x.scheduled["NotifyDeployed"], 4, "the notification is tried four times")
			},
		},
		{
			name: "a failing notification still ends Failed with the original error", testCase: "NotificationFails",
			wantStatus: asl.StatusFailed, wantError: asl.ErrTaskFailed, wantCause: "TrainingFailed",
			wantStates: []string{"StartTraining", "NotifyFailure", "Failed"},
			check: func(t *testing.T, h *harness, x execution) {
				assert.Len(t, x.scheduled["NotifyFailure"], 4, "the notification is tried four times")
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h, x := runPipeline(t, c.testCase, pipelineInput(t, c.edit))
			assert.Equal(t, c.wantStatus, x.result.Status, "status (error %s: %s)", x.result.Error, x.result.Cause)
			assert.Equal(t, c.wantError, x.result.Error)
			want := ""
			if c.wantCause != "" {
				want = mockCause(t, c.wantCause)
			}
			assert.Equal(t, want, x.result.Cause)
			assert.Equal(t, c.wantStates, x.entered)
			c.check(t, h, x)
		})
	}
}

func TestPipelineRunsTheRealDeployWorkflow(t *testing.T) {
	h := newHarness(t, nil, [2]string{"pipeline", "ApprovedModelRunsTheDeployWorkflow"}, [2]string{"deploy", "ExistingEndpointIsUpdated"})
	x := h.wait(t, h.start(t, "pipeline", releaseID, pipelineInput(t, nil)))
	require.Equal(t, asl.StatusSucceeded, x.result.Status, "%s: %s", x.result.Error, x.result.Cause)
	childARN := "arn:aws:states:us-east-1:000000000000:execution:kiln-prod-deploy:" + releaseID + "-deploy"
	child := h.child(childARN)
	assert.Equal(t, []string{"Plan", "CreateModel", "CreateEndpointConfig", "FindEndpoint", "CanEndpointBeUpdated", "UpdateEndpoint",
		"WaitForEndpoint", "DescribeEndpoint", "IsEndpointSettled", "WaitForEndpoint", "DescribeEndpoint",
		"IsEndpointSettled", "IsRequestedConfig", "BuildRecord", "RecordHistory", "RecordCurrent", "Deployed"}, child.entered)
	var out struct {
		Deployment struct {
			ExecutionARN string         `json:"executionArn"`
			Result       map[string]any `json:"result"`
		} `json:"deployment"`
	}
	require.NoError(t, json.Unmarshal(x.result.Output, &out))
	assert.Equal(t, childARN, out.Deployment.ExecutionARN)
	assert.Equal(t, childARN, out.Deployment.Result["executionArn"], "the record names the deploy execution")
	assert.Equal(t, releaseID+"-config", out.Deployment.Result["endpointConfigName"])
	assert.Equal(t, packageARN, out.Deployment.Result["modelPackageArn"])
}

func TestPipelineApprovalThatNeverComesTimesOut(t *testing.T) {
	// The mock file can only answer a callback or throw; an approver who never answers needs a
	// request-approval handler that takes the token and completes nothing, so the state's
	// TimeoutSecondsPath limit fires for real.
	issued := make(chan string, 1)
	silent := func(ctx context.Context, req *asl.TaskRequest) (any, error, bool) {
		if req.StateName != "RequestApproval" {
			return nil, nil, false
		}
		issued <- req.TaskToken
		return nil, nil, true
	}
	h := newHarness(t, []layer{silent}, [2]string{"pipeline", "ApprovalTimesOut"})
	in := pipelineInput(t, nil)
	x := h.start(t, "pipeline", releaseID, in)
	<-issued
	require.Eventually(t, func() bool { return h.clock.Pending() == 1 }, 5*time.Second, time.Millisecond, "the approval timeout is armed")
	h.clock.Advance(time.Duration(in.Approval.TimeoutSeconds-1) * time.Second)
	assert.Equal(t, asl.StatusRunning, x.Status(), "a second before the limit the run still waits")
	h.clock.Advance(2 * time.Second)
	r := h.wait(t, x)
	assert.Equal(t, asl.StatusFailed, r.result.Status)
	assert.Equal(t, asl.ErrTimeout, r.result.Error)
	assert.Equal(t, []string{"StartTraining", "EvaluateModel", "RegisterModel", "RequestApproval", "NotifyFailure", "Failed"}, r.entered)
	assert.Len(t, r.scheduled["NotifyFailure"], 1)
}

func TestDeployWorkflow(t *testing.T) {
	poll := time.Duration(deployInput(t).Deploy.PollSeconds) * time.Second
	settled := []string{"WaitForEndpoint", "DescribeEndpoint", "IsEndpointSettled", "WaitForEndpoint", "DescribeEndpoint", "IsEndpointSettled", "IsRequestedConfig"}
	recorded := []string{"BuildRecord", "RecordHistory", "RecordCurrent", "Deployed"}
	prefix := []string{"Plan", "CreateModel", "CreateEndpointConfig"}
	missing := []string{"FindEndpoint", "IsEndpointMissing"}
	existing := []string{"FindEndpoint", "CanEndpointBeUpdated"}
	lookAgain := []string{"WaitForEndpointToSettle"}
	explained := []string{"ReadFailureReason", "HasFailureReason", "FailWithReason"}
	const rolledBack = "the endpoint is InService on its previous endpoint config: SageMaker rolled the update back"
	seq := func(parts ...[]string) []string {
		var out []string
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	cases := []struct {
		name       string
		testCase   string
		wantStatus asl.Status
		wantError  string
		// wantCause is the cause; wantCauseOf names a mocked response whose cause it is.
		wantCause   string
		wantCauseOf string
		wantStates  []string
		// wantRecord is true when the deployment is recorded and is the output; waited is
		// how long the virtual clock ran before the record was built.
		wantRecord bool
		waited     time.Duration
	}{
		{
			name: "a missing endpoint is created, and once InService on the new config the deployment is recorded", testCase: "MissingEndpointIsCreated",
			wantStatus: asl.StatusSucceeded, wantRecord: true, waited: 2 * poll,
			wantStates: seq(prefix, missing, []string{"CreateEndpoint"}, settled, recorded),
		},
		{
			name: "an existing endpoint is updated, and once InService on the new config the deployment is recorded", testCase: "ExistingEndpointIsUpdated",
			wantStatus: asl.StatusSucceeded, wantRecord: true, waited: 2 * poll,
			wantStates: seq(prefix, existing, []string{"UpdateEndpoint"}, settled, recorded),
		},
		{
			name: "an endpoint back InService on its old config fails as rolled back", testCase: "UpdateIsRolledBack",
			wantStatus: asl.StatusFailed, wantError: statemachines.ErrRolledBack,
			wantCause:  rolledBack + "; FailureReason: Deployment rolled back: alarm kiln-prod-abalone-5xx went to ALARM during the canary",
			wantStates: seq(prefix, existing, []string{"UpdateEndpoint"}, settled, []string{"RolledBack"}, explained),
		},
		{
			name: "an update interrupted by a stop is recorded as interrupted, not as an alarm's rollback", testCase: "InterruptedUpdateIsBlamedOnTheStop",
			wantStatus: asl.StatusFailed, wantError: statemachines.ErrRolledBack,
			wantCause:  rolledBack + "; FailureReason: Deployment rolled back: the update was interrupted because kiln local stopped during it (no rollback alarm fired)",
			wantStates: seq(prefix, existing, []string{"UpdateEndpoint"}, settled, []string{"RolledBack"}, explained),
		},
		{
			name: "a rollback without a FailureReason says that SageMaker gave none", testCase: "RollbackWithoutReasonSaysSo",
			wantStatus: asl.StatusFailed, wantError: statemachines.ErrRolledBack,
			wantCause:  rolledBack + "; no FailureReason could be read from DescribeEndpoint",
			wantStates: seq(prefix, existing, []string{"UpdateEndpoint"}, settled, []string{"RolledBack", "ReadFailureReason", "HasFailureReason", "FailWithoutReason"}),
		},
		{
			name: "a FailureReason that cannot be read still fails the deployment under its own name", testCase: "UnreadableFailureReasonStillFails",
			wantStatus: asl.StatusFailed, wantError: statemachines.ErrRolledBack,
			wantCause:  rolledBack + "; no FailureReason could be read from DescribeEndpoint",
			wantStates: seq(prefix, existing, []string{"UpdateEndpoint"}, settled, []string{"RolledBack", "ReadFailureReason", "FailWithoutReason"}),
		},
		{
			name: "an endpoint that reaches Failed fails the deployment", testCase: "EndpointFails",
			wantStatus: asl.StatusFailed, wantError: statemachines.ErrEndpointFailed,
			wantCause:  "the endpoint reached status Failed; FailureReason: The primary container for production variant AllTraffic did not pass the ping health check.",
			wantStates: seq(prefix, missing, []string{"CreateEndpoint", "WaitForEndpoint", "DescribeEndpoint", "IsEndpointSettled", "EndpointFailed"}, explained),
		},
		{
			name: "a Failed endpoint is deleted, waited for until gone, and created again", testCase: "FailedEndpointIsDeletedAndCreatedAgain",
			wantStatus: asl.StatusSucceeded, wantRecord: true, waited: 4 * poll,
			wantStates: seq(prefix, existing, []string{"DeleteFailedEndpoint"}, lookAgain, existing, lookAgain, missing, []string{"CreateEndpoint"}, settled, recorded),
		},
		{
			name: "an endpoint Updating or SystemUpdating is waited out before it is updated", testCase: "UpdateInProgressIsWaitedOut",
			wantStatus: asl.StatusSucceeded, wantRecord: true, waited: 4 * poll,
			wantStates: seq(prefix, existing, lookAgain, existing, lookAgain, existing, []string{"UpdateEndpoint"}, settled, recorded),
		},
		{
			name: "an endpoint that ends UpdateRollbackFailed fails the deployment at once, not after hours of polling", testCase: "UpdateRollbackFailedFailsTheDeployment",
			wantStatus: asl.StatusFailed, wantError: statemachines.ErrUpdateRollbackFailed,
			wantCause:  "the endpoint is UpdateRollbackFailed: a blue/green update failed and so did its rollback; an operator must update or delete the endpoint; FailureReason: Rollback failed: the old fleet could not be restored.",
			wantStates: seq(prefix, existing, []string{"UpdateEndpoint"}, settled[:len(settled)-1], []string{"UpdateRollbackFailed"}, explained),
		},
		{
			name: "a lookup that fails for another reason than a missing endpoint fails with that error and creates nothing", testCase: "DeniedLookupFailsTheDeployment",
			wantStatus: asl.StatusFailed, wantError: "SageMaker.SageMakerException", wantCauseOf: "EndpointLookupDenied",
			wantStates: seq(prefix, missing, []string{"LookupFailed"}),
		},
		{
			name: "a throttled lookup looks again after a poll interval", testCase: "ThrottledLookupIsRepeated",
			wantStatus: asl.StatusSucceeded, wantRecord: true, waited: 3 * poll,
			wantStates: seq(prefix, missing, lookAgain, missing, []string{"CreateEndpoint"}, settled, recorded),
		},
		{
			name: "CreateEndpoint is retried while SageMaker cannot see the new endpoint config yet", testCase: "StaleConfigIsRetried",
			wantStatus: asl.StatusSucceeded, wantRecord: true, waited: 2*poll + 5*time.Second,
			wantStates: seq(prefix, missing, []string{"CreateEndpoint"}, settled, recorded),
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t, nil, [2]string{"deploy", c.testCase})
			in := deployInput(t)
			x := h.wait(t, h.start(t, "deploy", releaseID+"-deploy", in))
			assert.Equal(t, c.wantStatus, x.result.Status, "status (error %s: %s)", x.result.Error, x.result.Cause)
			assert.Equal(t, c.wantError, x.result.Error)
			wantCause := c.wantCause
			if c.wantCauseOf != "" {
				wantCause = mockCause(t, c.wantCauseOf)
			}
			assert.Equal(t, wantCause, x.result.Cause)
			assert.Equal(t, c.wantStates, x.entered)
			if len(x.scheduled["UpdateEndpoint"]) > 0 {
				assert.Empty(t, x.scheduled["CreateEndpoint"], "an endpoint that exists is never created")
			}

			cfg := x.scheduled["CreateEndpointConfig"]
			require.Len(t, cfg, 1)
			assert.Equal(t, releaseID+"-config", cfg[0]["EndpointConfigName"])
			if up := x.scheduled["UpdateEndpoint"]; len(up) > 0 {
				assert.Equal(t, releaseID+"-config", up[0]["EndpointConfigName"])
				assert.Equal(t, in.Deploy.DeploymentConfig, up[0]["DeploymentConfig"], "the update is blue/green with the stage's config")
			}
			if !c.wantRecord {
				assert.Empty(t, x.scheduled["RecordHistory"])
				assert.Empty(t, x.scheduled["RecordCurrent"])
				return
			}
			var record map[string]any
			require.NoError(t, json.Unmarshal(x.result.Output, &record))
			deployedAt := start.Add(c.waited)
			assert.Equal(t, map[string]any{
				"endpointName": "kiln-prod-abalone", "endpointConfigName": releaseID + "-config", "modelName": releaseID,
				"modelPackageArn": packageARN, "releaseId": releaseID, "model": "abalone", "stage": "prod", "strategy": "CANARY",
				"baseline": map[string]any{
					"statisticsS3Uri":  in.Baseline.StatisticsS3URI,
					"constraintsS3Uri": in.Baseline.ConstraintsS3URI,
				},
				"deployedAt":   deployedAt.Format("2006-01-02T15:04:05.000Z"),
				"executionArn": "arn:aws:states:us-east-1:000000000000:execution:kiln-prod-deploy:" + releaseID + "-deploy",
			}, record)
			for state, key := range map[string]string{
				"RecordHistory": "deployments/kiln-prod-abalone/history/" + record["deployedAt"].(string) + ".json",
				"RecordCurrent": "deployments/kiln-prod-abalone/current.json",
			} {
				put := x.scheduled[state]
				require.Len(t, put, 1, state)
				assert.Equal(t, topology.ArtifactsBucket(env), put[0]["Bucket"], state)
				assert.Equal(t, key, put[0]["Key"], state)
				assert.JSONEq(t, string(x.result.Output), put[0]["Body"].(string), "%s writes the record", state)
			}
		})
	}
}
