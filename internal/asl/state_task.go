package asl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// taskNode is a Task state: the resource it calls, how (request-response, .sync or
// .waitForTaskToken), its time limits and its credentials.
type taskNode struct {
	resource         string
	resourceKey      string
	pattern          IntegrationPattern
	timeoutSeconds   int64
	heartbeatSeconds int64
	timeoutPath      *jsonPath
	heartbeatPath    *jsonPath
	timeoutExpr      template
	heartbeatExpr    template
	credentials      template
}

func (*taskNode) kind() string { return "Task" }

// check checks the kind's fields.
func (n *taskNode) check(c *checker, path string, st *state, obj map[string]any, _ string) {
	c.task(path, st, n, obj)
}

var taskKind = stateKind{
	jsonPathFields: fieldList(transitionKeys, taskFields, []string{"InputPath", "OutputPath", "Parameters", "ResultSelector", "ResultPath", "TimeoutSecondsPath", "HeartbeatSecondsPath"}),
	jsonataFields:  fieldList(transitionKeys, taskFields, []string{"Arguments", "Output"}),
	newNode:        func() node { return &taskNode{} },
}

var taskFields = []string{"Resource", "Retry", "Catch", "TimeoutSeconds", "HeartbeatSeconds", "Credentials", "Assign"}

// task checks a Task state's resource, time limits and credentials.
func (c *checker) task(path string, st *state, n *taskNode, obj map[string]any) {
	n.resource = c.reqString(path, obj, "Resource")
	if n.resource != "" {
		n.resourceKey, n.pattern = ResourceKey(n.resource)
		if !strings.HasPrefix(n.resource, "arn:") && !strings.Contains(n.resource, "${") {
			c.add(join(path, "Resource"), "%q is not a valid ARN", n.resource)
		}
	}
	if st.jsonata {
		if v, ok := obj["TimeoutSeconds"]; ok {
			if _, isStr := v.(string); isStr {
				n.timeoutExpr = c.jsonata(join(path, "TimeoutSeconds"), v)
			} else {
				n.timeoutSeconds = c.posInt(path, obj, "TimeoutSeconds", 1, 99999999)
			}
		}
		if v, ok := obj["HeartbeatSeconds"]; ok {
			if _, isStr := v.(string); isStr {
				n.heartbeatExpr = c.jsonata(join(path, "HeartbeatSeconds"), v)
			} else {
				n.heartbeatSeconds = c.posInt(path, obj, "HeartbeatSeconds", 1, 99999999)
			}
		}
		if v, ok := obj["Credentials"]; ok {
			n.credentials = c.jsonata(join(path, "Credentials"), v)
		}
	} else {
		if _, ok := obj["TimeoutSeconds"]; ok {
			n.timeoutSeconds = c.posInt(path, obj, "TimeoutSeconds", 1, 99999999)
		}
		if _, ok := obj["HeartbeatSeconds"]; ok {
			n.heartbeatSeconds = c.posInt(path, obj, "HeartbeatSeconds", 1, 99999999)
		}
		n.timeoutPath = c.refPath(path, obj, "TimeoutSecondsPath")
		n.heartbeatPath = c.refPath(path, obj, "HeartbeatSecondsPath")
		if n.timeoutPath != nil && n.timeoutSeconds > 0 {
			c.add(path, "TimeoutSeconds and TimeoutSecondsPath may not both be set")
		}
		if n.heartbeatPath != nil && n.heartbeatSeconds > 0 {
			c.add(path, "HeartbeatSeconds and HeartbeatSecondsPath may not both be set")
		}
		if v, ok := obj["Credentials"]; ok {
			n.credentials = c.payload(join(path, "Credentials"), v)
		}
	}
	if n.timeoutSeconds > 0 && n.heartbeatSeconds > 0 && n.heartbeatSeconds >= n.timeoutSeconds {
		c.soft(join(path, "HeartbeatSeconds"), "must be smaller than TimeoutSeconds")
	}
}

// resourceNames splits a resource into the resourceType and resource of task events.
func resourceNames(st *taskNode) (typ, res string) {
	if st.resourceKey == "lambda:function" {
		return "lambda", st.resource
	}
	key := st.resourceKey
	i := strings.LastIndexByte(key, ':')
	if i < 0 {
		return key, string(st.pattern)
	}
	return key[:i], key[i+1:] + string(st.pattern)
}

