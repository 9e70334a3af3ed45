package requestapproval_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/handlers/requestapproval"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

var (
	env        = topology.Local("prod")
	bucket     = topology.ArtifactsBucket(env)
	topic      = topology.TopicARN(env)
	packageARN = "arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/4"
	now        = time.Date(2026, 11, 20, 9, 41, 20, 0, time.UTC)
)

type fakeS3 struct {
	err     error
	objects map[string][]byte
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	b, err := io.ReadAll(in.Body)
	if err != nil {
		return nil, err
	}
	f.objects[aws.ToString(in.Bucket)+"/"+aws.ToString(in.Key)] = b
	return &s3.PutObjectOutput{}, nil
}

type fakeSNS struct {
	err       error
	published []*sns.PublishInput
}

func (f *fakeSNS) Publish(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	f.published = append(f.published, in)
	return &sns.PublishOutput{MessageId: aws.String("95df01b4-ee98-5cb9-9903-4c221d41eb5e")}, nil
}

type fakeSageMaker struct {
	err     error
	updates []*sagemaker.UpdateModelPackageInput
}

func (f *fakeSageMaker) UpdateModelPackage(_ context.Context, in *sagemaker.UpdateModelPackageInput, _ ...func(*sagemaker.Options)) (*sagemaker.UpdateModelPackageOutput, error) {
	f.updates = append(f.updates, in)
	if f.err != nil {
		return nil, f.err
	}
	return &sagemaker.UpdateModelPackageOutput{ModelPackageArn: in.ModelPackageArn}, nil
}

func sample(t *testing.T) statemachines.ApprovalRequest {
	t.Helper()
	b, err := events.Sample("approval-request.json")
	require.NoError(t, err)
	var req statemachines.ApprovalRequest
	require.NoError(t, json.Unmarshal(b, &req))
	return req
}

func TestHandle(t *testing.T) {
	tests := []struct {
		name        string
		edit        func(*statemachines.ApprovalRequest)
		s3Err       error
		snsErr      error
		smErr       error
		wantStatus  string
		wantErr     string
		wantStored  bool
		wantPublish bool
		wantUpdate  bool
		wantSubject string
		wantLog     string
	}{
		{name: "a manual stage stores the token and asks the approvers",
			wantStatus: requestapproval.StatusRequested, wantStored: true, wantPublish: true,
			wantSubject: "kiln: approve abalone for prod?", wantLog: "the pipeline waits for a person"},
		{name: "an auto stage stores the token, notifies, approves the package and says so",
			edit: func(r *statemachines.ApprovalRequest) {
				r.Stage, r.Approval = "staging", statemachines.Approval{Mode: "auto", TimeoutSeconds: 86400}
			},
			wantStatus: requestapproval.StatusAutoApproved, wantStored: true, wantPublish: true, wantUpdate: true,
			wantSubject: "kiln: abalone for staging auto-approved", wantLog: "auto-approved by the stage policy"},
		{name: "a request without a token or package is refused naming both, and stores nothing",
			edit:    func(r *statemachines.ApprovalRequest) { r.TaskToken, r.ModelPackageARN = "", "" },
			wantErr: "request approval: taskToken is empty; modelPackageArn is empty"},
		{name: "a request with an unknown approval mode is refused and stores nothing",
			edit:    func(r *statemachines.ApprovalRequest) { r.Approval.Mode = "maybe" },
			wantErr: `request approval: approval.mode "maybe" is not manual or auto`},
		{name: "a failed token write is returned and notifies nobody",
			s3Err: errors.New("AccessDenied"), wantErr: "put object s3://" + bucket + "/approvals/"},
		{name: "a failed notification is returned",
			snsErr: errors.New("AuthorizationError"), wantErr: "publish approval request for " + packageARN + " to " + topic, wantStored: true},
		{name: "a failed automatic approval is returned",
			edit:  func(r *statemachines.ApprovalRequest) { r.Approval.Mode = "auto" },
			smErr: errors.New("ValidationException"), wantErr: "approve model package " + packageARN + ": ValidationException",
			wantStored: true, wantPublish: true, wantUpdate: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeS3{err: tc.s3Err, objects: map[string][]byte{}}
			n := &fakeSNS{err: tc.snsErr}
			sm := &fakeSageMaker{err: tc.smErr}
			var logs bytes.Buffer
			h := &requestapproval.Handler{S3: s, Bucket: bucket, SNS: n, TopicARN: topic, SageMaker: sm,
				Clock: func() time.Time { return now }, Log: slog.New(slog.NewJSONHandler(&logs, nil))}
			req := sample(t)
			if tc.edit != nil {
				tc.edit(&req)
			}
			out, err := h.Handle(context.Background(), req)
			key := approval.RecordKey(packageARN)
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
			} else {
				require.NoError(t, err)
				assert.Equal(t, requestapproval.Output{Status: tc.wantStatus, ModelPackageARN: packageARN, TokenKey: key,
					MessageID: "95df01b4-ee98-5cb9-9903-4c221d41eb5e"}, out)
				assert.Contains(t, logs.String(), tc.wantLog)
				assert.Contains(t, logs.String(), `"status":"`+tc.wantStatus+`"`)
			}
			if tc.wantStored {
				var rec approval.Record
				require.NoError(t, json.Unmarshal(s.objects[bucket+"/"+key], &rec))
				assert.Equal(t, approval.Record{TaskToken: req.TaskToken, ModelPackageARN: packageARN, ExecutionARN: req.ExecutionARN,
					RequestedAt: "2026-11-20T09:41:20Z"}, rec)
			} else {
				assert.Empty(t, s.objects, "nothing is stored")
			}
			if !tc.wantPublish {
				assert.Empty(t, n.published, "nobody is notified")
			} else {
				require.Len(t, n.published, 1)
				p := n.published[0]
				assert.Equal(t, topic, aws.ToString(p.TopicArn))
				if tc.wantSubject != "" {
					assert.Equal(t, tc.wantSubject, aws.ToString(p.Subject))
				}
				assert.Equal(t, "approval-request", aws.ToString(p.MessageAttributes["kind"].StringValue))
				assert.Equal(t, "String", aws.ToString(p.MessageAttributes["kind"].DataType))
			}
			if !tc.wantUpdate {
				assert.Empty(t, sm.updates, "the package is not approved")
				return
			}
			require.Len(t, sm.updates, 1)
			assert.Equal(t, &sagemaker.UpdateModelPackageInput{ModelPackageArn: aws.String(packageARN),
				ModelApprovalStatus: smtypes.ModelApprovalStatusApproved,
				ApprovalDescription: aws.String("auto-approved by the " + req.Stage + " stage policy")}, sm.updates[0])
		})
	}
}

