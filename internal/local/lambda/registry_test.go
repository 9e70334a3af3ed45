package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/lambdaerr"
	"github.com/kiln-dev/kiln/internal/topology"
)

type rejected struct{}

func (rejected) Error() string     { return "the model is worse than the champion" }
func (rejected) ErrorName() string { return "ModelRejectedError" }

type req struct {
	Model string `json:"model"`
	Fail  string `json:"fail"`
}

func handle(_ context.Context, in req) (map[string]string, error) {
	switch in.Fail {
	case "named":
		return nil, lambdaerr.Wrap(fmt.Errorf("evaluate %s: %w", in.Model, rejected{}))
	case "wrapped":
		return nil, fmt.Errorf("evaluate %s: %w", in.Model, rejected{})
	case "panic":
		panic("boom")
	}
	return map[string]string{"model": in.Model}, nil
}

func TestInvokeNamesErrorsAsTheRuntime(t *testing.T) {
	r := New(Options{Env: topology.Local("prod")})
	r.Register("evaluate", Handler(handle))
	arn := topology.FunctionARN(topology.Local("prod"), "evaluate")
	tests := []struct {
		name     string
		ref      string
		payload  string
		want     string
		wantName string
	}{
		{"a call by name returns the handler's result", "kiln-prod-evaluate", `{"model":"abalone"}`, `{"model":"abalone"}`, ""},
		{"a call by ARN with $LATEST works too", arn + ":$LATEST", `{"model":"abalone"}`, `{"model":"abalone"}`, ""},
		{"a wrapped named error keeps its name", arn, `{"model":"a","fail":"named"}`, "", "ModelRejectedError"},
		{"an unwrapped error is wrapError as on AWS", arn, `{"model":"a","fail":"wrapped"}`, "", "wrapError"},
		{"a payload of the wrong type is an UnmarshalTypeError", arn, `{"model":1}`, "", "UnmarshalTypeError"},
		{"a panic is reported, not fatal", arn, `{"fail":"panic"}`, "", "string"},
		{"a payload that is not JSON is rejected", arn, `{`, "", "InvalidRequestContentException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := r.Invoke(context.Background(), tt.ref, []byte(tt.payload))
			if tt.wantName != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantName, lambdaerr.Name(err))
				return
			}
			require.NoError(t, err)
			assert.JSONEq(t, tt.want, string(out))
		})
	}
	_, err := r.Invoke(context.Background(), "kiln-prod-nope", nil)
	assert.ErrorIs(t, err, ErrFunctionNotFound)
	_, err = r.Invoke(context.Background(), "arn:aws:lambda:eu-west-1:111111111111:function:kiln-prod-evaluate", nil)
	assert.ErrorIs(t, err, ErrFunctionNotFound, "another account's function is not ours")
}

func TestStepFunctionsAdapterFeedsTheEngine(t *testing.T) {
	r := New(Options{Env: topology.Local("prod")})
	r.Register("evaluate", Handler(handle))
	h := asl.LambdaHandler(r.StepFunctions())
	res, err := h(context.Background(), &asl.TaskRequest{Key: "lambda:invoke",
		Parameters: map[string]any{"FunctionName": topology.FunctionARN(topology.Local("prod"), "evaluate"), "Payload": map[string]any{"model": "abalone"}}})
	require.NoError(t, err)
	b, _ := json.Marshal(res.(map[string]any)["Payload"])
	assert.JSONEq(t, `{"model":"abalone"}`, string(b))

	_, err = h(context.Background(), &asl.TaskRequest{Key: "lambda:invoke",
		Parameters: map[string]any{"FunctionName": "kiln-prod-evaluate", "Payload": map[string]any{"fail": "named"}}})
	var tf *asl.TaskFailure
	require.True(t, errors.As(err, &tf))
	assert.Equal(t, "ModelRejectedError", tf.Name)

	_, err = h(context.Background(), &asl.TaskRequest{Key: "lambda:invoke", Parameters: map[string]any{"FunctionName": "kiln-prod-missing"}})
	require.True(t, errors.As(err, &tf))
	assert.Equal(t, "Lambda.ResourceNotFoundException", tf.Name)
}

func TestInvokeAsync(t *testing.T) {
	var seen atomic.Int32
	r := New(Options{Env: topology.Local("prod"), OnInvoke: func(function string, payload, _ []byte, err error) {
		if function == "kiln-prod-trigger" && string(payload) == "{}" && err == nil {
			seen.Add(1)
		}
	}})
	var n atomic.Int32
	r.Register("trigger", HandlerNoResult(func(_ context.Context, in json.RawMessage) error { n.Add(1); return nil }))
	for range 3 {
		require.NoError(t, r.InvokeAsync(context.Background(), "kiln-prod-trigger", []byte(`{}`)))
	}
	require.NoError(t, r.Wait(context.Background()))
	assert.Equal(t, int32(3), n.Load())
	assert.Equal(t, int32(3), seen.Load(), "the observer saw every invocation")
	assert.ErrorIs(t, r.InvokeAsync(context.Background(), "kiln-prod-missing", nil), ErrFunctionNotFound)
}
