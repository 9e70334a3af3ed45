package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/release"
)

// newHistoryCmd builds `kiln history MODEL --stage S [--at TIME] [--output table|json]`.
func newHistoryCmd() *cobra.Command {
	var target opsTarget
	var at, output string
	cmd := &cobra.Command{
		Use:   "history MODEL --stage STAGE [--at TIME]",
		Short: "Show what was live in a stage and when, with every rollback and who asked for it",
		Long: "Show the deployment history of MODEL in STAGE, oldest first: each release with its package version,\n" +
			"what triggered its run, the commit, who approved it and the deployment strategy, and every rollback with\n" +
			"who asked for it and why. --at TIME (RFC 3339) answers what served at that moment. The history is read from\n" +
			"the deployment records (S3) and the model registry (SageMaker), of kiln local or, with --aws, of AWS.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runHistory(cmd.Context(), cmd.OutOrStdout(), target, args[0], at, output)
		},
	}
	target.flags(cmd)
	cmd.Flags().StringVar(&at, "at", "", "answer what served at this time (RFC 3339)")
	cmd.Flags().StringVarP(&output, "output", "o", "table", "table or json")
	return cmd
}

// printHistory writes the entries (or, with at set, the one that served then) as a table or JSON.
func printHistory(out io.Writer, model, stage string, es []release.Entry, at time.Time, output string) error {
	if !at.IsZero() {
		served := release.ServedAt(es, at)
		if output == "json" {
			return writeJSON(out, map[string]any{"at": at.UTC(), "served": served})
		}
		if served == nil {
			fmt.Fprintf(out, "nothing served %s in %s at %s\n", model, stage, at.UTC().Format(time.RFC3339))
			return nil
		}
		fmt.Fprintf(out, "at %s %s in %s served version %d (%s), deployed %s\n", at.UTC().Format(time.RFC3339), model, stage,
			served.Version, served.ModelPackageARN, served.At.Format(time.RFC3339))
		es = []release.Entry{*served}
	} else if output == "json" {
		if es == nil {
			es = []release.Entry{}
		}
		return writeJSON(out, es)
	}
	if len(es) == 0 {
		fmt.Fprintf(out, "%s has never been deployed in %s\n", model, stage)
		return nil
	}
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tEVENT\tVERSION\tUNTIL\tTRIGGER\tCOMMIT\tAPPROVED BY\tSTRATEGY\tWHO / WHY")
	for _, e := range es {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", e.At.Format(time.RFC3339), eventLabel(e), version(e.Version),
			until(e), dash(e.Trigger), short(e.Commit), dash(e.Approver), dash(e.Strategy), whoWhy(e))
	}
	return tw.Flush()
}

func eventLabel(e release.Entry) string {
	if e.Event == release.EventDeployed && e.Rollback {
		return "deployed (rollback)"
	}
	return e.Event
}

func until(e release.Entry) string {
	switch {
	case e.Event != release.EventDeployed:
		return ""
	case e.Until == nil:
		return "live"
	default:
		return e.Until.Format(time.RFC3339)
	}
}

func whoWhy(e release.Entry) string {
	if e.RequestedBy == "" && e.Reason == "" {
		return ""
	}
	s := e.RequestedBy + ": " + e.Reason
	if e.FromVersion > 0 {
		s = fmt.Sprintf("from v%d, %s", e.FromVersion, s)
	}
	return s
}

func version(v int) string {
	if v == 0 {
		return "-"
	}
	return fmt.Sprintf("v%d", v)
}

func dash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "-"
	}
	return s
}

func short(commit string) string {
	if len(commit) > 12 {
		return commit[:12]
	}
	return dash(commit)
}

func writeJSON(out io.Writer, v any) error {
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// runHistory prints the deployment history of model in target's stage to out, as of at
// (RFC 3339; empty: all of it), as output (table or json).
func runHistory(ctx context.Context, out io.Writer, target opsTarget, model, at, output string) error {
	var when time.Time
	if at != "" {
		t, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return fmt.Errorf("history: --at %q is not an RFC 3339 time (2026-12-05T09:30:00Z)", at)
		}
		when = t
	}
	if output != "table" && output != "json" {
		return fmt.Errorf("history: --output is table or json, not %q", output)
	}
	c, err := target.clients(ctx)
	if err != nil {
		return err
	}
	es, err := c.releaser(slog.New(slog.DiscardHandler)).Timeline(ctx, model, target.stage)
	if err != nil {
		return fmt.Errorf("history of %s in %s: %w", model, target.stage, err)
	}
	return printHistory(out, model, target.stage, es, when, output)
}
