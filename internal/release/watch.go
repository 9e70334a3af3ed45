package release

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// WatchedBy is who a rollback the watch started is recorded as requested by.
const WatchedBy = "kiln watch"

// Alarm is a CloudWatch alarm that went to ALARM, as the watch reads its state change event.
type Alarm struct {
	Name string
	// Reason is the new state's reason (CloudWatch's "Threshold Crossed: ..." sentence).
	Reason string
	// At is when the alarm changed state.
	At time.Time
}

// Watching says what the watch made of an alarm: Breached with the Breach it announced, or
// not, with Why it changed nothing.
type Watching struct {
	Breached bool             `json:"breached"`
	Breach   opsevents.Breach `json:"breach"`
	Why      string           `json:"why"`
}

// Watch answers an alarm that went to ALARM: when it is one of the stage's watched alarms
// (the policy's deployment.watchAlarms) and fired inside the live release's watch window
// (deployment.watchSeconds after its deployment settled), the stage rolls back to the
// previous Approved release through the deploy workflow, recorded as asked by WatchedBy with
// the alarm's cause, notified, and announced as "kiln Watch Breached". The rollback leaves
// the breached alarm out of its own rollback alarms. A release that a rollback put back is
// not watched again (rollbacks do not chain). Anything else changes nothing and says why.
func (r *Releaser) Watch(ctx context.Context, a Alarm) (Watching, error) {
	model, kind, ok := r.alarmKind(a.Name)
	if !ok {
		return Watching{Why: fmt.Sprintf("alarm %s is no watched alarm of stage %s", a.Name, r.Stage)}, nil
	}
	dep := r.Policy.Stages[r.Stage].Deployment
	if !dep.Watches(kind) {
		return Watching{Why: fmt.Sprintf("stage %s does not watch %s alarms", r.Stage, kind)}, nil
	}
	endpoint := topology.EndpointName(r.Stage, model)
	hist, err := r.History(ctx, endpoint)
	if err != nil {
		return Watching{}, err
	}
	live := lastDeployment(hist)
	if live == nil {
		return Watching{Why: fmt.Sprintf("nothing is live on %s", endpoint)}, nil
	}
	if madeByRollback(hist, live.ReleaseID) {
		return Watching{Why: fmt.Sprintf("the live release %s was put back by a rollback; the watch does not chain rollbacks", live.ReleaseID)}, nil
	}
	deployed := live.Time()
	into := a.At.Sub(deployed)
	if into < 0 || into > time.Duration(dep.WatchSeconds)*time.Second {
		return Watching{Why: fmt.Sprintf("alarm %s fired %s after %s settled, outside the %ds watch", a.Name, into.Round(time.Second), live.ReleaseID, dep.WatchSeconds)}, nil
	}
	b := opsevents.Breach{Model: model, Stage: r.Stage, EndpointName: endpoint, AlarmName: a.Name, AlarmKind: kind, Cause: a.Reason,
		PackageARN: live.ModelPackageARN, DeployedAt: deployed.UTC(), BreachedAt: a.At.UTC(), WatchSeconds: dep.WatchSeconds,
		SecondsIntoWatch: into.Seconds()}
	if err := r.rollBackBreach(ctx, &b, hist, live); err != nil {
		return Watching{}, err
	}
	if err := r.Events.Put(ctx, opsevents.SourceRelease, opsevents.WatchBreached, b, b.RollbackExecutionARN); err != nil {
		r.Log.WarnContext(ctx, "watch breach not announced", slog.String("error", err.Error()))
	}
	return Watching{Breached: true, Breach: b, Why: "alarm " + a.Name + " fired inside the watch: " + b.Action}, nil
}

// rollBackBreach rolls the stage back for breach b and sets its action and rollback.
func (r *Releaser) rollBackBreach(ctx context.Context, b *opsevents.Breach, hist []Record, live *Record) error {
	why := fmt.Sprintf("alarm %s (%s) fired %.0fs into the %ds watch of version %d: %s",
		b.AlarmName, b.AlarmKind, b.SecondsIntoWatch, b.WatchSeconds, versionOf(b.PackageARN), b.Cause)
	target, err := r.earlier(ctx, hist, 0, live.ModelPackageARN)
	if errors.Is(err, ErrNoRelease) {
		b.Action = opsevents.ActionNoEarlierRelease
		r.notify(ctx, fmt.Sprintf("kiln: %s in %s breached its watch; nothing to roll back to", b.Model, b.Stage),
			why+". No earlier Approved release was live, so the endpoint keeps serving it.", "watch-breached")
		r.Log.ErrorContext(ctx, "watch breached with no earlier release", slog.String("alarm", b.AlarmName), slog.String("cause", b.Cause))
		return nil
	}
	if err != nil {
		return fmt.Errorf("watch %s: %w", b.EndpointName, err)
	}
	rolled, err := r.rollbackTo(ctx, b.Model, b.Stage, *target, live.ModelPackageARN, live.EndpointConfigName, WatchedBy, why, b.AlarmName)
	if err != nil {
		return err
	}
	b.Action, b.RollbackExecutionARN, b.ToPackageARN = opsevents.ActionRolledBack, rolled.ExecutionARN, rolled.ToPackageARN
	if rolled.AlreadyStarted {
		b.Action = opsevents.ActionAlreadyRollingBack
	}
	return nil
}

// alarmKind maps one of the stage's alarms to its model and watch kind.
func (r *Releaser) alarmKind(name string) (model, kind string, ok bool) {
	for _, a := range topology.Alarms(r.Policy, r.Stage) {
		if a.Name != name {
			continue
		}
		switch {
		case a.Purpose == topology.PurposeDrift:
			return a.Model, policy.WatchDrift, true
		case a.Metric == "ModelLatency":
			return a.Model, policy.WatchLatency, true
		case a.Metric == "Invocation5XXErrors":
			return a.Model, policy.WatchErrors, true
		}
	}
	return "", "", false
}

// madeByRollback reports whether a rollback request started the release releaseID.
func madeByRollback(hist []Record, releaseID string) bool {
	for _, h := range hist {
		if h.Kind == KindRollback && h.ReleaseID == releaseID {
			return true
		}
	}
	return strings.Contains(releaseID, "-rb-v")
}
