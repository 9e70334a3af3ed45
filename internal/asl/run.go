package asl

import (
	"time"
)

// run executes the machine (from a checkpoint when cp is set) and records the outcome.
func (x *Execution) run(cp *Checkpoint) {
	if x.done != nil {
		defer close(x.done)
	}
	defer x.cancel()
	t := &x.root
	*t = thread{x: x, top: true}
	t.vars = &t.rootVars
	if cp == nil {
		t.emit(Event{Type: "ExecutionStarted", Input: x.input, HasInput: true, RoleARN: x.roleARN})
		// AWS gives the first state's entered event previousEventId 0.
		t.prev = 0
	} else {
		t.prev, t.done = cp.LastEventID, cp.Done
		if len(cp.Variables) > 0 {
			if v, err := decodeJSON(cp.Variables); err == nil {
				if m, ok := v.(map[string]any); ok {
					t.vars.vals = m
				}
			}
		}
	}
	if ts := x.m.timeoutSeconds; ts > 0 {
		deadline := x.start.Add(time.Duration(ts) * time.Second)
		if cp != nil && !cp.ExecutionDeadline.IsZero() {
			deadline = cp.ExecutionDeadline
		}
		t.watch(x.ctx, deadline, func() {
			x.mu.Lock()
			if x.stopErr == nil {
				x.timedOut = true
			}
			x.mu.Unlock()
			x.cancel()
		})
	}
	var out any
	var f *failure
	if cp == nil {
		out, f = t.runGraph(x.ctx, x.m.top, "", x.input, nil)
	} else {
		in, err := decodeJSON(cp.Input)
		if err != nil {
			in = map[string]any{}
		}
		out, f = t.runGraph(x.ctx, x.m.top, cp.State, in, cp)
	}
	x.mu.Lock()
	stopErr, timedOut := x.stopErr, x.timedOut
	x.mu.Unlock()
	var ev Event
	status := StatusSucceeded
	switch {
	case stopErr != nil:
		status = StatusAborted
		ev = Event{Type: "ExecutionAborted", Error: stopErr.name, Cause: stopErr.cause}
		f = stopErr
	case timedOut:
		status = StatusTimedOut
		ev = Event{Type: "ExecutionTimedOut", Error: ErrTimeout}
		f = &failure{name: ErrTimeout, cause: ""}
	case f == errAborted:
		status = StatusAborted
		ev = Event{Type: "ExecutionAborted"}
		f = &failure{}
	case f != nil:
		status = StatusFailed
		ev = Event{Type: "ExecutionFailed", Error: f.name, Cause: f.cause}
	default:
		ev = Event{Type: "ExecutionSucceeded", Output: out, HasOutput: true}
	}
	t.emit(ev)
	x.mu.Lock()
	x.status = status
	x.stopDate = x.e.clock.Now()
	if f != nil {
		x.errName, x.cause = f.name, f.cause
	} else {
		x.output = out
	}
	x.mu.Unlock()
}
