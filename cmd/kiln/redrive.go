package main

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/redrive"
	"github.com/kiln-dev/kiln/internal/topology"
)

// newRedriveCmd builds `kiln redrive EXECUTION`.
func newRedriveCmd() *cobra.Command {
	var endpoint, stage string
	var onAWS bool
	cmd := &cobra.Command{
		Use:   "redrive EXECUTION",
		Short: "Restart a failed, timed-out or aborted execution from the state that failed (Step Functions RedriveExecution)",
		Long: "Redrive an unsuccessful Standard execution as Step Functions does: it continues from the state\n" +
			"that failed, with the same input and ARN; the states that succeeded are not run again.\n" +
			"EXECUTION is an execution ARN, or the name of an execution of the stage's pipeline (--stage).\n" +
			"Against the running kiln local (--endpoint), or with --aws against AWS with your credentials.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var api redrive.API
			env := topology.Local(stage)
			if onAWS {
				cfg, err := config.LoadDefaultConfig(cmd.Context())
				if err != nil {
					return fmt.Errorf("load AWS configuration: %w", err)
				}
				api = sfn.NewFromConfig(cfg)
			} else {
				if !reachable(endpoint) {
					return fmt.Errorf("no kiln local at %s: start it with kiln local, or pass --aws", endpoint)
				}
				api = stack.NewClients(endpoint).StepFunctions
			}
			arn, err := redrive.ExecutionARN(args[0], env, onAWS)
			if err != nil {
				return err
			}
			r, err := redrive.Execution(cmd.Context(), api, arn)
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), r)
			return nil
		},
	}
	endpointFlag(cmd, &endpoint)
	cmd.Flags().StringVar(&stage, "stage", "prod", "the stage whose pipeline runs EXECUTION when it is a name")
	cmd.Flags().BoolVar(&onAWS, "aws", false, "call AWS (default credential chain) instead of kiln local")
	return cmd
}
