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
	st := f.st
	x := t.x
	var eff any
	var fl *failure
	if !st.jsonata {
		if eff, fl = f.inputPath(raw); fl != nil {
			return failed(fl)
		}
	}
	timeout, fl := f.limit(n.timeoutSeconds, n.timeoutPath, n.timeoutExpr, eff, raw, "TimeoutSeconds")
	if fl != nil {
		return failed(fl)
	}
	heartbeat, fl := f.limit(n.heartbeatSeconds, n.heartbeatPath, n.heartbeatExpr, eff, raw, "HeartbeatSeconds")
	if fl != nil {
		return failed(fl)
	}
	var wait *tokenWait
	if n.pattern == PatternWaitForTaskToken {
		if resume != nil && resume.TaskToken != "" {
			wait = x.e.registerToken(resume.TaskToken)
		} else {
			wait = x.e.newToken(x)
		}
		f.token = wait.token
		f.ctxCache = nil
		defer x.e.dropToken(wait.token)
	}
	// Parameters / Arguments.
	var params any
	if st.jsonata {
		params = raw
		if st.arguments != nil {
			v, err := st.arguments.eval(f.jsScope(raw))
			if err != nil {
				return failed(asFailure(err))
			}
			params = v
		}
	} else {
		params = eff
		if st.parameters != nil {
			v, err := st.parameters.eval(f.scope(eff))
			if err != nil {
				return failed(asFailure(err))
			}
			params = v
		}
	}
	var creds any
	if n.credentials != nil {
		sc := f.scope(eff)
		if st.jsonata {
			sc = f.jsScope(raw)
		}
		v, err := n.credentials.eval(sc)
		if err != nil {
			return failed(asFailure(err))
		}
		creds = v
	}

	rtype, rname := resourceNames(n)
	lambdaFn := n.resourceKey == "lambda:function"
	evName := func(kind string) string {
		if lambdaFn {
			return "LambdaFunction" + kind
		}
		return "Task" + kind
	}
	ev := func(kind string) Event {
		e := Event{Type: evName(kind)}
		if !lambdaFn {
			e.Resource, e.ResourceType = rname, rtype
		}
		return e
	}
	resuming := resume != nil && resume.TaskToken != ""
	start := x.e.clock.Now()
	if resuming {
		start = resume.EnteredTime
	}
	if !resuming {
		sched := ev("Scheduled")
		if lambdaFn {
			sched.Resource = n.resource
			sched.Input, sched.HasInput = params, true
		} else {
			sched.Parameters = params
			if sched.Parameters == nil {
				sched.Parameters = map[string]any{}
			}
		}
		sched.TimeoutSeconds, sched.HeartbeatSeconds = timeout, heartbeat
		if !lambdaFn {
			sched.Region = x.e.opts.Region
		}
		t.emit(sched)
		t.emit(ev("Started"))
	}

	// The attempt's context ends at the task timeout (on the execution's clock).
	tctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var deadline time.Time
	if timeout > 0 {
		deadline = start.Add(time.Duration(timeout) * time.Second)
		t.watch(tctx, deadline, func() { cancel(errTaskTimeout) })
	}

	var result any
	var err error
	if !resuming {
		req := &TaskRequest{
			Resource: n.resource, Key: n.resourceKey, Pattern: n.pattern, Parameters: params,
			Context: f.contextObject(), ExecutionARN: x.arn, StateMachineARN: x.smARN, StateName: st.name,
			Attempt: f.retryCount, TimeoutSeconds: timeout, HeartbeatSeconds: heartbeat, Credentials: creds,
			Clock: x.e.clock, Engine: x.e,
		}
		if wait != nil {
			req.TaskToken = wait.token
		}
		req.idle = func() func() {
			x.e.end()
			return x.e.begin
		}
		result, err = x.e.opts.Resources.invoke(tctx, req)
		if tctx.Err() != nil && ctx.Err() == nil {
			err = context.Cause(tctx)
		}
	}
	if err == nil && wait != nil {
		if !resuming {
			// The integration's own answer (for example SQS SendMessage's) is the
			// TaskSubmitted output; the task's result is the callback's.
			sub := ev("Submitted")
			sub.Output, sub.HasOutput = result, true
			if result == nil {
				sub.Output = map[string]any{}
			}
			t.emit(sub)
		}
		if t.top && x.wantsCheckpoints() {
			cp := t.checkpointFor(f, raw, attempts, wait.token)
			cp.TaskDeadline = deadline
			x.checkpoint(cp)
		}
		result, err = t.awaitToken(tctx, wait, heartbeat)
		if tctx.Err() != nil && ctx.Err() == nil && !errors.Is(err, errHeartbeatTimeout) {
			err = context.Cause(tctx)
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			return failed(errAborted)
		}
		var tf *failure
		switch {
		case errors.Is(err, errTaskTimeout):
			tf = &failure{name: ErrTimeout}
			e := ev("TimedOut")
			e.Error = tf.name
			t.emit(e)
			return failed(tf)
		case errors.Is(err, errHeartbeatTimeout):
			tf = &failure{name: ErrHeartbeatTimeout}
			e := ev("TimedOut")
			e.Error = tf.name
			t.emit(e)
			return failed(tf)
		}
		if strings.HasPrefix(n.resourceKey, "lambda:") && !isEngineFailure(err) {
			tf = asFailure(LambdaError(err))
		} else {
			tf = asFailure(err)
		}
		e := ev("Failed")
		e.Error, e.Cause = tf.name, tf.cause
		t.emit(e)
		return failed(tf)
	}
	if jsonSizeOver(result, maxPayloadBytes) {
		name := n.resource
		if !lambdaFn {
			name = rtype
		}
		tf := &failure{name: ErrDataLimitExceeded, cause: "The state/task '" + name + "' returned a result with a size exceeding the maximum number of bytes service limit."}
		e := ev("Failed")
		e.Error, e.Cause = tf.name, tf.cause
		t.emit(e)
		return failed(tf)
	}
	succ := ev("Succeeded")
	succ.Output, succ.HasOutput = result, true
	t.emit(succ)
	if st.jsonata {
		out, assigned, fl := t.finishJSONata(f, raw, result, "result", result)
		return outcome{out: out, next: st.next, assigned: assigned, fail: fl}
	}
	out, assigned, fl := t.finishJSONPath(f, raw, result, true)
	return outcome{out: out, next: st.next, assigned: assigned, fail: fl}
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
