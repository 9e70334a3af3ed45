package policy

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDefaultPolicyIsValid(t *testing.T) {
	p := Default()
	require.NoError(t, p.Validate())
	assert.Equal(t, []string{"dev", "prod", "staging"}, p.StageNames())
	m, ok := p.Model("abalone")
	require.True(t, ok)
	assert.Equal(t, 6.0, m.Gate.Threshold, "the abalone gate is AWS's example gate, MSE <= 6.0")
}

func TestStageForBranch(t *testing.T) {
	p := Default()
	tests := []struct {
		name, branch, stage string
		ok                  bool
	}{
		{"develop trains for dev", "develop", "dev", true},
		{"a release branch goes to staging", "release/1.4", "staging", true},
		{"main goes to production", "main", "prod", true},
		{"a hotfix goes to production", "hotfix/urgent-fix", "prod", true},
		{"a feature branch maps to no stage", "feature/new-loss", "", false},
		{"a nested release name does not match release/*", "release/1.4/rc1", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stage, ok := p.StageForBranch(tt.branch)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.stage, stage)
		})
	}
}

func TestModelLookups(t *testing.T) {
	p := Default()
	m, ok := p.ModelForRepository("KILN-DEV/abalone-model")
	require.True(t, ok, "repository names compare case-insensitively, as GitHub's do")
	assert.Equal(t, "abalone", m.Name)
	_, ok = p.ModelForRepository("someone/else")
	assert.False(t, ok)
	m, ok = p.ModelForDataKey("data/abalone/2026-11-22.csv")
	require.True(t, ok)
	assert.Equal(t, "abalone", m.Name)
	_, ok = p.ModelForDataKey("data/other/x.csv")
	assert.False(t, ok)
}

// mutate decodes the default policy into generic JSON, applies f, and parses the result.
func mutate(t *testing.T, f func(doc map[string]any)) error {
	t.Helper()
	var doc map[string]any
	require.NoError(t, json.Unmarshal(defaultJSON, &doc))
	f(doc)
	b, err := json.Marshal(doc)
	require.NoError(t, err)
	_, err = Parse(b)
	return err
}

func stage(doc map[string]any, name string) map[string]any {
	return doc["stages"].(map[string]any)[name].(map[string]any)
}

func TestParseRejectsBadPolicies(t *testing.T) {
	tests := []struct {
		name   string
		change func(doc map[string]any)
		want   []string
	}{
		{"an unknown strategy names the field", func(d map[string]any) {
			stage(d, "prod")["deployment"].(map[string]any)["strategy"] = "SOMETIMES"
		}, []string{`stages.prod.deployment.strategy: "SOMETIMES" is not ALL_AT_ONCE, CANARY or LINEAR`}},
		{"a canary over half the fleet is refused as SageMaker refuses it", func(d map[string]any) {
			stage(d, "prod")["deployment"].(map[string]any)["stepPercent"] = 60
		}, []string{"stages.prod.deployment.stepPercent: a canary is 1..50 percent, got 60"}},
		{"a branch rule naming a missing stage is refused", func(d map[string]any) {
			d["branches"] = []any{map[string]any{"pattern": "main", "stage": "qa"}}
		}, []string{`branches[0].stage: no stage named "qa"`}},
		{"every problem is reported at once", func(d map[string]any) {
			stage(d, "dev")["approval"].(map[string]any)["mode"] = "maybe"
			stage(d, "staging")["deployment"].(map[string]any)["bakeSeconds"] = 7200
		}, []string{`stages.dev.approval.mode: "maybe" is not manual or auto`, "stages.staging.deployment.bakeSeconds: 7200 is outside 0..3600"}},
		{"a model name with capitals is refused", func(d map[string]any) {
			d["models"].([]any)[0].(map[string]any)["name"] = "Abalone"
		}, []string{`models[0].name: "Abalone" must be 1..16 lower-case letters`}},
		{"a data prefix must end in a slash", func(d map[string]any) {
			d["models"].([]any)[0].(map[string]any)["dataPrefix"] = "data/abalone"
		}, []string{`models[0].dataPrefix: "data/abalone" must be a key prefix ending in /`}},
		{"an unknown field is a decode error", func(d map[string]any) {
			d["stagse"] = map[string]any{}
		}, []string{`unknown field "stagse"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mutate(t, tt.change)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestLoadReadsTheEnvironment(t *testing.T) {
	t.Setenv("KILN_POLICY", "")
	p, err := Load()
	require.NoError(t, err)
	assert.Len(t, p.Models, 1)

	t.Setenv("KILN_POLICY", `{"stages":{}}`)
	_, err = Load()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "policy stages: at least one stage is required")

	t.Setenv("KILN_POLICY", "@/nonexistent/kiln.json")
	_, err = Load()
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "read policy:"), err.Error())
}

func TestDeploymentConfig(t *testing.T) {
	alarms := []string{"kiln-prod-abalone-5xx"}
	tests := []struct {
		name    string
		d       Deployment
		sizeKey string
	}{
		{"a canary sets CanarySize", Deployment{Strategy: StrategyCanary, StepPercent: 20, WaitSeconds: 300, BakeSeconds: 600, MaxExecutionTimeoutSeconds: 3600}, "CanarySize"},
		{"a linear shift sets LinearStepSize", Deployment{Strategy: StrategyLinear, StepPercent: 25, WaitSeconds: 60, BakeSeconds: 300, MaxExecutionTimeoutSeconds: 1800}, "LinearStepSize"},
		{"all at once sets no size", Deployment{Strategy: StrategyAllAtOnce, MaxExecutionTimeoutSeconds: 600}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.d.DeploymentConfig(alarms)
			b, err := json.Marshal(cfg)
			require.NoError(t, err)
			var got struct {
				BlueGreenUpdatePolicy struct {
					TrafficRoutingConfiguration      map[string]any
					TerminationWaitInSeconds         int
					MaximumExecutionTimeoutInSeconds int
				}
				AutoRollbackConfiguration struct{ Alarms []struct{ AlarmName string } }
			}
			require.NoError(t, json.Unmarshal(b, &got))
			r := got.BlueGreenUpdatePolicy.TrafficRoutingConfiguration
			assert.Equal(t, tt.d.Strategy, r["Type"])
			assert.EqualValues(t, tt.d.WaitSeconds, r["WaitIntervalInSeconds"])
			for _, k := range []string{"CanarySize", "LinearStepSize"} {
				_, has := r[k]
				assert.Equal(t, k == tt.sizeKey, has, k)
			}
			if tt.sizeKey != "" {
				assert.Equal(t, map[string]any{"Type": "CAPACITY_PERCENT", "Value": float64(tt.d.StepPercent)}, r[tt.sizeKey])
			}
			assert.Equal(t, tt.d.BakeSeconds, got.BlueGreenUpdatePolicy.TerminationWaitInSeconds)
			assert.Equal(t, tt.d.MaxExecutionTimeoutSeconds, got.BlueGreenUpdatePolicy.MaximumExecutionTimeoutInSeconds)
			require.Len(t, got.AutoRollbackConfiguration.Alarms, 1)
			assert.Equal(t, "kiln-prod-abalone-5xx", got.AutoRollbackConfiguration.Alarms[0].AlarmName)
		})
	}
}
