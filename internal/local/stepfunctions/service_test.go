package stepfunctions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	bolt "go.etcd.io/bbolt"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/topology"
)

// approvalMachine waits for a token handed to a Lambda function, then passes.
const approvalMachine = `{
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Pass", "Result": {"prepared": true}, "ResultPath": "$.prep", "Next": "WaitForApproval"},
    "WaitForApproval": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "kiln-prod-request-approval", "Payload": {"token.$": "$$.Task.Token", "model.$": "$.model"}},
      "ResultPath": "$.decision",
      "Next": "Done"
    },
    "Done": {"Type": "Succeed"}
  }
}`

const parentMachine = `{
  "StartAt": "Deploy",
  "States": {
    "Deploy": {
      "Type": "Task",
      "Resource": "arn:aws:states:::states:startExecution.sync:2",
      "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:child", "Name.$": "States.Format('{}-deploy', $$.Execution.Name)", "Input": {"x.$": "$.x"}},
      "OutputPath": "$.Output",
      "End": true
    }
  }
}`

const childMachine = `{"StartAt": "Double", "States": {"Double": {"Type": "Pass", "Parameters": {"y.$": "States.MathAdd($.x, $.x)"}, "End": true}}}`

// tokens records the task tokens the fake request-approval function receives.
type tokens struct {
	mu  sync.Mutex
	got []string
	ch  chan string
}

func newTokens() *tokens { return &tokens{ch: make(chan string, 10)} }

func (t *tokens) lambda(_ context.Context, fn string, payload any) (any, error) {
	p := payload.(map[string]any)
	tok := p["token"].(string)
	t.mu.Lock()
	t.got = append(t.got, tok)
	t.mu.Unlock()
	t.ch <- tok
	return map[string]any{"stored": true}, nil
}

func openDB(t *testing.T, path string) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	return db
}

func openService(t *testing.T, db *bolt.DB, tk *tokens, obs func(HistoryEvent)) *Service {
	t.Helper()
	r := asl.NewResources()
	Integrations{Lambda: tk.lambda}.Register(r)
	s, err := Open(Options{DB: db, Env: topology.Local("prod"), Machines: kilnMachines(t, topology.Local("prod")), Resources: r, Seed: 7, Observer: obs})
	require.NoError(t, err)
	for name, def := range map[string]string{"approval": approvalMachine, "parent": parentMachine, "child": childMachine} {
		_, err := s.CreateStateMachine(MachineDefinition{Name: name, Definition: []byte(def)}, time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC))
		require.NoError(t, err)
	}
	require.NoError(t, s.Resume())
	return s
}

func client(t *testing.T, s *Service) *sfn.Client {
	t.Helper()
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}), APIOptions: []func(*middleware.Stack) error{noHostPrefix}})
}

// noHostPrefix stops the SDK from prefixing the host with "sync-" (StartSyncExecution,
// TestState), which a loopback endpoint cannot answer to, as a user of kiln local does.
func noHostPrefix(st *middleware.Stack) error {
	return st.Initialize.Add(middleware.InitializeMiddlewareFunc("kilnNoHostPrefix",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			return next.HandleInitialize(smithyhttp.DisableEndpointHostPrefix(ctx, true), in)
		}), middleware.Before)
}

const approvalARN = "arn:aws:states:us-east-1:000000000000:stateMachine:approval"

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "got %v", err)
	return ae.ErrorCode()
}

