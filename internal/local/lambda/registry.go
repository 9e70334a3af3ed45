package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
	"github.com/kiln-dev/kiln/internal/lambdaerr"
	"github.com/kiln-dev/kiln/internal/topology"
)

// Func is one in-process function: a JSON payload in, a JSON result out.
type Func func(ctx context.Context, payload []byte) ([]byte, error)

// ErrFunctionNotFound is returned for a function name or ARN nobody registered; its message
// reads like Lambda's ResourceNotFoundException.
var ErrFunctionNotFound = errors.New("ResourceNotFoundException: function not found")

// Handler adapts a handler method (func(ctx, In) (Out, error)) to a Func: the payload is
// decoded into In with encoding/json (a decoding error is returned as is, so it is named like
// the runtime names it, e.g. "UnmarshalTypeError"), and Out is encoded as the result.
func Handler[In, Out any](fn func(context.Context, In) (Out, error)) Func {
	return func(ctx context.Context, payload []byte) ([]byte, error) {
		var in In
		if len(payload) > 0 {
			if err := json.Unmarshal(payload, &in); err != nil {
				return nil, err
			}
		}
		out, err := fn(ctx, in)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(out)
		if err != nil {
			return nil, fmt.Errorf("encode result: %w", err)
		}
		return b, nil
	}
}

type function struct {
	short   topology.FunctionName // topology name (trigger)
	name    string                // full name kiln-<stage>-<short>
	arn     string
	timeout time.Duration
	fn      Func
}

// Options configure a [Registry].
type Options struct {
	// Env names the functions (kiln-<stage>-<short>) and builds their ARNs.
	Env topology.Env
	// Log receives async invocation failures and panics; nil means slog.Default().
	Log *slog.Logger
	// OnInvoke, when set, is called after every invocation of a registered function (sync
	// or async) with the function's full name, the payload, and the result or error. It runs
	// on the invoking goroutine: keep it quick.
	OnInvoke func(function string, payload, result []byte, err error)
	// Platform, when set, receives the platform events of every invocation, as Lambda writes
	// them to the function's log group: platform.start before the handler runs and
	// platform.report after it. It runs on the invoking goroutine: keep it quick.
	Platform func(PlatformEvent)
	// Clock stamps the platform events; nil is the wall clock.
	Clock func() time.Time
}

// PlatformEvent is one platform event of an invocation (Lambda's telemetry schema).
type PlatformEvent struct {
	// Function is the short name of the function (trigger).
	Function topology.FunctionName
	// Type is "platform.start" or "platform.report".
	Type      string
	RequestID string
	Time      time.Time
	// Duration is how long the handler ran, and Status how it ended ("success", "error",
	// "timeout"): set on platform.report.
	Duration time.Duration
	Status   string
}

// Registry maps function names and ARNs to in-process handlers. Create one with [New].
type Registry struct {
	opts  Options
	mu    sync.RWMutex
	funcs map[string]*function // by full name
	wg    sync.WaitGroup
}

// New returns an empty registry.
func New(opts Options) *Registry {
	if opts.Log == nil {
		opts.Log = slog.Default()
	}
	return &Registry{opts: opts, funcs: map[string]*function{}}
}

// Register adds the function short (a topology function name such as "trigger") with its
// handler; its timeout comes from the topology (30 s when short is not in it). Registering a
// name twice replaces the handler.
func (r *Registry) Register(short topology.FunctionName, fn Func) {
	timeout := 30 * time.Second
	if f, ok := topology.FunctionNamed(short); ok && f.TimeoutSeconds > 0 {
		timeout = time.Duration(f.TimeoutSeconds) * time.Second
	}
	full := topology.ResourceName(r.opts.Env.Stage, string(short))
	r.mu.Lock()
	r.funcs[full] = &function{short: short, name: full, arn: topology.FunctionARN(r.opts.Env, short), timeout: timeout, fn: fn}
	r.mu.Unlock()
}

