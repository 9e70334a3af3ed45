package stepfunctions

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteErrorAnswersInAWSJSON10WithARequestID(t *testing.T) {
	rec := httptest.NewRecorder()
	writeError(rec, errors.New("disk on fire"))
	assert.Equal(t, http.StatusInternalServerError, rec.Code)
	assert.Equal(t, "application/x-amz-json-1.0", rec.Header().Get("Content-Type"))
	assert.NotEmpty(t, rec.Header().Get("X-Amzn-RequestId"), "every AWS answer carries a request ID")
	var body map[string]string
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &body))
	assert.Equal(t, rec.Header().Get("X-Amzn-ErrorType"), body["__type"])
	assert.Contains(t, body["message"], "disk on fire")
}
