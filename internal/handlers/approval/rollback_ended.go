package approval

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/release"
)

// Source and detail type of a Step Functions execution's status change (the rollback-ended
// rule sends those of the stage's deploy workflow when a rollback's execution ends).
const (
	StatesSource           = "aws.states"
	StatusChangeDetailType = "Step Functions Execution Status Change"
)

// OutcomeAnnounced is the outcome of a rollback's deploy execution that ended: Result.Rollback
// is the "kiln Rollback Completed" event put for it. A deploy that was no rollback is ignored.
const OutcomeAnnounced = "announced"

// Announcer announces the end of a rollback (release.Releaser.Announce).
type Announcer interface {
	Announce(ctx context.Context, e release.Ended) (opsevents.Rollback, bool, error)
}

var _ Announcer = (*release.Releaser)(nil)

// executionStatusChange is the part of a "Step Functions Execution Status Change" detail read
// here: dates are epoch milliseconds, stopDate and input null when absent.
type executionStatusChange struct {
	ExecutionARN string  `json:"executionArn"`
	Name         string  `json:"name"`
	Status       string  `json:"status"`
	StartDate    int64   `json:"startDate"`
	StopDate     *int64  `json:"stopDate"`
	Input        *string `json:"input"`
	Error        *string `json:"error"`
	Cause        *string `json:"cause"`
}

// rollbackEnded announces a rollback whose deploy execution ended. A failed announcement is
// an error, so that EventBridge delivers the event again.
func (h *Handler) rollbackEnded(ctx context.Context, ev events.CloudWatchEvent) (Result, error) {
	var d executionStatusChange
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return Result{}, fmt.Errorf("decode execution status change %s: %w", ev.ID, err)
	}
	if d.ExecutionARN == "" {
		return Result{}, fmt.Errorf("execution status change %s names no executionArn", ev.ID)
	}
	log := h.Log.With(slog.String("executionArn", d.ExecutionARN), slog.String("status", d.Status), slog.String("eventId", ev.ID))
	e := release.Ended{ExecutionARN: d.ExecutionARN, Name: d.Name, Status: d.Status, StartDate: time.UnixMilli(d.StartDate).UTC()}
	if d.StopDate != nil {
		e.StopDate = time.UnixMilli(*d.StopDate).UTC()
	}
	if d.Input != nil {
		e.Input = *d.Input
	}
	if d.Error != nil {
		e.Error = *d.Error
	}
	if d.Cause != nil {
		e.Cause = *d.Cause
	}
	if e.Status == "RUNNING" || e.Status == "PENDING_REDRIVE" || e.StopDate.IsZero() {
		log.InfoContext(ctx, "execution status change ignored: the execution has not ended")
		return Result{Outcome: OutcomeIgnored}, nil
	}
	done, rollback, err := h.Rollbacks.Announce(ctx, e)
	if err != nil {
		return Result{}, err
	}
	if !rollback {
		log.InfoContext(ctx, "execution status change ignored: the deploy was no rollback")
		return Result{Outcome: OutcomeIgnored}, nil
	}
	return Result{Outcome: OutcomeAnnounced, Rollback: &done}, nil
}
