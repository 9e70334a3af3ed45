package asl

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kiln-dev/kiln/internal/arn"

	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
	"github.com/kiln-dev/kiln/internal/asl/jsonvalue"
	"github.com/kiln-dev/kiln/internal/clock"
)

// Options configure an [Engine]. The zero value runs on the wall clock with no resources.
type Options struct {
	// Resources resolves Task resources; nil means none (every Task fails).
	Resources *Resources
	// Clock is the time source; nil means clock.Wall.
	Clock clock.Clock
	// Seed seeds each execution's randomness (retry jitter, generated names, task tokens),
	// mixed with the execution ARN, so runs are reproducible; 0 means a random seed.
	Seed uint64
	// Region and Account build default ARNs; empty means "us-east-1" and "123456789012".
	Region, Account string
	// Partition is the ARN partition; empty means "aws".
	Partition string
	// Observer receives the events and checkpoints of every execution (in addition to any
	// per-execution observer).
	Observer *Observer
	// NoHistory stops the engine from keeping history in memory ([Execution.History] is then
	// empty); observers still receive every event.
	NoHistory bool
}

// Engine runs executions and owns their task tokens. Safe for concurrent use.
type Engine struct {
	opts  Options
	clock clock.Clock
	track clock.Tracker
	seed  uint64
	// defaultSM and defaultRole are the ARNs used when StartInput gives none.
	defaultSM, defaultRole string
	mu                     sync.Mutex
	tokens                 map[string]*tokenWait
	// tokenWatch holds, per token no task waits for yet, the channels WaitToken closes when one does.
	tokenWatch map[string][]chan struct{}
	// lastARN is the execution ARN derived last, reused when the next execution has the same
	// machine and name (a batch of cases run under one name derives it once).
	lastARN atomic.Pointer[derivedARN]
}

// derivedARN is an execution ARN and the machine ARN and name it was derived from.
type derivedARN struct{ sm, name, arn string }

// executionARN returns the ARN of execution name of machine sm.
func (e *Engine) executionARN(sm, name string) string {
	if d := e.lastARN.Load(); d != nil && d.sm == sm && d.name == name {
		return d.arn
	}
	a := arn.Execution(sm, name)
	e.lastARN.Store(&derivedARN{sm: sm, name: name, arn: a})
	return a
}

// NewEngine returns an engine with the given options.
func NewEngine(opts Options) *Engine {
	e := &Engine{opts: opts, tokens: map[string]*tokenWait{}, tokenWatch: map[string][]chan struct{}{}}
	e.clock = opts.Clock
	if e.clock == nil {
		e.clock = clock.Wall{}
	}
	e.track, _ = e.clock.(clock.Tracker)
	if e.opts.Region == "" {
		e.opts.Region = "us-east-1"
	}
	if e.opts.Account == "" {
		e.opts.Account = "123456789012"
	}
	if e.opts.Partition == "" {
		e.opts.Partition = "aws"
	}
	e.defaultSM = fmt.Sprintf("arn:%s:states:%s:%s:stateMachine:machine", e.opts.Partition, e.opts.Region, e.opts.Account)
	e.defaultRole = fmt.Sprintf("arn:%s:iam::%s:role/StepFunctionsRole", e.opts.Partition, e.opts.Account)
	e.seed = opts.Seed
	if e.seed == 0 {
		var b [8]byte
		_, _ = rand.Read(b[:])
		for _, c := range b {
			e.seed = e.seed<<8 | uint64(c)
		}
	}
	return e
}

// Clock returns the engine's clock.
func (e *Engine) Clock() clock.Clock { return e.clock }

func (e *Engine) begin() {
	if e.track != nil {
		e.track.Begin()
	}
}

func (e *Engine) end() {
	if e.track != nil {
		e.track.End()
	}
}

