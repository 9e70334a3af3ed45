package asl

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"sync/atomic"
	"time"
)

// varScope holds the Variables visible to a thread: its own and, read-only, its parents'.
// Assignments replace the map (copy on write), so values shared with history stay intact.
type varScope struct {
	parent *varScope
	vals   map[string]any
}

func (v *varScope) get(name string) (any, bool) {
	for s := v; s != nil; s = s.parent {
		if x, ok := s.vals[name]; ok {
			return x, true
		}
	}
	return nil, false
}

func (v *varScope) all() map[string]any {
	if v == nil {
		return nil
	}
	if v.parent == nil {
		return v.vals
	}
	out := map[string]any{}
	var chain []*varScope
	for s := v; s != nil; s = s.parent {
		chain = append(chain, s)
	}
	for i := len(chain) - 1; i >= 0; i-- {
		for k, x := range chain[i].vals {
			out[k] = x
		}
	}
	return out
}

func (v *varScope) assign(m map[string]any) {
	if len(m) == 0 {
		return
	}
	n := make(map[string]any, len(v.vals)+len(m))
	for k, x := range v.vals {
		n[k] = x
	}
	for k, x := range m {
		n[k] = x
	}
	v.vals = n
}

// thread is one sequential line of execution: the top level, a Parallel branch or a Map
// iteration. prev is the id of its last history event.
type thread struct {
	x     *Execution
	prev  int64
	vars  *varScope
	top   bool
	depth int
	// child is set inside a Distributed Map iteration: the child workflow execution the
	// thread runs in, which $$ shows instead of the top-level execution.
	child *childExecution
	fr    frame
	// rootVars is the top-level thread's scope (kept inline to save an allocation).
	rootVars varScope
	// done are the finished iterations or branches of the state being resumed (see redrive.go).
	done map[int]json.RawMessage
}

// count numbers an event of a quiet execution (nobody records or observes it) without
// building it: events are large, and a state writes two.
func (t *thread) count() int64 {
	t.prev = t.x.lastID.Add(1)
	return t.prev
}

func (t *thread) emit(ev Event) int64 {
	ev.depth = t.depth
	t.prev = t.x.emit(ev, t.prev)
	return t.prev
}

// frame is one entry into a state.
type frame struct {
	t           *thread
	st          *state
	enteredID   int64
	enteredTime time.Time
	retryCount  int
	token       string
	mapIndex    int
	mapValue    any
	inMapItem   bool
	ctxCache    map[string]any
	sc          scope
}

const timeLayout = "2006-01-02T15:04:05.000Z"

// contextObject returns $$ as the state sees it.
func (f *frame) contextObject() map[string]any {
	if f.ctxCache != nil && !f.inMapItem {
		return f.ctxCache
	}
	x := f.t.x
	arn, input, name, start, smARN, smName := x.arn, x.input, x.name, x.start, x.smARN, x.smName
	if ch := f.t.child; ch != nil {
		arn, input, name, start, smARN, smName = ch.arn, ch.input, ch.name, ch.start, ch.smARN, ch.smName
	}
	execution := map[string]any{
		"Id":           arn,
		"Input":        input,
		"Name":         name,
		"RoleArn":      x.roleARN,
		"StartTime":    start.UTC().Format(timeLayout),
		"RedriveCount": float64(x.redriveCount),
	}
	if !x.redriveTime.IsZero() { // AWS: only once the execution has been redriven
		execution["RedriveTime"] = x.redriveTime.UTC().Format(timeLayout)
	}
	c := map[string]any{
		"Execution": execution,
		"State": map[string]any{
			"EnteredTime": f.enteredTime.UTC().Format(timeLayout),
			"Name":        f.st.name,
			"RetryCount":  float64(f.retryCount),
		},
		"StateMachine": map[string]any{
			"Id":   smARN,
			"Name": smName,
		},
	}
	if f.token != "" {
		c["Task"] = map[string]any{"Token": f.token}
	}
	if f.inMapItem {
		c["Map"] = map[string]any{"Item": map[string]any{"Index": float64(f.mapIndex), "Value": f.mapValue}}
		return c
	}
	f.ctxCache = c
	return c
}

