package main

import (
	"github.com/spf13/cobra"

	"github.com/kiln-dev/kiln/internal/local/stack"
)

// runtimeFlag adds --runtime (command, docker or auto; default def) to cmd.
func runtimeFlag(cmd *cobra.Command, v *string, def string) {
	cmd.Flags().StringVar(v, "runtime", def, "how model images run: "+stack.RuntimeCommand+" (the policy's local.images commands, "+
		"and the sample's programs built from a kiln checkout), "+stack.RuntimeDocker+" (every image in a container, "+
		"through a reachable Docker daemon), or "+stack.RuntimeAuto+" (mapped images as commands, the others in Docker when a daemon is reachable)")
}