// Execution is one running or finished execution. Its methods are safe for concurrent use.
type Execution struct {
	// order records object key order when the machine needs it (see keyOrder); nil otherwise.
	order *keyOrder
	// spare is an emptied key-order record kept by a recycled execution for its next use.
	spare   *keyOrder
	e       *Engine
	m       *Machine
	arn     string
	name    string
	smARN   string
	smName  string
	roleARN string
	input   any
	inRaw   []byte
	start   time.Time
	// redriveCount and redriveTime are $$.Execution.RedriveCount and RedriveTime: how many
	// times the execution was redriven and when last (zero before its first redrive).
	redriveCount int
	redriveTime  time.Time

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	obs    []*Observer

	mu       sync.Mutex
	status   Status
	output   any
	errName  string
	cause    string
	stopDate time.Time
	stopErr  *failure
	events   []Event
	// lastID is the id of the last event; it is atomic so a quiet execution numbers its
	// events without taking mu (it is still only changed under mu otherwise).
	lastID   atomic.Int64
	rng      *mrand.Rand
	seed     uint64
	timedOut bool
	// quiet is set when no history is kept and nobody observes: events are only counted.
	quiet bool
	// root is the thread of the top-level states.
	root thread
	// decodeBufs are the input decoder's buffers, kept by a recycled execution for its next use.
	decodeBufs decodeBufs
	// watched is set once a goroutine has been started that may touch the execution after it
	// ends (a timeout or heartbeat watch); such an execution is never recycled.
	watched atomic.Bool
}

// execPool holds executions RunAppend has finished with, to be reused by the next: a batch of
// small executions otherwise spends much of its time allocating and collecting them.
var execPool sync.Pool

// recycle returns x to execPool when nothing can still reach it: RunAppend never hands x out,
// a quiet execution has no observer that could keep it and no history, and no watch goroutine
// was started that could still touch it. Its key-order record is kept, emptied, for reuse.
func (x *Execution) recycle() {
	if !x.quiet || x.watched.Load() {
		return
	}
	order := x.order // the execution's own record, never the machine's
	bufs := x.decodeBufs
	*x = Execution{}
	if order != nil {
		// Emptied first: the recorded key lists are slices of bufs' arena.
		order.reset()
		x.spare = order
	}
	x.decodeBufs = bufs.emptied()
	execPool.Put(x)
}

// ARN returns the execution ARN.
func (x *Execution) ARN() string { return x.arn }

// Name returns the execution name.
func (x *Execution) Name() string { return x.name }

// StateMachineARN returns the ARN of the machine the execution runs.
func (x *Execution) StateMachineARN() string { return x.smARN }

// Input returns the execution input JSON.
func (x *Execution) Input() []byte { return x.inRaw }

// StartDate returns when the execution started.
func (x *Execution) StartDate() time.Time { return x.start }

// Done returns a channel closed when the execution has finished.
func (x *Execution) Done() <-chan struct{} { return x.done }

// Status returns the current status.
func (x *Execution) Status() Status {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.status
}

// Result returns the execution's current result (Status RUNNING while it runs).
func (x *Execution) Result() Result {
	r, out := x.appendResult(make([]byte, 0, 64))
	if len(out) > 0 {
		r.Output = out
	}
	return r
}

// appendResult returns the execution's current result without its Output and, when it
// succeeded, appends the output as JSON text to dst (left as it is if the output cannot be
// encoded).
func (x *Execution) appendResult(dst []byte) (Result, []byte) {
	x.mu.Lock()
	defer x.mu.Unlock()
	r := Result{Status: x.status, Error: x.errName, Cause: x.cause, StartDate: x.start, StopDate: x.stopDate}
	if x.status == StatusSucceeded {
		if out, err := jsonvalue.Append(dst, x.output); err == nil {
			dst = out
		}
	}
	return r, dst
}

// Wait blocks until the execution finishes or ctx ends, and returns its result.
func (x *Execution) Wait(ctx context.Context) (Result, error) {
	select {
	case <-x.done:
		return x.Result(), nil
	case <-ctx.Done():
		return x.Result(), fmt.Errorf("wait for execution %s: %w", x.name, ctx.Err())
	}
}

// History returns a copy of the events recorded so far (empty with Options.NoHistory).
func (x *Execution) History() []Event {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]Event(nil), x.events...)
}

// Stop aborts a running execution with the given error and cause, as StopExecution does; the
// status becomes ABORTED. It returns false when the execution had already finished.
func (x *Execution) Stop(errName, cause string) bool {
	x.mu.Lock()
	if x.status != StatusRunning || x.stopErr != nil {
		x.mu.Unlock()
		return false
	}
	x.stopErr = &failure{name: errName, cause: cause}
	x.mu.Unlock()
	x.cancel()
	return true
}

