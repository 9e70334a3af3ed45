package lambdaerr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/lambdaerr"
)

type rejectedError struct{ mse float64 }

func (e *rejectedError) Error() string     { return fmt.Sprintf("mse %.2f is over the gate", e.mse) }
func (e *rejectedError) ErrorName() string { return "ModelRejectedError" }

type plainError struct{}

func (plainError) Error() string { return "plain" }

func TestName(t *testing.T) {
	named := &rejectedError{mse: 7}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil has no name", nil, ""},
		{"errors.New is reported as errorString", errors.New("boom"), "errorString"},
		{"a wrapped named error is reported as wrapError, which is why Wrap exists", fmt.Errorf("evaluate: %w", named), "wrapError"},
		{"a named error returned directly is its Go type name", named, "rejectedError"},
		{"a value error type is its own name", plainError{}, "plainError"},
		{"Wrap gives the declared name", lambdaerr.Wrap(fmt.Errorf("evaluate: %w", named)), "ModelRejectedError"},
		{"the runtime's error value keeps its Type", messages.InvokeResponse_Error{Type: "States.X"}, "States.X"},
		{"the local service's pointer form keeps its Type", &messages.InvokeResponse_Error{Type: "Sandbox.Timedout"}, "Sandbox.Timedout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, lambdaerr.Name(tt.err))
		})
	}
}

func TestWrap(t *testing.T) {
	assert.NoError(t, lambdaerr.Wrap(nil))
	plain := errors.New("no name")
	assert.Same(t, plain, lambdaerr.Wrap(plain), "an error without a name passes through")

	err := lambdaerr.Wrap(fmt.Errorf("evaluate abalone: %w", &rejectedError{mse: 7.25}))
	v, ok := err.(messages.InvokeResponse_Error)
	if assert.True(t, ok, "Wrap returns the value form, the one the runtime reports by Type; got %T", err) {
		assert.Equal(t, "ModelRejectedError", v.Type)
		assert.Equal(t, "evaluate abalone: mse 7.25 is over the gate", v.Message)
	}
	assert.Equal(t, "evaluate abalone: mse 7.25 is over the gate", lambdaerr.Message(err))
}

func TestMessage(t *testing.T) {
	assert.Equal(t, "plain", lambdaerr.Message(plainError{}))
	assert.Equal(t, "took too long", lambdaerr.Message(fmt.Errorf("invoke: %w", &messages.InvokeResponse_Error{Type: "Sandbox.Timedout", Message: "took too long"})))
}
