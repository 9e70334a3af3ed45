package sagemaker

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAClosingServiceStartsNoWork(t *testing.T) {
	h := newHarness(t, newManualClock(), nil)
	h.stop(t)
	for _, tc := range []struct {
		name string
		op   string
		in   any
	}{
		{"a training job is refused", "CreateTrainingJob", map[string]any{
			"TrainingJobName":        "late-job",
			"AlgorithmSpecification": map[string]string{"TrainingImage": trainImage},
			"RoleArn":                "arn:aws:iam::000000000000:role/kiln",
			"OutputDataConfig":       map[string]string{"S3OutputPath": "s3://" + bucket + "/out"},
			"ResourceConfig":         map[string]int{"InstanceCount": 1},
			"StoppingCondition":      map[string]int{},
		}},
		{"a new endpoint is refused", "CreateEndpoint", map[string]string{"EndpointName": "late", "EndpointConfigName": "any-config"}},
		{"an endpoint update is refused", "UpdateEndpoint", map[string]string{"EndpointName": "late", "EndpointConfigName": "any-config"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := h.callErr(tc.op, tc.in)
			var ae *APIError
			require.True(t, errors.As(err, &ae), "got %v", err)
			assert.Equal(t, CodeInternal, ae.Code)
			assert.Equal(t, "kiln local is shutting down", ae.Message)
			assert.Equal(t, 500, ae.httpStatus())
		})
	}
}