// resolve evaluates a path against the input, the context object or a variable.
func (f *frame) resolve(p *jsonPath, input any) (any, error) {
	switch p.root {
	case rootContext:
		if f.inMapItem && len(p.steps) >= 3 && p.steps[0].key == "Map" && p.steps[1].key == "Item" && !p.steps[2].isIdx {
			switch p.steps[2].key {
			case "Value":
				sub := jsonPath{steps: p.steps[3:]}
				return sub.get(f.mapValue)
			case "Index":
				if len(p.steps) == 3 {
					return float64(f.mapIndex), nil
				}
				return nil, errPathNotFound
			}
		}
		return p.get(f.contextObject())
	case rootVariable:
		v, ok := f.t.vars.get(p.variable)
		if !ok {
			return nil, errPathNotFound
		}
		return p.get(v)
	}
	return p.get(input)
}

func (f *frame) prefix() string {
	return "An error occurred while executing the state '" + f.st.name + "' (entered at the event id #" + strconv.FormatInt(f.enteredID, 10) + "). "
}

func (f *frame) runtime(msg string) *failure {
	return &failure{name: ErrRuntime, cause: f.prefix() + msg}
}

// scope returns the frame's reusable JSONPath scope set to input; a scope is only used for
// the duration of one template evaluation.
func (f *frame) scope(input any) *scope {
	f.sc = scope{f: f, input: input}
	return &f.sc
}

// states builds the JSONata $states value.
func (f *frame) states(input any, extra ...any) map[string]any {
	m := map[string]any{"input": input, "context": f.contextObject()}
	for i := 0; i+1 < len(extra); i += 2 {
		m[extra[i].(string)] = extra[i+1]
	}
	return m
}

func (f *frame) jsScope(input any, extra ...any) *scope {
	return &scope{f: f, input: input, states: f.states(input, extra...)}
}

// inputPath applies InputPath to the raw state input.
func (f *frame) inputPath(raw any) (any, *failure) {
	op := f.st.inputPath
	if op == nil {
		return raw, nil
	}
	if op.null {
		return map[string]any{}, nil
	}
	v, err := f.resolve(op.path, raw)
	if err != nil {
		return nil, f.runtime(fmt.Sprintf("Invalid path '%s' : No results for path: %s", op.path.src, op.path.bracketString()))
	}
	return v, nil
}

// outputPath applies OutputPath.
func (f *frame) outputPath(v any) (any, *failure) {
	op := f.st.outputPath
	if op == nil {
		return v, nil
	}
	if op.null {
		return map[string]any{}, nil
	}
	out, err := f.resolve(op.path, v)
	if err != nil {
		return nil, f.runtime(fmt.Sprintf("Invalid path '%s' : No results for path: %s", op.path.src, op.path.bracketString()))
	}
	return out, nil
}

// resultPath places result into raw as ResultPath says.
func resultPath(f *frame, rp *optPath, raw, result any) (any, *failure) {
	if rp == nil {
		return result, nil
	}
	if rp.null {
		return raw, nil
	}
	if len(rp.path.steps) == 0 {
		return result, nil
	}
	out, err := rp.path.set(raw, result)
	if err != nil {
		return nil, &failure{name: ErrResultPathMatchFailure, cause: f.prefix() + fmt.Sprintf("Unable to apply ResultPath '%s' to input '%s'", rp.path.src, jsonText(raw))}
	}
	if o := f.t.x.order; o != nil {
		o.recordSet(raw, out, rp.path.steps)
	}
	return out, nil
}

