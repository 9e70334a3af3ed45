// Package lambdaerr gives workflow-visible failures a stable name.
//
// The Lambda Go runtime reports the Go type name of the outermost error as the error type a
// Step Functions Retry or Catch matches on, so a wrapped error arrives as "wrapError" and
// "ErrorEquals": ["ModelRejectedError"] silently stops matching. kiln's handlers return
// failures through [Wrap], which produces the runtime's own error value carrying the name the
// error declares with ErrorName. The local engine applies the same rule through [Name], so
// Retry and Catch match offline exactly as on AWS.
package lambdaerr

import (
	"errors"
	"reflect"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// Named is implemented by errors a workflow reacts to; ErrorName returns the name that
// ErrorEquals in a Retry or Catch matches.
type Named interface {
	error
	ErrorName() string
}

// Wrap returns err unchanged when nothing in its chain is Named; otherwise it returns a
// *messages.InvokeResponse_Error whose Type is the name of the first Named error in the chain
// and whose Message is err's full message. A nil err gives nil. Safe for concurrent use.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	var n Named
	if !errors.As(err, &n) {
		return err
	}
	return &messages.InvokeResponse_Error{Type: n.ErrorName(), Message: err.Error()}
}

// Name returns the error type the Lambda Go runtime reports for err, by the runtime's own
// rule: the Type of a messages.InvokeResponse_Error (value or pointer), otherwise the Go type
// name of the outermost error with one pointer removed (fmt.Errorf with %w gives "wrapError",
// errors.New gives "errorString"). A nil err gives "".
func Name(err error) string {
	switch e := err.(type) {
	case nil:
		return ""
	case *messages.InvokeResponse_Error:
		return e.Type
	case messages.InvokeResponse_Error:
		return e.Type
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}
