package server

import (
	"fmt"
	"net/http"
)

// A request body larger than its service takes is refused before the service reads it,
// with the service's own error shape, instead of being cut and failing as broken JSON.
// Content-Length is checked first; a body without one is wrapped in http.MaxBytesReader,
// so the service's read fails at the limit.

// bodyLimit is one service's request size limit and how that service says "too large".
type bodyLimit struct {
	max      int64
	tooLarge func(w http.ResponseWriter, size, limit int64)
}

// Request size limits, as each service documents them (or, where a service documents only
// a member's limit, a bound that leaves room for the largest member JSON-escaped).
const (
	// StepFunctionsMaxRequest bounds a Step Functions request: input and output are at
	// most 256 KiB of UTF-8 (checked by the service), escaped inside a JSON string.
	StepFunctionsMaxRequest = 1 << 20
	// SageMakerMaxRequest bounds a SageMaker API request.
	SageMakerMaxRequest = 16 << 20
	// EventBridgeMaxRequest bounds a PutEvents request: ten entries of 256 KB each.
	EventBridgeMaxRequest = 4 << 20
	// FunctionURLMaxRequest is a Lambda function URL's request payload limit (6 MB).
	FunctionURLMaxRequest = 6 << 20
	// S3MaxPutObject is S3's limit on one PutObject (5 GiB).
	S3MaxPutObject = 5 << 30
)

var (
	limitStepFunctions = bodyLimit{StepFunctionsMaxRequest, jsonTooLarge("application/x-amz-json-1.0", "ValidationException", http.StatusBadRequest)}
	limitSageMaker     = bodyLimit{SageMakerMaxRequest, jsonTooLarge("application/x-amz-json-1.1", "ValidationException", http.StatusBadRequest)}
	limitEventBridge   = bodyLimit{EventBridgeMaxRequest, jsonTooLarge("application/x-amz-json-1.1", "RequestEntityTooLargeException", http.StatusRequestEntityTooLarge)}
	limitFunctionURL   = bodyLimit{FunctionURLMaxRequest, func(w http.ResponseWriter, _, _ int64) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		_, _ = w.Write([]byte(`{"Message":"Request Entity Too Large"}`))
	}}
	limitS3 = bodyLimit{S3MaxPutObject, func(w http.ResponseWriter, size, limit int64) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+
			`<Error><Code>EntityTooLarge</Code><Message>Your proposed upload exceeds the maximum allowed size</Message><ProposedSize>%d</ProposedSize><MaxSizeAllowed>%d</MaxSizeAllowed></Error>`, size, limit)
	}}
)

func jsonTooLarge(contentType, code string, status int) func(http.ResponseWriter, int64, int64) {
	return func(w http.ResponseWriter, size, limit int64) {
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(status)
		_, _ = fmt.Fprintf(w, `{"__type":%q,"message":"the request body is %d bytes; the limit is %d bytes"}`, code, size, limit)
	}
}

// limitBody applies l to r: it answers and returns false when the declared length is over
// the limit, and otherwise caps the body at the limit.
func limitBody(w http.ResponseWriter, r *http.Request, l bodyLimit) bool {
	if r.ContentLength > l.max {
		w.Header().Set("Connection", "close")
		l.tooLarge(w, r.ContentLength, l.max)
		return false
	}
	if r.Body != nil && r.Body != http.NoBody {
		r.Body = http.MaxBytesReader(w, r.Body, l.max)
	}
	return true
}
