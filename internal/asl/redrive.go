package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// Redrive says how an unsuccessful execution is redriven: its history so far ends at
// LastEventID, and Count is its redrive count including this one (1 for the first redrive).
type Redrive struct {
	Count       int
	LastEventID int64
}

// Redrive continues a FAILED, TIMED_OUT or ABORTED execution as RedriveExecution does: from
// cp, the checkpoint its unsuccessful top-level state took on entry, with the same execution
// input, variables and ARN. The history continues after r.LastEventID with an
// ExecutionRedriven event, then the state is entered again with its retry counts reset; the
// states that had succeeded are not run again. A task that waited for a token is invoked
// again (the old token is dead). The execution's TimeoutSeconds, if any, counts from now.
// in supplies the observer; its Name, Input and ARNs are taken from cp when empty.
func (e *Engine) Redrive(ctx context.Context, m *Machine, cp Checkpoint, in StartInput, r Redrive) (*Execution, error) {
	if _, ok := m.top.states[cp.State]; !ok {
		return nil, fmt.Errorf("redrive execution %s: state %q is not in the machine", cp.Name, cp.State)
	}
	in.Name = firstOf(in.Name, cp.Name)
	in.ExecutionARN = firstOf(in.ExecutionARN, cp.ExecutionARN)
	in.StateMachineARN = firstOf(in.StateMachineARN, cp.StateMachineARN)
	if len(in.Input) == 0 {
		in.Input = cp.ExecutionInput
	}
	x, err := e.newExecution(ctx, m, in)
	if err != nil {
		return nil, err
	}
	if !cp.StartTime.IsZero() {
		x.start = cp.StartTime
	}
	cp.EnteredEventID, cp.TaskToken, cp.Attempts, cp.TaskDeadline = 0, "", nil, time.Time{}
	cp.ExecutionDeadline = time.Time{}
	if ts := m.timeoutSeconds; ts > 0 {
		cp.ExecutionDeadline = e.clock.Now().Add(time.Duration(ts) * time.Second)
	}
	x.redriveCount, x.redriveTime = r.Count, e.clock.Now()
	x.lastID.Store(r.LastEventID)
	cp.LastEventID = x.emit(Event{Type: "ExecutionRedriven", RedriveCount: r.Count}, r.LastEventID)
	e.begin()
	go func() {
		defer e.end()
		x.run(&cp)
	}()
	return x, nil
}

func firstOf(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// doneOf returns the recorded output of iteration or branch i of the Map or Parallel state
// this top-level thread is resuming or redriving, if it had succeeded.
func (t *thread) doneOf(i int) (any, bool) {
	b, ok := t.done[i]
	if !ok {
		return nil, false
	}
	v, err := decodeJSON(b)
	return v, err == nil
}

// keepDone reports, for a top-level Map or Parallel that failed or was aborted, a checkpoint
// of the state with the outputs of the iterations or branches that succeeded, so that a
// redrive (or a resume) runs only the others, as Step Functions redrives them.
func (t *thread) keepDone(f *frame, raw any, results []any, succeeded func(i int) bool) {
	if !t.top || !t.x.wantsCheckpoints() {
		return
	}
	done := map[int]json.RawMessage{}
	for i, r := range results {
		if !succeeded(i) {
			continue
		}
		b, err := marshalJSON(r)
		if err != nil {
			return
		}
		done[i] = b
	}
	cp := t.checkpointFor(f, raw, nil, "")
	cp.Done = done
	t.x.checkpoint(cp)
}
