package stepfunctions

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/eventpattern"
	"github.com/kiln-dev/kiln/internal/local/awsevent"
	"github.com/kiln-dev/kiln/internal/topology"
)

const (
	sampleExecution = "arn:aws:states:us-east-1:000000000000:execution:kiln-prod-pipeline:run-1"
	sampleMachine   = "arn:aws:states:us-east-1:000000000000:stateMachine:kiln-prod-pipeline"
)

var (
	t0 = time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC)
	t1 = t0.Add(90 * time.Second)
	t2 = t0.Add(time.Hour)
)

func TestStatusChangeEventsHaveAWSsShape(t *testing.T) {
	base := func(status asl.Status) *Execution {
		return &Execution{ARN: sampleExecution, StateMachineARN: sampleMachine, Name: "run-1", Status: status,
			Input: json.RawMessage(`{"model":"abalone"}`), StartDate: t0}
	}
	cases := []struct {
		name           string
		rec            func() *Execution
		status, reason string
		at             time.Time
		want           string
	}{
		{"a started execution is RUNNING with no stop date and no output", func() *Execution { return base(asl.StatusRunning) },
			"NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven", t0,
			`{"executionArn":"` + sampleExecution + `","stateMachineArn":"` + sampleMachine + `","name":"run-1","status":"RUNNING",
			 "startDate":1796518800000,"stopDate":null,"input":"{\"model\":\"abalone\"}","inputDetails":{"included":true},
			 "output":null,"outputDetails":null,"redriveCount":0,"redriveStatus":"NOT_REDRIVABLE",
			 "redriveStatusReason":"Execution is RUNNING and cannot be redriven"}`},
		{"a succeeded execution carries its output", func() *Execution {
			r := base(asl.StatusSucceeded)
			r.Output, r.StopDate = json.RawMessage(`{"deployed":true}`), t1
			return r
		}, "NOT_REDRIVABLE", "Execution is SUCCEEDED and cannot be redriven", t1,
			`{"executionArn":"` + sampleExecution + `","stateMachineArn":"` + sampleMachine + `","name":"run-1","status":"SUCCEEDED",
			 "startDate":1796518800000,"stopDate":1796518890000,"input":"{\"model\":\"abalone\"}","inputDetails":{"included":true},
			 "output":"{\"deployed\":true}","outputDetails":{"included":true},"redriveCount":0,"redriveStatus":"NOT_REDRIVABLE",
			 "redriveStatusReason":"Execution is SUCCEEDED and cannot be redriven"}`},
		{"a failed execution carries its error and cause and is redrivable", func() *Execution {
			r := base(asl.StatusFailed)
			r.Error, r.Cause, r.StopDate = "States.TaskFailed", "the training channel is empty", t1
			return r
		}, "REDRIVABLE", "", t1,
			`{"executionArn":"` + sampleExecution + `","stateMachineArn":"` + sampleMachine + `","name":"run-1","status":"FAILED",
			 "startDate":1796518800000,"stopDate":1796518890000,"input":"{\"model\":\"abalone\"}","inputDetails":{"included":true},
			 "output":null,"outputDetails":null,"error":"States.TaskFailed","cause":"the training channel is empty",
			 "redriveCount":0,"redriveStatus":"REDRIVABLE"}`},
		{"a timed-out execution says TIMED_OUT", func() *Execution {
			r := base(asl.StatusTimedOut)
			r.Error, r.StopDate = "States.Timeout", t1
			return r
		}, "REDRIVABLE", "", t1,
			`{"executionArn":"` + sampleExecution + `","stateMachineArn":"` + sampleMachine + `","name":"run-1","status":"TIMED_OUT",
			 "startDate":1796518800000,"stopDate":1796518890000,"input":"{\"model\":\"abalone\"}","inputDetails":{"included":true},
			 "output":null,"outputDetails":null,"error":"States.Timeout","redriveCount":0,"redriveStatus":"REDRIVABLE"}`},
		{"an aborted execution says ABORTED", func() *Execution {
			r := base(asl.StatusAborted)
			r.StopDate = t1
			return r
		}, "REDRIVABLE", "", t1,
			`{"executionArn":"` + sampleExecution + `","stateMachineArn":"` + sampleMachine + `","name":"run-1","status":"ABORTED",
			 "startDate":1796518800000,"stopDate":1796518890000,"input":"{\"model\":\"abalone\"}","inputDetails":{"included":true},
			 "output":null,"outputDetails":null,"redriveCount":0,"redriveStatus":"REDRIVABLE"}`},
		{"a redriven execution is RUNNING again with its redrive count and date", func() *Execution {
			r := base(asl.StatusRunning)
			r.RedriveCount, r.RedriveDate = 1, t2
			return r
		}, "NOT_REDRIVABLE", "Execution is RUNNING and cannot be redriven", t2,
			`{"executionArn":"` + sampleExecution + `","stateMachineArn":"` + sampleMachine + `","name":"run-1","status":"RUNNING",
			 "startDate":1796518800000,"stopDate":null,"input":"{\"model\":\"abalone\"}","inputDetails":{"included":true},
			 "output":null,"outputDetails":null,"redriveCount":1,"redriveDate":1796522400000,"redriveStatus":"NOT_REDRIVABLE",
			 "redriveStatusReason":"Execution is RUNNING and cannot be redriven"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := statusChange(tc.rec(), tc.status, tc.reason)
			require.NoError(t, err)
			assert.JSONEq(t, tc.want, string(ev.Detail))
			assert.Equal(t, "aws.states", ev.Source)
			assert.Equal(t, "Step Functions Execution Status Change", ev.DetailType)
			assert.Equal(t, []string{sampleExecution}, ev.Resources)
			assert.True(t, tc.at.Equal(ev.Time), "time %s, want %s", ev.Time, tc.at)
		})
	}
}

func TestStatusChangeEventsLeaveOutPayloadsOverTheLimit(t *testing.T) {
	big := `"` + strings.Repeat("x", 200*1024) + `"`
	cases := []struct {
		name            string
		input, output   string
		inIncluded      bool
		outIncluded     bool
		wantInputInside bool
	}{
		{"input and output together over the limit leave the input out", big, big, false, true, false},
		{"an output alone over the limit leaves both out", `{}`, big + big, false, false, false},
		{"small payloads are both carried", `{}`, `{}`, true, true, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &Execution{ARN: sampleExecution, StateMachineARN: sampleMachine, Name: "run-1", Status: asl.StatusSucceeded,
				Input: json.RawMessage(tc.input), Output: json.RawMessage(tc.output), StartDate: t0, StopDate: t1}
			ev, err := statusChange(rec, "NOT_REDRIVABLE", "")
			require.NoError(t, err)
			var d statusChangeDetail
			require.NoError(t, json.Unmarshal(ev.Detail, &d))
			assert.Equal(t, tc.inIncluded, d.InputDetails.Included, "inputDetails.included")
			assert.Equal(t, tc.outIncluded, d.OutputDetails.Included, "outputDetails.included")
			assert.Equal(t, tc.wantInputInside, d.Input != nil, "input present")
			assert.Equal(t, tc.outIncluded, d.Output != nil, "output present")
		})
	}
}

// busRecorder collects the events a service emits.
type busRecorder struct {
	mu     sync.Mutex
	events []statusChangeDetail
}

func (b *busRecorder) emit(_ context.Context, ev StatusChange) error {
	var d statusChangeDetail
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return err
	}
	b.mu.Lock()
	b.events = append(b.events, d)
	b.mu.Unlock()
	return nil
}

func (b *busRecorder) got() []statusChangeDetail {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]statusChangeDetail(nil), b.events...)
}

func TestARedriveSendsARunningEventWithRedriveCountOne(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	t.Cleanup(func() { _ = db.Close() })
	f := &flaky{}
	f.broken.Store(true)
	bus := &busRecorder{}
	r := asl.NewResources()
	Integrations{Lambda: f.lambda}.Register(r)
	s, err := Open(Options{DB: db, Env: topology.Local("prod"), Resources: r, Seed: 7, Events: awsevent.SinkFunc(bus.emit)})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	sm, err := s.CreateStateMachine(MachineDefinition{Name: "flaky", Definition: []byte(flakyMachine)}, t0)
	require.NoError(t, err)
	ctx := context.Background()

	x, err := s.StartExecution(ctx, sm.ARN, "run-1", []byte(`{}`))
	require.NoError(t, err)
	rec, err := s.Wait(ctx, x.ARN)
	require.NoError(t, err)
	require.Equal(t, asl.StatusFailed, rec.Status)
	f.broken.Store(false)
	_, err = s.RedriveExecution(x.ARN)
	require.NoError(t, err)
	rec, err = s.Wait(ctx, x.ARN)
	require.NoError(t, err)
	require.Equal(t, asl.StatusSucceeded, rec.Status)
	require.NoError(t, s.FlushEvents(ctx))

	evs := bus.got()
	var statuses []string
	for _, e := range evs {
		statuses = append(statuses, e.Status)
	}
	require.Equal(t, []string{"RUNNING", "FAILED", "RUNNING", "SUCCEEDED"}, statuses, "one event per status change, in order")
	cases := []struct {
		name string
		got  any
		want any
	}{
		{"the failure is redrivable", evs[1].RedriveStatus, "REDRIVABLE"},
		{"the failure names the error", *evs[1].Error, "TrainingFailed"},
		{"the redrive's RUNNING has redriveCount 1", evs[2].RedriveCount, 1},
		{"the redrive's RUNNING has a redrive date", evs[2].RedriveDate != nil, true},
		{"the redrive's RUNNING has no stop date", evs[2].StopDate == nil, true},
		{"the first RUNNING has redriveCount 0", evs[0].RedriveCount, 0},
		{"the success after the redrive keeps the count", evs[3].RedriveCount, 1},
		{"every event names the execution", evs[3].ExecutionARN, x.ARN},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.got) })
	}
}

func TestAnExecutionNeverWaitsForTheBus(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	t.Cleanup(func() { _ = db.Close() })
	release := make(chan struct{})
	var mu sync.Mutex
	var seen []string
	emit := func(_ context.Context, ev StatusChange) error {
		<-release // a bus that does not answer until the test lets it
		var d statusChangeDetail
		_ = json.Unmarshal(ev.Detail, &d)
		mu.Lock()
		seen = append(seen, d.Status)
		mu.Unlock()
		return nil
	}
	r := asl.NewResources()
	(&flaky{}).register(r)
	s, err := Open(Options{DB: db, Env: topology.Local("prod"), Resources: r, Seed: 7, Events: awsevent.SinkFunc(emit)})
	require.NoError(t, err)
	sm, err := s.CreateStateMachine(MachineDefinition{Name: "flaky", Definition: []byte(flakyMachine)}, t0)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	x, err := s.StartExecution(ctx, sm.ARN, "run-1", []byte(`{}`))
	require.NoError(t, err)
	rec, err := s.Wait(ctx, x.ARN)
	require.NoError(t, err, "the execution finishes while the bus is stuck")
	assert.Equal(t, asl.StatusSucceeded, rec.Status)

	close(release)
	require.NoError(t, s.FlushEvents(ctx))
	mu.Lock()
	assert.Equal(t, []string{"RUNNING", "SUCCEEDED"}, seen, "the queued events arrive in order once the bus answers")
	mu.Unlock()
	require.NoError(t, s.Close())
}

func TestNoBusNoEvents(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	t.Cleanup(func() { _ = db.Close() })
	s, err := Open(Options{DB: db, Env: topology.Local("prod")})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	assert.Nil(t, s.events, "without Events no event is built")
	assert.NoError(t, s.FlushEvents(context.Background()))
}

// register wires f's Lambda into r.
func (f *flaky) register(r *asl.Resources) { Integrations{Lambda: f.lambda}.Register(r) }

// TestTheDocumentedRulesMatchTheirEvents checks the rules docs/operations.md gives for "a kiln
// run failed" and "a kiln run was redriven" against the events the service builds.
func TestTheDocumentedRulesMatchTheirEvents(t *testing.T) {
	failedRule := `{"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"],
	  "detail": {"stateMachineArn": ["` + sampleMachine + `"], "status": ["FAILED", "TIMED_OUT", "ABORTED"]}}`
	redrivenRule := `{"source": ["aws.states"], "detail-type": ["Step Functions Execution Status Change"],
	  "detail": {"stateMachineArn": ["` + sampleMachine + `"], "status": ["RUNNING"], "redriveCount": [{"numeric": [">", 0]}]}}`
	rec := func(status asl.Status, redrives int) *Execution {
		r := &Execution{ARN: sampleExecution, StateMachineARN: sampleMachine, Name: "run-1", Status: status, Input: json.RawMessage(`{}`),
			StartDate: t0, RedriveCount: redrives}
		if status != asl.StatusRunning {
			r.StopDate = t1
		}
		if redrives > 0 {
			r.RedriveDate = t2
		}
		return r
	}
	cases := []struct {
		name             string
		rec              *Execution
		failed, redriven bool
	}{
		{"a failed run matches the failure rule", rec(asl.StatusFailed, 0), true, false},
		{"an aborted run matches the failure rule", rec(asl.StatusAborted, 0), true, false},
		{"a first start matches neither", rec(asl.StatusRunning, 0), false, false},
		{"a redrive's start matches the redrive rule", rec(asl.StatusRunning, 1), false, true},
		{"a success after a redrive matches neither", rec(asl.StatusSucceeded, 1), false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ev, err := statusChange(tc.rec, "NOT_REDRIVABLE", "")
			require.NoError(t, err)
			envelope, err := json.Marshal(map[string]any{"version": "0", "id": "1", "detail-type": ev.DetailType, "source": ev.Source,
				"account": "000000000000", "time": "2026-12-06T01:00:00Z", "region": "us-east-1", "resources": ev.Resources, "detail": ev.Detail})
			require.NoError(t, err)
			for _, c := range []struct {
				rule string
				want bool
			}{{failedRule, tc.failed}, {redrivenRule, tc.redriven}} {
				p, err := eventpattern.Compile([]byte(c.rule))
				require.NoError(t, err)
				got, err := p.Match(envelope)
				require.NoError(t, err)
				assert.Equal(t, c.want, got, c.rule)
			}
		})
	}
}

// caughtMachine catches the training failure into a notification and a Fail state, as
// kiln's pipeline does.
const caughtMachine = `{
  "StartAt": "Train",
  "States": {
    "Train": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "train"},
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Failed"}], "End": true},
    "Failed": {"Type": "Fail", "Error": "PipelineFailed", "Cause": "see $.failure"}
  }
}`

// TestARedriveOfACaughtFailureFailsAgainAtTheFailState pins what docs/operations.md says of
// redriving a run that failed through a Catch: it restarts at the Fail state it stopped in.
func TestARedriveOfACaughtFailureFailsAgainAtTheFailState(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	t.Cleanup(func() { _ = db.Close() })
	f := &flaky{}
	f.broken.Store(true)
	r := asl.NewResources()
	f.register(r)
	s, err := Open(Options{DB: db, Env: topology.Local("prod"), Resources: r, Seed: 7})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	sm, err := s.CreateStateMachine(MachineDefinition{Name: "caught", Definition: []byte(caughtMachine)}, t0)
	require.NoError(t, err)
	ctx := context.Background()
	x, err := s.StartExecution(ctx, sm.ARN, "run-1", []byte(`{}`))
	require.NoError(t, err)
	rec, err := s.Wait(ctx, x.ARN)
	require.NoError(t, err)
	require.Equal(t, "PipelineFailed", rec.Error)

	f.broken.Store(false) // fixed, but the run stopped in Failed, not in Train
	_, err = s.RedriveExecution(x.ARN)
	require.NoError(t, err)
	rec, err = s.Wait(ctx, x.ARN)
	require.NoError(t, err)
	assert.Equal(t, asl.StatusFailed, rec.Status)
	assert.Equal(t, "PipelineFailed", rec.Error)
	assert.Equal(t, int32(1), f.trains.Load(), "Train is not run again")
}
