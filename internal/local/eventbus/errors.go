package eventbus

import (
	"errors"
	"fmt"
	"net/http"
)

// APIError is an error EventBridge reports by name: the HTTP handler sends Code as the
// error type and Message as its message, with Status (400 when zero).
type APIError struct {
	Code    string
	Message string
	Status  int
}

// Error returns "Code: Message".
func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// ErrorName returns the error's AWS name.
func (e *APIError) ErrorName() string { return e.Code }

func (e *APIError) status() int {
	if e.Status == 0 {
		return http.StatusBadRequest
	}
	return e.Status
}

func validationError(format string, args ...any) *APIError {
	return &APIError{Code: "ValidationException", Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *APIError {
	return &APIError{Code: "ResourceNotFoundException", Message: fmt.Sprintf(format, args...)}
}

// permanentError marks a delivery failure that retrying cannot fix.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as a failure that retrying cannot fix (a target that does not exist,
// a payload it refuses): the bus moves the delivery to the dead-letter store without retrying.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err: err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
