package stepfunctions

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
	"github.com/kiln-dev/kiln/internal/clock"
)

// The statuses of a TestState answer.
const (
	testSucceeded   = "SUCCEEDED"
	testFailed      = "FAILED"
	testRetriable   = "RETRIABLE"
	testCaughtError = "CAUGHT_ERROR"
)

// stateTest is one TestState call: the state under test wrapped in a machine of its own, in
// which every state it can go to is a Succeed state of that name.
type stateTest struct {
	state map[string]any
	name  string
	def   []byte
}

// newStateTest parses a TestState definition (one state, as JSON) and builds its machine.
func newStateTest(def string) (*stateTest, error) {
	var st map[string]any
	if err := json.Unmarshal([]byte(def), &st); err != nil || st == nil {
		return nil, apiErr("InvalidDefinition", "Invalid State Machine Definition: 'the definition is not one state as a JSON object'")
	}
	typ, _ := st["Type"].(string)
	if r, _ := st["Resource"].(string); strings.HasSuffix(r, ".waitForTaskToken") || strings.Contains(r, ".sync") {
		return nil, apiErr("ValidationException", "TestState does not support the .sync and .waitForTaskToken integration patterns (%s)", r)
	}
	if typ == "Map" || typ == "Parallel" {
		return nil, apiErr("ValidationException", "kiln local's TestState tests Task, Pass, Wait, Choice, Succeed and Fail states, not %s", typ)
	}
	targets := map[string]any{}
	collectTargets(st, targets)
	name := "TestState"
	for targets[name] != nil {
		name += "_"
	}
	// The state runs once: a Retrier is reported (RETRIABLE), not followed.
	once := map[string]any{}
	for k, v := range st {
		if k != "Retry" {
			once[k] = v
		}
	}
	states := map[string]any{name: once}
	for t := range targets {
		states[t] = map[string]any{"Type": "Succeed"}
	}
	b, _ := json.Marshal(map[string]any{"StartAt": name, "States": states})
	return &stateTest{state: st, name: name, def: b}, nil
}

// collectTargets adds the states st can go to (Next, Default, Choices[].Next, Catch[].Next).
func collectTargets(st map[string]any, out map[string]any) {
	add := func(v any) {
		if s, ok := v.(string); ok && s != "" {
			out[s] = true
		}
	}
	add(st["Next"])
	add(st["Default"])
	for _, key := range []string{"Choices", "Catch"} {
		list, _ := st[key].([]any)
		for _, e := range list {
			if m, ok := e.(map[string]any); ok {
				add(m["Next"])
			}
		}
	}
}

// testRun is what one run of a stateTest observed.
type testRun struct {
	mu         sync.Mutex
	result     asl.Result
	params     any
	hasParams  bool
	taskResult any
	hasResult  bool
	taskErr    string
	taskCause  string
	output     any
	exited     bool
	next       string
	assigned   map[string]any
}

// observe records one event of the run.
func (r *testRun) observe(name string, ev asl.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case ev.Type == "TaskScheduled":
		r.params, r.hasParams = ev.Parameters, true
	case ev.Type == "LambdaFunctionScheduled":
		r.params, r.hasParams = ev.Input, true
	case ev.Type == "TaskSucceeded" || ev.Type == "LambdaFunctionSucceeded":
		r.taskResult, r.hasResult = ev.Output, true
	case strings.HasPrefix(ev.Type, "Task") && ev.Error != "" || strings.HasPrefix(ev.Type, "LambdaFunction") && ev.Error != "":
		r.taskErr, r.taskCause = ev.Error, ev.Cause
	case strings.HasSuffix(ev.Type, "StateExited") && ev.Name == name:
		r.output, r.exited, r.assigned = ev.Output, true, ev.AssignedVariables
	case strings.HasSuffix(ev.Type, "StateEntered") && ev.Name != name && r.next == "":
		r.next = ev.Name
	}
}

