package sagemaker

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/kiln-dev/kiln/internal/local/awserr"
)

// operation runs one SageMaker operation on its JSON input and returns its JSON output.
type operation func(s *Service, ctx context.Context, input []byte) (any, error)

var operations = map[string]operation{
	"CreateTrainingJob":         (*Service).opCreateTrainingJob,
	"DescribeTrainingJob":       (*Service).opDescribeTrainingJob,
	"ListTrainingJobs":          (*Service).opListTrainingJobs,
	"StopTrainingJob":           (*Service).opStopTrainingJob,
	"CreateModelPackageGroup":   (*Service).opCreateModelPackageGroup,
	"DescribeModelPackageGroup": (*Service).opDescribeModelPackageGroup,
	"ListModelPackageGroups":    (*Service).opListModelPackageGroups,
	"CreateModelPackage":        (*Service).opCreateModelPackage,
	"DescribeModelPackage":      (*Service).opDescribeModelPackage,
	"ListModelPackages":         (*Service).opListModelPackages,
	"UpdateModelPackage":        (*Service).opUpdateModelPackage,
	"CreateModel":               (*Service).opCreateModel,
	"DescribeModel":             (*Service).opDescribeModel,
	"CreateEndpointConfig":      (*Service).opCreateEndpointConfig,
	"DescribeEndpointConfig":    (*Service).opDescribeEndpointConfig,
	"CreateEndpoint":            (*Service).opCreateEndpoint,
	"UpdateEndpoint":            (*Service).opUpdateEndpoint,
	"DescribeEndpoint":          (*Service).opDescribeEndpoint,
	"ListModels":                (*Service).opListModels,
	"DeleteModel":               (*Service).opDeleteModel,
	"ListEndpointConfigs":       (*Service).opListEndpointConfigs,
	"DeleteEndpointConfig":      (*Service).opDeleteEndpointConfig,
	"ListEndpoints":             (*Service).opListEndpoints,
	"DeleteEndpoint":            (*Service).opDeleteEndpoint,
}

// Call runs the SageMaker operation op (PascalCase, "DescribeEndpoint"; a camelCase name
// such as Step Functions' "describeEndpoint" is accepted too) on its JSON input and returns
// its JSON output, exactly as the wire API would. Errors are *APIError with the AWS code;
// an unknown operation is UnknownOperationException.
func (s *Service) Call(ctx context.Context, op string, input []byte) ([]byte, error) {
	name := op
	if name != "" {
		name = strings.ToUpper(name[:1]) + name[1:]
	}
	fn, ok := operations[name]
	if !ok {
		return nil, &APIError{Code: CodeUnknownOperation, Message: "operation " + op + " is not supported by kiln's local SageMaker"}
	}
	out, err := fn(s, ctx, input)
	if err != nil {
		var ae *APIError
		if !errors.As(err, &ae) {
			s.log.Error("sagemaker operation", "operation", name, "err", err)
			return nil, &APIError{Code: CodeInternal, Message: err.Error(), Status: http.StatusInternalServerError}
		}
		return nil, err
	}
	if out == nil {
		out = struct{}{}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, &APIError{Code: CodeInternal, Message: "marshal " + name + " output: " + err.Error(), Status: http.StatusInternalServerError}
	}
	return b, nil
}

// APIHandler returns the handler for SageMaker's JSON 1.1 protocol (POST with
// X-Amz-Target: SageMaker.<Op>). Mount it where requests with that target arrive.
func (s *Service) APIHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target := r.Header.Get("X-Amz-Target")
		op, ok := strings.CutPrefix(target, "SageMaker.")
		if r.Method != http.MethodPost || !ok {
			writeError(w, &APIError{Code: CodeUnknownOperation, Message: "expected POST with X-Amz-Target: SageMaker.<Operation>, got " + r.Method + " " + target})
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 16<<20))
		if err != nil {
			writeError(w, validationf("read request body: %v", err))
			return
		}
		if _, known := operations[op]; !known {
			writeError(w, &APIError{Code: CodeUnknownOperation, Message: "operation " + op + " is not supported by kiln's local SageMaker"})
			return
		}
		out, err := s.Call(r.Context(), op, body)
		if err != nil {
			writeError(w, err)
			return
		}
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = w.Write(out)
	})
}

func writeError(w http.ResponseWriter, err error) {
	var ae *APIError
	if !errors.As(err, &ae) {
		ae = &APIError{Code: CodeInternal, Message: err.Error(), Status: http.StatusInternalServerError}
	}
	awserr.Write(w, awserr.JSON11, ae.httpStatus(), ae.Code, ae.Message)
}
