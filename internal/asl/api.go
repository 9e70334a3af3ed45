// Package asl is kiln's Amazon States Language engine: it parses and validates state machine
// definitions and runs executions of them with AWS Step Functions' semantics, to the edge cases.
//
// The pieces a host uses:
//
//   - [Parse] turns a definition into an immutable [*Machine] (safe for concurrent runs) or a
//     [ValidationErrors] listing every problem with its JSON path.
//   - [Resources] maps Task resource ARNs to [TaskHandler]s (Lambda, nested executions, aws-sdk,
//     SageMaker, SNS, EventBridge, Step Functions Local mock files, ...).
//   - [Engine] starts and resumes executions, owns task tokens ([Engine.SendTaskSuccess] and
//     friends) and reports history [Event]s and [Checkpoint]s to an [Observer].
//   - [clock.Clock] is injected: [clock.Wall] for the wall clock, [clock.Virtual] for tests and the CLI,
//     on which a one-hour Wait and jittered retries complete instantly and deterministically.
//
// JSON values inside the engine are the plain values encoding/json produces without UseNumber:
// map[string]any, []any, string, float64, bool and nil. The engine never mutates a value once it
// has been produced, so history events can share them without copying.
package asl

import (
	"context"
	"encoding/json"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
)

// Status is an execution status as Step Functions names it.
type Status string

// The execution statuses of DescribeExecution.
const (
	StatusRunning   Status = "RUNNING"
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
	StatusTimedOut  Status = "TIMED_OUT"
	StatusAborted   Status = "ABORTED"
)

// The reserved error names of the States Language.
const (
	ErrAll                    = "States.ALL"
	ErrTaskFailed             = "States.TaskFailed"
	ErrTimeout                = "States.Timeout"
	ErrHeartbeatTimeout       = "States.HeartbeatTimeout"
	ErrPermissions            = "States.Permissions"
	ErrResultPathMatchFailure = "States.ResultPathMatchFailure"
	ErrParameterPathFailure   = "States.ParameterPathFailure"
	ErrBranchFailed           = "States.BranchFailed"
	ErrNoChoiceMatched        = "States.NoChoiceMatched"
	ErrIntrinsicFailure       = "States.IntrinsicFailure"
	ErrExceedToleratedFailure = "States.ExceedToleratedFailureThreshold"
	ErrItemReaderFailed       = "States.ItemReaderFailed"
	ErrResultWriterFailed     = "States.ResultWriterFailed"
	ErrQueryEvaluationError   = "States.QueryEvaluationError"
	ErrRuntime                = "States.Runtime"
	ErrDataLimitExceeded      = "States.DataLimitExceeded"
	ErrLambdaUnknown          = "Lambda.Unknown"
	ErrInvalidExecutionInput  = "InvalidExecutionInput"
)

