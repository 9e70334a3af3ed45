package server

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemakerruntime"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tag answers every request with a 418 and the service name as the error code, so each
// SDK call reports which handler it reached.
func tag(name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Amzn-ErrorType", name)
		w.Header().Set("X-Reached", name)
		w.WriteHeader(http.StatusTeapot)
	})
}

func TestRoutingByProtocol(t *testing.T) {
	var reached []string
	rec := func(name string) http.Handler {
		h := tag(name)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { reached = append(reached, name); h.ServeHTTP(w, r) })
	}
	srv := httptest.NewServer(Handler(Routes{StepFunctions: rec("sfn"), SageMaker: rec("sagemaker"), Runtime: rec("runtime"),
		EventBridge: rec("events"), CloudWatch: rec("cloudwatch"), SNS: rec("sns"), S3: rec("s3"),
		Functions: map[string]http.Handler{"webhook": rec("webhook")}}, nil))
	defer srv.Close()
	ctx := context.Background()
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
	})
	ep := aws.String(srv.URL)
	calls := []struct {
		want string
		call func() error
	}{
		{"sfn", func() error {
			_, err := sfn.New(sfn.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).ListStateMachines(ctx, &sfn.ListStateMachinesInput{})
			return err
		}},
		{"sagemaker", func() error {
			_, err := sagemaker.New(sagemaker.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).ListEndpoints(ctx, &sagemaker.ListEndpointsInput{})
			return err
		}},
		{"runtime", func() error {
			_, err := sagemakerruntime.New(sagemakerruntime.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).InvokeEndpoint(ctx, &sagemakerruntime.InvokeEndpointInput{EndpointName: aws.String("e"), Body: []byte("1,2"), ContentType: aws.String("text/csv")})
			return err
		}},
		{"events", func() error {
			_, err := eventbridge.New(eventbridge.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).ListRules(ctx, &eventbridge.ListRulesInput{})
			return err
		}},
		{"cloudwatch", func() error {
			_, err := cloudwatch.New(cloudwatch.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{})
			return err
		}},
		{"sns", func() error {
			_, err := sns.New(sns.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).Publish(ctx, &sns.PublishInput{TopicArn: aws.String("t"), Message: aws.String("m")})
			return err
		}},
		{"s3", func() error {
			_, err := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, UsePathStyle: true, RetryMaxAttempts: 1}).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err
		}},
	}
	for _, c := range calls {
		t.Run("a "+c.want+" request reaches "+c.want, func(t *testing.T) {
			reached = nil
			require.Error(t, c.call())
			assert.Equal(t, []string{c.want}, reached)
		})
	}

	t.Run("an unknown target gets an error naming it", func(t *testing.T) {
		reached = nil
		_, err := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).ListTables(ctx, &dynamodb.ListTablesInput{})
		var ae smithy.APIError
		require.True(t, errors.As(err, &ae), "got %v", err)
		assert.Equal(t, "UnknownOperationException", ae.ErrorCode())
		assert.Contains(t, ae.ErrorMessage(), "ListTables")
		assert.Contains(t, ae.ErrorMessage(), "kiln local does not emulate DynamoDB")
		assert.Empty(t, reached)
	})

	t.Run("a function URL reaches its function", func(t *testing.T) {
		reached = nil
		resp, err := http.Post(srv.URL+FunctionURLPrefix+"webhook", "application/json", strings.NewReader("{}"))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, []string{"webhook"}, reached)
		resp, err = http.Post(srv.URL+FunctionURLPrefix+"nope", "application/json", strings.NewReader("{}"))
		require.NoError(t, err)
		resp.Body.Close()
		assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	})
}

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		name   string
		addr   string
		remote bool
		ok     bool
	}{
		{"the default loopback address is accepted", DefaultAddr, false, true},
		{"IPv6 loopback is accepted", "[::1]:4566", false, true},
		{"localhost is accepted", "localhost:4566", false, true},
		{"all interfaces are refused", "0.0.0.0:4566", false, false},
		{"an empty host (all interfaces) is refused", ":4566", false, false},
		{"a LAN address is refused", "192.168.1.10:4566", false, false},
		{"a LAN address is accepted with allow-remote", "192.168.1.10:4566", true, true},
		{"an address without a port is an error", "127.0.0.1", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckAddr(tt.addr, tt.remote)
			if tt.ok {
				assert.NoError(t, err)
			} else {
				assert.Error(t, err)
			}
		})
	}
}

func TestQueryProtocolRequestsGoToTheServiceTheyAreSignedFor(t *testing.T) {
	h := Handler(Routes{CloudWatch: tag("cloudwatch"), SNS: tag("sns"), S3: tag("s3")}, nil)
	tests := []struct {
		name, auth, body, want string
	}{
		{"a request signed for monitoring reaches CloudWatch",
			"AWS4-HMAC-SHA256 Credential=test/20261205/us-east-1/monitoring/aws4_request, SignedHeaders=host, Signature=x",
			"Action=DescribeAlarms&Version=2010-08-01", "cloudwatch"},
		{"a request signed for sns reaches SNS",
			"AWS4-HMAC-SHA256 Credential=test/20261205/us-east-1/sns/aws4_request, SignedHeaders=host, Signature=x",
			"Action=ListTopics&Version=2010-03-31", "sns"},
		{"an unsigned request with CloudWatch's API version reaches CloudWatch", "",
			"Action=ListMetrics&Version=2010-08-01", "cloudwatch"},
		{"an unsigned request with SNS's API version reaches SNS", "",
			"Action=Publish&Version=2010-03-31", "sns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tt.want, rec.Header().Get("X-Reached"))
		})
	}
}