// limit evaluates TimeoutSeconds/HeartbeatSeconds and their Path and JSONata forms.
func (f *frame) limit(fixed int64, p *jsonPath, expr template, eff, raw any, field string) (int64, *failure) {
	switch {
	case p != nil:
		v, err := f.resolve(p, eff)
		n, ok := v.(float64)
		if err != nil || !ok || n <= 0 || n != float64(int64(n)) {
			return 0, f.runtime(fmt.Sprintf("The %sPath parameter does not reference a valid positive integer: %s", field, jsonText(v)))
		}
		return int64(n), nil
	case expr != nil:
		v, err := expr.eval(f.jsScope(raw))
		if err != nil {
			return 0, asFailure(err)
		}
		n, ok := v.(float64)
		if !ok || n <= 0 || n != float64(int64(n)) {
			return 0, &failure{name: ErrQueryEvaluationError, cause: f.prefix() + "The " + field + " field must evaluate to a positive integer, but was " + jsonText(v)}
		}
		return int64(n), nil
	}
	return fixed, nil
}

// run calls the resource once: it resolves the time limits and payload, invokes the handler
// (or waits for a task token) and runs the data flow on the result.
func (n *taskNode) run(ctx context.Context, t *thread, f *frame, raw any, attempts []int, resume *Checkpoint) outcome {
	c, fl := n.prepare(t, f, raw, resume)
	if fl != nil {
		return failed(fl)
	}
	if c.wait != nil {
		defer t.x.e.dropToken(c.wait.token)
	}
	if !c.resuming {
		c.schedule()
	}
	// The attempt's context ends at the task timeout (on the execution's clock).
	tctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if c.timeout > 0 {
		c.deadline = c.start.Add(time.Duration(c.timeout) * time.Second)
		t.watch(tctx, c.deadline, func() { cancel(errTaskTimeout) })
	}
	result, err := c.call(ctx, tctx, attempts)
	if err != nil {
		if ctx.Err() != nil {
			return failed(errAborted)
		}
		return failed(c.failure(err))
	}
	return c.succeed(result)
}

// taskCall is one attempt of a Task state: what it resolved before calling the resource.
type taskCall struct {
	n                  *taskNode
	t                  *thread
	f                  *frame
	raw, eff           any
	timeout, heartbeat int64
	wait               *tokenWait
	params, creds      any
	lambdaFn           bool
	rtype, rname       string
	resuming           bool
	start, deadline    time.Time
}

// prepare resolves an attempt's time limits, task token, parameters and credentials.
func (n *taskNode) prepare(t *thread, f *frame, raw any, resume *Checkpoint) (*taskCall, *failure) {
	x := t.x
	c := &taskCall{n: n, t: t, f: f, raw: raw, lambdaFn: n.resourceKey == "lambda:function"}
	c.rtype, c.rname = resourceNames(n)
	c.resuming = resume != nil && resume.TaskToken != ""
	var fl *failure
	if !f.st.jsonata {
		if c.eff, fl = f.inputPath(raw); fl != nil {
			return nil, fl
		}
	}
	if c.timeout, fl = f.limit(n.timeoutSeconds, n.timeoutPath, n.timeoutExpr, c.eff, raw, "TimeoutSeconds"); fl != nil {
		return nil, fl
	}
	if c.heartbeat, fl = f.limit(n.heartbeatSeconds, n.heartbeatPath, n.heartbeatExpr, c.eff, raw, "HeartbeatSeconds"); fl != nil {
		return nil, fl
	}
	if n.pattern == PatternWaitForTaskToken {
		if c.resuming {
			c.wait = x.e.registerToken(resume.TaskToken)
		} else {
			c.wait = x.e.newToken(x)
		}
		f.token = c.wait.token
		f.ctxCache = nil
	}
	if c.params, fl = c.parameters(); fl != nil {
		c.drop()
		return nil, fl
	}
	if c.creds, fl = c.credentials(); fl != nil {
		c.drop()
		return nil, fl
	}
	c.start = x.e.clock.Now()
	if c.resuming {
		c.start = resume.EnteredTime
	}
	return c, nil
}