// ValidationError is one problem found in a definition: Path is the JSON path of the offending
// field (for example "States.Train.Retry[0].BackoffRate"), Message says what is wrong.
type ValidationError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Error returns "path: message".
func (e ValidationError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// ValidationErrors is every problem [Parse] found, sorted by path then message.
type ValidationErrors []ValidationError

// Error returns the problems one a line.
func (es ValidationErrors) Error() string {
	s := ""
	for i, e := range es {
		if i > 0 {
			s += "\n"
		}
		s += e.Error()
	}
	return s
}

// IntegrationPattern is how a Task waits for its resource, from the resource ARN's suffix.
type IntegrationPattern string

// The service integration patterns.
const (
	PatternRequestResponse  IntegrationPattern = ""
	PatternSync             IntegrationPattern = ".sync"
	PatternSync2            IntegrationPattern = ".sync:2"
	PatternWaitForTaskToken IntegrationPattern = ".waitForTaskToken"
)

// TaskRequest is what a [TaskHandler] receives for one attempt of a Task state.
type TaskRequest struct {
	// Resource is the Task's Resource field as written (placeholders already substituted).
	Resource string
	// Key is the registry key the resource resolved to (see [ResourceKey]), e.g.
	// "lambda:invoke", "lambda:function", "states:startExecution", "aws-sdk:s3:getObject".
	Key string
	// Pattern is the integration pattern named by the resource's suffix.
	Pattern IntegrationPattern
	// Parameters is the effective input of the task: the evaluated Parameters (JSONPath) or
	// Arguments (JSONata), or the effective state input when neither is given.
	Parameters any
	// TaskToken is the token issued for this attempt when Pattern is PatternWaitForTaskToken.
	TaskToken string
	// Context is the context object ($$) as the state sees it.
	Context map[string]any
	// ExecutionARN, StateMachineARN and StateName identify the caller.
	ExecutionARN    string
	StateMachineARN string
	StateName       string
	// Attempt is 0 for the first attempt and counts retries.
	Attempt int
	// TimeoutSeconds and HeartbeatSeconds are the effective limits of the task (0: none).
	TimeoutSeconds, HeartbeatSeconds int64
	// Credentials is the Task's evaluated Credentials field, nil when absent.
	Credentials any
	// Clock is the execution's clock; a .sync handler that polls should sleep on it.
	Clock clock.Clock
	// Engine is the engine running the execution (for nested executions and callbacks).
	Engine *Engine

	idle func() (resume func())
}

// Idle tells a [clock.Virtual] that the calling handler is blocked on something that only other
// engine work can unblock (for example a nested execution); call the returned func when it
// resumes. On other clocks it does nothing.
func (r *TaskRequest) Idle() (resume func()) {
	if r == nil || r.idle == nil {
		return func() {}
	}
	return r.idle()
}

// TaskHandler runs one attempt of a Task. It returns the task's result as a JSON value, or an
// error: a [*TaskFailure] (or anything implementing ErrorName and Cause) names the error
// Retry and Catch match; other errors become States.TaskFailed (Lambda: see [LambdaHandler]).
// For PatternWaitForTaskToken the handler hands the token on and returns; its result (the
// integration's answer, may be nil) becomes the TaskSubmitted output and the task then waits
// for the callback. The token is registered before the handler runs, so a handler may complete
// it itself. A handler must return when ctx ends.
type TaskHandler func(ctx context.Context, req *TaskRequest) (any, error)

// TaskFailure is a named task error with a cause, as a Task state's failure is reported.
// Handlers return it (or any error with ErrorName and ErrorCause methods) to name the error
// that Retry and Catch match.
type TaskFailure struct {
	Name  string `json:"Error"`
	Cause string `json:"Cause"`
}

// Error returns "name: cause".
func (f *TaskFailure) Error() string {
	if f.Cause == "" {
		return f.Name
	}
	return f.Name + ": " + f.Cause
}

// ErrorName returns the error name Retry and Catch match.
func (f *TaskFailure) ErrorName() string { return f.Name }

// ErrorCause returns the cause reported with the error.
func (f *TaskFailure) ErrorCause() string { return f.Cause }

// Fail returns a *TaskFailure with the given error name and cause.
func Fail(name, cause string) *TaskFailure { return &TaskFailure{Name: name, Cause: cause} }

// Result is the outcome of an execution as DescribeExecution reports it. Output is the final
// output JSON when Status is SUCCEEDED; Error and Cause are set for FAILED, TIMED_OUT and ABORTED.
type Result struct {
	Status    Status          `json:"status"`
	Output    json.RawMessage `json:"output,omitempty"`
	Error     string          `json:"error,omitempty"`
	Cause     string          `json:"cause,omitempty"`
	StartDate time.Time       `json:"startDate"`
	StopDate  time.Time       `json:"stopDate,omitzero"`
}

// StartInput describes an execution to start or resume.
type StartInput struct {
	// Name is the execution name; empty means a generated UUID.
	Name string
	// Input is the execution input JSON; empty means "{}".
	Input []byte
	// StateMachineARN names the machine; empty means an ARN built from Name "machine".
	StateMachineARN string
	// ExecutionARN names the execution; empty means one derived from StateMachineARN and Name.
	ExecutionARN string
	// RoleARN is reported in the context object; optional.
	RoleARN string
	// Observer receives this execution's events and checkpoints, in order; optional.
	Observer *Observer
}

// Observer receives an execution's history and checkpoints as they happen. Calls for one
// execution are serialised and in event-id order; they run on the engine's goroutines, so
// they must be quick and must not call back into the same execution. Nil funcs are skipped.
type Observer struct {
	// Event is called for every history event.
	Event func(x *Execution, ev Event)
	// Checkpoint is called on entering each top-level state and when a task token is issued
	// at a top-level state; persisting the latest one lets [Engine.Resume] continue after a
	// process restart.
	Checkpoint func(x *Execution, cp Checkpoint)
}

// Checkpoint is a serialisable snapshot from which [Engine.Resume] continues an execution: it
// re-enters State with Input and Variables. When TaskToken is set, the execution was waiting
// for that token at State, and Resume waits for it again without re-invoking the resource.
// A checkpoint is only taken at top-level states: resuming an execution that stopped inside a
// Map or Parallel re-enters that state, skipping the iterations and branches in Done.
type Checkpoint struct {
	ExecutionARN    string          `json:"executionArn"`
	StateMachineARN string          `json:"stateMachineArn"`
	Name            string          `json:"name"`
	ExecutionInput  json.RawMessage `json:"executionInput"`
	StartTime       time.Time       `json:"startTime"`
	State           string          `json:"state"`
	EnteredTime     time.Time       `json:"enteredTime"`
	Input           json.RawMessage `json:"input"`
	Variables       json.RawMessage `json:"variables,omitempty"`
	TaskToken       string          `json:"taskToken,omitempty"`
	// Attempts counts, per Retrier of State, the retries already made.
	Attempts []int `json:"attempts,omitempty"`
	// LastEventID is the id of the last history event before this checkpoint; EnteredEventID
	// is the id of the StateEntered event of State (0 when not yet written).
	LastEventID    int64 `json:"lastEventId"`
	EnteredEventID int64 `json:"enteredEventId"`
	// TaskDeadline is the waiting task's TimeoutSeconds limit (zero: none); a resumed wait
	// keeps it. The heartbeat timer restarts on resume.
	TaskDeadline time.Time `json:"taskDeadline,omitzero"`
	// ExecutionDeadline is the execution's TimeoutSeconds limit (zero: none).
	ExecutionDeadline time.Time `json:"executionDeadline,omitzero"`
	// RedriveCount and RedriveTime are the execution's redrives so far and the last one's
	// time, so a resumed execution keeps $$.Execution.RedriveCount and RedriveTime.
	RedriveCount int       `json:"redriveCount,omitempty"`
	RedriveTime  time.Time `json:"redriveTime,omitzero"`
	// Done holds, when State is a Map or Parallel that failed or was aborted, the outputs of
	// its iterations or branches that succeeded, by index: a redrive or resume does not run
	// them again.
	Done map[int]json.RawMessage `json:"done,omitempty"`
}
