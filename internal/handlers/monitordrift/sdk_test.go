package monitordrift

import (
	"bytes"
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWithTheRealS3Client runs the job through the real S3 client against an S3 emulator, so
// listings with delimiters, paging and the missing-object error are S3's own.
func TestWithTheRealS3Client(t *testing.T) {
	srv := httptest.NewServer(gofakes3.New(s3mem.New()).Server())
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
	ctx := context.Background()
	_, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("kiln-artifacts")})
	require.NoError(t, err)

	b, rows := world(t)
	at := time.Date(2026, 11, 22, 18, 10, 0, 0, time.UTC)
	b[capturePath+"AllTraffic/2026/11/22/18/a.jsonl"] = captureFile(t, shifted(rows[3300:3700], 0.15, 1, 2), at)
	b[capturePath+"AllTraffic/2026/11/22/17/old.jsonl"] = captureFile(t, rows[:400], at.Add(-time.Hour))
	for k, body := range b {
		bucket, key, _ := strings.Cut(k, "/")
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
		require.NoError(t, err, k)
	}

	var published int
	h := &Handler{
		S3: client,
		CloudWatch: &fakeCloudWatch{PutMetricDataFunc: func(_ context.Context, in *cloudwatch.PutMetricDataInput) (*cloudwatch.PutMetricDataOutput, error) {
			published += len(in.MetricData)
			return &cloudwatch.PutMetricDataOutput{}, nil
		}},
		Clock:  func() time.Time { return now },
		Bucket: "kiln-artifacts",
	}
	sum, err := h.Handle(ctx, []byte(`{"endpointName":"abalone-prod","windowMinutes":60}`))
	require.NoError(t, err)
	assert.Equal(t, StatusCompleted, sum.Status)
	assert.Equal(t, 1, sum.CaptureFiles, "only the 18:00 hour is in the window")
	assert.Equal(t, 400, sum.Rows)
	assert.Equal(t, []string{"Length", "Diameter"}, sum.DriftedFeatures)
	assert.Equal(t, 8, published)

	got, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("kiln-artifacts"), Key: aws.String("monitoring/abalone-prod/20261122T190000Z/constraint_violations.json")})
	require.NoError(t, err)
	got.Body.Close()

	sum, err = h.Handle(ctx, []byte(`{"endpointName":"abalone-dev"}`))
	require.NoError(t, err, "over real HTTP a missing record is S3's 404, and a skip")
	assert.Equal(t, StatusNoDeployment, sum.Status)
}
