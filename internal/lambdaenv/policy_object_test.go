package lambdaenv

import (
	"context"
	"errors"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	locals3 "github.com/kiln-dev/kiln/internal/local/s3"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// s3Server serves a real local S3 over HTTP and returns it with an SDK client pointed at it.
func s3Server(t *testing.T) (*locals3.Store, *s3.Client) {
	t.Helper()
	store, err := locals3.Open(filepath.Join(t.TempDir(), "s3"), locals3.Options{})
	require.NoError(t, err)
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)
	client := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	return store, client
}

func TestReadPolicy(t *testing.T) {
	store, client := s3Server(t)
	env := topology.Env{Stage: "prod", Account: "123456789012", Region: "eu-west-1", Partition: "aws"}
	doc, err := topology.PolicyDocument(policy.Default())
	require.NoError(t, err)
	bucket, key := topology.PolicyObject(env, doc)
	require.NoError(t, store.EnsureBucket(bucket))
	_, err = store.Put(bucket, key, doc, "application/json")
	require.NoError(t, err)
	require.NoError(t, store.EnsureBucket("other"))
	_, err = store.Put("other", "bad.json", []byte(`{"stages":{}}`), "application/json")
	require.NoError(t, err)
	_, err = store.Put("other", "huge.json", []byte(strings.Repeat(" ", MaxPolicyObject+1)), "application/json")
	require.NoError(t, err)

	t.Run("the stack's object is read and its images name the function's account", func(t *testing.T) {
		p, err := ReadPolicy(context.Background(), client, "s3://"+bucket+"/"+key, env)
		require.NoError(t, err)
		train, serve := p.Models[0].ImagesFor("prod")
		assert.Equal(t, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/kiln/abalone-train:latest", train)
		assert.Equal(t, "123456789012.dkr.ecr.eu-west-1.amazonaws.com/kiln/abalone-serve:latest", serve)
	})
	tests := []struct {
		name, uri, want string
		is              error
	}{
		{"a missing object is an error naming it", "s3://" + bucket + "/nope.json", "read policy object s3://" + bucket + "/nope.json", nil},
		{"an invalid policy is reported with its paths", "s3://other/bad.json", "policy stages", nil},
		{"an object over 4 MiB is refused", "s3://other/huge.json", "larger than 4 MiB", ErrPolicyTooLarge},
		{"a URI that is not s3:// is refused", "https://example.com/p.json", "is not an s3://bucket/key URI", nil},
		{"a URI without a key is refused", "s3://" + bucket, "is not an s3://bucket/key URI", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ReadPolicy(context.Background(), client, tt.uri, env)
			require.Error(t, err)
			assert.Nil(t, p)
			assert.Contains(t, err.Error(), tt.want)
			if tt.is != nil {
				assert.True(t, errors.Is(err, tt.is))
			}
		})
	}
}

func TestRuntimeEnv(t *testing.T) {
	tests := []struct {
		name, account, region string
		want                  topology.Env
		wantErr               string
	}{
		{"account and region make the environment", "123456789012", "cn-north-1",
			topology.Env{Stage: "prod", Account: "123456789012", Region: "cn-north-1", Partition: "aws-cn"}, ""},
		{"a function without KILN_ACCOUNT cannot resolve ${Account}", "", "eu-west-1", topology.Env{}, "KILN_ACCOUNT is not set"},
		{"a function without a region cannot resolve ${Region}", "123456789012", "", topology.Env{}, "no region"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(topology.EnvAccount, tt.account)
			t.Setenv(topology.EnvStage, "prod")
			got, err := RuntimeEnv(tt.region)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAFunctionReadsThePolicyObjectAtColdStart(t *testing.T) {
	store, _ := s3Server(t)
	env := topology.Env{Stage: "prod", Account: "123456789012", Region: "us-east-1", Partition: "aws"}
	doc, err := topology.PolicyDocument(policy.Default())
	require.NoError(t, err)
	bucket, key := topology.PolicyObject(env, doc)
	require.NoError(t, store.EnsureBucket(bucket))
	_, err = store.Put(bucket, key, doc, "application/json")
	require.NoError(t, err)
	srv := httptest.NewServer(store.Handler())
	t.Cleanup(srv.Close)

	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv(topology.EnvAccount, env.Account)
	t.Setenv(topology.EnvPolicyObject, "s3://"+bucket+"/"+key)
	t.Setenv("KILN_POLICY", `{"stages":{}}`) // ignored: the object wins
	code := -1
	exit = func(c int) { code = c }
	t.Cleanup(func() { exit = realExit })
	p := Load().Policy()
	require.NotNil(t, p)
	assert.Equal(t, -1, code)
	train, _ := p.Models[0].ImagesFor("prod")
	assert.Equal(t, "123456789012.dkr.ecr.us-east-1.amazonaws.com/kiln/abalone-train:latest", train)
}
