package intrinsic

// Lookup resolves one path argument exactly as written in the expression ("$.a.b",
// "$$.Execution.Id", "$", "$myVar.x") to a plain JSON value. Errors it returns are passed
// back from Eval unchanged, so the caller keeps control of their name and cause.
type Lookup func(path string) (any, error)

// Sources supplies what an evaluation takes from its surroundings: the randomness of
// States.MathRandom (without a seed) and States.UUID, and the key order of JSON objects for
// States.JsonToString and States.Format. A zero Sources uses math/rand/v2, crypto/rand and
// sorted keys. The funcs must be safe for concurrent use when one Sources is shared by
// concurrent evaluations.
type Sources struct {
	// IntN returns a uniformly distributed integer in [0, n) for n > 0.
	IntN func(n int64) int64
	// UUID returns a random version 4 UUID in its canonical lower-case text form.
	UUID func() string
	// Keys returns the keys of an object in document order, as AWS writes them. Plain Go maps
	// keep no order, so a caller that records it (at decode time, say) supplies it here;
	// nil sorts the keys.
	Keys func(m map[string]any) []string
	// Double reports whether member key (index in an array, key "") of container was written
	// in floating-point form (1.0, 2e3) where it came from, so States.JsonToString writes it as
	// Java does (1.0, 2000.0); nil reports none, and integral numbers print as integers.
	Double func(container any, key string, index int) bool
	// DoublePath is Double for a number a path argument selects, by the path as written.
	DoublePath func(path string) bool
}

// Expr is a parsed intrinsic function call. It is immutable after Parse and safe for
// concurrent use.
type Expr struct {
	src  string
	root *Call
}

// String returns the expression text as it was parsed.
func (e *Expr) String() string { return e.src }

// Root returns the outermost call of the expression.
func (e *Expr) Root() *Call { return e.root }

// Paths returns every path argument of the expression, nested calls included, in order of
// appearance; a validator can use it to check the paths before any execution.
func (e *Expr) Paths() []string {
	var out []string
	var walk func(c *Call)
	walk = func(c *Call) {
		for _, a := range c.Args {
			switch a := a.(type) {
			case *Path:
				out = append(out, a.Path)
			case *Call:
				walk(a)
			}
		}
	}
	walk(e.root)
	return out
}

// Eval evaluates the expression, resolving path arguments with lookup and using the default
// sources of randomness. It returns a plain JSON value (numbers as float64) or an error: an
// *Error named "States.Runtime" for an evaluation failure, or whatever lookup
// returned. Arguments are evaluated left to right, nested calls first. Safe for concurrent use.
func (e *Expr) Eval(lookup Lookup) (any, error) {
	return e.EvalWith(lookup, Sources{})
}

// EvalWith is like Eval but takes the randomness States.MathRandom and States.UUID use from src.
func (e *Expr) EvalWith(lookup Lookup, src Sources) (any, error) {
	return evaluator{lookup: lookup, src: src}.call(e.root)
}

type evaluator struct {
	lookup Lookup
	src    Sources
}

func (ev evaluator) call(c *Call) (any, error) {
	args := make([]any, len(c.Args))
	for i, a := range c.Args {
		v, err := ev.value(c.Name, a)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	return c.fn(ev.src, c, args)
}

func (ev evaluator) value(fn string, n Node) (any, error) {
	switch n := n.(type) {
	case *Call:
		return ev.call(n)
	case *String:
		if n.badEscape >= 0 {
			return nil, errorf(fn, "the string literal '%s' has a backslash that escapes nothing; only \\', \\{, \\} and \\\\ are escapes", n.Raw)
		}
		if n.boxed != nil {
			return n.boxed, nil
		}
		return n.Value, nil
	case *Number:
		if n.boxed != nil {
			return n.boxed, nil
		}
		return n.Value, nil
	case *Bool:
		return n.Value, nil
	case *Null:
		return nil, nil
	case *Path:
		if ev.lookup == nil {
			return nil, errorf(fn, "no lookup to resolve the path %s", n.Path)
		}
		return ev.lookup(n.Path)
	}
	panic("intrinsic: unknown node type")
}
