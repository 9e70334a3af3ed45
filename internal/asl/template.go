package asl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/kiln-dev/kiln/internal/asl/intrinsic"
	"github.com/kiln-dev/kiln/internal/asl/jsonata"
)

// failure is a named error with a cause, as states report them.
type failure struct {
	name, cause string
}

func (f *failure) Error() string { return f.name + ": " + f.cause }

// asFailure converts any error into a failure: *failure as is, errors with ErrorName (and
// ErrorCause) by their name, anything else as States.TaskFailed with the message as cause.
func asFailure(err error) *failure {
	if err == nil {
		return nil
	}
	var f *failure
	if errors.As(err, &f) {
		return f
	}
	var tf *TaskFailure
	if errors.As(err, &tf) {
		return &failure{name: tf.Name, cause: tf.Cause}
	}
	var wc interface {
		ErrorName() string
		ErrorCause() string
	}
	if errors.As(err, &wc) {
		return &failure{name: wc.ErrorName(), cause: wc.ErrorCause()}
	}
	var n interface{ ErrorName() string }
	if errors.As(err, &n) {
		return &failure{name: n.ErrorName(), cause: err.Error()}
	}
	return &failure{name: ErrTaskFailed, cause: err.Error()}
}

// isIntrinsic and jsonataTemplate adapt the sibling packages (one place to switch).
func isIntrinsic(s string) bool { return intrinsic.IsIntrinsic(s) }

func jsonataTemplate(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if strings.HasPrefix(t, "{%") && strings.HasSuffix(t, "%}") && len(t) >= 4 {
		return strings.TrimSpace(t[2 : len(t)-2]), true
	}
	return "", false
}

// scope is what a template is evaluated against: the JSONPath input ($), the frame (for $$
// and variables) and, for JSONata, the $states value.
type scope struct {
	f      *frame
	input  any
	states map[string]any
}

type tmplConst struct{ v any }

func (t tmplConst) eval(*scope) (any, error) { return t.v, nil }

type tmplObject struct {
	keys []string
	vals []template
	// doubles are the literal members the definition wrote in floating-point form.
	doubles []string
}