// run runs the test machine once on input with the variables vars, on a virtual clock (a Wait
// does not wait) and the service's integrations.
func (s *Service) runStateTest(ctx context.Context, t *stateTest, input, vars json.RawMessage) (*testRun, error) {
	m, err := asl.Parse(t.def)
	if err != nil {
		return nil, apiErr("InvalidDefinition", "Invalid State Machine Definition: '%s'", strings.ReplaceAll(err.Error(), "\n", "; "))
	}
	run := &testRun{}
	e := asl.NewEngine(asl.Options{Resources: s.opts.Resources, Clock: clock.NewVirtual(s.engine.Clock().Now()),
		Region: s.opts.Env.Region, Account: s.opts.Env.Account, Partition: s.opts.Env.Partition, NoHistory: true})
	name := "test-" + intrinsic.NewUUID()
	x, err := e.Resume(ctx, m, asl.Checkpoint{Name: name, State: t.name, Input: input, ExecutionInput: input, Variables: vars},
		asl.StartInput{Name: name, Input: input, StateMachineARN: s.machineARN("TestState"),
			Observer: &asl.Observer{Event: func(_ *asl.Execution, ev asl.Event) { run.observe(t.name, ev) }}})
	if err != nil {
		return nil, apiErr("InvalidExecutionInput", "%v", err)
	}
	if run.result, err = x.Wait(ctx); err != nil {
		return nil, err
	}
	return run, nil
}

// testState is TestState: it runs one state on an input, as Step Functions does, and tells
// the outcome (SUCCEEDED, FAILED, RETRIABLE when a Retrier would retry the error,
// CAUGHT_ERROR when a Catcher caught it), the next state, and at inspectionLevel DEBUG the
// data at each step of the state's input and output processing.
func (s *Service) testState(ctx context.Context, in map[string]any) (any, error) {
	level := str(in, "inspectionLevel")
	if level != "" && level != "INFO" && level != "DEBUG" && level != "TRACE" {
		return nil, apiErr("ValidationException", "1 validation error detected: Value '%s' at 'inspectionLevel' failed to satisfy constraint: Member must satisfy enum value set: [INFO, DEBUG, TRACE]", level)
	}
	if role := str(in, "roleArn"); role != "" {
		if err := checkRoleARN(role); err != nil {
			return nil, err
		}
	}
	input, err := compactJSON([]byte(str(in, "input")))
	if err != nil {
		return nil, apiErr("InvalidExecutionInput", "Invalid input: '%v'", err)
	}
	var vars json.RawMessage
	if v := str(in, "variables"); v != "" {
		var obj map[string]any
		if json.Unmarshal([]byte(v), &obj) != nil {
			return nil, apiErr("ValidationException", "variables must be a JSON object")
		}
		vars = json.RawMessage(v)
	}
	t, err := newStateTest(str(in, "definition"))
	if err != nil {
		return nil, err
	}
	run, err := s.runStateTest(ctx, t, input, vars)
	if err != nil {
		return nil, err
	}
	out := t.outcome(run)
	if level == "DEBUG" || level == "TRACE" {
		insp, err := s.inspect(ctx, t, run, input, vars)
		if err != nil {
			return nil, err
		}
		out["inspectionData"] = insp
	}
	return out, nil
}

// outcome is the TestState answer without inspection data.
func (t *stateTest) outcome(run *testRun) map[string]any {
	failure, cause := run.taskErr, run.taskCause
	if run.result.Status != asl.StatusSucceeded {
		failure, cause = run.result.Error, run.result.Cause
	}
	if failure != "" && retries(t.state["Retry"], failure) {
		return map[string]any{"status": testRetriable, "error": failure, "cause": cause}
	}
	if run.result.Status != asl.StatusSucceeded {
		return map[string]any{"status": testFailed, "error": failure, "cause": cause}
	}
	out := map[string]any{"status": testSucceeded, "output": jsonString(run.output)}
	if failure != "" {
		out["status"], out["error"], out["cause"] = testCaughtError, failure, cause
	}
	if run.next != "" {
		out["nextState"] = run.next
	}
	return out
}

// retries reports whether the Retry field retry has a retrier for the error name with at
// least one attempt (MaxAttempts defaults to 3).
func retries(retry any, name string) bool {
	list, _ := retry.([]any)
	for _, e := range list {
		r, _ := e.(map[string]any)
		if n, ok := r["MaxAttempts"].(float64); ok && n == 0 {
			continue
		}
		eq, _ := r["ErrorEquals"].([]any)
		for _, p := range eq {
			if p == name || p == asl.ErrAll && name != asl.ErrRuntime || p == asl.ErrTaskFailed && name != asl.ErrTimeout && name != asl.ErrRuntime {
				return true
			}
		}
	}
	return false
}

// jsonString returns v as compact JSON text.
func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", fmt.Sprint(v))
	}
	return string(b)
}
