package policy

import (
	"encoding/json"
	"os"
	"path/filepath"
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
		}, []string{`policy stages.prod.deployment.strategy: value must be one of 'ALL_AT_ONCE', 'CANARY', 'LINEAR'`}},
		{"a canary over half the fleet is refused as SageMaker refuses it", func(d map[string]any) {
			stage(d, "prod")["deployment"].(map[string]any)["stepPercent"] = 60
		}, []string{"policy stages.prod.deployment.stepPercent: maximum: got 60, want 50"}},
		{"a branch rule naming a missing stage is refused", func(d map[string]any) {
			d["branches"] = []any{map[string]any{"pattern": "main", "stage": "qa"}}
		}, []string{`branches[0].stage: no stage named "qa"`}},
		{"every problem is reported at once", func(d map[string]any) {
			stage(d, "dev")["approval"].(map[string]any)["mode"] = "maybe"
			stage(d, "staging")["deployment"].(map[string]any)["bakeSeconds"] = 7200
		}, []string{`policy stages.dev.approval.mode: value must be one of 'manual', 'auto'`, "policy stages.staging.deployment.bakeSeconds: maximum: got 7,200, want 3,600"}},
		{"a model name with capitals is refused", func(d map[string]any) {
			d["models"].([]any)[0].(map[string]any)["name"] = "Abalone"
		}, []string{`policy models[0].name: 'Abalone' does not match pattern`}},
		{"a data prefix must end in a slash", func(d map[string]any) {
			d["models"].([]any)[0].(map[string]any)["dataPrefix"] = "data/abalone"
		}, []string{`policy models[0].dataPrefix: 'data/abalone' does not match pattern`}},
		{"an unknown top-level field is reported with its path", func(d map[string]any) {
			d["stagse"] = map[string]any{}
		}, []string{`policy stagse: unknown field`}},
		{"an unknown nested field is reported with its path", func(d map[string]any) {
			d["models"].([]any)[0].(map[string]any)["gate"].(map[string]any)["treshold"] = 5
		}, []string{`policy models[0].gate.treshold: unknown field`}},
		{"a field of the wrong type is reported with its path", func(d map[string]any) {
			stage(d, "prod")["deployment"].(map[string]any)["instanceCount"] = "two"
		}, []string{`policy stages.prod.deployment.instanceCount: got string, want integer`}},
		{"a missing field is reported with its path", func(d map[string]any) {
			delete(d["models"].([]any)[0].(map[string]any), "features")
		}, []string{`policy models[0].features: is required`}},
		{"a local image without a program is refused", func(d map[string]any) {
			d["local"] = map[string]any{"images": map[string]any{"team/train:1": map[string]any{"command": []any{}}}}
		}, []string{`policy local.images.team/train:1.command: minItems: got 0, want 1`}},
		{"a canary on one instance is refused: the step would be the whole fleet", func(d map[string]any) {
			stage(d, "prod")["deployment"].(map[string]any)["instanceCount"] = 1
		}, []string{"policy stages.prod.deployment.stepPercent: a 20% canary step of 1 instance(s) is 1 instances rounded up"}},
		{"a linear step that rounds up past half the fleet is refused", func(d map[string]any) {
			dep := stage(d, "staging")["deployment"].(map[string]any)
			dep["instanceCount"] = 3
			dep["stepPercent"] = 50
		}, []string{"policy stages.staging.deployment.stepPercent: a 50% linear step of 3 instance(s) is 2 instances"}},
		{"a long model and stage name would make endpoint config names over 63 characters", func(d map[string]any) {
			st := d["stages"].(map[string]any)
			st["production-europe-west-1-blue"] = st["prod"]
			d["models"].([]any)[0].(map[string]any)["name"] = "abalone-rings-v2"
		}, []string{`policy models[0].name: model "abalone-rings-v2" with stage "production-europe-west-1-blue" makes endpoint config names of 73 characters, over SageMaker's 63`}},
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
	assert.Contains(t, err.Error(), "policy stages: minProperties: got 0, want 1")
	assert.Contains(t, err.Error(), "policy models: is required")

	t.Setenv("KILN_POLICY", "@/nonexistent/kiln.json")
	_, err = Load()
	require.Error(t, err)
	assert.True(t, strings.HasPrefix(err.Error(), "read policy:"), err.Error())
}

func TestLoadFileRecordsItsFolder(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "kiln.json")
	require.NoError(t, os.WriteFile(name, DefaultJSON(), 0o644))
	t.Setenv("KILN_POLICY", "@"+name)
	p, err := Load()
	require.NoError(t, err)
	assert.Equal(t, dir, p.Dir, "relative programs resolve against the policy file's folder")
	assert.Empty(t, Default().Dir, "the embedded policy has no folder")

	require.NoError(t, os.WriteFile(name, []byte(`{"stages": 1}`), 0o644))
	_, err = LoadFile(name)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "policy file "+name)
}

func TestStepFitsTheFleet(t *testing.T) {
	tests := []struct {
		name string
		d    Deployment
		fits bool
	}{
		{"a 20% canary on two instances is one instance", Deployment{Strategy: StrategyCanary, StepPercent: 20, InstanceCount: 2}, true},
		{"a canary on one instance cannot leave half the fleet", Deployment{Strategy: StrategyCanary, StepPercent: 1, InstanceCount: 1}, false},
		{"a 50% linear step on four instances is two", Deployment{Strategy: StrategyLinear, StepPercent: 50, InstanceCount: 4}, true},
		{"a 40% linear step on five instances is two", Deployment{Strategy: StrategyLinear, StepPercent: 40, InstanceCount: 5}, true},
		{"a 50% linear step on three instances rounds up to two", Deployment{Strategy: StrategyLinear, StepPercent: 50, InstanceCount: 3}, false},
		{"all at once fits any fleet", Deployment{Strategy: StrategyAllAtOnce, InstanceCount: 1}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := stepFits(tt.d)
			assert.Equal(t, tt.fits, got == "", got)
		})
	}
}

func TestSchemaDescribesTheEmbeddedPolicy(t *testing.T) {
	require.NoError(t, checkSchema(DefaultJSON()))
	var doc map[string]any
	require.NoError(t, json.Unmarshal(SchemaJSON(), &doc))
	assert.Equal(t, "https://json-schema.org/draft/2020-12/schema", doc["$schema"])
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

func TestForAWSDropsWhatOnlyTheLocalStackReads(t *testing.T) {
	p := Default()
	p.Local.Images = map[string]LocalImage{"team/model:1": {Command: []string{"python3", "model.py"}}}
	p.SchemaRef = "./schema.json"
	b, err := json.Marshal(p.ForAWS())
	require.NoError(t, err)
	assert.NotContains(t, string(b), "local")
	assert.NotContains(t, string(b), "$schema")
	assert.Len(t, p.Local.Images, 1, "the original is unchanged")
	_, err = Parse(b)
	require.NoError(t, err, "what the Lambdas get is still a valid policy")
}
