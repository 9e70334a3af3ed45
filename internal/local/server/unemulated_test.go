package server

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/scheduler"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAServiceKilnDoesNotEmulateAnswersInItsOwnProtocol calls services the stack does not
// serve with their real SDK clients: each must get a readable error in its own protocol
// (the SDK decodes the code and message), never S3's XML, and no handler may run.
func TestAServiceKilnDoesNotEmulateAnswersInItsOwnProtocol(t *testing.T) {
	var reached []string
	rec := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			reached = append(reached, name)
			w.WriteHeader(http.StatusTeapot)
		})
	}
	// A stack built without Lambda and Scheduler, as before they were emulated.
	srv := httptest.NewServer(Handler(Routes{StepFunctions: rec("sfn"), SageMaker: rec("sagemaker"), CloudWatch: rec("cloudwatch"),
		SNS: rec("sns"), S3: rec("s3")}, nil))
	defer srv.Close()
	ctx := context.Background()
	creds := aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
		return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
	})
	ep := aws.String(srv.URL)
	cases := []struct {
		name, code, says string
		call             func() error
	}{
		{"a Lambda call to a stack without Lambda gets Lambda's REST-JSON error", "UnknownOperationException",
			"kiln local serves Lambda, but this stack was built without it (operation GET /2015-03-31/functions)", func() error {
				_, err := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).ListFunctions(ctx, &lambda.ListFunctionsInput{})
				return err
			}},
		{"a Scheduler call to a stack without Scheduler gets its REST-JSON error", "UnknownOperationException",
			"serves EventBridge Scheduler, but this stack was built without it (operation GET /schedules)", func() error {
				_, err := scheduler.New(scheduler.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).ListSchedules(ctx, &scheduler.ListSchedulesInput{})
				return err
			}},
		{"a DynamoDB call gets a JSON 1.0 error", "UnknownOperationException",
			"kiln local does not emulate DynamoDB (operation ListTables)", func() error {
				_, err := dynamodb.New(dynamodb.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).ListTables(ctx, &dynamodb.ListTablesInput{})
				return err
			}},
		{"a Secrets Manager call gets a JSON 1.1 error", "UnknownOperationException",
			"kiln local does not emulate Secrets Manager (operation GetSecretValue)", func() error {
				_, err := secretsmanager.New(secretsmanager.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String("s")})
				return err
			}},
		{"an STS call gets the query protocol's XML error", "InvalidAction",
			"kiln local does not emulate STS (operation GetCallerIdentity)", func() error {
				_, err := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: ep, Credentials: creds, RetryMaxAttempts: 1}).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
				return err
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			reached = nil
			err := tc.call()
			var api smithy.APIError
			require.True(t, errors.As(err, &api), "the SDK must decode the error, got %v", err)
			assert.Equal(t, tc.code, api.ErrorCode())
			assert.Contains(t, api.ErrorMessage(), tc.says)
			assert.Contains(t, api.ErrorMessage(), "it emulates Step Functions")
			assert.Empty(t, reached, "no service handler ran")
		})
	}
}

// TestXMLServicesGetTheirOwnErrorDocument checks the XML shapes byte by byte where no SDK
// client is at hand: EC2's Response, Route 53's ErrorResponse.
func TestXMLServicesGetTheirOwnErrorDocument(t *testing.T) {
	h := Handler(Routes{S3: tag("s3"), SNS: tag("sns")}, nil)
	cases := []struct {
		name, method, path, body, signing, root, code string
		status                                        int
	}{
		{"an EC2 query call gets EC2's Response with Errors", http.MethodPost, "/", "Action=DescribeInstances&Version=2016-11-15", "ec2", "Response", "InvalidAction", http.StatusBadRequest},
		{"an IAM query call gets an ErrorResponse", http.MethodPost, "/", "Action=ListUsers&Version=2010-05-08", "iam", "ErrorResponse", "InvalidAction", http.StatusBadRequest},
		{"a Route 53 REST-XML call gets an ErrorResponse", http.MethodGet, "/2013-04-01/hostedzone", "", "route53", "ErrorResponse", "InvalidAction", http.StatusNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if tc.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261205/us-east-1/"+tc.signing+"/aws4_request, SignedHeaders=host, Signature=x")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			assert.Equal(t, tc.status, w.Code)
			assert.Empty(t, w.Header().Get("X-Reached"), "no service handler ran")
			body, _ := io.ReadAll(w.Body)
			var doc struct {
				XMLName xml.Name
				Code    []string `xml:"Errors>Error>Code"`
				Code2   string   `xml:"Error>Code"`
				Message string   `xml:"Error>Message"`
				EC2Msg  string   `xml:"Errors>Error>Message"`
			}
			require.NoError(t, xml.Unmarshal(body, &doc), string(body))
			assert.Equal(t, tc.root, doc.XMLName.Local)
			assert.Contains(t, append(doc.Code, doc.Code2), tc.code)
			assert.Contains(t, doc.Message+doc.EC2Msg, "kiln local does not emulate")
		})
	}
}
