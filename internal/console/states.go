package console

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// The statuses a state is drawn with. A state never entered has no StateRun: it was not
// reached.
const (
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusCaught    = "caught"
	StatusRunning   = "running"
)

// StateRun is what happened in one state of an execution, over all its entries (a polling
// loop enters a state many times; a Map iteration's states are entered once per item).
type StateRun struct {
	// Status is succeeded, failed, caught (it failed and a Catch, or an enclosing Map or
	// Parallel's Catch, moved on) or running.
	Status string `json:"status"`
	// Entries counts how often the state was entered; Retries how often a failed attempt
	// was tried again.
	Entries int `json:"entries"`
	Retries int `json:"retries"`
	// Entered is the first entry's time, Exited the last exit's (nil while running).
	Entered time.Time  `json:"entered"`
	Exited  *time.Time `json:"exited,omitempty"`
	// Input and Output are the last entry's input and output as JSON text.
	Input  string `json:"input,omitempty"`
	Output string `json:"output,omitempty"`
	// Error and Cause are the last failure's.
	Error string `json:"error,omitempty"`
	Cause string `json:"cause,omitempty"`
	// Execution is the ARN of a nested execution the state started.
	Execution string `json:"execution,omitempty"`
	// Iterations is a Map state's item count.
	Iterations int `json:"iterations,omitempty"`

	kind      string // the StateEntered event type: TaskStateEntered, MapStateEntered...
	open      bool   // entered and not yet exited
	failedAt  int64  // the id of a failure not yet followed by a retry, or 0
	enteredID int64
}

// EventRow is one history event in the compact form the page lists.
type EventRow struct {
	ID      int64     `json:"id"`
	Time    time.Time `json:"time"`
	Type    string    `json:"type"`
	State   string    `json:"state,omitempty"`
	Details string    `json:"details,omitempty"`
}

// maxDetails bounds an event's details text in the list (the state panel has the full input
// and output).
const maxDetails = 1200

// Runs folds an execution's history (oldest first) into what happened in each state, keyed
// by state name; execStatus is DescribeExecution's status. Failure events are attributed to
// the state they belong to by following previousEventId back to its StateEntered event; a
// failure followed by another attempt counts as a retry, one after which the execution went
// on to another state is caught.
func Runs(events []sfntypes.HistoryEvent, execStatus string) map[string]*StateRun {
	f := &folder{runs: map[string]*StateRun{}, byID: make(map[int64]sfntypes.HistoryEvent, len(events))}
	for _, ev := range events {
		f.byID[ev.Id] = ev
		f.apply(ev)
	}
	if execStatus == string(sfntypes.ExecutionStatusRunning) {
		return f.runs
	}
	for _, r := range f.runs {
		if r.Status == StatusRunning {
			r.Status = StatusFailed // the execution stopped while the state ran (aborted, timed out)
		}
	}
	return f.runs
}

// folder is the state of [Runs] while it folds a history.
type folder struct {
	runs  map[string]*StateRun
	byID  map[int64]sfntypes.HistoryEvent
	order []*StateRun // runs by most recent entry
}

// owner returns the run ev belongs to, following previousEventId back to a StateEntered
// event (at most 64 steps), or nil.
func (f *folder) owner(ev sfntypes.HistoryEvent) *StateRun {
	for range 64 {
		if d := ev.StateEnteredEventDetails; d != nil {
			return f.runs[aws.ToString(d.Name)]
		}
		prev, ok := f.byID[ev.PreviousEventId]
		if !ok {
			return nil
		}
		ev = prev
	}
	return nil
}

// openOf returns the most recently entered open run of one of kinds (any kind when none).
func (f *folder) openOf(kinds ...string) *StateRun {
	for i := len(f.order) - 1; i >= 0; i-- {
		r := f.order[i]
		if !r.open {
			continue
		}
		if len(kinds) == 0 || slices.Contains(kinds, r.kind) {
			return r
		}
	}
	return nil
}

// apply folds one event into the runs.
func (f *folder) apply(ev sfntypes.HistoryEvent) {
	t := string(ev.Type)
	switch {
	case ev.StateEnteredEventDetails != nil:
		f.entered(ev)
	case ev.StateExitedEventDetails != nil:
		f.exited(ev)
	case ev.Type == sfntypes.HistoryEventTypeTaskScheduled:
		if r := f.owner(ev); r != nil && r.failedAt != 0 {
			r.Retries++
			r.failedAt, r.open = 0, true
			r.Status = StatusRunning
		}
	case ev.Type == sfntypes.HistoryEventTypeMapStateStarted:
		if r := f.openOf(string(sfntypes.HistoryEventTypeMapStateEntered)); r != nil && ev.MapStateStartedEventDetails != nil {
			r.Iterations = int(ev.MapStateStartedEventDetails.Length)
		}
	case ev.Type == sfntypes.HistoryEventTypeMapStateFailed, ev.Type == sfntypes.HistoryEventTypeParallelStateFailed:
		kind := sfntypes.HistoryEventTypeMapStateEntered
		if ev.Type == sfntypes.HistoryEventTypeParallelStateFailed {
			kind = sfntypes.HistoryEventTypeParallelStateEntered
		}
		if r := f.openOf(string(kind)); r != nil {
			fail(r, ev.Id, "", "")
		}
	case isExecutionEnd(ev.Type):
		e, c := errorOf(ev)
		for _, r := range f.order {
			if r.open && (r.Status == StatusRunning || r.Status == StatusFailed) {
				fail(r, ev.Id, e, c)
				r.open = false
			}
		}
	default:
		if e, c := errorOf(ev); e != "" || c != "" || strings.HasSuffix(t, "Failed") || strings.HasSuffix(t, "TimedOut") {
			r := f.owner(ev)
			if r == nil {
				r = f.openOf()
			}
			if r != nil {
				fail(r, ev.Id, e, c)
			}
			return
		}
		if arn := nestedExecution(ev); arn != "" {
			if r := f.owner(ev); r != nil {
				r.Execution = arn
			}
		}
	}
}