func (t *tmplObject) eval(sc *scope) (any, error) {
	out := make(map[string]any, len(t.keys))
	for i, k := range t.keys {
		v, err := t.vals[i].eval(sc)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	order := sc.f.t.x.order
	order.record(out, t.keys)
	for _, k := range t.doubles {
		order.recordDouble(out, k, -1)
	}
	return out, nil
}

type tmplArray struct{ elems []template }

func (t *tmplArray) eval(sc *scope) (any, error) {
	out := make([]any, len(t.elems))
	for i, e := range t.elems {
		v, err := e.eval(sc)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// tmplPath selects a value by path ("x.$": "$.a", "$$.Execution.Id", "$var.a").
type tmplPath struct {
	field string
	path  *jsonPath
}

func (t *tmplPath) eval(sc *scope) (any, error) {
	v, err := sc.f.resolve(t.path, sc.input)
	if errors.Is(err, errIndexPastEnd) {
		return nil, nil
	}
	if err != nil {
		return nil, sc.f.runtime(fmt.Sprintf("The JSONPath '%s' specified for the field '%s' could not be found in the input '%s'", t.path.src, t.field, jsonText(sc.pathRoot(t.path))))
	}
	return v, nil
}

// pathRoot returns the value a path is resolved against, for messages.
func (sc *scope) pathRoot(p *jsonPath) any {
	switch p.root {
	case rootContext:
		return sc.f.contextObject()
	case rootVariable:
		v, _ := sc.f.t.vars.get(p.variable)
		return v
	}
	return sc.input
}

// sources are the execution's randomness and, when it records them, its objects' key order
// and numbers' literal form.
func (t *tmplIntrinsic) sources(sc *scope) intrinsic.Sources {
	x := sc.f.t.x
	src := intrinsic.Sources{IntN: x.intN, UUID: x.uuid, Keys: x.objectKeys(), Double: x.numberForms()}
	if src.Double != nil {
		src.DoublePath = func(p string) bool {
			jp := t.paths[p]
			if jp == nil {
				jp, _ = parsePath(p, false)
			}
			return jp != nil && sc.f.pathIsDouble(jp, sc.input)
		}
	}
	return src
}

// tmplIntrinsic evaluates an intrinsic function call.
type tmplIntrinsic struct {
	field string
	expr  *intrinsic.Expr
	paths map[string]*jsonPath
}

func (t *tmplIntrinsic) eval(sc *scope) (any, error) {
	v, err := t.expr.EvalWith(func(p string) (any, error) {
		jp := t.paths[p]
		if jp == nil {
			var perr error
			jp, perr = parsePath(p, false)
			if perr != nil {
				return nil, perr
			}
		}
		v, err := sc.f.resolve(jp, sc.input)
		if err != nil {
			return nil, sc.f.runtime(t.functionError(fmt.Sprintf("The JsonPath argument for the field '%s' could not be found in the input '%s'", p, jsonText(sc.pathRoot(jp)))))
		}
		return v, nil
	}, t.sources(sc))
	if err != nil {
		var f *failure
		if errors.As(err, &f) {
			return nil, f
		}
		// AWS fails the execution with States.Runtime (not retried, not caught) and names
		// only the function: "Invalid arguments in States.MathAdd".
		var ie *intrinsic.Error
		if errors.As(err, &ie) {
			return nil, sc.f.runtime(t.functionError("Invalid arguments in " + ie.Function))
		}
		return nil, sc.f.runtime(t.functionError(err.Error()))
	}
	return v, nil
}

// functionError words a failure of the expression as AWS does: the whole expression as
// written, then the detail.
func (t *tmplIntrinsic) functionError(detail string) string {
	return "The function '" + t.expr.String() + "' had the following error: " + detail
}

// tmplJSONata evaluates a "{% %}" expression.
type tmplJSONata struct {
	field string
	expr  *jsonata.Expr
}

func (t *tmplJSONata) eval(sc *scope) (any, error) {
	v, err := t.expr.EvalWith(sc.states, sc.f.t.vars.all(), jsonata.Sources{
		Now:     sc.f.t.x.e.clock.Now,
		Float64: sc.f.t.x.random,
		UUID:    sc.f.t.x.uuid,
	})
	if err != nil {
		var je *jsonata.Error
		if errors.As(err, &je) {
			return nil, &failure{name: ErrQueryEvaluationError, cause: sc.f.prefix() + je.Cause(t.field)}
		}
		var f *failure
		if errors.As(err, &f) {
			return nil, f
		}
		return nil, &failure{name: ErrQueryEvaluationError, cause: sc.f.prefix() + "The JSONata expression '" + t.expr.String() + "' specified for the field '" + t.field + "' threw an error during evaluation: " + err.Error()}
	}
	return v, nil
}

// payload compiles a JSONPath payload template (Parameters, ResultSelector, ItemSelector...).
func (c *checker) payload(path string, v any) template {
	switch x := v.(type) {
	case map[string]any:
		if !hasDollarKeys(x) {
			return tmplConst{v}
		}
		t := &tmplObject{}
		var keys []string
		if c.order != nil {
			keys = c.order.keys(x)
		} else {
			keys = sortedKeys(x)
		}
		for _, k := range keys {
			val := x[k]
			if strings.HasSuffix(k, ".$") {
				s, ok := val.(string)
				if !ok {
					c.add(join(path, k), "the value of a field ending in '.$' must be a path or an intrinsic function")
					continue
				}
				t.keys = append(t.keys, strings.TrimSuffix(k, ".$"))
				t.vals = append(t.vals, c.dollarValue(join(path, k), k, s))
				continue
			}
			t.keys = append(t.keys, k)
			t.vals = append(t.vals, c.payload(join(path, k), val))
			if c.order.isDouble(x, k, -1) {
				t.doubles = append(t.doubles, k)
			}
		}
		return t
	case []any:
		if !hasDollarKeys(x) {
			return tmplConst{v}
		}
		t := &tmplArray{}
		for i, e := range x {
			t.elems = append(t.elems, c.payload(index(path, i), e))
		}
		return t
	}
	return tmplConst{v}
}

// dollarValue compiles the value of a ".$" field: a path or an intrinsic function.
func (c *checker) dollarValue(path, field, s string) template {
	if isIntrinsic(s) {
		e, err := intrinsic.Parse(s)
		if err != nil {
			c.add(path, "%q is not a valid intrinsic function call: %v", s, err)
			return tmplConst{nil}
		}
		t := &tmplIntrinsic{field: field, expr: e, paths: map[string]*jsonPath{}}
		for _, p := range e.Paths() {
			jp, err := parsePath(p, false)
			if err != nil {
				c.add(path, "the path %q in %q is not valid: %v", p, s, err)
				continue
			}
			t.paths[p] = jp
		}
		return t
	}
	p, err := parsePath(s, false)
	if err != nil {
		c.add(path, "%q is not a valid JSONPath or intrinsic function: %v", s, err)
		return tmplConst{nil}
	}
	return &tmplPath{field: field, path: p}
}

func hasDollarKeys(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if strings.HasSuffix(k, ".$") || hasDollarKeys(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasDollarKeys(e) {
				return true
			}
		}
	}
	return false
}

func hasJSONata(v any) bool {
	switch x := v.(type) {
	case string:
		_, ok := jsonataTemplate(x)
		return ok
	case map[string]any:
		for _, e := range x {
			if hasJSONata(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if hasJSONata(e) {
				return true
			}
		}
	}
	return false
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

// jsonata compiles a JSONata-state field: any JSON value whose strings may be "{% %}".
func (c *checker) jsonata(path string, v any) template {
	return c.jsonataField(path, c.relField(path), v)
}

// relField returns a field path relative to the state being parsed, "/"-separated, as AWS
// names fields in JSONata errors ("Output/v", "Choices[0]/Condition").
func (c *checker) relField(path string) string {
	if c.statePath != "" && strings.HasPrefix(path, c.statePath+".") {
		return strings.ReplaceAll(path[len(c.statePath)+1:], ".", "/")
	}
	return lastField(path)
}

func lastField(path string) string {
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[i+1:]
	}
	return path
}

func (c *checker) jsonataField(path, field string, v any) template {
	if !hasJSONata(v) {
		return tmplConst{v}
	}
	switch x := v.(type) {
	case string:
		src, _ := jsonataTemplate(x)
		e, err := jsonata.Compile(src)
		if err != nil {
			c.add(path, "%q is not a valid JSONata expression: %v", x, err)
			return tmplConst{nil}
		}
		return &tmplJSONata{field: field, expr: e}
	case map[string]any:
		t := &tmplObject{}
		for _, k := range sortedKeys(x) {
			t.keys = append(t.keys, k)
			t.vals = append(t.vals, c.jsonataField(join(path, k), c.relField(join(path, k)), x[k]))
		}
		return t
	case []any:
		t := &tmplArray{}
		for i, e := range x {
			t.elems = append(t.elems, c.jsonataField(index(path, i), c.relField(index(path, i)), e))
		}
		return t
	}
	return tmplConst{v}
}

// assignTemplate evaluates Assign: variable name -> value, all against the same scope.
type assignTemplate struct {
	names []string
	vals  []template
}

func (t *assignTemplate) eval(sc *scope) (any, error) {
	out := make(map[string]any, len(t.names))
	for i, n := range t.names {
		v, err := t.vals[i].eval(sc)
		if err != nil {
			return nil, err
		}
		out[n] = v
	}
	return out, nil
}

// assign compiles an Assign field.
func (c *checker) assign(path string, v any, isJSONata bool) template {
	obj, ok := v.(map[string]any)
	if !ok {
		if s, isStr := v.(string); isStr && isJSONata {
			if _, ok := jsonataTemplate(s); ok {
				return c.jsonata(path, v)
			}
		}
		c.add(path, "must be an object")
		return nil
	}
	t := &assignTemplate{}
	for _, k := range sortedKeys(obj) {
		name := k
		val := obj[k]
		var vt template
		if !isJSONata && strings.HasSuffix(k, ".$") {
			name = strings.TrimSuffix(k, ".$")
			s, ok := val.(string)
			if !ok {
				c.add(join(path, k), "the value of a field ending in '.$' must be a path or an intrinsic function")
				continue
			}
			vt = c.dollarValue(join(path, k), k, s)
		} else if isJSONata {
			vt = c.jsonataField(join(path, k), c.relField(join(path, k)), val)
		} else {
			vt = c.payload(join(path, k), val)
		}
		if !validVariableName(name) {
			c.add(join(path, k), "%q is not a valid variable name", name)
			continue
		}
		t.names = append(t.names, name)
		t.vals = append(t.vals, vt)
	}
	return t
}

func validVariableName(s string) bool {
	if s == "" || len(s) > 80 || s == "states" {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		letter := b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
		if !letter && (i == 0 || b < '0' || b > '9') {
			return false
		}
	}
	return true
}
