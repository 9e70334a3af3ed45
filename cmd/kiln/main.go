// Command kiln is the command-line tool of the kiln MLOps control plane: it runs the local
// stack (kiln local), the end-to-end demo (kiln demo), single state machines (kiln sfn ...),
// event-pattern tests (kiln events ...) and talks to a running local stack.
//
// Each command group lives in its own file with its constructor; newRootCmd assembles them.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// newRootCmd builds the whole command tree.
func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "kiln",
		Short:         "kiln turns events into safe model releases (locally and on AWS)",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newLocalCmd(), newStatusCmd(), newApproveCmd(), newRejectCmd(), newDemoCmd(), newInitCmd(),
		newSfnCmd(), newEventsCmd(), newDriftCmd(), newIAMCmd(), newHistoryCmd(), newRollbackCmd(), newRedriveCmd())
	return root
}

// exitError carries an exit code through cobra without printing usage.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	if err := newRootCmd().Execute(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "kiln:", err)
		os.Exit(1)
	}
}