// entered opens (or reopens) the run of the state ev enters; a failure elsewhere followed
// by entering another state was caught.
func (f *folder) entered(ev sfntypes.HistoryEvent) {
	t, at := string(ev.Type), aws.ToTime(ev.Timestamp)
	name := aws.ToString(ev.StateEnteredEventDetails.Name)
	r := f.runs[name]
	if r == nil {
		r = &StateRun{Entered: at}
		f.runs[name] = r
	}
	r.kind, r.open, r.failedAt, r.enteredID = t, true, 0, ev.Id
	r.Entries++
	r.Input = aws.ToString(ev.StateEnteredEventDetails.Input)
	r.Status = StatusRunning
	if t == string(sfntypes.HistoryEventTypeFailStateEntered) {
		r.Status = StatusFailed
	}
	for i, o := range f.order {
		if o == r {
			f.order = append(f.order[:i], f.order[i+1:]...)
			break
		}
	}
	f.order = append(f.order, r)
	for _, o := range f.order {
		if o != r && o.failedAt != 0 && o.Status == StatusFailed {
			o.Status, o.open = StatusCaught, false
		}
	}
}

// exited closes the run of the state ev exits: caught when it failed before, else succeeded.
func (f *folder) exited(ev sfntypes.HistoryEvent) {
	r := f.runs[aws.ToString(ev.StateExitedEventDetails.Name)]
	if r == nil {
		return
	}
	at := aws.ToTime(ev.Timestamp)
	r.open = false
	r.Exited = &at
	r.Output = aws.ToString(ev.StateExitedEventDetails.Output)
	if r.failedAt != 0 {
		r.Status = StatusCaught
	} else {
		r.Status = StatusSucceeded
	}
}

// fail records a failure of r.
func fail(r *StateRun, id int64, errName, cause string) {
	r.failedAt = id
	r.Status = StatusFailed
	if errName != "" || cause != "" {
		r.Error, r.Cause = errName, cause
	}
}

func isExecutionEnd(t sfntypes.HistoryEventType) bool {
	switch t {
	case sfntypes.HistoryEventTypeExecutionFailed, sfntypes.HistoryEventTypeExecutionAborted, sfntypes.HistoryEventTypeExecutionTimedOut:
		return true
	}
	return false
}

// details returns the event's details member (the one non-nil *EventDetails field) as a JSON
// object, or nil.
func details(ev sfntypes.HistoryEvent) map[string]any {
	b, err := json.Marshal(ev)
	if err != nil {
		return nil
	}
	var all map[string]any
	if json.Unmarshal(b, &all) != nil {
		return nil
	}
	for k, v := range all {
		if m, ok := v.(map[string]any); ok && strings.HasSuffix(k, "EventDetails") {
			return m
		}
	}
	return nil
}

// errorOf returns a failure event's error and cause (empty for other events).
func errorOf(ev sfntypes.HistoryEvent) (errName, cause string) {
	d := details(ev)
	errName, _ = d["Error"].(string)
	cause, _ = d["Cause"].(string)
	return errName, cause
}

// nestedExecution returns the ExecutionArn a Step Functions task's output names (the
// startExecution integrations answer with it), or "".
func nestedExecution(ev sfntypes.HistoryEvent) string {
	var out string
	switch {
	case ev.TaskSubmittedEventDetails != nil:
		out = aws.ToString(ev.TaskSubmittedEventDetails.Output)
	case ev.TaskSucceededEventDetails != nil:
		out = aws.ToString(ev.TaskSucceededEventDetails.Output)
	default:
		return ""
	}
	var v struct {
		ExecutionArn string
	}
	if json.Unmarshal([]byte(out), &v) != nil || !strings.Contains(v.ExecutionArn, ":execution:") {
		return ""
	}
	return v.ExecutionArn
}

// Rows returns the history in the page's compact form.
func Rows(events []sfntypes.HistoryEvent) []EventRow {
	rows := make([]EventRow, 0, len(events))
	for _, ev := range events {
		row := EventRow{ID: ev.Id, Time: aws.ToTime(ev.Timestamp), Type: string(ev.Type)}
		d := details(ev)
		if name, ok := d["Name"].(string); ok {
			row.State = name
		}
		if len(d) > 0 {
			b, _ := json.Marshal(d)
			row.Details = string(b)
			if len(row.Details) > maxDetails {
				row.Details = row.Details[:maxDetails] + "…"
			}
		}
		rows = append(rows, row)
	}
	return rows
}
