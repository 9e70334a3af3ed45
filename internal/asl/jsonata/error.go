package jsonata

import "errors"

// ErrorName is the Step Functions error name of every JSONata evaluation failure.
const ErrorName = "States.QueryEvaluationError"

// ErrUndefined is wrapped by the *Error Eval returns when an expression evaluates to
// nothing; AWS fails a field whose expression is undefined.
var ErrUndefined = errors.New("expression evaluated to undefined")

// Error is a failure to compile or evaluate a JSONata expression. ErrorName returns
// "States.QueryEvaluationError"; Unwrap gives the underlying jsonata-go error or ErrUndefined.
type Error struct {
	// Expr is the expression text that failed.
	Expr string
	// Err is the underlying failure.
	Err error
}

// Error returns a message naming the expression and the failure.
func (e *Error) Error() string {
	return "evaluate jsonata expression '" + e.Expr + "': " + e.Err.Error()
}

// ErrorName returns "States.QueryEvaluationError", the name Retry and Catch match on.
func (e *Error) ErrorName() string { return ErrorName }

// Unwrap returns the underlying failure.
func (e *Error) Unwrap() error { return e.Err }
