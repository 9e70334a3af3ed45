package stack

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
)

func TestWorkflowsAreKilnsMachinesWithEveryPlaceholderFilled(t *testing.T) {
	env := topology.Local("prod")
	got, err := Workflows(env)
	require.NoError(t, err)
	require.Len(t, got, len(topology.Workflows))
	for i, w := range topology.Workflows {
		assert.Equal(t, "kiln-prod-"+w.Name, got[i].Name)
		assert.Equal(t, "arn:aws:iam::"+env.Account+":role/kiln-prod-states", got[i].RoleARN)
		assert.NotContains(t, string(got[i].Definition), "${", "workflow %s keeps a placeholder", w.Name)
		assert.True(t, strings.HasPrefix(strings.TrimSpace(string(got[i].Definition)), "{"), "workflow %s is JSON", w.Name)
	}
}
