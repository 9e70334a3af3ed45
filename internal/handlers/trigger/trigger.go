// Package trigger is the trigger Lambda's handler: the retraining governor's IO. It asks
// Step Functions about existing pipeline executions, lets internal/governor decide, starts
// the pipeline execution the decision names, and logs and returns the decision.
//
// A Handler is safe for concurrent use once built; it holds no mutable state.
package trigger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	kilnarn "github.com/kiln-dev/kiln/internal/arn"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/policy"
)

// StepFunctionsAPI is the part of the Step Functions client the handler uses.
type StepFunctionsAPI interface {
	DescribeExecution(ctx context.Context, params *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
	ListExecutions(ctx context.Context, params *sfn.ListExecutionsInput, optFns ...func(*sfn.Options)) (*sfn.ListExecutionsOutput, error)
	StartExecution(ctx context.Context, params *sfn.StartExecutionInput, optFns ...func(*sfn.Options)) (*sfn.StartExecutionOutput, error)
}

var _ StepFunctionsAPI = (*sfn.Client)(nil)

// Handler starts pipeline executions for the triggers the governor allows.
type Handler struct {
	// SFN is the Step Functions client.
	SFN StepFunctionsAPI
	// PipelineARN is the stage's pipeline state machine (KILN_PIPELINE_ARN).
	PipelineARN string
	// Stage is the stage this governor serves (KILN_STAGE).
	Stage string
	// Bucket is the stage's artifacts bucket (KILN_ARTIFACTS_BUCKET).
	Bucket string
	// Policy is the release policy (policy.Load()).
	Policy *policy.Policy
	// Clock returns the current time.
	Clock func() time.Time
	// Log receives one line per decision.
	Log *slog.Logger
}

// Handle decides about one event (see governor.Parse for the shapes it accepts) and returns
// the decision: started with the execution ARN, or skipped with the rule and why. A skip is
// not an error; an error is returned only when Step Functions could not be asked or told,
// so that the invoker (EventBridge, the Scheduler) retries.
func (h *Handler) Handle(ctx context.Context, event json.RawMessage) (governor.Decision, error) {
	g := governor.Governor{Policy: h.Policy, Stage: h.Stage, Bucket: h.Bucket}
	if err := g.Validate(); err != nil {
		return governor.Decision{}, fmt.Errorf("configure trigger: %w", err)
	}
	now := h.Clock().UTC()
	plan, skipped := g.Plan(event, now)
	if skipped != nil {
		h.log(ctx, *skipped)
		return *skipped, nil
	}
	facts, err := h.facts(ctx, g, plan, now)
	if err != nil {
		return governor.Decision{}, err
	}
	d := g.Decide(plan, facts, now)
	if d.Action == governor.ActionStarted {
		plan.ExecutionName = d.ExecutionName
		if d, err = h.start(ctx, plan, d); err != nil {
			return governor.Decision{}, err
		}
	}
	h.log(ctx, d)
	return d, nil
}

func (h *Handler) start(ctx context.Context, plan governor.Plan, d governor.Decision) (governor.Decision, error) {
	input, err := json.Marshal(plan.Input)
	if err != nil {
		return governor.Decision{}, fmt.Errorf("encode pipeline input %s: %w", plan.ExecutionName, err)
	}
	out, err := h.SFN.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(h.PipelineARN),
		Name:            aws.String(plan.ExecutionName),
		Input:           aws.String(string(input)),
	})
	var exists *types.ExecutionAlreadyExists
	if errors.As(err, &exists) {
		return plan.Duplicate(fmt.Sprintf("execution %s already exists (StartExecution: %s)", plan.ExecutionName, exists.ErrorMessage())), nil
	}
	if err != nil {
		return governor.Decision{}, fmt.Errorf("start execution %s: %w", plan.ExecutionName, err)
	}
	d.ExecutionARN = aws.ToString(out.ExecutionArn)
	return d, nil
}

// facts asks Step Functions whether the plan's execution exists, which executions are
// running, and which started since the governor's horizon.
func (h *Handler) facts(ctx context.Context, g governor.Governor, plan governor.Plan, now time.Time) (governor.Facts, error) {
	var f governor.Facts
	// The latest attempt of the key: follow <key>, <key>-a2, ... while each ended in failure.
	for n := 1; n <= governor.MaxAttempts; n++ {
		arn := kilnarn.Execution(h.PipelineARN, governor.AttemptName(plan.ExecutionName, n))
		out, err := h.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		var missing *types.ExecutionDoesNotExist
		if errors.As(err, &missing) {
			break
		}
		if err != nil {
			return f, fmt.Errorf("describe execution %s: %w", arn, err)
		}
		f.Existing = &governor.Execution{Name: aws.ToString(out.Name), Status: string(out.Status), StartedAt: aws.ToTime(out.StartDate)}
		f.Attempt = n
		if !governor.Failed(f.Existing.Status) {
			break
		}
	}
	seen := map[string]bool{}
	add := func(items []types.ExecutionListItem) {
		for _, e := range items {
			name := aws.ToString(e.Name)
			if seen[name] {
				continue
			}
			seen[name] = true
			f.Executions = append(f.Executions, governor.Execution{Name: name, Status: string(e.Status), StartedAt: aws.ToTime(e.StartDate)})
		}
	}
	running := sfn.NewListExecutionsPaginator(h.SFN, &sfn.ListExecutionsInput{
		StateMachineArn: aws.String(h.PipelineARN), StatusFilter: types.ExecutionStatusRunning,
	})
	for running.HasMorePages() {
		page, err := running.NextPage(ctx)
		if err != nil {
			return f, fmt.Errorf("list running executions of %s: %w", h.PipelineARN, err)
		}
		add(page.Executions)
	}
	// Step Functions lists the newest first: stop at the first page that lies entirely
	// before the horizon.
	horizon := g.Horizon(now)
	recent := sfn.NewListExecutionsPaginator(h.SFN, &sfn.ListExecutionsInput{StateMachineArn: aws.String(h.PipelineARN)})
	for recent.HasMorePages() {
		page, err := recent.NextPage(ctx)
		if err != nil {
			return f, fmt.Errorf("list executions of %s: %w", h.PipelineARN, err)
		}
		var kept []types.ExecutionListItem
		for _, e := range page.Executions {
			if !aws.ToTime(e.StartDate).Before(horizon) {
				kept = append(kept, e)
			}
		}
		add(kept)
		if len(kept) == 0 {
			break
		}
	}
	return f, nil
}

func (h *Handler) log(ctx context.Context, d governor.Decision) {
	attrs := []any{
		slog.String("action", d.Action), slog.String("rule", d.Rule), slog.String("reason", d.Reason),
		slog.String("trigger", d.Trigger), slog.String("model", d.Model), slog.String("stage", d.Stage),
		slog.String("executionName", d.ExecutionName), slog.String("executionArn", d.ExecutionARN),
	}
	h.Log.InfoContext(ctx, "trigger "+d.Action, attrs...)
}