// Names returns the full names of the registered functions, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.funcs))
	for n := range r.funcs {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// lookup resolves a function name, full ARN (with or without a qualifier) or partial ARN
// (account:function:name) to its function.
func (r *Registry) lookup(ref string) (*function, error) {
	name := ref
	if i := strings.Index(ref, ":function:"); i >= 0 {
		name = ref[i+len(":function:"):]
		if j := strings.IndexByte(name, ':'); j >= 0 {
			q := name[j+1:]
			if q != "$LATEST" {
				return nil, fmt.Errorf("invoke %s: %w (qualifier %q: only $LATEST exists locally)", ref, ErrFunctionNotFound, q)
			}
			name = name[:j]
		}
	}
	r.mu.RLock()
	f, ok := r.funcs[name]
	r.mu.RUnlock()
	if !ok {
		return nil, fmt.Errorf("invoke %s: %w", ref, ErrFunctionNotFound)
	}
	if strings.HasPrefix(ref, "arn:") && !strings.HasPrefix(ref, f.arn) {
		return nil, fmt.Errorf("invoke %s: %w (the account or region differs from %s)", ref, ErrFunctionNotFound, f.arn)
	}
	return f, nil
}

// Invoke runs the function named ref (name or ARN) with payload and returns its result. The
// handler's error is returned unchanged so [lambdaerr.Name] names it as the runtime would; a
// panic becomes an error named after the panic value's type, a timeout "Sandbox.Timedout".
func (r *Registry) Invoke(ctx context.Context, ref string, payload []byte) ([]byte, error) {
	f, err := r.lookup(ref)
	if err != nil {
		return nil, err
	}
	out, err := r.invoke(ctx, f, payload)
	if r.opts.OnInvoke != nil {
		r.opts.OnInvoke(f.name, payload, out, err)
	}
	return out, err
}

func (r *Registry) invoke(ctx context.Context, f *function, payload []byte) (out []byte, err error) {
	if len(payload) > 0 && !json.Valid(payload) {
		return nil, &messages.InvokeResponse_Error{Type: "InvalidRequestContentException", Message: "the payload of " + f.name + " is not JSON"}
	}
	// Each invocation has its own request id, in the handler's context as the Lambda runtime
	// puts it there, and in the platform events around it.
	lc := &lambdacontext.LambdaContext{AwsRequestID: intrinsic.NewUUID(), InvokedFunctionArn: f.arn}
	ctx = lambdacontext.NewContext(ctx, lc)
	start := r.now()
	r.platform(PlatformEvent{Function: f.short, Type: "platform.start", RequestID: lc.AwsRequestID, Time: start})
	defer func() {
		end := r.now()
		status := "success"
		var fe *messages.InvokeResponse_Error
		switch {
		case errors.As(err, &fe) && fe.Type == "Sandbox.Timedout":
			status = "timeout"
		case err != nil:
			status = "error"
		}
		r.platform(PlatformEvent{Function: f.short, Type: "platform.report", RequestID: lc.AwsRequestID, Time: end,
			Duration: end.Sub(start), Status: status})
	}()
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	type result struct {
		out []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			if v := recover(); v != nil {
				r.opts.Log.Error("lambda panic", "function", f.name, "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				name := "panic"
				if t := reflect.TypeOf(v); t != nil {
					name = t.String()
				}
				done <- result{err: &messages.InvokeResponse_Error{Type: name, Message: fmt.Sprint(v)}}
			}
		}()
		out, err := f.fn(ctx, payload)
		done <- result{out, err}
	}()
	select {
	case res := <-done:
		return res.out, res.err
	case <-ctx.Done():
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return nil, &messages.InvokeResponse_Error{Type: "Sandbox.Timedout",
				Message: fmt.Sprintf("Task timed out after %.2f seconds", f.timeout.Seconds())}
		}
		return nil, ctx.Err()
	}
}

func (r *Registry) now() time.Time {
	if r.opts.Clock != nil {
		return r.opts.Clock()
	}
	return time.Now()
}

func (r *Registry) platform(ev PlatformEvent) {
	if r.opts.Platform != nil {
		r.opts.Platform(ev)
	}
}

// InvokeAsync accepts an invocation (InvocationType Event) and runs it on its own goroutine;
// it fails only for an unknown function. A failure of the handler is logged, as Lambda would
// after its own retries. [Registry.Wait] waits for the accepted invocations.
func (r *Registry) InvokeAsync(ctx context.Context, ref string, payload []byte) error {
	f, err := r.lookup(ref)
	if err != nil {
		return err
	}
	r.wg.Add(1)
	go func() {
		defer r.wg.Done()
		if _, err := r.Invoke(context.WithoutCancel(ctx), f.name, payload); err != nil {
			r.opts.Log.Error("async invoke", "function", f.name, "errorType", lambdaerr.Name(err), "err", err)
		}
	}()
	return nil
}

// Wait blocks until every accepted async invocation has finished or ctx ends.
func (r *Registry) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() { r.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// StepFunctions adapts the registry to the engine's Lambda integration: the payload is
// encoded as JSON and the result decoded into a JSON value; an unknown function fails with
// Lambda.ResourceNotFoundException, as Step Functions reports it.
func (r *Registry) StepFunctions() func(ctx context.Context, function string, payload any) (any, error) {
	return func(ctx context.Context, function string, payload any) (any, error) {
		b, err := json.Marshal(payload)
		if err != nil {
			return nil, fmt.Errorf("encode payload of %s: %w", function, err)
		}
		out, err := r.Invoke(ctx, function, b)
		if errors.Is(err, ErrFunctionNotFound) {
			// Step Functions reports Lambda's own API errors as Lambda.<Exception>.
			return nil, asl.Fail("Lambda.ResourceNotFoundException", err.Error())
		}
		if err != nil {
			return nil, err
		}
		if len(out) == 0 {
			return nil, nil
		}
		var v any
		if err := json.Unmarshal(out, &v); err != nil {
			return nil, fmt.Errorf("decode result of %s: %w", function, err)
		}
		return v, nil
	}
}
