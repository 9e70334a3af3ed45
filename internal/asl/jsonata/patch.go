package jsonata

import (
	"fmt"
	"reflect"
	"unsafe"

	jsonatago "github.com/blues/jsonata-go"
	"github.com/blues/jsonata-go/jparse"
)

// jsonata-go v1.5.4 has three flaws this file works around; all are pinned by tests.
//
//  1. Evaluating "x ~> $f(a)" prepends x to the argument list of the $f(a) node in the parsed
//     tree, every time, so a second evaluation calls $f(x, x, a). rewriteApplications replaces
//     each such call, once after compiling, by the partial application $f(?, a), which
//     jsonata-go applies to x without touching the tree.
//  2. The Expr keeps its own functions and variables in an unexported registry that
//     RegisterVars mutates in place. setRegistry gives each evaluation's copy of the Expr a
//     registry of its own instead.
//  3. It has no recursion limit, so a function that never stops calling itself grows the Go
//     stack until the runtime kills the whole process. Every named function
//     ("$f := function(...) {body}") gets the body "($__kiln_enter(); $__kiln_r := body;
//     $__kiln_exit(); $__kiln_r)", which counts nesting and fails past MaxRecursion.
//
// Both reach unexported fields through reflect and unsafe; fieldOf panics at start-up if the
// pinned module's layout ever differs.

var (
	exprNodeField     = fieldOf("node")
	exprRegistryField = fieldOf("registry")
	nodeInterface     = reflect.TypeOf((*jparse.Node)(nil)).Elem()
	jparsePkg         = reflect.TypeOf(jparse.StringNode{}).PkgPath()
)

func fieldOf(name string) reflect.StructField {
	f, ok := reflect.TypeOf(jsonatago.Expr{}).FieldByName(name)
	if !ok {
		panic(fmt.Sprintf("jsonata: github.com/blues/jsonata-go Expr has no field %q; the module version differs from v1.5.4", name))
	}
	return f
}

// settable returns a settable view of field f of the struct v points to.
func settable(v reflect.Value, f reflect.StructField) reflect.Value {
	return reflect.NewAt(f.Type, unsafe.Add(v.UnsafePointer(), f.Offset)).Elem()
}

// setRegistry replaces e's registry of functions and variables.
func setRegistry(e *jsonatago.Expr, registry map[string]reflect.Value) {
	settable(reflect.ValueOf(e), exprRegistryField).Set(reflect.ValueOf(registry))
}

// rewriteApplications rewrites every "x ~> $f(args)" in e's tree to "x ~> $f(?, args)".
// It must run before e is shared.
func rewriteApplications(e *jsonatago.Expr) {
	root := settable(reflect.ValueOf(e), exprNodeField)
	walk(root, map[uintptr]bool{})
}

// walk visits every value reachable from v inside jparse's node types, rewriting function
// applications. v must be settable.
func walk(v reflect.Value, seen map[uintptr]bool) {
	switch v.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			return
		}
		if v.Type() == nodeInterface {
			switch n := v.Interface().(type) {
			case *jparse.FunctionApplicationNode:
				if call, ok := n.RHS.(*jparse.FunctionCallNode); ok {
					args := append([]jparse.Node{&jparse.PlaceholderNode{}}, call.Args...)
					n.RHS = &jparse.PartialNode{Func: call.Func, Args: args}
				}
			case *jparse.AssignmentNode:
				switch l := n.Value.(type) {
				case *jparse.LambdaNode:
					walk(reflect.ValueOf(l), seen)
					guard(l)
				case *jparse.TypedLambdaNode:
					walk(reflect.ValueOf(l), seen)
					guard(l.LambdaNode)
				}
			}
		}
		walk(v.Elem(), seen)
	case reflect.Pointer:
		if v.IsNil() || v.Type().Elem().PkgPath() != jparsePkg {
			return
		}
		p := v.Pointer()
		if seen[p] {
			return
		}
		seen[p] = true
		walk(v.Elem(), seen)
	case reflect.Struct:
		if v.Type().PkgPath() != jparsePkg {
			return
		}
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			if !f.CanSet() {
				f = reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem()
			}
			walk(f, seen)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			walk(v.Index(i), seen)
		}
	}
}

// guard wraps a named function's body in the recursion counter.
func guard(l *jparse.LambdaNode) {
	l.Body = &jparse.BlockNode{Exprs: []jparse.Node{
		&jparse.FunctionCallNode{Func: &jparse.VariableNode{Name: enterName}},
		&jparse.AssignmentNode{Name: resultName, Value: l.Body},
		&jparse.FunctionCallNode{Func: &jparse.VariableNode{Name: exitName}},
		&jparse.VariableNode{Name: resultName},
	}}
}

// MaxRecursion is how deeply named JSONata functions may nest before the evaluation fails with
// U1001. It stops runaway recursion long before the Go stack is exhausted; AWS's own limit is
// lower (it refuses a non-tail-recursive function about 32 calls deep).
const MaxRecursion = 10_000

const (
	enterName  = "__kiln_enter"
	exitName   = "__kiln_exit"
	resultName = "__kiln_r"
)

// depth counts the named-function calls in progress; evaluations are serialised by evalMu and
// EvalBindings resets it, so one counter serves every evaluation.
var depth int

var (
	enterFunc = reflect.ValueOf(&function{name: enterName, call: func([]reflect.Value) (reflect.Value, error) {
		depth++
		if depth > MaxRecursion {
			return undefined, &codedError{"U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."}
		}
		return undefined, nil
	}})
	exitFunc = reflect.ValueOf(&function{name: exitName, call: func([]reflect.Value) (reflect.Value, error) {
		depth--
		return undefined, nil
	}})
)
