package sagemaker

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssm "github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakePreflight records each check as "role check subject" and denies what deny names.
type fakePreflight struct {
	deny string
	mu   sync.Mutex
	got  []string
}

func (f *fakePreflight) check(ctx context.Context, what, subject string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.got = append(f.got, RoleFrom(ctx)+" "+what+" "+subject)
	if what == f.deny {
		return errors.New("AccessDenied: not authorized")
	}
	return nil
}

func (f *fakePreflight) PullImage(ctx context.Context, image string) error {
	return f.check(ctx, "pull", image)
}

func (f *fakePreflight) WriteCapture(ctx context.Context, uri, kmsKey string) error {
	return f.check(ctx, "capture", uri+kmsKey)
}

func (f *fakePreflight) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.got...)
}

const role = "arn:aws:iam::000000000000:role/kiln-sagemaker"

func TestADeniedImagePullFailsTheTrainingJob(t *testing.T) {
	pf := &fakePreflight{deny: "pull"}
	h := newHarness(t, newManualClock(), func(c *Config) { c.Preflight = pf })
	ctx := context.Background()
	require.NoError(t, h.blobs.Put(ctx, bucket, "data/abalone/data.csv", []byte("1\n")))
	_, err := h.api.CreateTrainingJob(ctx, trainingInput("job-pull", nil))
	require.NoError(t, err)
	raw, err := h.svc.WaitTrainingJob(ctx, "job-pull")
	require.NoError(t, err)
	var d map[string]any
	require.NoError(t, json.Unmarshal(raw, &d))
	assert.Equal(t, "Failed", d["TrainingJobStatus"])
	assert.Contains(t, d["FailureReason"], "ClientError: pull image "+trainImage+": AccessDenied")
	assert.Equal(t, []string{role + " pull " + trainImage}, pf.calls(), "the pull is checked under the job's role")
}

func TestAnEndpointChecksItsPullsAndCaptureWritesUnderTheModelsRole(t *testing.T) {
	cases := []struct {
		name       string
		deny       string
		wantStatus types.EndpointStatus
		wantReason string
	}{
		{"both allowed: the endpoint comes up", "", types.EndpointStatusInService, ""},
		{"a denied pull fails the endpoint", "pull", types.EndpointStatusFailed, "variant AllTraffic: pull image " + serveImage + ": AccessDenied"},
		{"a denied capture write fails the endpoint", "capture", types.EndpointStatusFailed,
			"variant AllTraffic: write captured data to s3://" + bucket + "/datacapture/ep/AllTraffic/: AccessDenied"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			pf := &fakePreflight{deny: c.deny}
			h := newHarness(t, newManualClock(), func(cfg *Config) { cfg.Preflight = pf })
			h.release(t, "abalone-r1", "v1")
			_, err := h.api.CreateEndpoint(context.Background(), &awssm.CreateEndpointInput{EndpointName: aws.String("ep"), EndpointConfigName: aws.String("abalone-r1-config")})
			require.NoError(t, err)
			d := h.waitStatus(t, "ep", c.wantStatus)
			assert.Contains(t, aws.ToString(d.FailureReason), c.wantReason)
			want := []string{role + " pull " + serveImage, role + " capture s3://" + bucket + "/datacapture/ep/AllTraffic/"}
			if c.deny == "pull" {
				want = want[:1]
			}
			assert.Equal(t, want, pf.calls())
		})
	}
}
