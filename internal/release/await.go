package release

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/topology"
)

// Await waits for a rollback's deploy execution to end, asking Step Functions every
// PollInterval (through Sleep), and then puts "kiln Rollback Completed" on the bus with how
// it ended. It returns that event's detail; an execution that failed is a detail with its
// Error and Cause, not an error. It returns ctx's error when ctx ends first (nothing is put).
func (r *Releaser) Await(ctx context.Context, rolled Rolled) (opsevents.Rollback, error) {
	for {
		out, err := r.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(rolled.ExecutionARN)})
		if err != nil {
			return opsevents.Rollback{}, fmt.Errorf("describe execution %s: %w", rolled.ExecutionARN, err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning && out.Status != sfntypes.ExecutionStatusPendingRedrive {
			return r.completed(ctx, rolled, out), nil
		}
		if err := r.sleep(ctx); err != nil {
			return opsevents.Rollback{}, fmt.Errorf("wait for rollback %s: %w", rolled.ExecutionARN, err)
		}
	}
}

// completed builds the completion event of a rollback whose execution ended, puts it and logs it.
func (r *Releaser) completed(ctx context.Context, rolled Rolled, out *sfn.DescribeExecutionOutput) opsevents.Rollback {
	ev := opsevents.Rollback{Model: rolled.Model, Stage: rolled.Stage, EndpointName: topology.EndpointName(rolled.Stage, rolled.Model),
		Status: string(out.Status), Error: aws.ToString(out.Error), Cause: aws.ToString(out.Cause),
		FromPackageARN: rolled.FromPackageARN, ToPackageARN: rolled.ToPackageARN, ToVersion: versionOf(rolled.ToPackageARN),
		RequestedBy: rolled.RequestedBy, Reason: rolled.Reason, ExecutionARN: rolled.ExecutionARN}
	if out.StartDate != nil {
		ev.RequestedAt = out.StartDate.UTC()
	}
	if out.StopDate != nil {
		ev.CompletedAt = out.StopDate.UTC()
	}
	if !ev.RequestedAt.IsZero() && !ev.CompletedAt.IsZero() {
		ev.Seconds = ev.CompletedAt.Sub(ev.RequestedAt).Seconds()
	}
	if err := r.Events.Put(ctx, opsevents.SourceRelease, opsevents.RollbackCompleted, ev, rolled.ExecutionARN); err != nil {
		// The rollback happened; a lost announcement must not make the caller repeat it.
		r.Log.WarnContext(ctx, "rollback completion not announced", slog.String("error", err.Error()))
	}
	r.Log.InfoContext(ctx, "rollback completed", slog.String("executionArn", rolled.ExecutionARN),
		slog.String("status", ev.Status), slog.Float64("seconds", ev.Seconds))
	return ev
}
