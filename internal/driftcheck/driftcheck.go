// Package driftcheck runs kiln's drift job on demand and reads the last result of every
// endpoint's drift check: what `kiln drift run` and the drift part of `kiln status` do, for
// the command line and the demo alike. It holds no state; its functions are safe for
// concurrent use when the clients are.
package driftcheck

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/topology"
)

// Clients are the AWS clients a drift check uses; the SDK's clients satisfy them.
type Clients struct {
	S3         monitordrift.S3API
	CloudWatch monitordrift.CloudWatchAPI
	Events     opsevents.PutEventsAPI
}

// Run runs the drift job (the monitor-drift function's code) now on the endpoint of model in
// env's stage, over the captured traffic of the last windowMinutes (0: the job's default)
// ending at clock: it writes Model Monitor's reports, publishes the drift metrics, records
// the result for kiln status and puts "kiln Drift Checked" on the stage's kiln bus. It returns
// the check as the event carries it.
func Run(ctx context.Context, c Clients, env topology.Env, model string, windowMinutes int, clock func() time.Time) (opsevents.Drift, error) {
	if windowMinutes == 0 {
		windowMinutes = monitordrift.DefaultWindowMinutes
	}
	h := &monitordrift.Handler{S3: c.S3, CloudWatch: c.CloudWatch, Clock: clock, Log: slog.New(slog.DiscardHandler),
		Bucket: topology.ArtifactsBucket(env), Events: &opsevents.Publisher{Events: c.Events, Bus: topology.BusName(env.Stage)}}
	in := monitordrift.Input{EndpointName: topology.EndpointName(env.Stage, model), WindowMinutes: windowMinutes}
	sum, err := h.Run(ctx, in)
	if err != nil {
		return opsevents.Drift{}, fmt.Errorf("drift run %s: %w", in.EndpointName, err)
	}
	return monitordrift.DriftEvent(sum), nil
}

// Print writes one drift check: its window, then each feature's distance against its threshold.
func Print(out io.Writer, d opsevents.Drift) error {
	fmt.Fprintf(out, "drift of %s, window %s to %s: %s, %d rows\n", d.EndpointName, d.WindowStart.Format(time.RFC3339),
		d.WindowEnd.Format(time.RFC3339), d.Status, d.Rows)
	if d.Message != "" {
		fmt.Fprintln(out, "  "+d.Message)
	}
	if len(d.Features) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FEATURE\tDISTANCE\tTHRESHOLD\tDRIFTED")
	for _, f := range d.Features {
		mark := "no"
		if f.Drifted {
			mark = "YES"
		}
		fmt.Fprintf(tw, "%s\t%.4f\t%.4f\t%s\n", f.Name, f.Distance, f.Threshold, mark)
	}
	return tw.Flush()
}
