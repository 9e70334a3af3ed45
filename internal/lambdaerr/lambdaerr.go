// Package lambdaerr gives workflow-visible failures a stable name.
//
// The Lambda Go runtime reports the Go type name of the outermost error as the error type a
// Step Functions Retry or Catch matches on, so a wrapped error arrives as "wrapError" and
// "ErrorEquals": ["ModelRejectedError"] silently stops matching. The one exception is a
// messages.InvokeResponse_Error *value*, whose Type the runtime reports as is. kiln's handlers
// return failures through [Wrap], which produces that value carrying the name the error
// declares with ErrorName. The local stack applies the same rule through [Name], so Retry and
// Catch match offline exactly as on AWS.
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
// messages.InvokeResponse_Error value (the form the runtime passes through) whose Type is the
// name of the first Named error in the chain and whose Message is err's full message. A nil
// err gives nil. Safe for concurrent use.
func Wrap(err error) error {
	if err == nil {
		return nil
	}
	var n Named
	if !errors.As(err, &n) {
		return err
	}
	return messages.InvokeResponse_Error{Type: n.ErrorName(), Message: err.Error()}
}

// Name returns the error type the Lambda Go runtime (aws-lambda-go v1.55.1,
// lambdaErrorResponse) reports for err: the Type of a messages.InvokeResponse_Error value,
// otherwise the Go type name of the outermost error with one pointer removed (fmt.Errorf with
// %w gives "wrapError", errors.New gives "errorString"). A *messages.InvokeResponse_Error also
// gives its Type: handlers never return one (the runtime would report "InvokeResponse_Error"),
// but the local Lambda service uses it for failures the service itself reports, such as
// "Sandbox.Timedout". A nil err gives "".
func Name(err error) string {
	// The runtime looks at the outermost error only, so this must not unwrap (no errors.As).
	switch e := err.(type) { //nolint:errorlint // the outermost type is the point
	case nil:
		return ""
	case messages.InvokeResponse_Error:
		return e.Type
	case *messages.InvokeResponse_Error:
		return e.Type
	}
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

// Message returns the message Step Functions shows for err as a Lambda failure: the Message
// of a messages.InvokeResponse_Error (value or pointer) anywhere in the chain, else err.Error().
func Message(err error) string {
	var v messages.InvokeResponse_Error
	if errors.As(err, &v) {
		return v.Message
	}
	var p *messages.InvokeResponse_Error
	if errors.As(err, &p) {
		return p.Message
	}
	return err.Error()
}
