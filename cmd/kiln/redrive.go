package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/kiln-dev/kiln/internal/arn"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/topology"
)

// redriveAPI is what kiln redrive needs of Step Functions; *sfn.Client satisfies it.
type redriveAPI interface {
	RedriveExecution(ctx context.Context, in *sfn.RedriveExecutionInput, optFns ...func(*sfn.Options)) (*sfn.RedriveExecutionOutput, error)
	DescribeExecution(ctx context.Context, in *sfn.DescribeExecutionInput, optFns ...func(*sfn.Options)) (*sfn.DescribeExecutionOutput, error)
}

var _ redriveAPI = (*sfn.Client)(nil)

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
			var api redriveAPI
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
			arn, err := executionARN(args[0], env, onAWS)
			if err != nil {
				return err
			}
			return redrive(cmd, api, arn)
		},
	}
	endpointFlag(cmd, &endpoint)
	cmd.Flags().StringVar(&stage, "stage", "prod", "the stage whose pipeline runs EXECUTION when it is a name")
	cmd.Flags().BoolVar(&onAWS, "aws", false, "call AWS (default credential chain) instead of kiln local")
	return cmd
}

// executionARN returns arg when it is an execution ARN, or the ARN of the execution named arg
// of env's pipeline (locally only: on AWS the account is not known here).
func executionARN(arg string, env topology.Env, onAWS bool) (string, error) {
	if strings.HasPrefix(arg, "arn:") {
		if !strings.Contains(arg, ":execution:") {
			return "", fmt.Errorf("redrive: %q is not an execution ARN (arn:aws:states:REGION:ACCOUNT:execution:MACHINE:NAME)", arg)
		}
		return arg, nil
	}
	if onAWS {
		return "", fmt.Errorf("redrive: with --aws give the execution's ARN, not the name %q", arg)
	}
	sm := fmt.Sprintf("arn:%s:states:%s:%s:stateMachine:%s", env.Partition, env.Region, env.Account, topology.ResourceName(env.Stage, "pipeline"))
	return arn.Execution(sm, arg), nil
}

// redrive redrives arn and reports the redrive count and the status now.
func redrive(cmd *cobra.Command, api redriveAPI, arn string) error {
	ctx := cmd.Context()
	out, err := api.RedriveExecution(ctx, &sfn.RedriveExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return fmt.Errorf("redrive execution %s: %w", arn, err)
	}
	d, err := api.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
	if err != nil {
		return fmt.Errorf("describe execution %s: %w", arn, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "redriven %s at %s (redrive %d), now %s\n", arn,
		aws.ToTime(out.RedriveDate).UTC().Format("2006-01-02T15:04:05Z"), aws.ToInt32(d.RedriveCount), d.Status)
	return nil
}
