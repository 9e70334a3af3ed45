package main

import (
	"fmt"
	"io"
	"log/slog"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/topology"
)

// newDriftCmd builds `kiln drift`, the commands about the drift job.
func newDriftCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "drift", Short: "Work with the drift job"}
	cmd.AddCommand(newDriftRunCmd())
	return cmd
}

// newDriftRunCmd builds `kiln drift run MODEL --stage S`.
func newDriftRunCmd() *cobra.Command {
	var target opsTarget
	var window int
	var output string
	cmd := &cobra.Command{
		Use:   "run MODEL --stage STAGE",
		Short: "Run the drift job on a stage's endpoint now and print each feature's distance against its threshold",
		Long: "Run kiln's drift job (the monitor-drift function's code) now on the endpoint of MODEL in STAGE: it compares\n" +
			"the traffic captured in the last --window-minutes with the live model's baseline, writes Model Monitor's\n" +
			"reports, publishes the drift metrics (so the drift alarms see them), records the result for kiln status and\n" +
			"puts \"kiln Drift Checked\" on the kiln bus. It runs with your credentials against kiln local or, with --aws, AWS.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("drift run: --output is table or json, not %q", output)
			}
			c, err := target.clients(cmd.Context())
			if err != nil {
				return err
			}
			if _, ok := c.policy.Model(args[0]); !ok {
				return fmt.Errorf("drift run: model %q is not in the policy", args[0])
			}
			h := &monitordrift.Handler{S3: c.s3, CloudWatch: c.cloudWatch, Clock: time.Now, Log: slog.New(slog.DiscardHandler),
				Bucket: topology.ArtifactsBucket(c.env), Events: &opsevents.Publisher{Events: c.events, Bus: topology.BusName(c.env.Stage)}}
			in := monitordrift.Input{EndpointName: topology.EndpointName(target.stage, args[0]), WindowMinutes: window}
			sum, err := h.Run(cmd.Context(), in)
			if err != nil {
				return fmt.Errorf("drift run %s: %w", in.EndpointName, err)
			}
			if output == "json" {
				return writeJSON(cmd.OutOrStdout(), monitordrift.DriftEvent(sum))
			}
			return printDrift(cmd.OutOrStdout(), monitordrift.DriftEvent(sum))
		},
	}
	target.flags(cmd)
	cmd.Flags().IntVar(&window, "window-minutes", monitordrift.DefaultWindowMinutes, "how far back the captured traffic is read")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

// printDrift writes one drift check: its window, then each feature against its threshold.
func printDrift(out io.Writer, d opsevents.Drift) error {
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
