package intrinsic

import "fmt"

// ErrorName is the Step Functions error name of every intrinsic evaluation failure. The
// documentation lists States.IntrinsicFailure, but executions recorded on AWS fail with
// States.Runtime (which Retry and Catch never match) and a cause reading
// "Invalid arguments in States.<Name>".
const ErrorName = "States.Runtime"

// Error is an evaluation failure of an intrinsic function. Its ErrorName is always
// "States.Runtime". Cause is kiln's own, more precise sentence, naming the function and the
// offending argument; an engine reporting the failure the way AWS does uses Function.
type Error struct {
	// Function is the intrinsic that failed, for example "States.ArrayRange".
	Function string
	// Cause is the complete human-readable reason, starting with the function name, ready to be
	// reported as the execution's cause.
	Cause string
}

// Error returns the cause.
func (e *Error) Error() string { return e.Cause }

// ErrorName returns "States.Runtime", the name AWS reports.
func (e *Error) ErrorName() string { return ErrorName }

// SyntaxError is a parse failure of an intrinsic expression; Pos is the byte offset in Expr
// where the problem was found.
type SyntaxError struct {
	// Expr is the whole expression that failed to parse.
	Expr string
	// Pos is the zero-based byte offset of the problem in Expr.
	Pos int
	// Msg says what was wrong, for example "expected ',' or ')'".
	Msg string
}

// Error returns the message with its position, for example
// "parse intrinsic at offset 14: expected ',' or ')'".
func (e *SyntaxError) Error() string {
	return fmt.Sprintf("parse intrinsic at offset %d: %s", e.Pos, e.Msg)
}

// ErrorName returns "States.Runtime"; AWS rejects a malformed intrinsic at validation time,
// and reports it under this name if it ever reaches evaluation.
func (e *SyntaxError) ErrorName() string { return ErrorName }

// errorf returns an *Error for function fn whose cause is fn, a colon and the message.
func errorf(fn, format string, args ...any) *Error {
	return &Error{Function: fn, Cause: fn + ": " + fmt.Sprintf(format, args...)}
}
