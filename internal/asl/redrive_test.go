package asl

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// redriveMachine counts its Prepare runs through a task, then calls a task that fails until
// it is fixed, then finishes; Prepare assigns a variable the later states read.
const redriveMachine = `{
  "StartAt": "Prepare",
  "States": {
    "Prepare": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:prepare", "Assign": {"model": "abalone"}, "ResultPath": "$.prep", "Next": "Train"},
    "Train": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:train", "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 1, "IntervalSeconds": 1}],
      "Parameters": {"model.$": "$model"}, "ResultPath": "$.train", "Next": "Done"},
    "Done": {"Type": "Pass", "End": true}
  }
}`

// redriveRig runs redriveMachine with a "train" task whose next failuresLeft calls fail.
type redriveRig struct {
	prepares, trains atomic.Int32
	failuresLeft     atomic.Int32
	mu               sync.Mutex
	events           []Event
	last             Checkpoint
}

func (r *redriveRig) engine() *Engine {
	res := NewResources()
	res.Handle("lambda:function", func(_ context.Context, req *TaskRequest) (any, error) {
		if strings.HasSuffix(req.Resource, ":prepare") {
			r.prepares.Add(1)
			return "ok", nil
		}
		r.trains.Add(1)
		if r.failuresLeft.Add(-1) >= 0 {
			return nil, Fail("Flaky", "the training image is broken")
		}
		return req.Parameters, nil
	})
	return NewEngine(Options{Resources: res, Clock: clock.NewVirtual(time.Time{}), Seed: 1,
		Observer: &Observer{
			Event:      func(_ *Execution, ev Event) { r.mu.Lock(); r.events = append(r.events, ev); r.mu.Unlock() },
			Checkpoint: func(_ *Execution, cp Checkpoint) { r.mu.Lock(); r.last = cp; r.mu.Unlock() },
		}})
}

func TestRedriveContinuesFromTheFailedState(t *testing.T) {
	m, err := Parse([]byte(redriveMachine))
	require.NoError(t, err)
	r := &redriveRig{}
	r.failuresLeft.Store(2)
	e := r.engine()
	in := StartInput{Name: "run", Input: []byte(`{"x":1}`)}
	x, res, err := e.Run(context.Background(), m, in)
	require.NoError(t, err)
	require.Equal(t, StatusFailed, res.Status)
	assert.Equal(t, "Flaky", res.Error)
	assert.Equal(t, int32(2), r.trains.Load(), "the first run retried once")
	failedEvents := len(r.events)
	last := r.events[failedEvents-1]
	assert.Equal(t, "ExecutionFailed", last.Type)

	r.failuresLeft.Store(1) // fails once more: only a reset retry count lets the Retrier absorb it
	x2, err := e.Redrive(context.Background(), m, r.last, StartInput{}, Redrive{Count: 1, LastEventID: last.ID})
	require.NoError(t, err)
	res2, err := x2.Wait(context.Background())
	require.NoError(t, err)
	require.Equal(t, StatusSucceeded, res2.Status, "%s %s", res2.Error, res2.Cause)

	cases := []struct {
		name string
		got  any
		want any
	}{
		{"the successful state is not run again", r.prepares.Load(), int32(1)},
		{"the failed state runs again with its retry count reset", r.trains.Load(), int32(4)},
		{"the redriven execution keeps the ARN", x2.ARN(), x.ARN()},
		{"the redriven execution keeps its start date", res2.StartDate, res.StartDate},
		{"the first new event is ExecutionRedriven", r.events[failedEvents].Type, "ExecutionRedriven"},
		{"ExecutionRedriven follows the failure", r.events[failedEvents].PreviousEventID, last.ID},
		{"ExecutionRedriven carries the count", r.events[failedEvents].RedriveCount, 1},
		{"the failed state is entered again", r.events[failedEvents+1].Name, "Train"},
		{"ids continue after the old history", r.events[failedEvents].ID, last.ID + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.got) })
	}
	var out map[string]any
	require.NoError(t, json.Unmarshal(res2.Output, &out))
	assert.Equal(t, map[string]any{"x": float64(1), "prep": "ok", "train": map[string]any{"model": "abalone"}}, out,
		"the earlier state's output and variables reach the redriven state")
	b, err := json.Marshal(r.events[failedEvents])
	require.NoError(t, err)
	assert.Contains(t, string(b), `"executionRedrivenEventDetails":{"redriveCount":1}`)
}

