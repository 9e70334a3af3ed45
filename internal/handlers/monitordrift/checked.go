package monitordrift

import (
	"context"
	"time"

	"github.com/kiln-dev/kiln/internal/opsevents"
)

// LatestKey returns monitoring/<endpoint>/latest.json: the summary of the endpoint's last
// drift check, which `kiln status` shows.
func LatestKey(endpoint string) string { return "monitoring/" + endpoint + "/latest.json" }

// checked records a check that ran (Completed or InsufficientData) as the endpoint's latest
// and announces it as "kiln Drift Checked". A lost announcement is logged, not returned: the
// check itself happened and its metrics are published.
func (h *Handler) checked(ctx context.Context, sum *Summary, dep *Deployment) error {
	sum.Model, sum.Stage = dep.Model, dep.Stage
	if err := h.putJSON(ctx, LatestKey(sum.EndpointName), sum); err != nil {
		return err
	}
	if err := h.Events.Put(ctx, opsevents.SourceDrift, opsevents.DriftChecked, DriftEvent(*sum)); err != nil {
		h.logger().Warn("drift check not announced", "endpointName", sum.EndpointName, "err", err)
	}
	return nil
}

// DriftEvent returns the "kiln Drift Checked" detail of a summary.
func DriftEvent(sum Summary) opsevents.Drift {
	ev := opsevents.Drift{Model: sum.Model, Stage: sum.Stage, EndpointName: sum.EndpointName, Status: sum.Status, Message: sum.Message,
		WindowStart: sum.WindowStart.UTC().Truncate(time.Second), WindowEnd: sum.WindowEnd.UTC().Truncate(time.Second), Rows: sum.Rows,
		Features: []opsevents.Feature{}, DriftedFeatures: append([]string{}, sum.DriftedFeatures...), MaxDistance: sum.MaxDistance,
		ViolationsS3URI: sum.ViolationsS3URI}
	for _, f := range sum.Features {
		ev.Features = append(ev.Features, opsevents.Feature{Name: f.Name, Distance: f.Distance, Threshold: f.Threshold, Drifted: f.Drifted})
	}
	return ev
}