// drop releases the task token of an attempt that fails before it runs.
func (c *taskCall) drop() {
	if c.wait != nil {
		c.t.x.e.dropToken(c.wait.token)
	}
}

// parameters evaluates Parameters (JSONPath) or Arguments (JSONata); without them the
// effective input (JSONPath) or the raw input (JSONata) is passed.
func (c *taskCall) parameters() (any, *failure) {
	st, f := c.f.st, c.f
	tmpl, sc, params := st.parameters, (*scope)(nil), c.eff
	if st.jsonata {
		tmpl, params = st.arguments, c.raw
		if tmpl != nil {
			sc = f.jsScope(c.raw)
		}
	} else if tmpl != nil {
		sc = f.scope(c.eff)
	}
	if tmpl == nil {
		return params, nil
	}
	v, err := tmpl.eval(sc)
	if err != nil {
		return nil, asFailure(err)
	}
	return v, nil
}

// credentials evaluates the Credentials field, if any.
func (c *taskCall) credentials() (any, *failure) {
	if c.n.credentials == nil {
		return nil, nil
	}
	sc := c.f.scope(c.eff)
	if c.f.st.jsonata {
		sc = c.f.jsScope(c.raw)
	}
	v, err := c.n.credentials.eval(sc)
	if err != nil {
		return nil, asFailure(err)
	}
	return v, nil
}

// ev returns a task event of the given kind ("Scheduled", "Failed"...): LambdaFunction*
// for a Lambda function resource, Task* with the resource otherwise.
func (c *taskCall) ev(kind string) Event {
	if c.lambdaFn {
		return Event{Type: "LambdaFunction" + kind}
	}
	return Event{Type: "Task" + kind, Resource: c.rname, ResourceType: c.rtype}
}

// schedule writes the Scheduled and Started events of a new attempt.
func (c *taskCall) schedule() {
	sched := c.ev("Scheduled")
	if c.lambdaFn {
		sched.Resource = c.n.resource
		sched.Input, sched.HasInput = c.params, true
	} else {
		sched.Parameters = c.params
		if sched.Parameters == nil {
			sched.Parameters = map[string]any{}
		}
		sched.Region = c.t.x.e.opts.Region
	}
	sched.TimeoutSeconds, sched.HeartbeatSeconds = c.timeout, c.heartbeat
	c.t.emit(sched)
	c.t.emit(c.ev("Started"))
}

// call invokes the resource (unless resuming a wait for a token) and, for
// .waitForTaskToken, waits for the token's answer; tctx ends at the task timeout.
func (c *taskCall) call(ctx, tctx context.Context, attempts []int) (any, error) {
	x, t := c.t.x, c.t
	var result any
	var err error
	if !c.resuming {
		result, err = c.invoke(tctx)
		if tctx.Err() != nil && ctx.Err() == nil {
			err = context.Cause(tctx)
		}
	}
	if err != nil || c.wait == nil {
		return result, err
	}
	if !c.resuming {
		// The integration's own answer (for example SQS SendMessage's) is the
		// TaskSubmitted output; the task's result is the callback's.
		sub := c.ev("Submitted")
		sub.Output, sub.HasOutput = result, true
		if result == nil {
			sub.Output = map[string]any{}
		}
		t.emit(sub)
	}
	if t.top && x.wantsCheckpoints() {
		cp := t.checkpointFor(c.f, c.raw, attempts, c.wait.token)
		cp.TaskDeadline = c.deadline
		x.checkpoint(cp)
	}
	result, err = t.awaitToken(tctx, c.wait, c.heartbeat)
	if tctx.Err() != nil && ctx.Err() == nil && !errors.Is(err, errHeartbeatTimeout) {
		err = context.Cause(tctx)
	}
	return result, err
}