func TestExecutionLifecycleThroughTheSDK(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	tk := newTokens()
	s := openService(t, db, tk, nil)
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()

	sms, err := c.ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
	require.NoError(t, err)
	var names []string
	for _, m := range sms.StateMachines {
		names = append(names, aws.ToString(m.Name))
	}
	assert.Equal(t, []string{"approval", "child", "kiln-prod-deploy", "kiln-prod-pipeline", "parent"}, names)

	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN), Name: aws.String("abalone-prod-commit-abc"), Input: aws.String(`{"model": "abalone"}`)})
	require.NoError(t, err)
	token := <-tk.ch

	again, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN), Name: aws.String("abalone-prod-commit-abc"), Input: aws.String(`{"model":"abalone"}`)})
	require.NoError(t, err, "the same name and input while running returns the same execution")
	assert.Equal(t, aws.ToString(start.ExecutionArn), aws.ToString(again.ExecutionArn))
	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN), Name: aws.String("abalone-prod-commit-abc"), Input: aws.String(`{"model":"other"}`)})
	assert.Equal(t, "ExecutionAlreadyExists", apiCode(t, err))
	var already *types.ExecutionAlreadyExists
	assert.True(t, errors.As(err, &already), "the SDK decodes the typed error")

	running, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(approvalARN), StatusFilter: types.ExecutionStatusRunning})
	require.NoError(t, err)
	require.Len(t, running.Executions, 1)

	_, err = c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{"approved":true}`)})
	require.NoError(t, err)
	_, err = s.Wait(ctx, aws.ToString(start.ExecutionArn))
	require.NoError(t, err)

	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
	require.NoError(t, err)
	assert.Equal(t, types.ExecutionStatusSucceeded, d.Status)
	assert.JSONEq(t, `{"model":"abalone","prep":{"prepared":true},"decision":{"approved":true}}`, aws.ToString(d.Output))
	assert.False(t, d.StopDate.Before(*d.StartDate))

	h, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn})
	require.NoError(t, err)
	var kinds []types.HistoryEventType
	for i, e := range h.Events {
		assert.Equal(t, int64(i+1), e.Id)
		kinds = append(kinds, e.Type)
	}
	assert.Equal(t, types.HistoryEventTypeExecutionStarted, kinds[0])
	assert.Contains(t, kinds, types.HistoryEventTypeTaskSubmitted)
	assert.Equal(t, types.HistoryEventTypeExecutionSucceeded, kinds[len(kinds)-1])
	assert.JSONEq(t, `{"model": "abalone"}`, aws.ToString(h.Events[0].ExecutionStartedEventDetails.Input))

	page1, err := c.GetExecutionHistory(ctx, &sfn.GetExecutionHistoryInput{ExecutionArn: start.ExecutionArn, MaxResults: 2, ReverseOrder: true})
	require.NoError(t, err)
	require.Len(t, page1.Events, 2)
	assert.Equal(t, types.HistoryEventTypeExecutionSucceeded, page1.Events[0].Type)
	require.NotNil(t, page1.NextToken)

	_, err = c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN), Name: aws.String("abalone-prod-commit-abc"), Input: aws.String(`{"model":"abalone"}`)})
	assert.Equal(t, "ExecutionAlreadyExists", apiCode(t, err), "a finished execution's name cannot be reused")
}

func TestBadRequestsAreNamed(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	tk := newTokens()
	s := openService(t, db, tk, nil)
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()

	start, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN), Input: aws.String(`{"model":"m"}`)})
	require.NoError(t, err)
	token := <-tk.ch
	_, err = c.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(token), Error: aws.String("ModelPackageRejected"), Cause: aws.String("no")})
	require.NoError(t, err)
	rec, err := s.Wait(ctx, aws.ToString(start.ExecutionArn))
	require.NoError(t, err)
	assert.Equal(t, asl.StatusFailed, rec.Status)
	t.Run("a SendTaskFailure keeps its error name", func(t *testing.T) {
		assert.Equal(t, "ModelPackageRejected", rec.Error, "the pipeline's Catch on ModelPackageRejected depends on it")
		assert.Equal(t, "no", rec.Cause)
	})

	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"an unknown operation is named", func() error {
			_, err := c.ListActivities(ctx, &sfn.ListActivitiesInput{})
			return err
		}, "UnknownOperationException"},
		{"a missing state machine does not exist", func() error {
			_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN + "x")})
			return err
		}, "StateMachineDoesNotExist"},
		{"input that is not JSON is invalid", func() error {
			_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN), Input: aws.String(`{`)})
			return err
		}, "InvalidExecutionInput"},
		{"a name with a slash is invalid", func() error {
			_, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN), Name: aws.String("a/b")})
			return err
		}, "InvalidName"},
		{"a missing execution does not exist", func() error {
			_, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn:aws:states:us-east-1:000000000000:execution:approval:nope")})
			return err
		}, "ExecutionDoesNotExist"},
		{"a token that was used is TaskTimedOut", func() error {
			_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(token), Output: aws.String(`{}`)})
			return err
		}, "TaskTimedOut"},
		{"an unknown token does not exist", func() error {
			_, err := c.SendTaskHeartbeat(ctx, &sfn.SendTaskHeartbeatInput{TaskToken: aws.String("AAAA")})
			return err
		}, "TaskDoesNotExist"},
		{"a token with spaces is invalid", func() error {
			_, err := c.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String("a b"), Output: aws.String(`{}`)})
			return err
		}, "InvalidToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.code, apiCode(t, tt.call()))
		})
	}
}

func TestAnExecutionWaitingForApprovalSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kiln.db")
	db := openDB(t, path)
	tk := newTokens()
	s := openService(t, db, tk, nil)
	ctx := context.Background()
	rec, err := s.StartExecution(ctx, approvalARN, "abalone-prod-commit-restart", []byte(`{"model":"abalone"}`))
	require.NoError(t, err)
	token := <-tk.ch
	require.Eventually(t, func() bool {
		state, waiting := s.Waiting(rec.ARN)
		return waiting && state == "WaitForApproval" // the checkpoint at the token wait is written
	}, 5*time.Second, 5*time.Millisecond)
	require.NoError(t, s.Close())
	require.NoError(t, db.Close())

	db = openDB(t, path)
	defer db.Close()
	var mu sync.Mutex
	var seen []string
	s = openService(t, db, newTokens(), func(ev HistoryEvent) { mu.Lock(); seen = append(seen, ev.Event.Type); mu.Unlock() })
	defer s.Close()
	got, err := s.DescribeExecution(rec.ARN)
	require.NoError(t, err)
	assert.Equal(t, asl.StatusRunning, got.Status, "a restart does not end the execution")

	require.NoError(t, s.SendTaskSuccess(token, []byte(`{"approved":true}`)))
	done, err := s.Wait(ctx, rec.ARN)
	require.NoError(t, err)
	assert.Equal(t, asl.StatusSucceeded, done.Status)
	assert.JSONEq(t, `{"model":"abalone","prep":{"prepared":true},"decision":{"approved":true}}`, string(done.Output))

	h, err := s.History(rec.ARN)
	require.NoError(t, err)
	var ids []int64
	var kinds []string
	for _, raw := range h {
		var e struct {
			ID   int64  `json:"id"`
			Type string `json:"type"`
		}
		require.NoError(t, json.Unmarshal(raw, &e))
		ids = append(ids, e.ID)
		kinds = append(kinds, e.Type)
	}
	for i, id := range ids {
		assert.Equal(t, int64(i+1), id, "history ids run on across the restart")
	}
	assert.Equal(t, 1, count(kinds, "ExecutionStarted"))
	assert.Equal(t, 1, count(kinds, "TaskScheduled"), "the resource was not invoked again")
	assert.Equal(t, "ExecutionSucceeded", kinds[len(kinds)-1])
	mu.Lock()
	assert.Contains(t, seen, "TaskSucceeded", "the observer streams the resumed execution")
	mu.Unlock()
}

func count(l []string, s string) int {
	n := 0
	for _, x := range l {
		if x == s {
			n++
		}
	}
	return n
}

func TestNestedExecutionIsAListedChild(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	s := openService(t, db, newTokens(), nil)
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()
	rec, err := s.StartExecution(ctx, "arn:aws:states:us-east-1:000000000000:stateMachine:parent", "p1", []byte(`{"x":21}`))
	require.NoError(t, err)
	done, err := s.Wait(ctx, rec.ARN)
	require.NoError(t, err)
	require.Equal(t, asl.StatusSucceeded, done.Status, done.Cause)
	assert.JSONEq(t, `{"y":42}`, string(done.Output))

	kids, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String("arn:aws:states:us-east-1:000000000000:stateMachine:child")})
	require.NoError(t, err)
	require.Len(t, kids.Executions, 1)
	assert.Equal(t, "p1-deploy", aws.ToString(kids.Executions[0].Name))
	assert.Equal(t, types.ExecutionStatusSucceeded, kids.Executions[0].Status)
}

func TestStopAndPaginate(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	tk := newTokens()
	s := openService(t, db, tk, nil)
	defer s.Close()
	c := client(t, s)
	ctx := context.Background()

	var arns []string
	for i := range 3 {
		out, err := c.StartExecution(ctx, &sfn.StartExecutionInput{StateMachineArn: aws.String(approvalARN),
			Name: aws.String(fmt.Sprintf("x%d", i)), Input: aws.String(`{"model":"m"}`)})
		require.NoError(t, err)
		<-tk.ch
		arns = append(arns, aws.ToString(out.ExecutionArn))
	}
	stop, err := c.StopExecution(ctx, &sfn.StopExecutionInput{ExecutionArn: aws.String(arns[1]), Error: aws.String("Operator"), Cause: aws.String("by hand")})
	require.NoError(t, err)
	require.NotNil(t, stop.StopDate)
	d, err := c.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arns[1])})
	require.NoError(t, err)
	assert.Equal(t, types.ExecutionStatusAborted, d.Status)
	assert.Equal(t, "Operator", aws.ToString(d.Error))

	sm, err := c.DescribeStateMachineForExecution(ctx, &sfn.DescribeStateMachineForExecutionInput{ExecutionArn: aws.String(arns[0])})
	require.NoError(t, err)
	assert.Equal(t, approvalARN, aws.ToString(sm.StateMachineArn))

	var names []string
	p := sfn.NewListExecutionsPaginator(c, &sfn.ListExecutionsInput{StateMachineArn: aws.String(approvalARN), MaxResults: 2})
	pages := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		pages++
		for _, x := range page.Executions {
			names = append(names, aws.ToString(x.Name))
		}
	}
	assert.Equal(t, 2, pages)
	assert.ElementsMatch(t, []string{"x0", "x1", "x2"}, names)

	aborted, err := c.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(approvalARN), StatusFilter: types.ExecutionStatusAborted})
	require.NoError(t, err)
	require.Len(t, aborted.Executions, 1)
	assert.Equal(t, "x1", aws.ToString(aborted.Executions[0].Name))
}

func TestAnExecutionStoppedBeforeItsFirstStateStartsOver(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	// A record a previous process wrote before the execution entered its first state.
	s := openService(t, db, newTokens(), nil)
	rec := &Execution{ARN: "arn:aws:states:us-east-1:000000000000:execution:child:early", StateMachineARN: "arn:aws:states:us-east-1:000000000000:stateMachine:child",
		Name: "early", Status: asl.StatusRunning, Input: []byte(`{"x":2}`), StartDate: time.Now()}
	require.NoError(t, s.put(rec))
	require.NoError(t, s.Close())

	s = openService(t, db, newTokens(), nil)
	defer s.Close()
	done, err := s.Wait(context.Background(), rec.ARN)
	require.NoError(t, err)
	assert.Equal(t, asl.StatusSucceeded, done.Status)
	assert.JSONEq(t, `{"y":4}`, string(done.Output))
}
