package serving

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// MaxPayload is SageMaker's real-time invocation limit (6 MB) for requests and responses.
const MaxPayload = 6 << 20

// InvokeInput is one InvokeEndpoint request.
type InvokeInput struct {
	// EndpointName names the endpoint.
	EndpointName string
	// ContentType and Accept are passed to the model.
	ContentType, Accept string
	// TargetVariant, when set, routes to that variant of the serving fleet.
	TargetVariant string
	// Body is the request payload (at most 6 MB).
	Body []byte
}

// InvokeOutput is the model's answer.
type InvokeOutput struct {
	// Body is the response payload.
	Body []byte
	// ContentType is the model's Content-Type.
	ContentType string
	// InvokedProductionVariant is the variant that answered.
	InvokedProductionVariant string
}

// ModelError is the model's non-2xx answer, reported by SageMaker Runtime as ModelError
// (HTTP 424).
type ModelError struct {
	// OriginalStatusCode is the status the model answered with (500 when it did not answer).
	OriginalStatusCode int
	// OriginalMessage is the model's response body (or the transport error).
	OriginalMessage string
	// Variant is the variant that failed.
	Variant string
}

// Error describes the model's failure as SageMaker Runtime does.
func (e *ModelError) Error() string {
	return fmt.Sprintf("Received server error (%d) from %s with message %q", e.OriginalStatusCode, e.Variant, e.OriginalMessage)
}

// ErrorName returns "ModelError".
func (e *ModelError) ErrorName() string { return "ModelError" }

// ErrNoFleet is Route's answer for an endpoint with no fleet serving it.
var ErrNoFleet = errors.New("no fleet serves the endpoint")

// NoVariantError is Route's answer for a target variant the serving fleet does not have.
type NoVariantError struct{ Variant string }

func (e *NoVariantError) Error() string { return "no variant " + e.Variant }

// Metrics receives the router's CloudWatch metrics (namespace AWS/SageMaker).
type Metrics interface {
	// Put records one datum.
	Put(namespace, metric string, dims map[string]string, value float64, unit string, at time.Time)
}

// Router forwards requests to the serving programs. Its methods are safe for concurrent use.
type Router struct {
	// Client forwards the requests.
	Client *http.Client
	// Metrics receives Invocations, Invocation4XXErrors, Invocation5XXErrors, ModelLatency and
	// OverheadLatency per endpoint and variant; nil drops them.
	Metrics Metrics
	// Capture records what the fleet's DataCaptureConfig asks for.
	Capture *Capture
	// Now stamps metrics and captured records.
	Now func() time.Time
	// Rand returns a float in [0,1) for the split (safe for concurrent use).
	Rand func() float64
}

// answer is what the model said, or why it said nothing.
type answer struct {
	body        []byte
	status      int
	contentType string
	err         error
	latency     time.Duration
}

// Route sends in to a variant of the endpoint chosen by [Endpoint.Pick], publishes the
// metrics and captures the exchange. Errors are [ErrNoFleet], *[NoVariantError] or
// *[ModelError].
func (r *Router) Route(ctx context.Context, e *Endpoint, in InvokeInput) (InvokeOutput, error) {
	start := time.Now()
	f, v := e.Pick(r.Rand(), in.TargetVariant)
	if f == nil {
		return InvokeOutput{}, ErrNoFleet
	}
	if v == nil {
		return InvokeOutput{}, &NoVariantError{Variant: in.TargetVariant}
	}
	a, err := r.forward(ctx, v, in)
	if err != nil {
		return InvokeOutput{}, err
	}
	var out InvokeOutput
	var callErr error
	switch {
	case a.err != nil:
		callErr = &ModelError{OriginalStatusCode: 500, OriginalMessage: a.err.Error(), Variant: v.Name}
		a.status = 500
	case len(a.body) > MaxPayload:
		callErr = &ModelError{OriginalStatusCode: 500, OriginalMessage: "the model's response is larger than 6 MB", Variant: v.Name}
		a.status = 500
	case a.status < 200 || a.status > 299:
		callErr = &ModelError{OriginalStatusCode: a.status, OriginalMessage: string(a.body), Variant: v.Name}
	default:
		out = InvokeOutput{Body: a.body, ContentType: a.contentType, InvokedProductionVariant: v.Name}
	}
	at := r.Now()
	r.publish(in.EndpointName, v.Name, a, time.Since(start), at)
	if callErr == nil && f.Capture.Enabled() {
		r.Capture.Record(in.EndpointName, v.Name, f.Capture, in.ContentType, in.Body, a.contentType, a.body, at)
	}
	return out, callErr
}

// forward posts in to the variant; a transport failure is in the answer, not the error.
func (r *Router) forward(ctx context.Context, v *Variant, in InvokeInput) (answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.URL, bytes.NewReader(in.Body))
	if err != nil {
		return answer{}, fmt.Errorf("build invocation request: %w", err)
	}
	if in.ContentType != "" {
		req.Header.Set("Content-Type", in.ContentType)
	}
	if in.Accept != "" {
		req.Header.Set("Accept", in.Accept)
	}
	modelStart := time.Now()
	resp, err := r.Client.Do(req)
	var a answer
	if err == nil {
		a.body, err = io.ReadAll(io.LimitReader(resp.Body, MaxPayload+1))
		resp.Body.Close()
		a.status = resp.StatusCode
		a.contentType = resp.Header.Get("Content-Type")
	}
	a.err = err
	a.latency = time.Since(modelStart)
	return a, nil
}

// publish puts the request's AWS/SageMaker metrics.
func (r *Router) publish(endpoint, variant string, a answer, total time.Duration, at time.Time) {
	m := r.Metrics
	if m == nil {
		return
	}
	dims := map[string]string{"EndpointName": endpoint, "VariantName": variant}
	is4xx, is5xx := 0.0, 0.0
	if a.status >= 400 && a.status < 500 {
		is4xx = 1
	}
	if a.status >= 500 {
		is5xx = 1
	}
	m.Put("AWS/SageMaker", "Invocations", dims, 1, "Count", at)
	m.Put("AWS/SageMaker", "Invocation4XXErrors", dims, is4xx, "Count", at)
	m.Put("AWS/SageMaker", "Invocation5XXErrors", dims, is5xx, "Count", at)
	m.Put("AWS/SageMaker", "ModelLatency", dims, float64(a.latency.Microseconds()), "Microseconds", at)
	m.Put("AWS/SageMaker", "OverheadLatency", dims, float64((total - a.latency).Microseconds()), "Microseconds", at)
}