// invoke calls the resource's handler once.
func (c *taskCall) invoke(tctx context.Context) (any, error) {
	x, f := c.t.x, c.f
	req := &TaskRequest{
		Resource: c.n.resource, Key: c.n.resourceKey, Pattern: c.n.pattern, Parameters: c.params,
		Context: f.contextObject(), ExecutionARN: x.arn, StateMachineARN: x.smARN, StateName: f.st.name,
		Attempt: f.retryCount, TimeoutSeconds: c.timeout, HeartbeatSeconds: c.heartbeat, Credentials: c.creds,
		Clock: x.e.clock, Engine: x.e,
	}
	if c.wait != nil {
		req.TaskToken = c.wait.token
	}
	req.idle = func() func() {
		x.e.end()
		return x.e.begin
	}
	return x.e.opts.Resources.invoke(tctx, req)
}

// failure names a failed call (a timeout, a heartbeat timeout, a Lambda function's error or
// the handler's) and writes its TimedOut or Failed event.
func (c *taskCall) failure(err error) *failure {
	var tf *failure
	switch {
	case errors.Is(err, errTaskTimeout):
		tf = &failure{name: ErrTimeout}
	case errors.Is(err, errHeartbeatTimeout):
		tf = &failure{name: ErrHeartbeatTimeout}
	}
	if tf != nil {
		e := c.ev("TimedOut")
		e.Error = tf.name
		c.t.emit(e)
		return tf
	}
	if strings.HasPrefix(c.n.resourceKey, "lambda:") && !isEngineFailure(err) {
		tf = asFailure(LambdaError(err))
	} else {
		tf = asFailure(err)
	}
	e := c.ev("Failed")
	e.Error, e.Cause = tf.name, tf.cause
	c.t.emit(e)
	return tf
}

// succeed checks the result's size, writes the Succeeded event and runs the data flow.
func (c *taskCall) succeed(result any) outcome {
	t, f := c.t, c.f
	if jsonSizeOver(result, maxPayloadBytes) {
		name := c.n.resource
		if !c.lambdaFn {
			name = c.rtype
		}
		tf := &failure{name: ErrDataLimitExceeded, cause: "The state/task '" + name + "' returned a result with a size exceeding the maximum number of bytes service limit."}
		e := c.ev("Failed")
		e.Error, e.Cause = tf.name, tf.cause
		t.emit(e)
		return failed(tf)
	}
	succ := c.ev("Succeeded")
	succ.Output, succ.HasOutput = result, true
	t.emit(succ)
	if f.st.jsonata {
		return t.finishJSONata(f, c.raw, result, "result", result)
	}
	return t.finishJSONPath(f, c.raw, result, true)
}

var (
	errTaskTimeout      = errors.New("task timed out")
	errHeartbeatTimeout = errors.New("task heartbeat timed out")
)

// isEngineFailure reports whether err is a failure the engine itself names: a SendTaskFailure
// on a callback task (its error name is the caller's), or a handler's explicit TaskFailure. Any
// other error from a Lambda task is a function's error and is named by the Lambda runtime's rule.
func isEngineFailure(err error) bool {
	var f *failure
	var tf *TaskFailure
	return errors.As(err, &f) || errors.As(err, &tf)
}

// watch runs fire when the clock reaches at, unless ctx ends first.
func (t *thread) watch(ctx context.Context, at time.Time, fire func()) {
	t.x.watched.Store(true)
	e := t.x.e
	e.begin()
	go func() {
		defer e.end()
		if e.clock.Sleep(ctx, at) == nil && ctx.Err() == nil {
			fire()
		}
	}()
}

// awaitToken waits for the callback of a task token, enforcing the heartbeat.
func (t *thread) awaitToken(ctx context.Context, w *tokenWait, heartbeat int64) (any, error) {
	e := t.x.e
	for {
		hctx, hcancel := context.WithCancel(ctx)
		hb := make(chan struct{})
		if heartbeat > 0 {
			t.watch(hctx, e.clock.Now().Add(time.Duration(heartbeat)*time.Second), func() { close(hb) })
		}
		select {
		case r := <-w.done:
			hcancel()
			if r.fail != nil {
				return nil, r.fail
			}
			return r.output, nil
		case <-w.heartbeat:
			hcancel()
			continue
		case <-hb:
			hcancel()
			return nil, errHeartbeatTimeout
		case <-ctx.Done():
			hcancel()
			return nil, context.Cause(ctx)
		}
	}
}
