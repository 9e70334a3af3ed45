package asl

import (
	"context"
	"encoding/json"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/clock"
)

// redriveContextMachine reads $$.Execution in a Pass state, then calls a task that fails
// until it is fixed; the task returns what the context said.
const redriveContextMachine = `{
  "StartAt": "Look",
  "States": {
    "Look": {"Type": "Pass", "Parameters": {"count.$": "$$.Execution.RedriveCount", "execution.$": "$$.Execution"}, "ResultPath": "$.first", "Next": "Work"},
    "Work": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:work",
      "Parameters": {"count.$": "$$.Execution.RedriveCount", "execution.$": "$$.Execution"}, "End": true}
  }
}`

func TestTheContextObjectCountsRedrives(t *testing.T) {
	m, err := Parse([]byte(redriveContextMachine))
	require.NoError(t, err)
	var broken atomic.Bool
	broken.Store(true)
	res := NewResources()
	res.Handle("lambda:function", func(_ context.Context, req *TaskRequest) (any, error) {
		if broken.Load() {
			return nil, Fail("Broken", "not yet")
		}
		return req.Parameters, nil
	})
	clk := clock.NewVirtual(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	var last Checkpoint
	var lastID atomic.Int64
	e := NewEngine(Options{Resources: res, Clock: clk, Seed: 1, Observer: &Observer{
		Event:      func(_ *Execution, ev Event) { lastID.Store(ev.ID) },
		Checkpoint: func(_ *Execution, cp Checkpoint) { last = cp },
	}})
	_, r1, err := e.Run(context.Background(), m, StartInput{Name: "run", Input: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, StatusFailed, r1.Status)

	clk.Advance(time.Hour)
	broken.Store(false)
	x, err := e.Redrive(context.Background(), m, last, StartInput{}, Redrive{Count: 1, LastEventID: lastID.Load()})
	require.NoError(t, err)
	r2, err := x.Wait(context.Background())
	require.NoError(t, err)
	require.Equal(t, StatusSucceeded, r2.Status, "%s %s", r2.Error, r2.Cause)

	var out struct {
		Count     float64        `json:"count"`
		Execution map[string]any `json:"execution"`
	}
	require.NoError(t, json.Unmarshal(r2.Output, &out))
	cases := []struct {
		name string
		got  any
		want any
	}{
		{"a redriven state sees RedriveCount 1", out.Count, 1.0},
		{"a redriven state sees RedriveTime, the redrive's time", out.Execution["RedriveTime"], "2026-03-01T13:00:00.000Z"},
		{"StartTime stays the first start", out.Execution["StartTime"], "2026-03-01T12:00:00.000Z"},
		{"a checkpoint keeps the count for a resume", last.RedriveCount, 1},
		{"a checkpoint keeps the redrive time for a resume", last.RedriveTime.Equal(time.Date(2026, 3, 1, 13, 0, 0, 0, time.UTC)), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.got) })
	}
}

func TestTheContextObjectOfAnExecutionNeverRedriven(t *testing.T) {
	m, err := Parse([]byte(redriveContextMachine))
	require.NoError(t, err)
	res := NewResources()
	res.Handle("lambda:function", func(_ context.Context, req *TaskRequest) (any, error) { return req.Parameters, nil })
	e := NewEngine(Options{Resources: res, Clock: clock.NewVirtual(time.Time{}), Seed: 1})
	_, r, err := e.Run(context.Background(), m, StartInput{Name: "run", Input: []byte(`{}`)})
	require.NoError(t, err)
	require.Equal(t, StatusSucceeded, r.Status, "%s %s", r.Error, r.Cause)
	var out struct {
		Count     float64        `json:"count"`
		Execution map[string]any `json:"execution"`
	}
	require.NoError(t, json.Unmarshal(r.Output, &out))
	assert.Equal(t, 0.0, out.Count, "RedriveCount is 0 before any redrive")
	assert.NotContains(t, out.Execution, "RedriveTime", "AWS gives RedriveTime only once the execution has been redriven")
}
