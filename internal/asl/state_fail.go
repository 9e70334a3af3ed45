package asl

import (
	"context"
	"fmt"
)

// failNode is a Fail state: it stops its graph with an error name and a cause, fixed or
// taken from the input (ErrorPath, CausePath) or from JSONata expressions.
type failNode struct {
	errorName, cause     string
	errorPath, causePath template
	errorExpr, causeExpr template
}

// check checks the kind's fields.
func (n *failNode) check(c *checker, path string, st *state, obj map[string]any, lang string) {
	c.fail(path, st, n, obj)
}

func (*failNode) kind() string { return "Fail" }

var failKind = stateKind{
	jsonPathFields: []string{"Error", "Cause", "ErrorPath", "CausePath"},
	jsonataFields:  []string{"Error", "Cause"},
	newNode:        func() node { return &failNode{} },
}

func (c *checker) fail(path string, st *state, n *failNode, obj map[string]any) {
	n.errorName, n.errorExpr, n.errorPath = c.failField(path, obj, "Error", st.jsonata)
	n.cause, n.causeExpr, n.causePath = c.failField(path, obj, "Cause", st.jsonata)
}

// failField reads the Fail state's Error or Cause (field): a string, a JSONata template in a
// JSONata state (expr), or a reference path or intrinsic in field+"Path" (ref); giving both
// field and field+"Path" is an error.
func (c *checker) failField(path string, obj map[string]any, field string, jsonata bool) (s string, expr, ref template) {
	if v, ok := obj[field]; ok {
		str, _ := v.(string)
		if _, isExpr := jsonataTemplate(str); isExpr && jsonata {
			expr = c.jsonata(join(path, field), v)
		} else {
			s = c.optString(path, obj, field)
		}
	}
	if _, ok := obj[field+"Path"]; ok {
		ref = c.failPath(path, obj, field+"Path")
		if _, both := obj[field]; both {
			c.add(path, "%s and %sPath may not both be set", field, field)
		}
	}
	return s, expr, ref
}

// failPath parses ErrorPath/CausePath: a reference path or an intrinsic function.
func (c *checker) failPath(path string, obj map[string]any, field string) template {
	s := c.optString(path, obj, field)
	if isIntrinsic(s) {
		return c.dollarValue(join(path, field), field, s)
	}
	p := c.refPath(path, obj, field)
	if p == nil {
		return nil
	}
	return &tmplPath{field: field, path: p}
}

func (n *failNode) run(ctx context.Context, t *thread, f *frame, raw any, attempts []int, resume *Checkpoint) outcome {
	st := f.st
	name, cause := n.errorName, n.cause
	str := func(tm template, field string, sc *scope) (string, *failure) {
		v, err := tm.eval(sc)
		if err != nil {
			return "", asFailure(err)
		}
		s, ok := v.(string)
		if !ok {
			return "", f.runtime(fmt.Sprintf("The %s value must be a string, but was '%s'", field, jsonText(v)))
		}
		return s, nil
	}
	var fl *failure
	if st.jsonata {
		sc := f.jsScope(raw)
		if n.errorExpr != nil {
			if name, fl = str(n.errorExpr, "Error", sc); fl != nil {
				return failed(fl)
			}
		}
		if n.causeExpr != nil {
			if cause, fl = str(n.causeExpr, "Cause", sc); fl != nil {
				return failed(fl)
			}
		}
	} else {
		sc := f.scope(raw)
		if n.errorPath != nil {
			if name, fl = str(n.errorPath, "ErrorPath", sc); fl != nil {
				return failed(fl)
			}
		}
		if n.causePath != nil {
			if cause, fl = str(n.causePath, "CausePath", sc); fl != nil {
				return failed(fl)
			}
		}
	}
	return failed(&failure{name: name, cause: cause})
}