// emit appends an event after prev and reports it to the observers; it returns its id.
func (x *Execution) emit(ev Event, prev int64) int64 {
	if x.quiet { // set before the execution starts, never changed
		return x.lastID.Add(1)
	}
	x.mu.Lock()
	ev.ID = x.lastID.Add(1)
	ev.PreviousEventID = prev
	ev.Timestamp = x.e.clock.Now()
	if !x.e.opts.NoHistory {
		x.events = append(x.events, ev)
	}
	for _, o := range x.obs {
		if o.Event != nil {
			o.Event(x, ev)
		}
	}
	x.mu.Unlock()
	return ev.ID
}

// checkpoint reports cp to the observers that want checkpoints.
func (x *Execution) wantsCheckpoints() bool {
	for _, o := range x.obs {
		if o.Checkpoint != nil {
			return true
		}
	}
	return false
}

func (x *Execution) checkpoint(cp Checkpoint) {
	x.mu.Lock()
	defer x.mu.Unlock()
	cp.ExecutionARN, cp.StateMachineARN, cp.Name = x.arn, x.smARN, x.name
	cp.ExecutionInput, cp.StartTime = x.inRaw, x.start
	cp.RedriveCount, cp.RedriveTime = x.redriveCount, x.redriveTime
	if ts := x.m.timeoutSeconds; ts > 0 {
		cp.ExecutionDeadline = x.start.Add(time.Duration(ts) * time.Second)
	}
	if cp.LastEventID == 0 {
		cp.LastEventID = x.lastID.Load()
	}
	for _, o := range x.obs {
		if o.Checkpoint != nil {
			o.Checkpoint(x, cp)
		}
	}
}

// random returns a number in [0,1) from the execution's seeded source.
func (x *Execution) random() float64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.rand().Float64()
}

// rand returns the execution's seeded source, creating it on first use; x.mu must be held.
func (x *Execution) rand() *mrand.Rand {
	if x.rng == nil {
		x.rng = mrand.New(mrand.NewPCG(x.seed, x.seed^0x9e3779b97f4a7c15))
	}
	return x.rng
}

// intN returns an integer in [0,n) from the execution's seeded source.
func (x *Execution) intN(n int64) int64 {
	x.mu.Lock()
	defer x.mu.Unlock()
	return x.rand().Int64N(n)
}

// uuid returns a version 4 UUID from the execution's seeded source.
func (x *Execution) uuid() string {
	x.mu.Lock()
	var b [16]byte
	for i := 0; i < 16; i += 8 {
		v := x.rand().Uint64()
		for j := 0; j < 8; j++ {
			b[i+j] = byte(v >> (8 * j))
		}
	}
	x.mu.Unlock()
	return intrinsic.FormatUUID(b)
}

// Start starts an execution of m and returns at once; the execution runs on its own
// goroutines until it finishes, ctx ends (ABORTED), or Stop is called. Bad input (not JSON)
// is rejected with an error and nothing starts.
func (e *Engine) Start(ctx context.Context, m *Machine, in StartInput) (*Execution, error) {
	x, err := e.newExecution(ctx, m, in)
	if err != nil {
		return nil, err
	}
	e.begin()
	go func() {
		defer e.end()
		x.run(nil)
	}()
	return x, nil
}

// Run runs an execution to its end on the calling goroutine and returns its result.
func (e *Engine) Run(ctx context.Context, m *Machine, in StartInput) (*Execution, Result, error) {
	x, err := e.newExecution(ctx, m, in)
	if err != nil {
		return nil, Result{}, err
	}
	e.begin()
	x.run(nil)
	e.end()
	return x, x.Result(), nil
}

// RunAppend is Run for a caller that keeps only the outcome and wants the output as JSON
// text in a buffer of its own: the result's Output is nil and, when the execution succeeded,
// the output is appended to dst (what Result().Output would hold), which is returned.
func (e *Engine) RunAppend(ctx context.Context, m *Machine, in StartInput, dst []byte) (Result, []byte, error) {
	reuse, _ := execPool.Get().(*Execution)
	x, err := e.newExecutionIn(ctx, m, in, reuse)
	if err != nil {
		return Result{}, dst, err
	}
	e.begin()
	x.run(nil)
	e.end()
	r, dst := x.appendResult(dst)
	x.recycle()
	return r, dst, nil
}

