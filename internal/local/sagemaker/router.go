package sagemaker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/serving"
)

// maxPayload is SageMaker's real-time invocation limit (6 MB) for requests and responses.
const maxPayload = serving.MaxPayload

// InvokeInput is one InvokeEndpoint request (see [serving.InvokeInput]).
type InvokeInput = serving.InvokeInput

// InvokeOutput is the model's answer (see [serving.InvokeOutput]).
type InvokeOutput = serving.InvokeOutput

// ModelError is the model's non-2xx answer, reported by SageMaker Runtime as ModelError
// (HTTP 424); see [serving.ModelError].
type ModelError = serving.ModelError

// Invoke routes one request to the endpoint's fleet as the router does for
// RuntimeHandler: it picks the fleet by the deployment's traffic split and the variant by
// weight, forwards POST /invocations, publishes the AWS/SageMaker metrics and captures the
// request and response. Errors are *APIError (ValidationError for a missing endpoint) or
// *ModelError.
func (s *Service) Invoke(ctx context.Context, in InvokeInput) (InvokeOutput, error) {
	if len(in.Body) > maxPayload {
		return InvokeOutput{}, &APIError{Code: "ValidationError", Message: fmt.Sprintf("the request body is %d bytes; the limit is 6 MB", len(in.Body))}
	}
	notFound := &APIError{Code: "ValidationError", Message: fmt.Sprintf("Endpoint %s of account %s not found.", in.EndpointName, s.cfg.Account)}
	live := s.runtime(in.EndpointName)
	if live == nil {
		return InvokeOutput{}, notFound
	}
	out, err := s.router.Route(ctx, live, in)
	var nv *serving.NoVariantError
	switch {
	case errors.Is(err, serving.ErrNoFleet):
		return InvokeOutput{}, notFound
	case errors.As(err, &nv):
		return InvokeOutput{}, &APIError{Code: "ValidationError", Message: fmt.Sprintf("Target variant %s does not exist on endpoint %s.", in.TargetVariant, in.EndpointName)}
	}
	return out, err
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
