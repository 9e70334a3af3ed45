// Command kiln is the command-line tool of the kiln MLOps control plane: it runs the local
// stack (kiln local), the end-to-end demo (kiln demo), single state machines (kiln sfn ...),
// event-pattern tests (kiln events ...) and talks to a running local stack.
//
// Each command group lives in its own file and registers itself on rootCmd from init.
package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"
)

// rootCmd is the top of the command tree; command groups add themselves to it in init.
var rootCmd = &cobra.Command{
	Use:           "kiln",
	Short:         "kiln turns events into safe model releases (locally and on AWS)",
	SilenceUsage:  true,
	SilenceErrors: true,
}

// exitError carries an exit code through cobra without printing usage.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.code) }

func main() {
	if err := rootCmd.Execute(); err != nil {
		var ee exitError
		if errors.As(err, &ee) {
			os.Exit(ee.code)
		}
		fmt.Fprintln(os.Stderr, "kiln:", err)
		os.Exit(1)
	}
}
