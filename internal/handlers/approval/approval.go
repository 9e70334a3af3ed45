// Package approval is the approval Lambda's handler: when a model package the pipeline waits
// on is Approved or Rejected ("SageMaker Model Package State Change"), it finds the task
// token request-approval stored for the package and completes the waiting task, with who
// decided and why. Repeated events, and events for packages nobody waits on, are harmless.
// It is also the watch after the bake: a kiln alarm that goes to ALARM (the watch-alarm rule)
// is handed to the Watcher, which rolls the stage back when the alarm fired inside the live
// release's watch window (release.Releaser.Watch).
//
// The token record (Record, RecordKey) is defined here; request-approval writes it. A
// Handler holds no mutable state and is safe for concurrent use.
package approval

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/smithy-go"

	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/statemachines"
)

// ObjectsAPI is the part of the S3 client the handler uses for token records.
type ObjectsAPI interface {
	GetObject(ctx context.Context, params *s3.GetObjectInput, optFns ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, params *s3.PutObjectInput, optFns ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// TasksAPI is the part of the Step Functions client the handler uses.
type TasksAPI interface {
	SendTaskSuccess(ctx context.Context, params *sfn.SendTaskSuccessInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskSuccessOutput, error)
	SendTaskFailure(ctx context.Context, params *sfn.SendTaskFailureInput, optFns ...func(*sfn.Options)) (*sfn.SendTaskFailureOutput, error)
}

// Withdrawer takes a rejected package back out of the stage (release.Releaser).
type Withdrawer interface {
	Withdraw(ctx context.Context, rej release.Rejection) (release.Withdrawal, error)
}

var (
	_ Withdrawer = (*release.Releaser)(nil)
	_ ObjectsAPI = (*s3.Client)(nil)
	_ TasksAPI   = (*sfn.Client)(nil)
)

// Outcomes of one event, as Result reports them.
const (
	OutcomeSent           = "sent"
	OutcomeIgnored        = "ignored"
	OutcomeNoWaiter       = "no-waiter"
	OutcomeAlreadyDecided = "already-decided"
	// OutcomeWithdrawn: a package rejected after it was approved (or with no pipeline
	// waiting) was taken back out of the stage as Result.Withdrawal says.
	OutcomeWithdrawn = "withdrawn"
	// OutcomeReversed: a package approved after its rejection had ended the pipeline; the
	// reversal is recorded and logged, and nothing deploys by itself.
	OutcomeReversed = "reversal-recorded"
)

// Handler completes waiting approval tasks.
type Handler struct {
	// S3 reads and marks the token records in Bucket (KILN_ARTIFACTS_BUCKET).
	S3     ObjectsAPI
	Bucket string
	// SFN answers the waiting task.
	SFN TasksAPI
	// Releases withdraws a package rejected after its approval; nil withdraws nothing.
	Releases Withdrawer
	// Watch answers kiln alarms that went to ALARM (the watch-alarm rule); nil ignores them.
	Watch Watcher
	// Rollbacks announces the end of a rollback's deploy execution (the rollback-ended rule);
	// nil ignores those events.
	Rollbacks Announcer
	// Clock stamps a decision whose event carries no time.
	Clock func() time.Time
	// Log receives one line per event.
	Log *slog.Logger
}

// Result says what the handler did with one event.
type Result struct {
	// Outcome is sent, ignored, no-waiter, already-decided, or the Step Functions error that
	// made sending moot (TaskDoesNotExist, InvalidToken, TaskTimedOut).
	Outcome         string `json:"outcome"`
	ModelPackageARN string `json:"modelPackageArn,omitempty"`
	Status          string `json:"status,omitempty"`
	// Decision is what was sent (nil when nothing was).
	Decision *statemachines.Decision `json:"decision,omitempty"`
	// Withdrawal is what withdrawing a rejected package did, for the withdrawn outcome.
	Withdrawal *release.Withdrawal `json:"withdrawal,omitempty"`
	// Watch is what the watch made of an alarm, for the watched outcome; Rollback is the
	// "kiln Rollback Completed" event put, for the announced outcome.
	Watch    *release.Watching   `json:"watch,omitempty"`
	Rollback *opsevents.Rollback `json:"rollback,omitempty"`
}

// Handle answers the task waiting on the package the event names. It returns an error only
// for a malformed event or when S3 or Step Functions failed in a way a retry may fix, so
// that EventBridge retries; every other case is a logged Result.
func (h *Handler) Handle(ctx context.Context, ev events.CloudWatchEvent) (Result, error) {
	if h.Watch != nil && ev.Source == AlarmSource && ev.DetailType == AlarmDetailType {
		return h.watch(ctx, ev)
	}
	if h.Rollbacks != nil && ev.Source == StatesSource && ev.DetailType == StatusChangeDetailType {
		return h.rollbackEnded(ctx, ev)
	}
	if ev.Source != Source || ev.DetailType != DetailType {
		r := Result{Outcome: OutcomeIgnored}
		h.Log.InfoContext(ctx, "approval ignored: not a model package state change",
			slog.String("source", ev.Source), slog.String("detailType", ev.DetailType), slog.String("eventId", ev.ID))
		return r, nil
	}
	var d ModelPackageStateChange
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return Result{}, fmt.Errorf("decode model package state change %s: %w", ev.ID, err)
	}
	if d.ModelPackageArn == "" {
		return Result{}, fmt.Errorf("model package state change %s names no ModelPackageArn", ev.ID)
	}
	log := h.Log.With(slog.String("modelPackageArn", d.ModelPackageArn), slog.String("status", d.ModelApprovalStatus), slog.String("eventId", ev.ID))
	r := Result{ModelPackageARN: d.ModelPackageArn, Status: d.ModelApprovalStatus}
	if d.ModelApprovalStatus != StatusApproved && d.ModelApprovalStatus != StatusRejected {
		r.Outcome = OutcomeIgnored
		log.InfoContext(ctx, "approval ignored: the package is neither approved nor rejected")
		return r, nil
	}
	key := RecordKey(d.ModelPackageArn)
	rec, err := h.read(ctx, key)
	if err != nil {
		return Result{}, err
	}
	decision := statemachines.Decision{
		Status: d.ModelApprovalStatus, ModelPackageARN: d.ModelPackageArn, DecidedBy: d.LastModifiedBy.Name(),
		Description: d.ApprovalDescription, DecidedAt: h.decidedAt(d, ev).Format(time.RFC3339),
	}
	if rec == nil || rec.Decided {
		return h.afterDecision(ctx, log, ev, d, key, rec, decision, r)
	}
	outcome, err := h.send(ctx, rec, decision)
	if err != nil {
		return Result{}, err
	}
	rec.Decided = true
	rec.Decision = &RecordedDecision{Decision: decision, Outcome: outcome}
	if err := h.write(ctx, key, rec); err != nil {
		return Result{}, err
	}
	r.Outcome, r.Decision = outcome, &decision
	attrs := []any{slog.String("outcome", outcome), slog.String("decidedBy", decision.DecidedBy),
		slog.String("description", decision.Description), slog.String("executionArn", rec.ExecutionARN)}
	if outcome == OutcomeSent {
		log.InfoContext(ctx, "approval sent to the waiting pipeline", attrs...)
	} else {
		log.WarnContext(ctx, "the pipeline no longer waits; decision recorded", attrs...)
	}
	return r, nil
}

// afterDecision handles an event for a package no pipeline waits on any more (or never
// did): a rejection withdraws the package from the stage (stopping a deployment in flight,
// rolling a live one back); an approval that reverses a rejection is recorded; a repeat of
// the decision already taken changes nothing.
func (h *Handler) afterDecision(ctx context.Context, log *slog.Logger, ev events.CloudWatchEvent, d ModelPackageStateChange,
	key string, rec *Record, decision statemachines.Decision, r Result) (Result, error) {
	prior := ""
	if rec != nil && rec.Decision != nil {
		prior = rec.Decision.Status
	}
	if d.ModelApprovalStatus == StatusRejected && h.Releases != nil {
		rej := release.Rejection{ModelPackageARN: d.ModelPackageArn, Group: d.ModelPackageGroupName,
			By: decision.DecidedBy, Reason: decision.Description}
		if rec != nil {
			rej.ExecutionARN = rec.ExecutionARN
		} else if strings.Contains(d.MetadataProperties.GeneratedBy, ":execution:") {
			rej.ExecutionARN = d.MetadataProperties.GeneratedBy
		}
		w, err := h.Releases.Withdraw(ctx, rej)
		if err != nil {
			// Returned so that EventBridge delivers the event again (the endpoint may still
			// be shifting traffic to the package).
			return Result{}, fmt.Errorf("withdraw rejected package %s: %w", d.ModelPackageArn, err)
		}
		if rec != nil && prior != StatusRejected {
			rec.Reversals = append(rec.Reversals, decision)
			if err := h.write(ctx, key, rec); err != nil {
				return Result{}, err
			}
		}
		r.Outcome, r.Decision, r.Withdrawal = OutcomeWithdrawn, &decision, &w
		log.WarnContext(ctx, "rejected package withdrawn from the stage", slog.String("action", w.Action), slog.String("why", w.Why),
			slog.String("previousDecision", prior), slog.String("decidedBy", decision.DecidedBy), slog.String("description", decision.Description))
		return r, nil
	}
	if rec == nil {
		r.Outcome = OutcomeNoWaiter
		log.InfoContext(ctx, "no pipeline waits on this package", slog.String("tokenKey", key))
		return r, nil
	}
	if prior != "" && prior != d.ModelApprovalStatus {
		rec.Reversals = append(rec.Reversals, decision)
		if err := h.write(ctx, key, rec); err != nil {
			return Result{}, err
		}
		r.Outcome, r.Decision = OutcomeReversed, &decision
		log.WarnContext(ctx, "decision reversed after the pipeline ended: recorded; nothing deploys by itself (roll forward with a new run or kiln rollback --to)",
			slog.String("previousDecision", prior), slog.String("decidedBy", decision.DecidedBy), slog.String("executionArn", rec.ExecutionARN))
		return r, nil
	}
	r.Outcome = OutcomeAlreadyDecided
	log.InfoContext(ctx, "approval already decided; repeat ignored", slog.String("decision", prior), slog.String("executionArn", rec.ExecutionARN))
	return r, nil
}

func (h *Handler) decidedAt(d ModelPackageStateChange, ev events.CloudWatchEvent) time.Time {
	switch {
	case !d.LastModifiedTime.IsZero():
		return d.LastModifiedTime.UTC()
	case !ev.Time.IsZero():
		return ev.Time.UTC()
	}
	return h.Clock().UTC()
}

// send completes the task: SendTaskSuccess with the decision for Approved, SendTaskFailure
// with ModelPackageRejected for Rejected. A task that no longer exists, a token Step
// Functions refuses, or a task that timed out makes the decision moot: the outcome names it.
func (h *Handler) send(ctx context.Context, rec *Record, d statemachines.Decision) (string, error) {
	var err error
	if d.Status == StatusApproved {
		out, _ := json.Marshal(d)
		_, err = h.SFN.SendTaskSuccess(ctx, &sfn.SendTaskSuccessInput{TaskToken: aws.String(rec.TaskToken), Output: aws.String(string(out))})
	} else {
		why := d.Description
		if why == "" {
			why = "no reason given"
		}
		cause := fmt.Sprintf("model package %s rejected by %s: %s", d.ModelPackageARN, d.DecidedBy, why)
		if len(cause) > 32768 {
			cause = cause[:32768]
		}
		_, err = h.SFN.SendTaskFailure(ctx, &sfn.SendTaskFailureInput{TaskToken: aws.String(rec.TaskToken),
			Error: aws.String(statemachines.ErrPackageRejected), Cause: aws.String(cause)})
	}
	var gone *sfntypes.TaskDoesNotExist
	var invalid *sfntypes.InvalidToken
	var timedOut *sfntypes.TaskTimedOut
	switch {
	case err == nil:
		return OutcomeSent, nil
	case errors.As(err, &gone):
		return gone.ErrorCode(), nil
	case errors.As(err, &invalid):
		return invalid.ErrorCode(), nil
	case errors.As(err, &timedOut):
		return timedOut.ErrorCode(), nil
	}
	return "", fmt.Errorf("send %s decision for %s to %s: %w", d.Status, d.ModelPackageARN, rec.ExecutionARN, err)
}

// read returns the token record at key, nil when there is none.
func (h *Handler) read(ctx context.Context, key string) (*Record, error) {
	out, err := h.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String(key)})
	var nsk *s3types.NoSuchKey
	var api smithy.APIError
	if errors.As(err, &nsk) || (errors.As(err, &api) && api.ErrorCode() == "NoSuchKey") {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get object s3://%s/%s: %w", h.Bucket, key, err)
	}
	defer out.Body.Close()
	b, err := io.ReadAll(io.LimitReader(out.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read object s3://%s/%s: %w", h.Bucket, key, err)
	}
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("decode token record s3://%s/%s: %w", h.Bucket, key, err)
	}
	if rec.TaskToken == "" {
		return nil, fmt.Errorf("token record s3://%s/%s has no taskToken", h.Bucket, key)
	}
	return &rec, nil
}

func (h *Handler) write(ctx context.Context, key string, rec *Record) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode token record %s: %w", key, err)
	}
	if _, err := h.S3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(h.Bucket), Key: aws.String(key),
		Body: bytes.NewReader(b), ContentType: aws.String("application/json")}); err != nil {
		return fmt.Errorf("put object s3://%s/%s: %w", h.Bucket, key, err)
	}
	return nil
}