func TestRedriveRefusesAStateNotInTheMachine(t *testing.T) {
	m, err := Parse([]byte(redriveMachine))
	require.NoError(t, err)
	_, err = (&redriveRig{}).engine().Redrive(context.Background(), m, Checkpoint{State: "Gone"}, StartInput{}, Redrive{Count: 1})
	assert.ErrorContains(t, err, `state "Gone" is not in the machine`)
}

// fanOutRig runs a task "work" that counts its calls per input and fails for the inputs in bad.
type fanOutRig struct {
	mu    sync.Mutex
	calls map[string]int
	bad   map[string]bool
	last  Checkpoint
	lastE int64
}

func (r *fanOutRig) engine() *Engine {
	res := NewResources()
	res.Handle("lambda:function", func(_ context.Context, req *TaskRequest) (any, error) {
		b, _ := json.Marshal(req.Parameters)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.calls[string(b)]++
		if r.bad[string(b)] {
			return nil, Fail("Broken", string(b))
		}
		return "done " + string(b), nil
	})
	return NewEngine(Options{Resources: res, Clock: clock.NewVirtual(time.Time{}), Seed: 1,
		Observer: &Observer{
			Event:      func(_ *Execution, ev Event) { r.mu.Lock(); r.lastE = ev.ID; r.mu.Unlock() },
			Checkpoint: func(_ *Execution, cp Checkpoint) { r.mu.Lock(); r.last = cp; r.mu.Unlock() },
		}})
}

func TestRedriveRerunsOnlyTheFailedBranchesAndIterations(t *testing.T) {
	const work = `{"Type":"Task","Resource":"arn:aws:lambda:us-east-1:123456789012:function:work","End":true}`
	cases := []struct {
		name, def, input string
		bad              string
		want             string
	}{
		{"a Parallel reruns only its failed branch",
			`{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,"Branches":[
			  {"StartAt":"A","States":{"A":{"Type":"Pass","Result":"a","Next":"W"},"W":` + work + `}},
			  {"StartAt":"B","States":{"B":{"Type":"Pass","Result":"b","Next":"W"},"W":` + work + `}}]}}}`,
			`{}`, `"b"`, `["done \"a\"","done \"b\""]`},
		{"a Map reruns only its failed iteration",
			`{"StartAt":"M","States":{"M":{"Type":"Map","ItemsPath":"$.items","End":true,"ItemProcessor":{"StartAt":"W","States":{"W":` + work + `}}}}}`,
			`{"items":[1,2,3]}`, `2`, `["done 1","done 2","done 3"]`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse([]byte(tc.def))
			require.NoError(t, err)
			r := &fanOutRig{calls: map[string]int{}, bad: map[string]bool{tc.bad: true}}
			e := r.engine()
			_, res, err := e.Run(context.Background(), m, StartInput{Name: "run", Input: []byte(tc.input)})
			require.NoError(t, err)
			require.Equal(t, StatusFailed, res.Status)
			r.mu.Lock()
			r.bad = map[string]bool{}
			cp, last := r.last, r.lastE
			r.mu.Unlock()
			x, err := e.Redrive(context.Background(), m, cp, StartInput{}, Redrive{Count: 1, LastEventID: last})
			require.NoError(t, err)
			res, err = x.Wait(context.Background())
			require.NoError(t, err)
			require.Equal(t, StatusSucceeded, res.Status, "%s %s", res.Error, res.Cause)
			assert.JSONEq(t, tc.want, string(res.Output))
			for in, n := range r.calls {
				want := 1
				if in == tc.bad {
					want = 2
				}
				assert.Equal(t, want, n, "calls with %s", in)
			}
		})
	}
}
