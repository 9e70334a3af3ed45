package release

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// Await waits for a rollback's deploy execution to end, asking Step Functions every
// PollInterval (through Sleep), and returns how it ended: the detail of the "kiln Rollback
// Completed" event that [Releaser.Announce] puts for it (an execution that failed is a detail
// with its Error and Cause, not an error). It puts nothing itself: the announcement comes from
// the execution's own status-change event, whoever waits or not. It returns ctx's error when
// ctx ends first.
func (r *Releaser) Await(ctx context.Context, rolled Rolled) (opsevents.Rollback, error) {
	for {
		out, err := r.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(rolled.ExecutionARN)})
		if err != nil {
			return opsevents.Rollback{}, fmt.Errorf("describe execution %s: %w", rolled.ExecutionARN, err)
		}
		if out.Status != sfntypes.ExecutionStatusRunning && out.Status != sfntypes.ExecutionStatusPendingRedrive {
			return rollbackDetail(rolled, Ended{ExecutionARN: rolled.ExecutionARN, Status: string(out.Status),
				Error: aws.ToString(out.Error), Cause: aws.ToString(out.Cause),
				StartDate: aws.ToTime(out.StartDate), StopDate: aws.ToTime(out.StopDate)}), nil
		}
		if err := r.sleep(ctx); err != nil {
			return opsevents.Rollback{}, fmt.Errorf("wait for rollback %s: %w", rolled.ExecutionARN, err)
		}
	}
}

// Ended is a deploy execution that ended, as its "Step Functions Execution Status Change"
// event tells it.
type Ended struct {
	ExecutionARN, Name, Status, Error, Cause string
	// Input is the execution's input; empty when the event left it out (over 248 KB), and
	// Announce then asks Step Functions for it.
	Input               string
	StartDate, StopDate time.Time
}

// Announce puts "kiln Rollback Completed" on the bus for a deploy execution that ended, when
// it was a rollback (its input carries the rollback's request: who asked, why, from which
// package); it reports false, putting nothing, for any other deploy. It is what the approval
// function does with the deploy workflow's status-change events (the rollback-ended rule), so
// every rollback's end is announced once, however long it took and whoever started it. The
// error of a failed put is returned, so that EventBridge delivers the event again.
func (r *Releaser) Announce(ctx context.Context, e Ended) (opsevents.Rollback, bool, error) {
	if e.Input == "" {
		out, err := r.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(e.ExecutionARN)})
		if err != nil {
			return opsevents.Rollback{}, false, fmt.Errorf("describe execution %s: %w", e.ExecutionARN, err)
		}
		e.Input = aws.ToString(out.Input)
	}
	var in statemachines.DeployInput
	if err := json.Unmarshal([]byte(e.Input), &in); err != nil {
		return opsevents.Rollback{}, false, fmt.Errorf("decode the input of deploy execution %s: %w", e.ExecutionARN, err)
	}
	if in.Rollback == nil {
		return opsevents.Rollback{}, false, nil
	}
	rolled := Rolled{ReleaseID: in.ReleaseID, ExecutionARN: e.ExecutionARN, ToPackageARN: in.ModelPackageARN,
		FromPackageARN: in.Rollback.FromPackageARN, Model: in.Model, Stage: in.Stage,
		RequestedBy: in.Rollback.RequestedBy, Reason: in.Rollback.Reason}
	ev := rollbackDetail(rolled, e)
	if err := r.Events.Put(ctx, opsevents.SourceRelease, opsevents.RollbackCompleted, ev, e.ExecutionARN); err != nil {
		return ev, true, fmt.Errorf("announce the end of rollback %s: %w", e.ExecutionARN, err)
	}
	r.Log.InfoContext(ctx, "rollback completed", slog.String("executionArn", e.ExecutionARN),
		slog.String("status", ev.Status), slog.Float64("seconds", ev.Seconds))
	return ev, true, nil
}

// rollbackDetail is the "kiln Rollback Completed" detail of rolled, whose execution ended as e says.
func rollbackDetail(rolled Rolled, e Ended) opsevents.Rollback {
	ev := opsevents.Rollback{Model: rolled.Model, Stage: rolled.Stage, EndpointName: topology.EndpointName(rolled.Stage, rolled.Model),
		Status: e.Status, Error: e.Error, Cause: e.Cause,
		FromPackageARN: rolled.FromPackageARN, ToPackageARN: rolled.ToPackageARN, ToVersion: versionOf(rolled.ToPackageARN),
		RequestedBy: rolled.RequestedBy, Reason: rolled.Reason, ExecutionARN: rolled.ExecutionARN}
	if !e.StartDate.IsZero() {
		ev.RequestedAt = e.StartDate.UTC()
	}
	if !e.StopDate.IsZero() {
		ev.CompletedAt = e.StopDate.UTC()
	}
	if !ev.RequestedAt.IsZero() && !ev.CompletedAt.IsZero() {
		ev.Seconds = ev.CompletedAt.Sub(ev.RequestedAt).Seconds()
	}
	return ev
}
