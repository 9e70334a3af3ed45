package topology_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	_, here, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(here), "..", "..")
}

func TestEveryFunctionHasAFolderAndAHandler(t *testing.T) {
	root := repoRoot(t)
	for _, f := range topology.Functions {
		t.Run(string(f.Name), func(t *testing.T) {
			assert.FileExists(t, filepath.Join(root, "functions", string(f.Name), "main.go"))
			assert.DirExists(t, filepath.Join(root, "internal", "handlers", strings.ReplaceAll(string(f.Name), "-", "")))
		})
	}
	entries, err := os.ReadDir(filepath.Join(root, "functions"))
	require.NoError(t, err)
	for _, e := range entries {
		_, ok := topology.FunctionNamed(topology.FunctionName(e.Name()))
		assert.True(t, ok, "functions/%s is not in the topology table", e.Name())
	}
}

func TestRulesAreWellFormed(t *testing.T) {
	values := topology.Placeholders(topology.Local("prod"))
	seen := map[string]bool{}
	for _, r := range topology.Rules {
		t.Run(r.Name, func(t *testing.T) {
			assert.False(t, seen[r.Name], "rule named twice")
			seen[r.Name] = true
			assert.Contains(t, []string{topology.KilnBus, topology.DefaultBus}, r.Bus)
			_, ok := topology.FunctionNamed(r.Target)
			assert.True(t, ok, "target %q is not a function", r.Target)
			p, err := events.Pattern(r.Pattern)
			require.NoError(t, err)
			p, err = statemachines.Substitute(p, values)
			require.NoError(t, err, "every placeholder in the pattern has a value")
			var v map[string]any
			require.NoError(t, json.Unmarshal(p, &v))
			assert.Contains(t, v, "source", "a rule pattern names its source")
		})
	}
}

func TestSchedulesTargetFunctions(t *testing.T) {
	for _, s := range topology.Schedules {
		_, ok := topology.FunctionNamed(s.Target)
		assert.True(t, ok, "schedule %s targets %q", s.Name, s.Target)
		assert.NotEmpty(t, s.Input("abalone", "prod"))
	}
}

func TestNames(t *testing.T) {
	env := topology.Local("prod")
	assert.Equal(t, "arn:aws:lambda:us-east-1:000000000000:function:kiln-prod-trigger", topology.FunctionARN(env, "trigger"))
	assert.Equal(t, "arn:aws:states:us-east-1:000000000000:stateMachine:kiln-prod-deploy", topology.StateMachineARN(env, "deploy"))
	assert.Equal(t, "kiln-prod-artifacts-000000000000-us-east-1", topology.ArtifactsBucket(env))
	assert.LessOrEqual(t, len(topology.ArtifactsBucket(topology.Env{Stage: "staging", Account: "123456789012", Region: "ap-southeast-2"})), 63, "bucket names are at most 63 characters")
	assert.Equal(t, "kiln-drift-prod-abalone-Length", topology.DriftAlarmName("prod", "abalone", "Length"))
	assert.Equal(t, "feature_baseline_drift_Length", topology.DriftMetric("Length"))
}

func TestAlarms(t *testing.T) {
	p := policy.Default()
	alarms := topology.Alarms(p, "prod")
	m, _ := p.Model("abalone")
	require.Len(t, alarms, 2+len(m.Features), "two rollback alarms and one drift alarm per feature")
	names := map[string]topology.Alarm{}
	for _, a := range alarms {
		names[a.Name] = a
	}
	for _, n := range topology.RollbackAlarmNames("prod", "abalone") {
		a, ok := names[n]
		require.True(t, ok, n)
		assert.Equal(t, topology.PurposeRollback, a.Purpose)
		assert.Equal(t, "AWS/SageMaker", a.Namespace)
	}
	five := names["kiln-prod-abalone-5xx"]
	assert.Equal(t, "Invocation5XXErrors", five.Metric)
	assert.Equal(t, map[string]string{"EndpointName": "kiln-prod-abalone", "VariantName": "AllTraffic"}, five.Dimensions)
	drift := names["kiln-drift-prod-abalone-Length"]
	assert.Equal(t, topology.PurposeDrift, drift.Purpose)
	assert.Equal(t, m.DriftThreshold, drift.Threshold)
	assert.True(t, strings.HasPrefix(drift.Name, topology.DriftAlarmPrefix+"prod-"), "the drift-alarm rule matches on this prefix")
}

func TestDriftJobRunsOnlyWhereTheStageDeploys(t *testing.T) {
	p := policy.Default()
	names := func(stage string) []string {
		var out []string
		for _, s := range topology.SchedulesFor(p, stage) {
			out = append(out, s.Name)
		}
		return out
	}
	require.False(t, p.Stages["dev"].Deploy, "the default policy's dev stage registers only")
	assert.Equal(t, []string{"retrain"}, names("dev"), "a stage that never deploys has no endpoint to watch")
	assert.Equal(t, []string{"retrain", "drift"}, names("prod"))
	assert.Equal(t, []string{"retrain", "drift"}, names("local"), "a stage the policy does not name keeps every schedule")
}
