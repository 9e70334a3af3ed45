package iam

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"

	"github.com/kiln-dev/kiln/internal/topology"
)

// sdkConfig returns an SDK config for the endpoint signing with access key id key.
func sdkConfig(endpoint, key string) aws.Config {
	return aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: key, SecretAccessKey: "test"}, nil
		}), RetryMaxAttempts: 1}
}

// TestDeniedCallsFailAsEachServiceFailsThem drives the middleware with the real SDK clients:
// a role's denied call never reaches the service and fails with the service's own error
// code, naming principal, action and resource; an allowed call and the root's call pass.
func TestDeniedCallsFailAsEachServiceFailsThem(t *testing.T) {
	a := prodAuthorizer(t, ModeEnforce)
	env := topology.Local("prod")
	var reached atomic.Int32
	srv := httptest.NewServer(a.Middleware(env, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		reached.Add(1)
		w.WriteHeader(http.StatusTeapot)
	})))
	defer srv.Close()
	trigger := sdkConfig(srv.URL, AccessKeyID("kiln-prod-trigger-fn", "kiln-prod-trigger"))
	evaluate := sdkConfig(srv.URL, AccessKeyID("kiln-prod-evaluate-fn", "kiln-prod-evaluate"))
	root := sdkConfig(srv.URL, "test")
	bucket := topology.ArtifactsBucket(env)
	ctx := context.Background()
	s3c := func(cfg aws.Config) *awss3.Client {
		return awss3.NewFromConfig(cfg, func(o *awss3.Options) { o.UsePathStyle = true })
	}
	cases := []struct {
		name     string
		call     func() error
		wantCode string // "" : the call reaches the service
		wantIn   []string
	}{
		{"a Lambda without the grant cannot update an endpoint (JSON)", func() error {
			_, err := awssm.NewFromConfig(trigger).UpdateEndpoint(ctx, &awssm.UpdateEndpointInput{EndpointName: aws.String("kiln-prod-abalone"), EndpointConfigName: aws.String("c")})
			return err
		}, "AccessDeniedException", []string{"assumed-role/kiln-prod-trigger-fn/kiln-prod-trigger", "sagemaker:UpdateEndpoint", "endpoint/kiln-prod-abalone"}},
		{"a Lambda without the grant cannot read an object (S3 XML)", func() error {
			_, err := s3c(trigger).GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("approvals/x.json")})
			return err
		}, "AccessDenied", []string{"s3:GetObject", bucket + "/approvals/x.json"}},
		{"a Lambda without the grant cannot publish (SNS query)", func() error {
			_, err := awssns.NewFromConfig(trigger).Publish(ctx, &awssns.PublishInput{TopicArn: aws.String(topology.TopicARN(env)), Message: aws.String("m")})
			return err
		}, "AuthorizationError", []string{"sns:Publish", topology.TopicARN(env)}},
		{"a Lambda without the grant cannot put metrics (CloudWatch CBOR)", func() error {
			_, err := awscw.NewFromConfig(trigger).PutMetricData(ctx, &awscw.PutMetricDataInput{Namespace: aws.String("kiln"),
				MetricData: []cwtypes.MetricDatum{{MetricName: aws.String("m"), Value: aws.Float64(1)}}})
			return err
		}, "AccessDenied", []string{"cloudwatch:PutMetricData"}},
		{"a granted call reaches the service", func() error {
			_, err := s3c(evaluate).PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("evaluations/abalone/x/evaluation.json"), Body: strings.NewReader("{}")})
			return err
		}, "", nil},
		{"the account root reaches the service", func() error {
			_, err := awssm.NewFromConfig(root).DeleteEndpoint(ctx, &awssm.DeleteEndpointInput{EndpointName: aws.String("kiln-prod-abalone")})
			return err
		}, "", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := reached.Load()
			err := c.call()
			var apiErr smithy.APIError
			if c.wantCode == "" {
				if reached.Load() != before+1 {
					t.Fatalf("the call did not reach the service: %v", err)
				}
				return
			}
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != c.wantCode {
				t.Fatalf("got %v, want the error code %s", err, c.wantCode)
			}
			for _, w := range c.wantIn {
				if !strings.Contains(apiErr.ErrorMessage(), w) {
					t.Errorf("got message %q, want it to name %q", apiErr.ErrorMessage(), w)
				}
			}
			if reached.Load() != before {
				t.Errorf("a denied call reached the service")
			}
		})
	}
}
