package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/console"
)

// fakeSageMaker records UpdateModelPackage calls; the other operations are not used here.
type fakeSageMaker struct {
	console.SageMakerAPI
	updates []*sagemaker.UpdateModelPackageInput
}

func (f *fakeSageMaker) UpdateModelPackage(_ context.Context, in *sagemaker.UpdateModelPackageInput, _ ...func(*sagemaker.Options)) (*sagemaker.UpdateModelPackageOutput, error) {
	f.updates = append(f.updates, in)
	return &sagemaker.UpdateModelPackageOutput{ModelPackageArn: in.ModelPackageArn}, nil
}

const pkg = "arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/3"

func TestApprovalGoesThroughUpdateModelPackage(t *testing.T) {
	tests := []struct {
		name, body string
		code       int
		want       string // the approval description recorded, or the error's words
	}{
		{"an approval with a reason updates the package", `{"arn":"` + pkg + `","status":"Approved","reason":"good","who":"Ada"}`, 200, "Ada: good"},
		{"a rejection with a reason updates the package", `{"arn":"` + pkg + `","status":"Rejected","reason":"worse"}`, 200, "worse"},
		{"a decision without a reason changes nothing", `{"arn":"` + pkg + `","status":"Approved","reason":"  "}`, 400, "a reason is required"},
		{"another status changes nothing", `{"arn":"` + pkg + `","status":"PendingManualApproval","reason":"x"}`, 400, "Approved or Rejected"},
		{"an ARN that is not a model package changes nothing", `{"arn":"arn:aws:s3:::b","status":"Approved","reason":"x"}`, 400, "not a model package ARN"},
		{"a body that is not JSON changes nothing", `approve it`, 400, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sm := &fakeSageMaker{}
			h := &console.Handler{SageMaker: sm}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/console/api/approval", strings.NewReader(tt.body)))
			assert.Equal(t, tt.code, rec.Code, rec.Body.String())
			if tt.code != 200 {
				assert.Empty(t, sm.updates)
				assert.Contains(t, rec.Body.String(), tt.want)
				return
			}
			require.Len(t, sm.updates, 1)
			assert.Equal(t, pkg, aws.ToString(sm.updates[0].ModelPackageArn))
			assert.Equal(t, tt.want, aws.ToString(sm.updates[0].ApprovalDescription))
		})
	}
}

func TestPagesAndAssetsAreServedFromTheEmbeddedFiles(t *testing.T) {
	h := &console.Handler{}
	tests := []struct {
		name, method, path string
		code               int
		contentType, body  string
	}{
		{"the executions page is the app's index", "GET", "/console/", 200, "text/html", `<script defer src="/console/dist/console.js">`},
		{"every page path gets the same index", "GET", "/console/models", 200, "text/html", "<title>kiln console</title>"},
		{"the script bundle is embedded", "GET", "/console/dist/console.js", 200, "text/javascript", "dagre"},
		{"the stylesheet is embedded", "GET", "/console/console.css", 200, "text/css", "--ok:"},
		{"a page cannot be posted to", "POST", "/console/models", 405, "text/plain", "GET"},
		{"an unknown API path is a JSON 404", "GET", "/console/api/nothing", 404, "application/json", "no console API"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(tt.method, tt.path, nil))
			assert.Equal(t, tt.code, rec.Code)
			assert.Contains(t, rec.Header().Get("Content-Type"), tt.contentType)
			assert.Contains(t, rec.Body.String(), tt.body)
			if tt.code == 200 {
				assert.Contains(t, rec.Header().Get("Content-Security-Policy"), "default-src 'self'", "no outside network")
			}
		})
	}
}
