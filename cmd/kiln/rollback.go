package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/release"
)

// newRollbackCmd builds `kiln rollback MODEL --stage S [--to VERSION] --reason TEXT`.
func newRollbackCmd() *cobra.Command {
	var target opsTarget
	var to int
	var reason, by string
	var noWait bool
	cmd := &cobra.Command{
		Use:   "rollback MODEL --stage STAGE [--to VERSION] --reason TEXT",
		Short: "Put the previous (or a named) Approved release back on a stage's endpoint",
		Long: "Roll MODEL in STAGE back to the release that was live before the current one, or to --to VERSION, through\n" +
			"the deploy workflow, so the stage's traffic shifting, baking and rollback alarms apply. The rollback is recorded\n" +
			"in the history with who asked (--by, default $KILN_USER or the login name) and why (--reason, required), and\n" +
			"announced on the stage's topic. A package that is not Approved (a Rejected one) is refused and nothing changes.\n" +
			"The command waits until the endpoint serves the release again (unless --no-wait). When the deploy execution\n" +
			"ends, the approval function announces \"kiln Rollback Completed\" on the kiln bus from the execution's status\n" +
			"change, whether or not the command waits. Exit 1 when the rollback was refused or its deployment failed.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runRollback(cmd.Context(), cmd.OutOrStdout(), target, rollbackArgs{model: args[0], to: to, by: by, reason: reason, noWait: noWait})
		},
	}
	target.flags(cmd)
	cmd.Flags().IntVar(&to, "to", 0, "the package version to go back to (default: the release live before the current one)")
	cmd.Flags().StringVar(&reason, "reason", "", "why the stage goes back (required)")
	cmd.Flags().StringVar(&by, "by", whoAmI(), "who asks for the rollback")
	cmd.Flags().BoolVar(&noWait, "no-wait", false, "return once the deploy workflow started")
	return cmd
}

func printRolled(out io.Writer, r release.Rolled) {
	from := r.FromPackageARN
	if from == "" {
		from = "nothing"
	}
	verb := "started"
	if r.AlreadyStarted {
		verb = "already started"
	}
	fmt.Fprintf(out, "rollback %s: %s in %s goes back to %s (was %s)\n  deploy execution %s\n", verb, r.Model, r.Stage, r.ToPackageARN, from, r.ExecutionARN)
}

func printCompleted(out io.Writer, ev opsevents.Rollback, took time.Duration) error {
	if ev.Status != "SUCCEEDED" {
		fmt.Fprintf(out, "rollback %s after %.1fs: %s: %s\n", strings.ToLower(ev.Status), took.Seconds(), ev.Error, ev.Cause)
		return exitError{code: 1}
	}
	fmt.Fprintf(out, "rolled back in %.1fs: %s serves version %d again (deploy workflow %.1fs)\n", took.Seconds(), ev.EndpointName, ev.ToVersion, ev.Seconds)
	return nil
}

// rollbackArgs are kiln rollback's argument and flags.
type rollbackArgs struct {
	model, by, reason string
	to                int
	noWait            bool
}

// runRollback rolls a.model in target's stage back (see [release.Releaser.Rollback]),
// prints the rollback to out and, unless a.noWait, waits for it to complete.
func runRollback(ctx context.Context, out io.Writer, target opsTarget, a rollbackArgs) error {
	if strings.TrimSpace(a.reason) == "" {
		return errors.New("rollback: --reason is required: say why the stage goes back")
	}
	if a.to < 0 {
		return fmt.Errorf("rollback: --to %d is not a package version", a.to)
	}
	start := time.Now()
	c, err := target.clients(ctx)
	if err != nil {
		return err
	}
	r := c.releaser(slog.New(slog.DiscardHandler))
	rolled, err := r.Rollback(ctx, a.model, target.stage, a.to, a.by, a.reason)
	if err != nil {
		return fmt.Errorf("rollback refused, nothing changed: %w", err)
	}
	printRolled(out, rolled)
	if a.noWait {
		return nil
	}
	done, err := r.Await(ctx, rolled)
	if err != nil {
		return err
	}
	return printCompleted(out, done, time.Since(start))
}
