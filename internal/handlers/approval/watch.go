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

// Source and detail type of a CloudWatch alarm state change (the watch-alarm rule).
const (
	AlarmSource     = "aws.cloudwatch"
	AlarmDetailType = "CloudWatch Alarm State Change"
)

// OutcomeWatched is the outcome of an alarm state change shown to the watch; Result.Watch says what it did.
const OutcomeWatched = "watched"

// Watcher is the watch after the bake (release.Releaser): it rolls a stage back when a
// watched alarm fires inside the live release's window, and waits for that rollback to end.
type Watcher interface {
	Watch(ctx context.Context, a release.Alarm) (release.Watching, error)
	Await(ctx context.Context, rolled release.Rolled) (opsevents.Rollback, error)
}

var _ Watcher = (*release.Releaser)(nil)

// alarmChange is the part of a "CloudWatch Alarm State Change" detail the watch reads.
type alarmChange struct {
	AlarmName string `json:"alarmName"`
	State     struct {
		Value     string `json:"value"`
		Reason    string `json:"reason"`
		Timestamp string `json:"timestamp"`
	} `json:"state"`
}

// awaitMargin is the time kept back from the invocation's deadline when waiting for a
// rollback to end, so the function answers before Lambda stops it.
const awaitMargin = 5 * time.Second

// watch hands an alarm that went to ALARM to the Watcher and, when it rolled the stage
// back, waits (within the invocation's time) for the rollback to end so its completion is
// announced.
func (h *Handler) watch(ctx context.Context, ev events.CloudWatchEvent) (Result, error) {
	var d alarmChange
	if err := json.Unmarshal(ev.Detail, &d); err != nil {
		return Result{}, fmt.Errorf("decode alarm state change %s: %w", ev.ID, err)
	}
	log := h.Log.With(slog.String("alarm", d.AlarmName), slog.String("state", d.State.Value), slog.String("eventId", ev.ID))
	if d.State.Value != "ALARM" {
		log.InfoContext(ctx, "alarm state change ignored: not ALARM")
		return Result{Outcome: OutcomeIgnored}, nil
	}
	at, err := time.Parse("2006-01-02T15:04:05.000-0700", d.State.Timestamp)
	if err != nil {
		at = ev.Time
	}
	w, err := h.Watch.Watch(ctx, release.Alarm{Name: d.AlarmName, Reason: d.State.Reason, At: at})
	if err != nil {
		return Result{}, fmt.Errorf("watch alarm %s: %w", d.AlarmName, err)
	}
	r := Result{Outcome: OutcomeWatched, Watch: &w}
	if !w.Breached {
		log.InfoContext(ctx, "alarm outside any watch: nothing changed", slog.String("why", w.Why))
		return r, nil
	}
	log.WarnContext(ctx, "watch breached", slog.String("action", w.Breach.Action), slog.String("cause", w.Breach.Cause),
		slog.String("rollbackExecutionArn", w.Breach.RollbackExecutionARN))
	if w.Breach.Action != opsevents.ActionRolledBack {
		return r, nil
	}
	wait := ctx
	if dl, ok := ctx.Deadline(); ok {
		var cancel context.CancelFunc
		wait, cancel = context.WithDeadline(ctx, dl.Add(-awaitMargin))
		defer cancel()
	}
	done, err := h.Watch.Await(wait, release.Rolled{ExecutionARN: w.Breach.RollbackExecutionARN, ToPackageARN: w.Breach.ToPackageARN,
		FromPackageARN: w.Breach.PackageARN, Model: w.Breach.Model, Stage: w.Breach.Stage, RequestedBy: release.WatchedBy, Reason: w.Why})
	if err != nil {
		log.WarnContext(ctx, "rollback still running when the invocation ends: its completion is not announced", slog.String("error", err.Error()))
		return r, nil
	}
	r.Rollback = &done
	return r, nil
}