// Resume continues an execution from a checkpoint taken by an earlier process: it re-enters
// cp.State with cp.Input and cp.Variables and carries on numbering history after
// cp.LastEventID; a task that was waiting for cp.TaskToken waits for that token again (the
// resource is not invoked again). in supplies the observer; its Name, Input and ARNs are
// taken from cp when empty.
func (e *Engine) Resume(ctx context.Context, m *Machine, cp Checkpoint, in StartInput) (*Execution, error) {
	if _, ok := m.top.states[cp.State]; !ok {
		return nil, fmt.Errorf("resume execution %s: state %q is not in the machine", cp.Name, cp.State)
	}
	if in.Name == "" {
		in.Name = cp.Name
	}
	if len(in.Input) == 0 {
		in.Input = cp.ExecutionInput
	}
	if in.ExecutionARN == "" {
		in.ExecutionARN = cp.ExecutionARN
	}
	if in.StateMachineARN == "" {
		in.StateMachineARN = cp.StateMachineARN
	}
	x, err := e.newExecution(ctx, m, in)
	if err != nil {
		return nil, err
	}
	if !cp.StartTime.IsZero() {
		x.start = cp.StartTime
	}
	x.redriveCount, x.redriveTime = cp.RedriveCount, cp.RedriveTime
	x.lastID.Store(cp.LastEventID)
	e.begin()
	go func() {
		defer e.end()
		x.run(&cp)
	}()
	return x, nil
}

func (e *Engine) newExecution(ctx context.Context, m *Machine, in StartInput) (*Execution, error) {
	x, err := e.newExecutionIn(ctx, m, in, nil)
	if err != nil {
		return nil, err
	}
	x.done = make(chan struct{})
	return x, nil
}

// newExecutionIn is newExecution building the execution in reuse (an emptied recycled one)
// when it is not nil, and without the done channel: RunAppend's executions are waited for by
// nobody.
func (e *Engine) newExecutionIn(ctx context.Context, m *Machine, in StartInput, reuse *Execution) (*Execution, error) {
	if m == nil {
		return nil, errors.New("start execution: machine is nil")
	}
	raw := in.Input
	if len(strings.TrimSpace(string(raw))) == 0 {
		raw = []byte("{}")
	}
	var order *keyOrder
	if m.keyOrder != nil {
		if reuse != nil && reuse.spare != nil {
			order = reuse.spare
			order.init(m.keyOrder)
		} else {
			order = newKeyOrder(m.keyOrder, 0)
		}
	}
	var bufs *decodeBufs
	if reuse != nil {
		bufs = &reuse.decodeBufs
	}
	input, err := decodeJSONWith(raw, order, bufs)
	if err != nil {
		return nil, fmt.Errorf("start execution %s: %s: invalid input: %w", in.Name, ErrInvalidExecutionInput, err)
	}
	if len(raw) > maxPayloadBytes {
		return nil, fmt.Errorf("start execution %s: %s: the input is larger than %d bytes", in.Name, ErrInvalidExecutionInput, maxPayloadBytes)
	}
	x := reuse
	if x == nil {
		x = &Execution{}
	}
	x.spare = nil
	x.e, x.m, x.input, x.inRaw, x.roleARN, x.status, x.order = e, m, input, raw, in.RoleARN, StatusRunning, order
	x.smARN = in.StateMachineARN
	if x.smARN == "" {
		x.smARN = e.defaultSM
	}
	x.smName = x.smARN[strings.LastIndexByte(x.smARN, ':')+1:]
	seed := e.seed
	for _, part := range [...]string{in.Name, in.ExecutionARN, x.smARN} {
		for i := 0; i < len(part); i++ {
			seed = seed*1099511628211 + uint64(part[i])
		}
		seed = seed*1099511628211 + '|'
	}
	x.seed = seed
	x.name = in.Name
	if x.name == "" {
		x.name = x.uuid()
	}
	x.arn = in.ExecutionARN
	if x.arn == "" {
		x.arn = e.executionARN(x.smARN, x.name)
	}
	if x.roleARN == "" {
		x.roleARN = e.defaultRole
	}
	x.start = e.clock.Now()
	if e.opts.Observer != nil {
		x.obs = append(x.obs, e.opts.Observer)
	}
	if in.Observer != nil {
		x.obs = append(x.obs, in.Observer)
	}
	x.quiet = e.opts.NoHistory && len(x.obs) == 0
	x.ctx, x.cancel = context.WithCancel(ctx)
	return x, nil
}

// marshalJSON encodes v compactly without HTML escaping, keys sorted, as Step Functions
// prints a payload.
func marshalJSON(v any) ([]byte, error) {
	return jsonvalue.Append(make([]byte, 0, 64), v)
}
