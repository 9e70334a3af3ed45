package stepfunctions

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestMalformedRequestsAreAnsweredAsAWSDoes sends raw JSON 1.0 requests, as a hand-written
// client would, and checks each is refused with Step Functions' error and starts nothing.
func TestMalformedRequestsAreAnsweredAsAWSDoes(t *testing.T) {
	db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
	defer db.Close()
	s := openService(t, db, newTokens(), nil)
	defer s.Close()
	srv := httptest.NewServer(s)
	defer srv.Close()
	post := func(op, body string) (int, string, string) {
		req, _ := http.NewRequest("POST", srv.URL, strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]string
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out["__type"], out["message"]
	}
	arn := `"stateMachineArn":"` + approvalARN + `"`
	big := strings.Repeat("a", MaxPayload)
	tests := []struct {
		name, op, body, code string
	}{
		{"a number as the name is a serialization error", "StartExecution", `{` + arn + `,"name":12345}`, "SerializationException"},
		{"an object as the input is a serialization error, not {}", "StartExecution", `{` + arn + `,"input":{"a":1}}`, "SerializationException"},
		{"an input over 256 KiB is a validation error", "StartExecution", `{` + arn + `,"input":"\"` + big + `\""}`, "ValidationException"},
		{"a name with DEL is invalid", "StartExecution", `{` + arn + `,"name":"a\u007fb"}`, "InvalidName"},
		{"a name with a C1 control character is invalid", "StartExecution", `{` + arn + `,"name":"a\u0085b"}`, "InvalidName"},
		{"a name with a no-break space is invalid", "StartExecution", `{` + arn + `,"name":"a\u00a0b"}`, "InvalidName"},
		{"a name of 81 characters is invalid", "StartExecution", `{` + arn + `,"name":"` + strings.Repeat("é", 81) + `"}`, "InvalidName"},
		{"a missing state machine ARN is a validation error", "StartExecution", `{"input":"{}"}`, "ValidationException"},
		{"a garbage state machine ARN is invalid", "StartExecution", `{"stateMachineArn":"garbage"}`, "InvalidArn"},
		{"an empty state machine ARN is invalid", "DescribeStateMachine", `{"stateMachineArn":""}`, "InvalidArn"},
		{"an execution ARN where a state machine's belongs is invalid", "ListExecutions", `{"stateMachineArn":"arn:aws:states:us-east-1:000000000000:execution:approval:x"}`, "InvalidArn"},
		{"a garbage execution ARN is invalid", "DescribeExecution", `{"executionArn":"arn:aws:states:::"}`, "InvalidArn"},
		{"a negative maxResults is a validation error", "ListExecutions", `{` + arn + `,"maxResults":-5}`, "ValidationException"},
		{"a maxResults over 1000 is a validation error", "GetExecutionHistory", `{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:approval:x","maxResults":1001}`, "ValidationException"},
		{"a fractional maxResults is a serialization error", "ListExecutions", `{` + arn + `,"maxResults":1.5}`, "SerializationException"},
		{"a string reverseOrder is a serialization error", "GetExecutionHistory", `{"executionArn":"arn:aws:states:us-east-1:000000000000:execution:approval:x","reverseOrder":"yes"}`, "SerializationException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, code, msg := post(tt.op, tt.body)
			assert.Equal(t, 400, status, msg)
			assert.Equal(t, tt.code, code, msg)
		})
	}
	recs, err := s.Executions(approvalARN, "")
	require.NoError(t, err)
	assert.Empty(t, recs, "a refused request started an execution")
	_, code, msg := post("StartExecution", `{`+arn+`,"name":"ok-name","input":"{\"a\":1}","maxResults":0}`)
	assert.Empty(t, code, msg)
}
