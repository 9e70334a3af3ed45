package statemachines_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

func TestEveryWorkflowFileIsEmbedded(t *testing.T) {
	var want []string
	for _, w := range topology.Workflows {
		want = append(want, w.File)
	}
	assert.ElementsMatch(t, want, statemachines.Files(), "the topology names exactly the embedded files")
}

func TestEveryPlaceholderIsProvided(t *testing.T) {
	values := topology.Placeholders(topology.Local("prod"))
	for _, name := range statemachines.Files() {
		t.Run(name, func(t *testing.T) {
			def, err := statemachines.Load(name)
			require.NoError(t, err)
			keys := statemachines.Placeholders(def)
			require.NotEmpty(t, keys)
			for _, k := range keys {
				assert.Contains(t, values, k, "placeholder ${%s} has no value in the topology", k)
			}
			out, err := statemachines.Substitute(def, values)
			require.NoError(t, err)
			assert.Empty(t, statemachines.Placeholders(out))
			var v map[string]any
			require.NoError(t, json.Unmarshal(out, &v), "the substituted definition is still JSON")
		})
	}
}

func TestSubstituteNamesEveryMissingKey(t *testing.T) {
	_, err := statemachines.Substitute([]byte(`{"A":"${One}","B":"${Two}","C":"${One}"}`), map[string]string{})
	require.EqualError(t, err, "substitute placeholders: no value for One, Two")
	out, err := statemachines.Substitute([]byte(`"${One}-${One}"`), map[string]string{"One": "x"})
	require.NoError(t, err)
	assert.Equal(t, `"x-x"`, string(out))
}

func TestLoadUnknownFile(t *testing.T) {
	_, err := statemachines.Load("nope.asl.json")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "load state machine nope.asl.json")
}

// TestFilesPassASLValidator runs the npm asl-validator (installed by make tools) on every file.
func TestFilesPassASLValidator(t *testing.T) {
	_, here, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(here))
	validator := filepath.Join(root, "node_modules", ".bin", "asl-validator")
	if _, err := os.Stat(validator); err != nil {
		t.Fatalf("asl-validator is not installed (%v): run `make tools`", err)
	}
	for _, name := range statemachines.Files() {
		t.Run(name, func(t *testing.T) {
			out, err := exec.Command(validator, "--json-path", filepath.Join(root, "statemachines", name)).CombinedOutput()
			require.NoError(t, err, "asl-validator says:\n%s", out)
		})
	}
}

func TestJobAndModelNamesFitSageMakerLimits(t *testing.T) {
	// The longest execution name the trigger makes is 48 characters; the derived names must
	// stay within SageMaker's 63 and Step Functions' 80.
	exec48 := "abcdefghijklmnop-staging-drift-20261122T1900xxxx"[:48]
	assert.LessOrEqual(t, len(exec48+"-config"), 63, "endpoint config name")
	assert.LessOrEqual(t, len(exec48+"-99"), 63, "training job name")
	assert.LessOrEqual(t, len(exec48+"-deploy"), 80, "deploy execution name")
}
