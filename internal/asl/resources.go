package asl

import (
	"context"
	"encoding/json"
	"errors"
	"sort"
	"strings"
	"sync"

	"github.com/kiln-dev/kiln/internal/lambdaerr"
)

// ResourceKey splits a Task resource ARN into the registry key a handler is registered under
// and the integration pattern of its suffix:
//
//	arn:aws:states:::lambda:invoke.waitForTaskToken  -> "lambda:invoke", PatternWaitForTaskToken
//	arn:aws:states:::states:startExecution.sync:2    -> "states:startExecution", PatternSync2
//	arn:aws:states:::aws-sdk:s3:getObject            -> "aws-sdk:s3:getObject", PatternRequestResponse
//	arn:aws:lambda:us-east-1:123456789012:function:f -> "lambda:function", PatternRequestResponse
//	arn:aws:states:us-east-1:123456789012:activity:a -> "activity", PatternRequestResponse
//
// Any partition is accepted. Other strings are returned unchanged as the key.
func ResourceKey(resource string) (key string, pattern IntegrationPattern) {
	parts := strings.SplitN(resource, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return resource, PatternRequestResponse
	}
	switch parts[2] {
	case "lambda":
		if strings.HasPrefix(parts[5], "function:") {
			return "lambda:function", PatternRequestResponse
		}
	case "states":
		if parts[3] == "" && parts[4] == "" {
			rest := parts[5]
			for _, p := range []IntegrationPattern{PatternSync2, PatternSync, PatternWaitForTaskToken} {
				if strings.HasSuffix(rest, string(p)) {
					return strings.TrimSuffix(rest, string(p)), p
				}
			}
			return rest, PatternRequestResponse
		}
		if strings.HasPrefix(parts[5], "activity:") {
			return "activity", PatternRequestResponse
		}
	}
	return resource, PatternRequestResponse
}

// Resources is a registry of task handlers keyed by [ResourceKey] keys. A key ending in "*"
// matches every key with that prefix ("aws-sdk:s3:*", "sagemaker:*", "*"); the longest match
// wins and an exact key beats any prefix. Layers ([Resources.Over]) are consulted first.
// Safe for concurrent use.
type Resources struct {
	mu       sync.RWMutex
	exact    map[string]TaskHandler
	prefixes []prefixHandler
	over     []func(ctx context.Context, req *TaskRequest) (any, error, bool)
}

type prefixHandler struct {
	prefix string
	h      TaskHandler
}

// NewResources returns an empty registry.
func NewResources() *Resources {
	return &Resources{exact: map[string]TaskHandler{}}
}

// Handle registers h for key (an exact key, or a prefix ending in "*"), replacing any previous
// handler for the same key.
func (r *Resources) Handle(key string, h TaskHandler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if strings.HasSuffix(key, "*") {
		p := strings.TrimSuffix(key, "*")
		for i := range r.prefixes {
			if r.prefixes[i].prefix == p {
				r.prefixes[i].h = h
				return
			}
		}
		r.prefixes = append(r.prefixes, prefixHandler{p, h})
		sort.Slice(r.prefixes, func(i, j int) bool { return len(r.prefixes[i].prefix) > len(r.prefixes[j].prefix) })
		return
	}
	r.exact[key] = h
}

// Over adds a layer consulted before the registered handlers: when it answers ok, its result
// and error are the task's; otherwise lookup continues. Mock files use this.
func (r *Resources) Over(layer func(ctx context.Context, req *TaskRequest) (result any, err error, ok bool)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.over = append([]func(context.Context, *TaskRequest) (any, error, bool){layer}, r.over...)
}

// Lookup returns the handler for key, or false.
func (r *Resources) Lookup(key string) (TaskHandler, bool) {
	if r == nil {
		return nil, false
	}
	r.mu.RLock()
	defer r.mu.RUnlock()
	if h, ok := r.exact[key]; ok {
		return h, true
	}
	for _, p := range r.prefixes {
		if strings.HasPrefix(key, p.prefix) {
			return p.h, true
		}
	}
	return nil, false
}

// invoke runs the task through the layers and the handler registered for req.Key.
func (r *Resources) invoke(ctx context.Context, req *TaskRequest) (any, error) {
	if r != nil {
		r.mu.RLock()
		layers := r.over
		r.mu.RUnlock()
		for _, l := range layers {
			if res, err, ok := l(ctx, req); ok {
				return res, err
			}
		}
	}
	h, ok := r.Lookup(req.Key)
	if !ok {
		return nil, Fail(ErrTaskFailed, "no handler is registered for the resource '"+req.Resource+"'")
	}
	return h(ctx, req)
}

// LambdaFunc invokes one Lambda function (name or ARN, with qualifier if any) with a JSON
// payload and returns its JSON result.
type LambdaFunc func(ctx context.Context, function string, payload any) (any, error)

// LambdaHandler adapts fn to both Lambda task forms; register it under "lambda:invoke" and
// "lambda:function". A bare function ARN passes the effective input as the payload and returns
// the function's result; "lambda:invoke" reads FunctionName and Payload from the parameters
// and returns {"ExecutedVersion","Payload","SdkHttpMetadata","SdkResponseMetadata",
// "StatusCode"}. An error from fn that is not a [*TaskFailure] is named like the Lambda Go
// runtime names it ([lambdaerr.Name]) with the cause {"errorMessage":...,"errorType":...}.
func LambdaHandler(fn LambdaFunc) TaskHandler {
	return func(ctx context.Context, req *TaskRequest) (any, error) {
		function := req.Resource
		payload := req.Parameters
		if req.Key == "lambda:invoke" {
			p, _ := req.Parameters.(map[string]any)
			name, _ := p["FunctionName"].(string)
			if name == "" {
				return nil, Fail("Lambda.InvalidParameterValueException", "FunctionName is required")
			}
			function = name
			payload = p["Payload"]
			if s, ok := payload.(string); ok && json.Valid([]byte(s)) {
				var v any
				if json.Unmarshal([]byte(s), &v) == nil {
					payload = v
				}
			}
		}
		out, err := fn(ctx, function, payload)
		if err != nil {
			var tf *TaskFailure
			if errors.As(err, &tf) {
				return nil, tf
			}
			return nil, LambdaError(err)
		}
		if req.Key == "lambda:invoke" {
			return map[string]any{
				"ExecutedVersion": "$LATEST",
				"Payload":         out,
				"SdkHttpMetadata": map[string]any{"HttpStatusCode": 200.0},
				"SdkResponseMetadata": map[string]any{
					"RequestId": "00000000-0000-0000-0000-000000000000",
				},
				"StatusCode": 200.0,
			}, nil
		}
		return out, nil
	}
}

// LambdaError converts an error returned by a Lambda handler into the failure Step Functions
// reports: the error name is the runtime's error type ([lambdaerr.Name]) and the cause is the
// JSON document {"errorMessage": err.Error(), "errorType": name}.
func LambdaError(err error) *TaskFailure {
	name := lambdaerr.Name(err)
	if name == "" {
		name = ErrLambdaUnknown
	}
	msg := lambdaerr.Message(err)
	cause, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{msg, name})
	return &TaskFailure{Name: name, Cause: string(cause)}
}
