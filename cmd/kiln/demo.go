package main

import (
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/demo"
	"github.com/kiln-dev/kiln/internal/local/iam"
	"github.com/kiln-dev/kiln/internal/local/stack"
)

// newDemoCmd builds `kiln demo`, which plays the whole loop on an in-process local stack.
func newDemoCmd() *cobra.Command {
	var dir, addr, policyFile, template, iamMode, runtimeMode string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "play the whole loop locally: push, train, evaluate, approve, deploy, drift, retrain, canary",
		Long: `kiln demo starts the local stack in-process and plays kiln's story through the real entry
points: a signed GitHub push becomes a trained, evaluated, approved and deployed model; the same
push again starts nothing; drifted traffic on the live endpoint retrains the model, which replaces
the old one through a canary. It prints each step as it happens and exits 0 only when every step
happened as described. The state stays in --dir for 'kiln status' and 'kiln local'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			privateFiles()
			mode, err := iam.ParseMode(iamMode)
			if err != nil {
				return err
			}
			err = demo.Run(cmd.Context(), demo.Options{Dir: dir, Addr: addr, Out: cmd.OutOrStdout(), Timeout: timeout,
				PolicyFile: policyFile, IAM: mode, Template: template, Runtime: runtimeMode})
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "kiln demo:", err)
				return exitError{code: 1}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&dir, "dir", envOr("KILN_DIR", ".kiln"), "state directory (emptied first, bin/ kept)")
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:0", "listen address of the demo's stack (port 0 picks a free one)")
	cmd.Flags().StringVar(&policyFile, "policy", "", "policy file holding the sample model (default the embedded kiln.json); its local.images may map the sample's images to built programs, so no kiln checkout is needed")
	runtimeFlag(cmd, &runtimeMode, stack.RuntimeCommand)
	cmd.Flags().DurationVar(&timeout, "timeout", 4*time.Minute, "give up after this long")
	addIAMFlags(cmd, &iamMode, &template)
	return cmd
}

// envOr returns the environment variable name, or def when it is unset.
func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
