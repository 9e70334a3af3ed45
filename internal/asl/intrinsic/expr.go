package intrinsic

import "errors"

// errNotImplemented marks parts of the package still being written.
var errNotImplemented = errors.New("not implemented")

// Lookup resolves one path argument exactly as written in the expression ("$.a.b",
// "$$.Execution.Id", "$", "$myVar.x") to a plain JSON value. Errors it returns are passed
// back from Eval unchanged, so the caller keeps control of their name and cause.
type Lookup func(path string) (any, error)

// Sources supplies the randomness of States.MathRandom (without a seed) and States.UUID.
// A zero Sources uses math/rand/v2 and crypto/rand. Both funcs must be safe for concurrent
// use when one Sources is shared by concurrent evaluations.
type Sources struct {
	// IntN returns a uniformly distributed integer in [0, n) for n > 0.
	IntN func(n int64) int64
	// UUID returns a random version 4 UUID in its canonical lower-case text form.
	UUID func() string
}

// Expr is a parsed intrinsic function call. It is immutable after Parse and safe for
// concurrent use.
type Expr struct {
	src  string
	root *Call
}

// IsIntrinsic reports whether s, the value of a ".$" field, is an intrinsic function call
// (it begins with "States." and a function name followed by "(") rather than a path.
// It does not check the rest of the syntax: Parse does.
func IsIntrinsic(s string) bool {
	return false
}

// Parse parses an intrinsic function call such as "States.Format('Hello {}', $.name)".
// A malformed expression or an unknown function gives a *SyntaxError with the offset of the
// problem.
func Parse(expr string) (*Expr, error) {
	return nil, &SyntaxError{Expr: expr, Msg: errNotImplemented.Error()}
}

// MustParse is like Parse but panics on error; it is meant for tests and constants.
func MustParse(expr string) *Expr {
	e, err := Parse(expr)
	if err != nil {
		panic(err)
	}
	return e
}

// String returns the expression text as it was parsed.
func (e *Expr) String() string { return e.src }

// Root returns the outermost call of the expression.
func (e *Expr) Root() *Call { return e.root }

// Paths returns every path argument of the expression, nested calls included, in order of
// appearance; a validator can use it to check the paths before any execution.
func (e *Expr) Paths() []string {
	return nil
}

// Eval evaluates the expression, resolving path arguments with lookup and using the default
// sources of randomness. It returns a plain JSON value or an error: an *Error named
// "States.IntrinsicFailure" for an evaluation failure, or whatever lookup returned.
// Safe for concurrent use.
func (e *Expr) Eval(lookup Lookup) (any, error) {
	return e.EvalWith(lookup, Sources{})
}

// EvalWith is like Eval but takes the randomness States.MathRandom and States.UUID use from src.
func (e *Expr) EvalWith(lookup Lookup, src Sources) (any, error) {
	return nil, &Error{Cause: errNotImplemented.Error()}
}
