package s3

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func newClient(t *testing.T, h http.Handler) *awss3.Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return awss3.New(awss3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		}),
	})
}

func openStore(t *testing.T, opts Options) *Store {
	t.Helper()
	s, err := Open(t.TempDir(), opts)
	require.NoError(t, err)
	return s
}

func TestSDKRoundTrip(t *testing.T) {
	var mu sync.Mutex
	var created []ObjectCreated
	s := openStore(t, Options{OnCreated: func(ev ObjectCreated) { mu.Lock(); created = append(created, ev); mu.Unlock() }})
	c := newClient(t, s.Handler())
	ctx := context.Background()

	_, err := c.CreateBucket(ctx, &awss3.CreateBucketInput{Bucket: aws.String("art")})
	require.NoError(t, err)
	for _, k := range []string{"data/abalone/train.csv", "data/abalone/more/x.csv", "models/m.tar.gz", "odd/../key", "trailing/"} {
		_, err = c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("art"), Key: aws.String(k),
			Body: bytes.NewReader([]byte("body of " + k)), ContentType: aws.String("text/csv")})
		require.NoError(t, err, k)
	}

	got, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("art"), Key: aws.String("odd/../key")})
	require.NoError(t, err)
	b, _ := io.ReadAll(got.Body)
	assert.Equal(t, "body of odd/../key", string(b))
	assert.Equal(t, "text/csv", aws.ToString(got.ContentType))

	list, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("art"), Prefix: aws.String("data/"), Delimiter: aws.String("/")})
	require.NoError(t, err)
	require.Len(t, list.CommonPrefixes, 1)
	assert.Equal(t, "data/abalone/", aws.ToString(list.CommonPrefixes[0].Prefix))

	all, err := c.ListObjectsV2(ctx, &awss3.ListObjectsV2Input{Bucket: aws.String("art")})
	require.NoError(t, err)
	var keys []string
	for _, o := range all.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	assert.Equal(t, []string{"data/abalone/more/x.csv", "data/abalone/train.csv", "models/m.tar.gz", "odd/../key", "trailing/"}, keys)

	// The Go API sees what the protocol wrote, and the other way round.
	direct, err := s.Get("art", "models/m.tar.gz")
	require.NoError(t, err)
	assert.Equal(t, "body of models/m.tar.gz", string(direct))
	_, err = s.Put("art", "from-go.json", []byte(`{"a":1}`), "application/json")
	require.NoError(t, err)
	got, err = c.GetObject(ctx, &awss3.GetObjectInput{Bucket: aws.String("art"), Key: aws.String("from-go.json")})
	require.NoError(t, err)
	b, _ = io.ReadAll(got.Body)
	assert.JSONEq(t, `{"a":1}`, string(b))

	mu.Lock()
	defer mu.Unlock()
	require.Len(t, created, 6)
	assert.Equal(t, "data/abalone/train.csv", created[0].Key)
	assert.Less(t, created[0].Sequencer, created[1].Sequencer)
}

func TestConditionalWrites(t *testing.T) {
	s := openStore(t, Options{})
	require.NoError(t, s.EnsureBucket("b"))
	c := newClient(t, s.Handler())
	ctx := context.Background()

	tests := []struct {
		name       string
		put        func() error
		wantStatus int
	}{
		{"the first write with If-None-Match star succeeds", func() error {
			_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("webhook/deliveries/1"), Body: bytes.NewReader([]byte("x")), IfNoneMatch: aws.String("*")})
			return err
		}, 0},
		{"a second write with If-None-Match star gets 412 PreconditionFailed", func() error {
			_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("webhook/deliveries/1"), Body: bytes.NewReader([]byte("y")), IfNoneMatch: aws.String("*")})
			return err
		}, http.StatusPreconditionFailed},
		{"a write with a stale If-Match gets 412", func() error {
			_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("b"), Key: aws.String("webhook/deliveries/1"), Body: bytes.NewReader([]byte("y")), IfMatch: aws.String(`"0000"`)})
			return err
		}, http.StatusPreconditionFailed},
		{"a write to a missing bucket gets 404", func() error {
			_, err := c.PutObject(ctx, &awss3.PutObjectInput{Bucket: aws.String("nope"), Key: aws.String("k"), Body: bytes.NewReader([]byte("y"))})
			return err
		}, http.StatusNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.put()
			if tt.wantStatus == 0 {
				require.NoError(t, err)
				return
			}
			var re *smithyhttp.ResponseError
			require.True(t, errors.As(err, &re), "got %v", err)
			assert.Equal(t, tt.wantStatus, re.HTTPStatusCode())
			if tt.wantStatus == http.StatusPreconditionFailed {
				var ae smithy.APIError
				require.True(t, errors.As(err, &ae))
				assert.Equal(t, "PreconditionFailed", ae.ErrorCode())
			}
		})
	}
	b, err := s.Get("b", "webhook/deliveries/1")
	require.NoError(t, err)
	assert.Equal(t, "x", string(b), "the rejected writes changed nothing")

	_, err = s.PutIfAbsent("b", "webhook/deliveries/1", []byte("z"), "")
	assert.ErrorIs(t, err, ErrPreconditionFailed)
}

func TestConcurrentPutIfAbsentHasOneWinner(t *testing.T) {
	s := openStore(t, Options{})
	require.NoError(t, s.EnsureBucket("b"))
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := s.PutIfAbsent("b", "k", []byte("v"), ""); err == nil {
				mu.Lock()
				wins++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Equal(t, 1, wins)
}

func TestGoAPIErrors(t *testing.T) {
	s := openStore(t, Options{Clock: clock.NewVirtual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))})
	require.NoError(t, s.EnsureBucket("b"))
	require.NoError(t, s.EnsureBucket("b"), "ensuring an existing bucket is not an error")

	_, err := s.Get("b", "missing")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = s.Get("missing-bucket", "k")
	assert.ErrorIs(t, err, ErrNotFound)

	_, err = s.Put("b", "a", []byte("1"), "")
	require.NoError(t, err)
	_, err = s.Put("b", "a/b", []byte("2"), "")
	assert.ErrorContains(t, err, "conflicts with another key")

}

func TestEscapeKeyRoundTrips(t *testing.T) {
	for _, k := range []string{"a", "a/b", "a//b", "../x", "./.", "trailing/", "sp ace/ü%25"} {
		got, err := unescapeKey(escapeKey(k))
		require.NoError(t, err)
		assert.Equal(t, k, got)
	}
}
