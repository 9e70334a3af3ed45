package approval

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"

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
// watched alarm fires inside the live release's window. The rollback's end is announced when
// its deploy execution ends (the rollback-ended rule), not by waiting here.
type Watcher interface {
	Watch(ctx context.Context, a release.Alarm) (release.Watching, error)
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

// watch hands an alarm that went to ALARM to the Watcher.
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
	return r, nil
}