// evalAssign evaluates an Assign template; the caller commits the result after Output.
func (f *frame) evalAssign(t template, sc *scope) (map[string]any, *failure) {
	if t == nil {
		return nil, nil
	}
	v, err := t.eval(sc)
	if err != nil {
		return nil, asFailure(err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, &failure{name: ErrQueryEvaluationError, cause: f.prefix() + "The Assign field must evaluate to a JSON object"}
	}
	return m, nil
}

// runGraph runs g from its start (or from name) until a terminal state or a failure.
// A panic (a bug, or a task handler's) fails the graph with States.Runtime instead of
// taking the process down.
func (t *thread) runGraph(ctx context.Context, g *graph, name string, input any, resume *Checkpoint) (out any, fl *failure) {
	defer func() {
		if p := recover(); p != nil {
			out, fl = nil, &failure{name: ErrRuntime, cause: fmt.Sprintf("internal error: %v", p)}
		}
	}()
	if name == "" {
		name = g.startAt
	}
	for {
		if ctx.Err() != nil {
			return nil, errAborted
		}
		st := g.states[name]
		out, next, f := t.runState(ctx, st, input, resume)
		resume, t.done = nil, nil
		if f != nil {
			return nil, f
		}
		if next == "" {
			return out, nil
		}
		input, name = out, next
	}
}

// errAborted is the internal failure of work cut short by Stop or a timeout.
var errAborted = &failure{name: "States.Aborted", cause: "aborted"}

// runState enters st with the raw input, runs it with Retry and Catch, and returns its
// output and the next state ("" for a terminal state).
func (t *thread) runState(ctx context.Context, st *state, raw any, resume *Checkpoint) (any, string, *failure) {
	x := t.x
	f := t.enter(st, raw, resume)
	attempts := t.attempts(f, raw, resume)
	for {
		// Each attempt sees its own $$: State.RetryCount counts the retries so far.
		// EnteredTime stays the state's entry (a retry writes no new StateEntered event).
		f.ctxCache = nil
		f.retryCount = retryCount(attempts)
		o := t.body(ctx, f, raw, attempts, resume)
		resume = nil
		if o.fail == nil {
			return t.exit(st, o)
		}
		if o.fail == errAborted || ctx.Err() != nil {
			return nil, "", errAborted
		}
		if delay, retry := retryDelay(st.retry, attempts, o.fail.name, x.random); retry {
			if err := x.e.clock.Sleep(ctx, x.e.clock.Now().Add(delay)); err != nil {
				return nil, "", errAborted
			}
			continue
		}
		if c := matchCatcher(st.catch, o.fail.name); c != nil {
			return t.caught(f, c, raw, o.fail)
		}
		return nil, "", o.fail
	}
}

// enter starts a frame for st (one frame per thread is reused: a frame never outlives its
// state) and writes the StateEntered event unless a checkpoint resumes the state.
func (t *thread) enter(st *state, raw any, resume *Checkpoint) *frame {
	f := &t.fr
	*f = frame{t: t, st: st, enteredTime: t.x.e.clock.Now()}
	if resume != nil && resume.EnteredEventID > 0 {
		f.enteredID = resume.EnteredEventID
		f.enteredTime = resume.EnteredTime
	} else if t.x.quiet {
		f.enteredID = t.count()
	} else {
		f.enteredID = t.emit(Event{Type: st.enteredType, Name: st.name, Input: raw, HasInput: true})
	}
	return f
}

// attempts returns the state's retry counters (restored from a checkpoint) and reports the
// checkpoint of a top-level state.
func (t *thread) attempts(f *frame, raw any, resume *Checkpoint) []int {
	var attempts []int
	if len(f.st.retry) > 0 {
		attempts = make([]int, len(f.st.retry))
	}
	if resume != nil && len(resume.Attempts) == len(attempts) {
		copy(attempts, resume.Attempts)
	}
	if x := t.x; t.top && x.wantsCheckpoints() && (resume == nil || resume.TaskToken == "") {
		x.checkpoint(t.checkpointFor(f, raw, attempts, ""))
	}
	return attempts
}

// exit ends a state that succeeded: assigns its variables, writes StateExited (a Fail state
// has none) and returns its output and next state.
func (t *thread) exit(st *state, o outcome) (any, string, *failure) {
	t.vars.assign(o.assigned)
	if st.typ != "Fail" {
		t.emitExited(st, o.out, o.assigned)
	}
	if st.end || st.typ == "Succeed" {
		return o.out, "", nil
	}
	return o.out, o.next, nil
}

// emitExited writes st's StateExited event.
func (t *thread) emitExited(st *state, out any, assigned map[string]any) {
	if t.x.quiet {
		t.count()
		return
	}
	ev := Event{Type: st.exitedType, Name: st.name, Output: out, HasOutput: true}
	if len(assigned) > 0 {
		ev.AssignedVariables = assigned
	}
	t.emit(ev)
}

// checkpointFor builds a checkpoint of the current top-level state.
func (t *thread) checkpointFor(f *frame, raw any, attempts []int, token string) Checkpoint {
	in, _ := marshalJSON(raw)
	var vars json.RawMessage
	if all := t.vars.all(); len(all) > 0 {
		vars, _ = marshalJSON(all)
	}
	return Checkpoint{
		State:          f.st.name,
		EnteredTime:    f.enteredTime,
		Input:          in,
		Variables:      vars,
		TaskToken:      token,
		Attempts:       append([]int(nil), attempts...),
		EnteredEventID: f.enteredID,
	}
}

// finishJSONPath runs the tail of the JSONPath data flow: ResultSelector, Assign, ResultPath,
// OutputPath. The outcome goes to the state's Next.
func (t *thread) finishJSONPath(f *frame, raw, result any, selector bool) outcome {
	st := f.st
	if selector && st.resultSelector != nil {
		v, err := st.resultSelector.eval(f.scope(result))
		if err != nil {
			return failed(asFailure(err))
		}
		result = v
	}
	assigned, fl := f.evalAssign(st.assign, f.scope(result))
	if fl != nil {
		return failed(fl)
	}
	out, fl := resultPath(f, st.resultPath, raw, result)
	if fl != nil {
		return failed(fl)
	}
	if out, fl = f.outputPath(out); fl != nil {
		return failed(fl)
	}
	return outcome{out: out, next: st.next, assigned: assigned}
}

// finishJSONata evaluates Assign and Output of a JSONata state; def is the default output.
// The outcome goes to the state's Next.
func (t *thread) finishJSONata(f *frame, raw, def any, extra ...any) outcome {
	sc := f.jsScope(raw, extra...)
	assigned, fl := f.evalAssign(f.st.assign, sc)
	if fl != nil {
		return failed(fl)
	}
	out := def
	if f.st.output != nil {
		v, err := f.st.output.eval(sc)
		if err != nil {
			return failed(asFailure(err))
		}
		out = v
	}
	return outcome{out: out, next: f.st.next, assigned: assigned}
}

// effective computes the effective input of Task, Parallel and Map: InputPath then
// Parameters (JSONPath), or Arguments (JSONata).
func (t *thread) effective(f *frame, raw any) (any, *failure) {
	st := f.st
	if st.jsonata {
		if st.arguments == nil {
			return raw, nil
		}
		v, err := st.arguments.eval(f.jsScope(raw))
		if err != nil {
			return nil, asFailure(err)
		}
		return v, nil
	}
	eff, fl := f.inputPath(raw)
	if fl != nil {
		return nil, fl
	}
	if st.parameters != nil {
		v, err := st.parameters.eval(f.scope(eff))
		if err != nil {
			return nil, asFailure(err)
		}
		eff = v
	}
	return eff, nil
}

func maxID(cur int64, ids []int64) int64 {
	for _, id := range ids {
		if id > cur {
			cur = id
		}
	}
	return cur
}

// fanOut runs fn(0..n-1) on up to workers goroutines and waits for them. On a clock.Virtual
// the waiting parent counts as blocked and inherits the last worker's slot.
func (t *thread) fanOut(n, workers int, fn func(i int)) {
	if n == 0 {
		return
	}
	if workers <= 0 || workers > n {
		workers = n
	}
	e := t.x.e
	var next atomic.Int64
	var remaining atomic.Int64
	remaining.Store(int64(workers))
	done := make(chan struct{})
	for w := 0; w < workers; w++ {
		e.begin()
		go func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					break
				}
				fn(i)
			}
			if remaining.Add(-1) == 0 {
				close(done)
				return
			}
			e.end()
		}()
	}
	e.end()
	<-done
}

// rawText renders a value in a message: strings as they are, anything else as JSON.
func rawText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return jsonText(v)
}

// sortStrings sorts in place (kept here so templates need not import sort).
func sortStrings(s []string) { sort.Strings(s) }