func TestMessageShowsTheEvidence(t *testing.T) {
	msg := requestapproval.Message(sample(t))
	for _, want := range []string{
		"A new abalone model for prod waits for approval.",
		"kiln approve " + packageARN,
		"The pipeline waits 168h0m0s at most.",
		"regression_metrics.mse.value: 4.5 (threshold 6)",
		"in production: arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/3, 5",
		"delta against production: -0.5 (-10.00%)",
		"report: s3://" + bucket + "/evaluations/abalone/abalone-prod-commit-4e1243bd22c6-0/evaluation.json",
		"trigger: commit (source kiln.git, event 6f1c2a8e-3b4d-4c1a-9e7f-2d5b8a0c4e11, at 2026-11-20T09:15:02Z)",
		"commit: 4e1243bd22c66e76c2ba9eddc1f91394e57f9f83 on branch main of kiln-dev/abalone-model",
		"data: s3://" + bucket + "/data/abalone/",
		"training job: abalone-prod-commit-4e1243bd22c6-0 (arn:aws:sagemaker:us-east-1:000000000000:training-job/abalone-prod-commit-4e1243bd22c6-0)",
		"execution: arn:aws:states:us-east-1:000000000000:execution:kiln-prod-pipeline:abalone-prod-commit-4e1243bd22c6",
	} {
		assert.Contains(t, msg, want)
	}
	assert.NotContains(t, msg, "drift alarm:", "a commit run has no alarm to show")
}

func TestMessageWithoutAChampionSaysSo(t *testing.T) {
	req := sample(t)
	req.Evaluation.Champion = nil
	req.Trigger.Reason, req.Trigger.Alarm = "drift", "kiln-drift-prod-abalone-Length"
	msg := requestapproval.Message(req)
	assert.Contains(t, msg, "in production: nothing yet")
	assert.NotContains(t, msg, "delta against production")
	assert.Contains(t, msg, "drift alarm: kiln-drift-prod-abalone-Length")
}

func TestSubjectFitsSNS(t *testing.T) {
	req := sample(t)
	req.Model = "a-model-with-a-name-far-longer-than-any-policy-allows-\u00e9-and-then-some-more-characters-to-overflow"
	s := requestapproval.Subject(req)
	assert.LessOrEqual(t, len(s), 100)
	assert.Regexp(t, `^[\x20-\x7e]+$`, s)
}
