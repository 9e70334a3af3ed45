package stepfunctions

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// kilnMachines returns kiln's workflows for env as the local stack provisions them
// (stack.Workflows, which this package's tests cannot import).
func kilnMachines(t testing.TB, env topology.Env) []MachineDefinition {
	t.Helper()
	var out []MachineDefinition
	for _, w := range topology.Workflows {
		def, err := statemachines.Load(w.File)
		require.NoError(t, err)
		def, err = statemachines.Substitute(def, topology.Placeholders(env))
		require.NoError(t, err)
		out = append(out, MachineDefinition{Name: topology.ResourceName(env.Stage, w.Name), Definition: def,
			RoleARN: fmt.Sprintf("arn:%s:iam::%s:role/%s", env.Partition, env.Account, topology.ResourceName(env.Stage, "states"))})
	}
	return out
}
