package console_test

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/console"
)

// history builds a history from compact steps: each is an event type and, for state and
// failure events, a name or an error.
type step struct {
	typ  sfntypes.HistoryEventType
	name string // state name (entered/exited)
	err  string // error (failure events)
	out  string // task output
}

func history(steps ...step) []sfntypes.HistoryEvent {
	t0 := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	var evs []sfntypes.HistoryEvent
	for i, s := range steps {
		ev := sfntypes.HistoryEvent{Id: int64(i + 1), PreviousEventId: int64(i), Type: s.typ, Timestamp: aws.Time(t0.Add(time.Duration(i) * time.Second))}
		switch s.typ {
		case sfntypes.HistoryEventTypeTaskStateEntered, sfntypes.HistoryEventTypeFailStateEntered, sfntypes.HistoryEventTypePassStateEntered,
			sfntypes.HistoryEventTypeMapStateEntered:
			ev.StateEnteredEventDetails = &sfntypes.StateEnteredEventDetails{Name: aws.String(s.name), Input: aws.String(`{}`)}
		case sfntypes.HistoryEventTypeTaskStateExited, sfntypes.HistoryEventTypePassStateExited, sfntypes.HistoryEventTypeMapStateExited:
			ev.StateExitedEventDetails = &sfntypes.StateExitedEventDetails{Name: aws.String(s.name), Output: aws.String(`{"ok":true}`)}
		case sfntypes.HistoryEventTypeTaskFailed:
			ev.TaskFailedEventDetails = &sfntypes.TaskFailedEventDetails{Error: aws.String(s.err), Cause: aws.String("because")}
		case sfntypes.HistoryEventTypeExecutionFailed:
			ev.ExecutionFailedEventDetails = &sfntypes.ExecutionFailedEventDetails{Error: aws.String(s.err), Cause: aws.String("because")}
		case sfntypes.HistoryEventTypeTaskSubmitted:
			ev.TaskSubmittedEventDetails = &sfntypes.TaskSubmittedEventDetails{Output: aws.String(s.out)}
		}
		evs = append(evs, ev)
	}
	return evs
}

func TestRunsColourEachStateByWhatHappened(t *testing.T) {
	const (
		entered = sfntypes.HistoryEventTypeTaskStateEntered
		exited  = sfntypes.HistoryEventTypeTaskStateExited
		sched   = sfntypes.HistoryEventTypeTaskScheduled
		failed  = sfntypes.HistoryEventTypeTaskFailed
	)
	tests := []struct {
		name    string
		events  []sfntypes.HistoryEvent
		status  string
		want    map[string]string
		retries map[string]int
	}{
		{"a task that succeeded is succeeded and the next one running", history(
			step{typ: entered, name: "Train"}, step{typ: sched}, step{typ: exited, name: "Train"},
			step{typ: entered, name: "Approve"}, step{typ: sched}),
			"RUNNING", map[string]string{"Train": "succeeded", "Approve": "running"}, nil},
		{"a failure retried and then succeeded counts a retry", history(
			step{typ: entered, name: "Train"}, step{typ: sched}, step{typ: failed, err: "Capacity"}, step{typ: sched}, step{typ: exited, name: "Train"}),
			"SUCCEEDED", map[string]string{"Train": "succeeded"}, map[string]int{"Train": 1}},
		{"a failure a Catch moved on from is caught", history(
			step{typ: entered, name: "Train"}, step{typ: sched}, step{typ: failed, err: "Boom"},
			step{typ: entered, name: "Notify"}, step{typ: sched}, step{typ: exited, name: "Notify"}),
			"SUCCEEDED", map[string]string{"Train": "caught", "Notify": "succeeded"}, nil},
		{"a failure that ended the execution is failed, and so is the Fail state", history(
			step{typ: entered, name: "Train"}, step{typ: sched}, step{typ: failed, err: "Boom"},
			step{typ: sfntypes.HistoryEventTypeFailStateEntered, name: "Failed"}, step{typ: sfntypes.HistoryEventTypeExecutionFailed, err: "Boom"}),
			"FAILED", map[string]string{"Train": "caught", "Failed": "failed"}, nil},
		{"an uncaught task failure fails the task", history(
			step{typ: entered, name: "Train"}, step{typ: sched}, step{typ: failed, err: "Boom"}, step{typ: sfntypes.HistoryEventTypeExecutionFailed, err: "Boom"}),
			"FAILED", map[string]string{"Train": "failed"}, nil},
		{"a state running when the execution was stopped is failed", history(
			step{typ: entered, name: "Train"}, step{typ: sched}, step{typ: sfntypes.HistoryEventTypeExecutionAborted}),
			"ABORTED", map[string]string{"Train": "failed"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runs := console.Runs(tt.events, tt.status)
			got := map[string]string{}
			for name, r := range runs {
				got[name] = r.Status
			}
			assert.Equal(t, tt.want, got)
			for name, n := range tt.retries {
				assert.Equal(t, n, runs[name].Retries, name)
			}
		})
	}
}

func TestRunsKeepErrorsAndNestedExecutions(t *testing.T) {
	runs := console.Runs(history(
		step{typ: sfntypes.HistoryEventTypeTaskStateEntered, name: "Deploy"}, step{typ: sfntypes.HistoryEventTypeTaskScheduled},
		step{typ: sfntypes.HistoryEventTypeTaskSubmitted, out: `{"ExecutionArn":"arn:aws:states:us-east-1:1:execution:deploy:x"}`},
		step{typ: sfntypes.HistoryEventTypeTaskFailed, err: "States.TaskFailed"},
		step{typ: sfntypes.HistoryEventTypeExecutionFailed, err: "States.TaskFailed"}), "FAILED")
	d := runs["Deploy"]
	assert.Equal(t, "arn:aws:states:us-east-1:1:execution:deploy:x", d.Execution)
	assert.Equal(t, "States.TaskFailed", d.Error)
	assert.Equal(t, "because", d.Cause)
	assert.Equal(t, 1, d.Entries)
}

func TestParseDecisionReadsTheTriggersLogLine(t *testing.T) {
	d, ok := console.ParseDecision(`{"time":"2026-12-05T09:28:02.95Z","level":"INFO","msg":"trigger skipped","function":"trigger","action":"skipped","rule":"duplicate","reason":"already exists","trigger":"commit","model":"abalone","stage":"prod","executionName":"x","executionArn":""}`)
	assert.True(t, ok)
	assert.Equal(t, console.Decision{Time: time.Date(2026, 12, 5, 9, 28, 2, 950000000, time.UTC), Action: "skipped", Rule: "duplicate",
		Reason: "already exists", Trigger: "commit", Model: "abalone", Stage: "prod", ExecutionName: "x"}, d)
	for _, line := range []string{`{"msg":"evaluated","action":"x"}`, `not json`, `{"msg":"trigger started"}`} {
		_, ok := console.ParseDecision(line)
		assert.False(t, ok, line)
	}
}
