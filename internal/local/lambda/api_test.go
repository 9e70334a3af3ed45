package lambda

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
)

// apiClient serves a registry with trigger and evaluate through the API and returns a real
// Lambda SDK client pointed at it, and the channel every invocation's payload arrives on.
func apiClient(t *testing.T) (*awslambda.Client, *Registry, chan string) {
	t.Helper()
	calls := make(chan string, 16)
	r := New(Options{Env: topology.Local("prod"), OnInvoke: func(_ string, payload, _ []byte, _ error) { calls <- string(payload) }})
	r.Register("trigger", Handler(handle))
	r.Register("evaluate", Handler(handle))
	api := &API{Registry: r, Env: func(short topology.FunctionName) map[string]string {
		return map[string]string{"KILN_STAGE": "prod", "FN": string(short)}
	},
		Started: time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	c := awslambda.New(awslambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	return c, r, calls
}

func TestListAndGetFunctionsDescribeTheInProcessFunctions(t *testing.T) {
	c, _, _ := apiClient(t)
	ctx := context.Background()
	var names []string
	p := awslambda.NewListFunctionsPaginator(c, &awslambda.ListFunctionsInput{MaxItems: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, f := range page.Functions {
			names = append(names, aws.ToString(f.FunctionName))
		}
	}
	assert.Equal(t, []string{"kiln-prod-evaluate", "kiln-prod-trigger"}, names, "every function once, paged one at a time")

	for _, ref := range []string{"kiln-prod-trigger", "arn:aws:lambda:us-east-1:000000000000:function:kiln-prod-trigger", "000000000000:function:kiln-prod-trigger"} {
		got, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String(ref)})
		require.NoError(t, err, ref)
		cfg := got.Configuration
		assert.Equal(t, "arn:aws:lambda:us-east-1:000000000000:function:kiln-prod-trigger", aws.ToString(cfg.FunctionArn))
		assert.Equal(t, int32(30), aws.ToInt32(cfg.Timeout), "the topology's timeout")
		assert.Equal(t, lambdatypes.RuntimeProvidedal2023, cfg.Runtime)
		assert.Equal(t, lambdatypes.StateActive, cfg.State)
		assert.Equal(t, "trigger", cfg.Environment.Variables["FN"])
		assert.Equal(t, "/aws/lambda/kiln-prod-trigger", aws.ToString(cfg.LoggingConfig.LogGroup))
	}
}

func TestAnUnknownFunctionIsResourceNotFound(t *testing.T) {
	c, _, calls := apiClient(t)
	ctx := context.Background()
	cases := []struct {
		name string
		call func() error
	}{
		{"get function by a name nobody registered", func() error {
			_, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("nope")})
			return err
		}},
		{"get function of a published version", func() error {
			_, err := c.GetFunction(ctx, &awslambda.GetFunctionInput{FunctionName: aws.String("kiln-prod-trigger"), Qualifier: aws.String("3")})
			return err
		}},
		{"invoke a name nobody registered", func() error {
			_, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("nope"), Payload: []byte(`{}`)})
			return err
		}},
		{"invoke in another account", func() error {
			_, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("arn:aws:lambda:us-east-1:111111111111:function:kiln-prod-trigger")})
			return err
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var nf *lambdatypes.ResourceNotFoundException
			err := tc.call()
			require.ErrorAs(t, err, &nf, "got %v", err)
			assert.Contains(t, aws.ToString(nf.Message), "Function not found: arn:aws:lambda:")
		})
	}
	assert.Empty(t, calls, "nothing ran")
}

func TestInvokeAnswersAsLambdaDoes(t *testing.T) {
	c, _, calls := apiClient(t)
	ctx := context.Background()
	t.Run("a request-response invocation returns the result", func(t *testing.T) {
		out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-trigger"), Payload: []byte(`{"model":"abalone"}`)})
		require.NoError(t, err)
		assert.Equal(t, int32(200), out.StatusCode)
		assert.Nil(t, out.FunctionError)
		assert.JSONEq(t, `{"model":"abalone"}`, string(out.Payload))
		assert.Equal(t, "$LATEST", aws.ToString(out.ExecutedVersion))
		assert.Equal(t, `{"model":"abalone"}`, <-calls)
	})
	errorCases := []struct {
		name, fail, errorType, message string
	}{
		{"a named handler error comes back under its name", "named", "ModelRejectedError", "evaluate m: the model is worse than the champion"},
		{"a wrapped error comes back as the runtime names it", "wrapped", "wrapError", "evaluate m: the model is worse than the champion"},
		{"a panic comes back named after its value", "panic", "string", "boom"},
	}
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-evaluate"), Payload: []byte(`{"model":"m","fail":"` + tc.fail + `"}`)})
			require.NoError(t, err, "a function error is not an API error")
			assert.Equal(t, int32(200), out.StatusCode)
			assert.Equal(t, "Unhandled", aws.ToString(out.FunctionError))
			var doc map[string]string
			require.NoError(t, json.Unmarshal(out.Payload, &doc), string(out.Payload))
			assert.Equal(t, map[string]string{"errorType": tc.errorType, "errorMessage": tc.message}, doc)
			<-calls
		})
	}
	t.Run("an event invocation is accepted and runs in the background", func(t *testing.T) {
		out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-trigger"),
			InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{"model":"later"}`)})
		require.NoError(t, err)
		assert.Equal(t, int32(202), out.StatusCode)
		assert.Empty(t, out.Payload)
		assert.Equal(t, `{"model":"later"}`, <-calls)
	})
	t.Run("a dry run checks and runs nothing", func(t *testing.T) {
		out, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-trigger"),
			InvocationType: lambdatypes.InvocationTypeDryRun, Payload: []byte(`{"model":"never"}`)})
		require.NoError(t, err)
		assert.Equal(t, int32(204), out.StatusCode)
		select {
		case p := <-calls:
			t.Fatalf("a dry run invoked the function with %s", p)
		default:
		}
	})
	t.Run("a payload that is not JSON is refused before the function runs", func(t *testing.T) {
		_, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-trigger"), Payload: []byte(`{"model":`)})
		var bad *lambdatypes.InvalidRequestContentException
		require.ErrorAs(t, err, &bad, "got %v", err)
		assert.Empty(t, calls)
	})
	t.Run("an event payload over 1 MB is too large", func(t *testing.T) {
		_, err := c.Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-trigger"),
			InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`"` + strings.Repeat("x", MaxAsyncPayload) + `"`)})
		var big *lambdatypes.RequestTooLargeException
		require.ErrorAs(t, err, &big, "got %v", err)
		assert.Empty(t, calls)
	})
}

func TestAnOperationKilnDoesNotEmulateSaysSoInLambdasShape(t *testing.T) {
	c, _, _ := apiClient(t)
	_, err := c.DeleteFunction(context.Background(), &awslambda.DeleteFunctionInput{FunctionName: aws.String("kiln-prod-trigger")})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "got %v", err)
	assert.Equal(t, "UnknownOperationException", api.ErrorCode())
	assert.Contains(t, api.ErrorMessage(), "kiln local does not emulate the Lambda operation DELETE")
	_, err = c.GetFunction(context.Background(), &awslambda.GetFunctionInput{FunctionName: aws.String("kiln-prod-trigger")})
	assert.NoError(t, err, "and the function is still there")
}
