package jsonata

import (
	"errors"
	"fmt"
	"maps"
	"reflect"
	"sync"
	"time"

	jsonatago "github.com/blues/jsonata-go"
)

// Sources supplies the clock and randomness of an evaluation: $now and $millis, $random
// without a seed, and $uuid. A zero Sources uses time.Now, math/rand/v2 and crypto/rand.
// The funcs must be safe for concurrent use when one Sources is shared.
type Sources struct {
	// Now returns the current time.
	Now func() time.Time
	// Float64 returns a uniformly distributed number in [0, 1).
	Float64 func() float64
	// UUID returns a random version 4 UUID in its canonical lower-case text form.
	UUID func() string
}

// Expr is a compiled JSONata expression, immutable and safe for concurrent Eval.
type Expr struct {
	src      string
	compiled *jsonatago.Expr
}

// cache holds compiled expressions by text; it stops growing at cacheLimit entries.
var (
	cache      sync.Map
	cacheSize  int
	cacheMu    sync.Mutex
	cacheLimit = 10_000
)

// Compile parses a JSONata expression (the text inside {% %}). A syntax error is returned as
// an *Error. Compiled expressions are cached by text, so compiling the same text again is
// cheap and returns the same *Expr. Safe for concurrent use.
func Compile(expr string) (*Expr, error) {
	if e, ok := cache.Load(expr); ok {
		return e.(*Expr), nil
	}
	c, err := compileRecover(expr)
	if err != nil {
		return nil, &Error{Expr: expr, Message: err.Error(), Err: err}
	}
	e := &Expr{src: expr, compiled: c}
	cacheMu.Lock()
	if cacheSize < cacheLimit {
		if prev, loaded := cache.LoadOrStore(expr, e); loaded {
			e = prev.(*Expr)
		} else {
			cacheSize++
		}
	}
	cacheMu.Unlock()
	return e, nil
}

// String returns the expression text.
func (e *Expr) String() string { return e.src }

// Bindings are what an evaluation sees besides the expression: $states, the Variables, and the
// functions AWS adds, with the clock read once when they are made. Making them converts the
// values once, so a state that evaluates several fields can share one Bindings. Immutable and
// safe for concurrent use.
type Bindings struct {
	registry map[string]reflect.Value
}

// NewBindings binds states as $states and every entry of vars as $name, with the clock and
// randomness of src. The values must be plain JSON values; they are not modified. A variable
// named "states" is shadowed by $states, as AWS reserves that name.
func NewBindings(states any, vars map[string]any, src Sources) *Bindings {
	r := maps.Clone(baseRegistry)
	t := time.Now()
	if src.Now != nil {
		t = src.Now()
	}
	now, millis := clockFuncs(t)
	r["now"] = reflect.ValueOf(now)
	r["millis"] = reflect.ValueOf(millis)
	if src.Float64 != nil || src.UUID != nil {
		r["random"] = reflect.ValueOf(randomFunc(src))
		r["uuid"] = reflect.ValueOf(uuidFunc(src))
	}
	for k, v := range vars {
		r[k] = reflect.ValueOf(toJSONata(v))
	}
	r["states"] = reflect.ValueOf(toJSONata(states))
	return &Bindings{registry: r}
}

// baseRegistry holds the functions every evaluation sees; NewBindings copies it.
var baseRegistry = func() map[string]reflect.Value {
	r := make(map[string]reflect.Value, len(staticFunctions)+8)
	for k, v := range staticFunctions {
		r[k] = v
	}
	r["random"], r["uuid"] = defaultRandom, defaultUUID
	return r
}()

// MaxRecursion is how deeply JSONata function calls may nest before the evaluation fails with
// U1001. It stops runaway recursion long before the Go stack is exhausted; AWS's own limit is
// lower (it refuses a non-tail-recursive function about 32 calls deep).
const MaxRecursion = 10_000

// Eval evaluates the expression with $states bound to states (a map with input, result,
// errorOutput and context as the state's phase provides) and each entry of vars bound as
// $name, using the default clock and randomness. It returns a plain JSON value
// (map[string]any, []any, string, float64, bool or nil) which may share unchanged parts with
// states and vars, so treat both as immutable. An undefined result gives an *Error wrapping
// ErrUndefined; a failed evaluation an *Error with jsonata-js's code. Safe for concurrent
// use; evaluations run concurrently.
func (e *Expr) Eval(states any, vars map[string]any) (any, error) {
	return e.EvalBindings(NewBindings(states, vars, Sources{}))
}

// EvalWith is like Eval but takes the clock and randomness from src.
func (e *Expr) EvalWith(states any, vars map[string]any, src Sources) (any, error) {
	return e.EvalBindings(NewBindings(states, vars, src))
}

// EvalBindings evaluates the expression against prepared bindings; see Eval.
func (e *Expr) EvalBindings(b *Bindings) (result any, err error) {
	v, err := evalRecover(e.compiled, b.registry)
	if errors.Is(err, jsonatago.ErrUndefined) {
		return nil, &Error{Expr: e.src, Undefined: true}
	}
	if err != nil {
		return nil, evalError(e.src, err)
	}
	out, err := fromJSONata(v)
	if err != nil {
		return nil, &Error{Expr: e.src, Message: err.Error(), Err: err}
	}
	return out, nil
}

// compileRecover compiles expr, turning a panic inside jsonata-go's parser (it has slice
// bounds bugs on some malformed input) into an error.
func compileRecover(expr string) (c *jsonatago.Expr, err error) {
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, fmt.Errorf("syntax error: the parser failed on this expression (%v)", r)
		}
	}()
	return jsonatago.Compile(expr)
}

// evalRecover runs the evaluation, turning a panic inside jsonata-go into an error so that one
// bad expression cannot bring the engine down.
func evalRecover(c *jsonatago.Expr, registry map[string]reflect.Value) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("jsonata-go panicked: %v", r)
		}
	}()
	return c.EvalWithOptions(nil, jsonatago.EvalOptions{Bindings: registry, MaxDepth: MaxRecursion})
}
