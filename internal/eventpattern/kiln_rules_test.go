package eventpattern

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// kilnRoot is the repository root, where events/ holds kiln's rule patterns and samples.
const kilnRoot = "../.."

// kilnPattern reads events/rules/NAME.pattern.json with its placeholders filled for the prod
// stage the samples were written for.
func kilnPattern(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(kilnRoot, "events", "rules", name+".pattern.json"))
	require.NoError(t, err)
	s := strings.NewReplacer(
		"${Stage}", "prod",
		"${ArtifactsBucket}", "kiln-prod-artifacts-000000000000-us-east-1",
	).Replace(string(b))
	return []byte(s)
}

func kilnSample(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(kilnRoot, "events", name))
	require.NoError(t, err)
	return b
}

// TestKilnRulesMatchTheirSamples runs kiln's own rules against its sample events: each rule
// fires on the events it exists for and on no other sample.
func TestKilnRulesMatchTheirSamples(t *testing.T) {
	want := map[string][]string{
		"approval-request.json":             nil,
		"codecommit-reference-updated.json": {"codecommit-push"},
		"drift-alarm-alarm.json":            {"drift-alarm"},
		"drift-alarm-ok.json":               nil,
		"git-push.json":                     {"git-push"},
		"model-package-approved.json":       {"model-approval"},
		"model-package-pending.json":        nil,
		"model-package-rejected.json":       {"model-approval"},
		"s3-object-created.json":            {"new-training-data"},
		"scheduled-event.json":              nil,
		"training-job-completed.json":       nil,
		"training-job-failed.json":          nil,
		"endpoint-deployment-baking.json":   nil,
	}
	m := NewMatcher()
	for _, rule := range []string{"codecommit-push", "drift-alarm", "git-push", "model-approval", "new-training-data"} {
		require.NoError(t, m.Add(rule, kilnPattern(t, rule)), "rule %s", rule)
	}
	for sample, rules := range want {
		t.Run("the sample "+sample+" fires exactly its rules", func(t *testing.T) {
			event := kilnSample(t, sample)
			got, err := m.Match(event)
			require.NoError(t, err)
			assert.Equal(t, rules, got)
			for _, rule := range []string{"codecommit-push", "drift-alarm", "git-push", "model-approval", "new-training-data"} {
				p, err := Compile(kilnPattern(t, rule))
				require.NoError(t, err)
				ok, err := p.Match(event)
				require.NoError(t, err)
				assert.Equal(t, contains(rules, rule), ok, "Pattern %s on %s", rule, sample)
			}
		})
	}
}

func TestEveryKilnRulePatternCompiles(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(kilnRoot, "events", "rules", "*.pattern.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".pattern.json")
		t.Run("the rule "+name+" compiles", func(t *testing.T) {
			_, err := Compile(kilnPattern(t, name))
			assert.NoError(t, err)
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
