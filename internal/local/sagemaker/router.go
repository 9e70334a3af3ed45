package sagemaker

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxPayload is SageMaker's real-time invocation limit (6 MB) for requests and responses.
const maxPayload = 6 << 20

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

// Invoke routes one request to the endpoint's fleet as the router does for
// RuntimeHandler: it picks the fleet by the deployment's traffic split and the variant by
// weight, forwards POST /invocations, publishes the AWS/SageMaker metrics and captures the
// request and response. Errors are *APIError (ValidationError for a missing endpoint) or
// *ModelError.
func (s *Service) Invoke(ctx context.Context, in InvokeInput) (InvokeOutput, error) {
	start := time.Now()
	if len(in.Body) > maxPayload {
		return InvokeOutput{}, &APIError{Code: "ValidationError", Message: fmt.Sprintf("the request body is %d bytes; the limit is 6 MB", len(in.Body))}
	}
	live := s.runtime(in.EndpointName)
	if live == nil {
		return InvokeOutput{}, &APIError{Code: "ValidationError", Message: fmt.Sprintf("Endpoint %s of account %s not found.", in.EndpointName, s.cfg.Account)}
	}
	f, v := live.pick(s.cfg.Rand(), in.TargetVariant)
	if f == nil {
		return InvokeOutput{}, &APIError{Code: "ValidationError", Message: fmt.Sprintf("Endpoint %s of account %s not found.", in.EndpointName, s.cfg.Account)}
	}
	if v == nil {
		return InvokeOutput{}, &APIError{Code: "ValidationError", Message: fmt.Sprintf("Target variant %s does not exist on endpoint %s.", in.TargetVariant, in.EndpointName)}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, v.url, bytes.NewReader(in.Body))
	if err != nil {
		return InvokeOutput{}, fmt.Errorf("build invocation request: %w", err)
	}
	if in.ContentType != "" {
		req.Header.Set("Content-Type", in.ContentType)
	}
	if in.Accept != "" {
		req.Header.Set("Accept", in.Accept)
	}
	modelStart := time.Now()
	resp, err := s.client.Do(req)
	var body []byte
	status := 0
	contentType := ""
	if err == nil {
		body, err = io.ReadAll(io.LimitReader(resp.Body, maxPayload+1))
		resp.Body.Close()
		status = resp.StatusCode
		contentType = resp.Header.Get("Content-Type")
	}
	modelLatency := time.Since(modelStart)
	var out InvokeOutput
	var callErr error
	switch {
	case err != nil:
		callErr = &ModelError{OriginalStatusCode: 500, OriginalMessage: err.Error(), Variant: v.name}
		status = 500
	case len(body) > maxPayload:
		callErr = &ModelError{OriginalStatusCode: 500, OriginalMessage: "the model's response is larger than 6 MB", Variant: v.name}
		status = 500
	case status < 200 || status > 299:
		callErr = &ModelError{OriginalStatusCode: status, OriginalMessage: string(body), Variant: v.name}
	default:
		out = InvokeOutput{Body: body, ContentType: contentType, InvokedProductionVariant: v.name}
	}
	at := s.cfg.Clock.Now()
	if m := s.cfg.Metrics; m != nil {
		dims := map[string]string{"EndpointName": in.EndpointName, "VariantName": v.name}
		is4xx, is5xx := 0.0, 0.0
		if status >= 400 && status < 500 {
			is4xx = 1
		}
		if status >= 500 {
			is5xx = 1
		}
		m.Put("AWS/SageMaker", "Invocations", dims, 1, "Count", at)
		m.Put("AWS/SageMaker", "Invocation4XXErrors", dims, is4xx, "Count", at)
		m.Put("AWS/SageMaker", "Invocation5XXErrors", dims, is5xx, "Count", at)
		m.Put("AWS/SageMaker", "ModelLatency", dims, float64(modelLatency.Microseconds()), "Microseconds", at)
		m.Put("AWS/SageMaker", "OverheadLatency", dims, float64((time.Since(start) - modelLatency).Microseconds()), "Microseconds", at)
	}
	if callErr == nil && f.capture.enabled() {
		s.capture.record(in.EndpointName, v.name, f.capture, in.ContentType, in.Body, contentType, body, at)
	}
	return out, callErr
}

// RuntimeHandler returns the handler for SageMaker Runtime's InvokeEndpoint
// (POST /endpoints/{name}/invocations). Mount it at /endpoints/.
func (s *Service) RuntimeHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), "/endpoints/")
		name, tail, _ := strings.Cut(rest, "/")
		if !ok || tail != "invocations" || name == "" {
			writeRuntimeError(w, http.StatusNotFound, "UnknownOperationException", "kiln's local SageMaker Runtime implements only POST /endpoints/{name}/invocations, not "+r.Method+" "+r.URL.Path)
			return
		}
		if r.Method != http.MethodPost {
			writeRuntimeError(w, http.StatusMethodNotAllowed, "UnknownOperationException", "InvokeEndpoint needs POST, got "+r.Method)
			return
		}
		name, err := url.PathUnescape(name)
		if err != nil {
			writeRuntimeError(w, http.StatusBadRequest, "ValidationError", "invalid endpoint name in the path")
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, maxPayload+1))
		if err != nil {
			writeRuntimeError(w, http.StatusBadRequest, "ValidationError", "read request body: "+err.Error())
			return
		}
		out, err := s.Invoke(r.Context(), InvokeInput{
			EndpointName:  name,
			ContentType:   r.Header.Get("Content-Type"),
			Accept:        r.Header.Get("Accept"),
			TargetVariant: r.Header.Get("X-Amzn-SageMaker-Target-Variant"),
			Body:          body,
		})
		if err != nil {
			var me *ModelError
			var ae *APIError
			switch {
			case errors.As(err, &me):
				e := me
				w.Header().Set("Content-Type", "application/json")
				w.Header().Set("X-Amzn-ErrorType", "ModelError")
				w.WriteHeader(http.StatusFailedDependency)
				b, _ := json.Marshal(map[string]any{
					"__type":             "ModelError",
					"ErrorCode":          "ModelError",
					"Message":            e.Error(),
					"message":            e.Error(),
					"OriginalStatusCode": e.OriginalStatusCode,
					"OriginalMessage":    e.OriginalMessage,
					"LogStreamArn":       fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/sagemaker/Endpoints/%s", s.cfg.Region, s.cfg.Account, name),
				})
				_, _ = w.Write(b)
			case errors.As(err, &ae):
				writeRuntimeError(w, ae.httpStatus(), ae.Code, ae.Message)
			default:
				writeRuntimeError(w, http.StatusInternalServerError, "InternalFailure", err.Error())
			}
			return
		}
		if out.ContentType != "" {
			w.Header().Set("Content-Type", out.ContentType)
		}
		w.Header().Set("x-Amzn-Invoked-Production-Variant", out.InvokedProductionVariant)
		w.Header().Set("Content-Length", strconv.Itoa(len(out.Body)))
		_, _ = w.Write(out.Body)
	})
}

func writeRuntimeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(status)
	b, _ := json.Marshal(map[string]string{"__type": code, "message": msg, "Message": msg})
	_, _ = w.Write(b)
}
