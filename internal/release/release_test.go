package release

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/policy"
)

func TestRollbackRefusesBadInputAndChangesNothing(t *testing.T) {
	r := &Releaser{Policy: policy.Default(), Stage: "prod"} // no clients: any call would panic
	tests := []struct {
		name, model, stage, who, why string
	}{
		{name: "another stage is refused", model: "abalone", stage: "staging", who: "ada", why: "bad"},
		{name: "a model not in the policy is refused", model: "iris", stage: "prod", who: "ada", why: "bad"},
		{name: "a rollback without a reason is refused", model: "abalone", stage: "prod", who: "ada", why: " "},
		{name: "a rollback without who asks is refused", model: "abalone", stage: "prod", who: "", why: "bad"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Rollback(context.Background(), tc.model, tc.stage, 0, tc.who, tc.why)
			assert.True(t, errors.Is(err, ErrInvalid), "got %v", err)
		})
	}
}

func TestTheLiveDeploymentIsTheNewestUnlessTakenOutOfService(t *testing.T) {
	d1 := Record{ModelPackageARN: "p/1", DeployedAt: "2026-12-05T09:00:00Z"}
	rb := Record{Kind: KindRollback, ModelPackageARN: "p/1", RequestedAt: "2026-12-05T09:30:00Z"}
	d2 := Record{ModelPackageARN: "p/2", DeployedAt: "2026-12-05T10:00:00Z"}
	out := Record{Kind: KindOutOfService, RequestedAt: "2026-12-05T11:00:00Z"}
	tests := []struct {
		name string
		hist []Record
		want string // "" when nothing is live
	}{
		{name: "no history means nothing is live", want: ""},
		{name: "the newest deployment is live", hist: []Record{d1, d2}, want: "p/2"},
		{name: "a rollback request is not itself a deployment", hist: []Record{d1, rb}, want: "p/1"},
		{name: "an endpoint taken out of service serves nothing", hist: []Record{d1, d2, out}, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := lastDeployment(tc.hist)
			if tc.want == "" {
				assert.Nil(t, got)
				return
			}
			if assert.NotNil(t, got) {
				assert.Equal(t, tc.want, got.ModelPackageARN)
			}
		})
	}
}

func TestVersionOfReadsTheLastSegmentOfAPackageARN(t *testing.T) {
	assert.Equal(t, 12, versionOf("arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/12"))
	assert.Equal(t, 0, versionOf("arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/x"))
	assert.True(t, samePackage("ARN:A/1", "arn:a/1"))
	assert.False(t, samePackage("", ""))
}
