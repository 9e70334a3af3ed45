package sagemaker

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteErrorAnswersInAWSJSON11WithARequestID(t *testing.T) {
	rec := httptest.NewRecorder()
	writeError(rec, &APIError{Code: "ResourceNotFound", Message: "no such endpoint", Status: http.StatusBadRequest})
	assert.Equal(t, http.StatusBadRequest, rec.Code)
	assert.Equal(t, "application/x-amz-json-1.1", rec.Header().Get("Content-Type"))
	assert.Equal(t, "ResourceNotFound", rec.Header().Get("X-Amzn-ErrorType"))
	assert.NotEmpty(t, rec.Header().Get("X-Amzn-RequestId"), "every AWS answer carries a request ID")
	var body map[string]string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, map[string]string{"__type": "ResourceNotFound", "message": "no such endpoint"}, body)
}
