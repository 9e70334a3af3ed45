// Package requestapproval is the request-approval Lambda's handler, the target of the
// pipeline's lambda:invoke.waitForTaskToken step. It stores the task token keyed by the
// model package ARN (approval.Record at approval.RecordKey), notifies the approvers with the
// evidence (metrics, the deltas against production, lineage), and, where the stage's policy
// approves automatically, approves the package in the registry at once. Either way the
// approval function completes the token when the package's state-change event arrives, so
// manual and automatic approvals take one path.
//
// A Handler holds no mutable state and is safe for concurrent use.
package requestapproval

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sagemaker"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/statemachines"
)

// PutObjectAPI is the part of the S3 client the handler uses.
type PutObjectAPI interface {
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// PublishAPI is the part of the SNS client the handler uses.
type PublishAPI interface {
	Publish(ctx context.Context, params *sns.PublishInput, optFns ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// UpdateModelPackageAPI is the part of the SageMaker client the handler uses.
type UpdateModelPackageAPI interface {
	UpdateModelPackage(ctx context.Context, params *sagemaker.UpdateModelPackageInput, optFns ...func(*sagemaker.Options)) (*sagemaker.UpdateModelPackageOutput, error)
}

var (
	_ PutObjectAPI          = (*s3.Client)(nil)
	_ PublishAPI            = (*sns.Client)(nil)
	_ UpdateModelPackageAPI = (*sagemaker.Client)(nil)
)

// Output statuses.
const (
	StatusRequested    = "requested"
	StatusAutoApproved = "auto-approved"
)

// MessageKind is the value of the "kind" message attribute of the notification.
const MessageKind = "approval-request"

// Handler requests approvals.
type Handler struct {
	// S3 stores the token record in Bucket (KILN_ARTIFACTS_BUCKET).
	S3     PutObjectAPI
	Bucket string
	// SNS notifies the approvers on TopicARN (KILN_TOPIC_ARN).
	SNS      PublishAPI
	TopicARN string
	// SageMaker approves the package when the stage approves automatically.
	SageMaker UpdateModelPackageAPI
	// Clock stamps the record's requestedAt.
	Clock func() time.Time
	// Log receives one line per request.
	Log *slog.Logger
}

// Output says what the handler did; the waiting pipeline ignores it.
type Output struct {
	// Status is "requested" or "auto-approved".
	Status          string `json:"status"`
	ModelPackageARN string `json:"modelPackageArn"`
	// TokenKey is the token record's key in the artifacts bucket.
	TokenKey string `json:"tokenKey"`
	// MessageID is the notification's SNS message id.
	MessageID string `json:"messageId"`
}

// Handle stores the token, notifies, and approves when the stage auto-approves. A request
// missing a field it needs is refused with an error naming every problem, before anything
// is stored or sent.
func (h *Handler) Handle(ctx context.Context, req statemachines.ApprovalRequest) (Output, error) {
	if err := check(req); err != nil {
		return Output{}, err
	}
	auto := req.Approval.Mode == policy.ApprovalAuto
	key := approval.RecordKey(req.ModelPackageARN)
	rec, err := json.Marshal(approval.Record{TaskToken: req.TaskToken, ModelPackageARN: req.ModelPackageARN,
		ExecutionARN: req.ExecutionARN, RequestedAt: h.Clock().UTC().Format(time.RFC3339)})
	if err != nil {
		return Output{}, fmt.Errorf("encode token record: %w", err)
	}
	if _, err := h.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String(key),
		Body: bytes.NewReader(rec), ContentType: aws.String("application/json")}); err != nil {
		return Output{}, fmt.Errorf("put object s3://%s/%s: %w", h.Bucket, key, err)
	}
	out, err := h.SNS.Publish(ctx, &sns.PublishInput{
		TopicArn: aws.String(h.TopicARN),
		Subject:  aws.String(Subject(req)),
		Message:  aws.String(Message(req)),
		MessageAttributes: map[string]snstypes.MessageAttributeValue{
			"kind":  {DataType: aws.String("String"), StringValue: aws.String(MessageKind)},
			"model": {DataType: aws.String("String"), StringValue: aws.String(req.Model)},
			"stage": {DataType: aws.String("String"), StringValue: aws.String(req.Stage)},
		},
	})
	if err != nil {
		return Output{}, fmt.Errorf("publish approval request for %s to %s: %w", req.ModelPackageARN, h.TopicARN, err)
	}
	o := Output{Status: StatusRequested, ModelPackageARN: req.ModelPackageARN, TokenKey: key, MessageID: aws.ToString(out.MessageId)}
	if auto {
		if _, err := h.SageMaker.UpdateModelPackage(ctx, &sagemaker.UpdateModelPackageInput{
			ModelPackageArn:     aws.String(req.ModelPackageARN),
			ModelApprovalStatus: smtypes.ModelApprovalStatusApproved,
			ApprovalDescription: aws.String(AutoApprovalDescription(req.Stage)),
		}); err != nil {
			return Output{}, fmt.Errorf("approve model package %s: %w", req.ModelPackageARN, err)
		}
		o.Status = StatusAutoApproved
	}
	msg := "approval requested; the pipeline waits for a person"
	if auto {
		msg = "model package auto-approved by the stage policy; the pipeline continues when the registry's event arrives"
	}
	h.Log.InfoContext(ctx, msg, slog.String("status", o.Status), slog.String("modelPackageArn", req.ModelPackageARN),
		slog.String("model", req.Model), slog.String("stage", req.Stage), slog.String("executionArn", req.ExecutionARN),
		slog.String("tokenKey", key), slog.String("messageId", o.MessageID))
	return o, nil
}

// AutoApprovalDescription is the ApprovalDescription of a package the stage approved.
func AutoApprovalDescription(stage string) string {
	return "auto-approved by the " + stage + " stage policy"
}

func check(req statemachines.ApprovalRequest) error {
	var problems []string
	for _, f := range []struct{ name, value string }{
		{"taskToken", req.TaskToken}, {"modelPackageArn", req.ModelPackageARN}, {"executionArn", req.ExecutionARN},
		{"model", req.Model}, {"stage", req.Stage},
	} {
		if f.value == "" {
			problems = append(problems, f.name+" is empty")
		}
	}
	if m := req.Approval.Mode; m != policy.ApprovalManual && m != policy.ApprovalAuto {
		problems = append(problems, fmt.Sprintf("approval.mode %q is not manual or auto", m))
	}
	if len(problems) > 0 {
		return fmt.Errorf("request approval: %s", strings.Join(problems, "; "))
	}
	return nil
}
