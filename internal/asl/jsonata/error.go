package jsonata

import (
	"errors"
	"fmt"
	"strings"

	jsonatago "github.com/blues/jsonata-go"
)

// ErrorName is the Step Functions error name of every JSONata evaluation failure.
const ErrorName = "States.QueryEvaluationError"

// ErrUndefined is wrapped by the *Error Eval returns when an expression evaluates to
// nothing; AWS fails a field whose expression is undefined.
var ErrUndefined = errors.New("expression returned nothing (undefined)")

// Error is a failure to compile or evaluate a JSONata expression. ErrorName returns
// "States.QueryEvaluationError"; errors.Is(err, ErrUndefined) tells an undefined result from
// a failed evaluation.
type Error struct {
	// Expr is the expression text, without the {% %} delimiters.
	Expr string
	// Code is the JSONata error code AWS reports (jsonata-js's, like "T0410" or "D3137"),
	// or "" when the failure has none.
	Code string
	// Message is the failure in jsonata-js's words where they are known.
	Message string
	// Undefined is true when the expression evaluated to nothing rather than failing.
	Undefined bool
	// Err is the underlying error, if any.
	Err error
}

// Error returns a message naming the expression and the failure.
func (e *Error) Error() string {
	if e.Undefined {
		return "evaluate jsonata expression '" + e.Expr + "': " + ErrUndefined.Error()
	}
	return "evaluate jsonata expression '" + e.Expr + "': " + e.detail()
}

func (e *Error) detail() string {
	if e.Code != "" {
		return e.Code + ": " + e.Message
	}
	return e.Message
}

// ErrorName returns "States.QueryEvaluationError", the name Retry and Catch match on.
func (e *Error) ErrorName() string { return ErrorName }

// Unwrap returns ErrUndefined for an undefined result, else the underlying error.
func (e *Error) Unwrap() error {
	if e.Undefined {
		return ErrUndefined
	}
	return e.Err
}

// Cause returns the cause AWS reports for this failure in the field at path field (relative
// to the state, like "Output/v" or "Choices[0]/Condition"), for example
// "The JSONata expression '$x' specified for the field 'Output' returned nothing (undefined)."
// The engine puts AWS's "An error occurred while executing the state ..." sentence in front.
func (e *Error) Cause(field string) string {
	head := "The JSONata expression '" + e.Expr + "' specified for the field '" + field + "'"
	if e.Undefined {
		return head + " returned nothing (undefined)."
	}
	if e.Code != "" {
		return head + " threw an error during evaluation. " + e.Code + ": " + e.Message
	}
	return head + " threw an error during evaluation: " + e.Message
}

// codedError is a failure raised by this package's own functions, already in AWS's words.
type codedError struct {
	code, msg string
}

func (e *codedError) Error() string { return e.code + ": " + e.msg }

func signatureError(fn string, arg int) error {
	return &codedError{"T0410", fmt.Sprintf("Argument %d of function %q does not match function signature", arg, fn)}
}

// evalError turns an error from jsonata-go into an *Error with jsonata-js's code and wording
// where the two libraries' errors correspond.
func evalError(expr string, err error) *Error {
	e := &Error{Expr: expr, Err: err, Message: err.Error()}
	var ce *codedError
	var ev *jsonatago.EvalError
	var evv jsonatago.EvalError
	var ac *jsonatago.ArgCountError
	var acv jsonatago.ArgCountError
	var at *jsonatago.ArgTypeError
	var atv jsonatago.ArgTypeError
	var de *jsonatago.DepthError
	switch {
	case errors.As(err, &ce):
		e.Code, e.Message = ce.code, ce.msg
	case errors.As(err, &de):
		e.Code, e.Message = "U1001", "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."
	case errors.As(err, &ev):
		e.Code, e.Message = evalErrorCode(*ev)
	case errors.As(err, &evv):
		e.Code, e.Message = evalErrorCode(evv)
	case errors.As(err, &at):
		e.Code, e.Message = "T0410", fmt.Sprintf("Argument %d of function %q does not match function signature", at.Which, at.Func)
	case errors.As(err, &atv):
		e.Code, e.Message = "T0410", fmt.Sprintf("Argument %d of function %q does not match function signature", atv.Which, atv.Func)
	case errors.As(err, &ac):
		e.Code, e.Message = argCount(*ac)
	case errors.As(err, &acv):
		e.Code, e.Message = argCount(acv)
	}
	return e
}

func argCount(a jsonatago.ArgCountError) (string, string) {
	which := a.Received + 1
	if a.Received > a.Expected {
		which = a.Expected + 1
	}
	return "T0410", fmt.Sprintf("Argument %d of function %q does not match function signature", which, a.Func)
}

// evalErrorCode maps jsonata-go's evaluation errors to jsonata-js's codes and messages.
func evalErrorCode(e jsonatago.EvalError) (string, string) {
	op := e.Value
	switch e.Type {
	case jsonatago.ErrNonNumberLHS:
		return "T2001", fmt.Sprintf("The left side of the %q operator must evaluate to a number", op)
	case jsonatago.ErrNonNumberRHS:
		return "T2002", fmt.Sprintf("The right side of the %q operator must evaluate to a number", op)
	case jsonatago.ErrNonIntegerLHS:
		return "T2003", "The left side of the range operator (..) must evaluate to an integer"
	case jsonatago.ErrNonIntegerRHS:
		return "T2004", "The right side of the range operator (..) must evaluate to an integer"
	case jsonatago.ErrNonComparableLHS, jsonatago.ErrNonComparableRHS:
		return "T2010", fmt.Sprintf("The expressions either side of operator %q must evaluate to numeric or string values", op)
	case jsonatago.ErrTypeMismatch:
		return "T2009", fmt.Sprintf("The values either side of the operator %q must be of the same data type", op)
	case jsonatago.ErrNonCallable:
		return "T1006", "Attempted to invoke a non-function"
	case jsonatago.ErrNonCallableApply:
		return "T2006", "The right side of the function application operator ~> must be a function"
	case jsonatago.ErrNonCallablePartial:
		return "T1008", "Attempted to partially apply a non-function"
	case jsonatago.ErrNumberInf, jsonatago.ErrNumberNaN:
		return "D1001", "Number out of range"
	case jsonatago.ErrMaxRangeItems:
		return "D2014", "The size of the sequence allocated by the range operator (..) must not exceed 1e7"
	case jsonatago.ErrIllegalKey:
		return "T1003", "Key in object structure must evaluate to a string"
	case jsonatago.ErrDuplicateKey:
		return "D1009", fmt.Sprintf("Multiple key definitions evaluate to same key: %q", e.Value)
	case jsonatago.ErrNonSortable:
		return "T2008", "The expressions within an order-by clause must evaluate to numeric or string values"
	case jsonatago.ErrSortMismatch:
		return "T2007", "Type mismatch when comparing values in order-by clause"
	case jsonatago.ErrIllegalUpdate:
		return "T2011", "The insert/update clause of the transform expression must evaluate to an object"
	case jsonatago.ErrIllegalDelete:
		return "T2012", "The delete clause of the transform expression must evaluate to a string or array of strings"
	}
	return "", capitalise(e.Error())
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
