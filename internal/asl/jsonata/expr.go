package jsonata

import (
	"errors"
	"time"
)

var errNotImplemented = errors.New("not implemented")

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
	src string
}

// Template reports whether s is a JSONata template, a string that starts with "{%" and ends
// with "%}", and returns the expression between the delimiters with surrounding white space
// removed.
func Template(s string) (expr string, ok bool) {
	return "", false
}

// Compile parses a JSONata expression. A syntax error is returned as an *Error.
func Compile(expr string) (*Expr, error) {
	return nil, &Error{Expr: expr, Err: errNotImplemented}
}

// String returns the expression text.
func (e *Expr) String() string { return e.src }

// Eval evaluates the expression with $states bound to states (a map with input, result,
// errorOutput and context as the state's phase provides) and each entry of vars bound as
// $name, using the default clock and randomness. It returns a plain JSON value
// (map[string]any, []any, string, float64, bool or nil). An undefined result gives an *Error
// wrapping ErrUndefined. Safe for concurrent use.
func (e *Expr) Eval(states any, vars map[string]any) (any, error) {
	return e.EvalWith(states, vars, Sources{})
}

// EvalWith is like Eval but takes the clock and randomness from src.
func (e *Expr) EvalWith(states any, vars map[string]any, src Sources) (any, error) {
	return nil, &Error{Expr: e.src, Err: errNotImplemented}
}
