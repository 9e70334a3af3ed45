package lambda

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFunctionURL(t *testing.T) {
	var got events.LambdaFunctionURLRequest
	fn := Handler(func(_ context.Context, req events.LambdaFunctionURLRequest) (events.LambdaFunctionURLResponse, error) {
		got = req
		if req.Headers["x-github-event"] == "fail" {
			return events.LambdaFunctionURLResponse{}, errors.New("boom")
		}
		return events.LambdaFunctionURLResponse{StatusCode: http.StatusAccepted, Headers: map[string]string{"Content-Type": "application/json"}, Body: `{"ok":true}`}, nil
	})
	srv := httptest.NewServer(FunctionURL(fn, clock.NewVirtual(time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC))))
	defer srv.Close()

	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/_kiln/functions/webhook?x=1", strings.NewReader(`{"ref":"refs/heads/main"}`))
	req.Header.Set("X-GitHub-Event", "push")
	req.Header.Set("X-Hub-Signature-256", "sha256=abc")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.JSONEq(t, `{"ok":true}`, string(b))
	assert.Equal(t, "push", got.Headers["x-github-event"], "header names arrive lower-cased")
	assert.Equal(t, "sha256=abc", got.Headers["x-hub-signature-256"])
	assert.Equal(t, `{"ref":"refs/heads/main"}`, got.Body)
	assert.False(t, got.IsBase64Encoded)
	assert.Equal(t, "POST", got.RequestContext.HTTP.Method)
	assert.Equal(t, "1", got.QueryStringParameters["x"])

	req, _ = http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader("\xff\xfe"))
	req.Header.Set("X-GitHub-Event", "fail")
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadGateway, resp.StatusCode, "a function error is a 502")
	assert.True(t, got.IsBase64Encoded, "a body that is not UTF-8 arrives base64")
	assert.Equal(t, "//4=", got.Body)
}
