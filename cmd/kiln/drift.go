package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/driftcheck"
	"github.com/kiln-dev/kiln/internal/handlers/monitordrift"
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
			d, err := driftcheck.Run(cmd.Context(), driftcheck.Clients{S3: c.s3, CloudWatch: c.cloudWatch, Events: c.events},
				c.env, args[0], window, time.Now)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(cmd.OutOrStdout(), d)
			}
			return driftcheck.Print(cmd.OutOrStdout(), d)
		},
	}
	target.flags(cmd)
	cmd.Flags().IntVar(&window, "window-minutes", monitordrift.DefaultWindowMinutes, "how far back the captured traffic is read")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}
