package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/demo"
	"github.com/kiln-dev/kiln/internal/local/iam"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// addIAMFlags adds --iam and --template, shared by kiln local and kiln demo.
func addIAMFlags(cmd *cobra.Command, mode, template *string) {
	cmd.Flags().StringVar(mode, "iam", string(iam.ModeEnforce), "IAM evaluation of every call under its principal's role: off, warn (log denials) or enforce (deny as AWS does)")
	cmd.Flags().StringVar(template, "template", "", "CloudFormation template whose roles and policies apply (cdk.out/kiln-<stage>.template.json from make synth); default: the stage's template synthesized from the kiln checkout, cached by content")
}

// openLocalIAM opens the authorizer of kiln local for stage and p, saying on out what runs.
func openLocalIAM(ctx context.Context, out io.Writer, modeFlag, template, stage string, p *policy.Policy) (*iam.Authorizer, error) {
	mode, err := iam.ParseMode(modeFlag)
	if err != nil {
		return nil, err
	}
	pj, err := json.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode policy: %w", err)
	}
	root, _ := stack.ModuleRoot(".")
	a, note, err := iam.Open(ctx, iam.Options{Mode: mode, Template: template, Root: root, Env: topology.Local(stage), PolicyJSON: pj})
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(out, note)
	return a, nil
}

// writeIAMReport leaves a's report in dir for kiln iam report and closes a.
func writeIAMReport(a *iam.Authorizer, dir string) error {
	if a == nil {
		return nil
	}
	defer a.Close()
	b, err := json.MarshalIndent(a.Report(), "", " ")
	if err != nil {
		return fmt.Errorf("encode IAM report: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, demo.ReportFile), b, 0o600); err != nil {
		return fmt.Errorf("write IAM report: %w", err)
	}
	return nil
}

// newIAMCmd builds `kiln iam report`.
func newIAMCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "iam", Short: "IAM evidence from the local stack"}
	var dir string
	var asJSON bool
	report := &cobra.Command{
		Use:   "report",
		Short: "every (principal, action, resource) the last kiln demo or kiln local used, and the grants nothing used",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := filepath.Join(dir, demo.ReportFile)
			b, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("read IAM report: %w (run kiln demo or kiln local with --iam warn or enforce first)", err)
			}
			if asJSON {
				_, err := cmd.OutOrStdout().Write(b)
				return err
			}
			var rep iam.Report
			if err := json.Unmarshal(b, &rep); err != nil {
				return fmt.Errorf("read IAM report %s: %w", path, err)
			}
			return rep.WriteText(cmd.OutOrStdout())
		},
	}
	report.Flags().StringVar(&dir, "dir", envOr("KILN_DIR", ".kiln"), "state directory the report was written in")
	report.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	cmd.AddCommand(report)
	return cmd
}
