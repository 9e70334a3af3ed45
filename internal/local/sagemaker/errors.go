package sagemaker

import (
	"errors"
	"fmt"
	"net/http"
)

// Error codes the stand-in returns, as SageMaker names them on the wire.
const (
	CodeValidation       = "ValidationException"
	CodeResourceNotFound = "ResourceNotFound"
	CodeResourceInUse    = "ResourceInUse"
	CodeUnknownOperation = "UnknownOperationException"
	CodeInternal         = "InternalFailure"
)

// APIError is an error with SageMaker's wire code (ValidationException, ResourceNotFound,
// ResourceInUse, ...). Every error returned by [Service.Call] and the Go API is, or wraps,
// an *APIError; use [ErrorCode] to read the code.
type APIError struct {
	// Code is the AWS error code, written to the wire as __type.
	Code string
	// Message is the human-readable reason.
	Message string
	// Status is the HTTP status (400 unless set).
	Status int
}

// Error returns "Code: Message".
func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// ErrorCode returns the AWS error code, as smithy.APIError does.
func (e *APIError) ErrorCode() string { return e.Code }

// ErrorMessage returns the message, as smithy.APIError does.
func (e *APIError) ErrorMessage() string { return e.Message }

// ErrorName returns the AWS error code, so lambdaerr-style helpers name it.
func (e *APIError) ErrorName() string { return e.Code }

func (e *APIError) httpStatus() int {
	if e.Status != 0 {
		return e.Status
	}
	return http.StatusBadRequest
}

// ErrorCode returns the AWS error code carried by err, or "InternalFailure" when err carries
// none, or "" for a nil error.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Code
	}
	return CodeInternal
}

// apiMessage returns the message of the *APIError in err's chain, or err's text.
func apiMessage(err error) string {
	var ae *APIError
	if errors.As(err, &ae) {
		return ae.Message
	}
	return err.Error()
}

func validationf(format string, args ...any) *APIError {
	return &APIError{Code: CodeValidation, Message: fmt.Sprintf(format, args...)}
}

func notFoundf(format string, args ...any) *APIError {
	return &APIError{Code: CodeResourceNotFound, Message: fmt.Sprintf(format, args...)}
}

func inUsef(format string, args ...any) *APIError {
	return &APIError{Code: CodeResourceInUse, Message: fmt.Sprintf(format, args...)}
}

// errShuttingDown is the InternalFailure (HTTP 500) a call that would start work gets once
// the service is closing.
func errShuttingDown() *APIError {
	return &APIError{Code: CodeInternal, Message: "kiln local is shutting down", Status: 500}
}
