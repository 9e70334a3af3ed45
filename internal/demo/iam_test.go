package demo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/demo"
	"github.com/kiln-dev/kiln/internal/local/iam"
	"github.com/kiln-dev/kiln/internal/local/stack"
)

// synthesizedTemplate returns the demo stage's template synthesized from this checkout (from
// the content-keyed cache after the first time), as kiln demo finds it by default.
func synthesizedTemplate(t *testing.T) string {
	t.Helper()
	root, err := stack.ModuleRoot(".")
	require.NoError(t, err)
	if _, err := iam.FindModules(root); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	p, err := demo.Policy()
	require.NoError(t, err)
	pj, err := json.Marshal(p)
	require.NoError(t, err)
	path, err := iam.StageTemplate(context.Background(), root, "", demo.Stage, pj)
	require.NoError(t, err)
	return path
}

// withoutAction writes a copy of the template at path into dir with action removed from
// every policy statement, and returns the copy's path.
func withoutAction(t *testing.T, path, dir, action string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	var tpl map[string]any
	require.NoError(t, json.Unmarshal(b, &tpl))
	removed := 0
	for _, r := range tpl["Resources"].(map[string]any) {
		res := r.(map[string]any)
		if res["Type"] != "AWS::IAM::Policy" {
			continue
		}
		doc := res["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, s := range doc["Statement"].([]any) {
			st := s.(map[string]any)
			switch a := st["Action"].(type) {
			case string:
				if a == action {
					st["Action"], removed = []any{}, removed+1
				}
			case []any:
				var keep []any
				for _, x := range a {
					if x != action {
						keep = append(keep, x)
					}
				}
				removed += len(a) - len(keep)
				st["Action"] = keep
			}
		}
	}
	require.Positive(t, removed, "the template grants %s nowhere", action)
	out, err := json.Marshal(tpl)
	require.NoError(t, err)
	copyPath := filepath.Join(dir, "without.template.json")
	require.NoError(t, os.WriteFile(copyPath, out, 0o600))
	return copyPath
}

// TestTheDemoRunsUnderTheTemplatesIAM is the acceptance check of local IAM enforcement: with
// the synthesized template the loop closes with nothing denied; with sagemaker:UpdateEndpoint
// removed from a copy, the canary release fails naming AccessDenied, the principal, the
// action and the resource, as AWS would fail it.
func TestTheDemoRunsUnderTheTemplatesIAM(t *testing.T) {
	if testing.Short() {
		t.Skip("the end-to-end demo builds, trains and serves the sample model")
	}
	synthesized := synthesizedTemplate(t)
	cases := []struct {
		name     string
		template func(dir string) string
		wantErr  []string
	}{
		{"the synthesized template lets the loop close", func(string) string { return synthesized }, nil},
		{"without sagemaker:UpdateEndpoint the release fails with AccessDenied", func(dir string) string {
			return withoutAction(t, synthesized, dir, "sagemaker:UpdateEndpoint")
		}, []string{"AccessDenied", "assumed-role/kiln-prod-deploy-sfn/", "sagemaker:UpdateEndpoint", "endpoint/kiln-prod-abalone"}},
		{"without ecr:BatchGetImage the training job fails pulling its image", func(dir string) string {
			return withoutAction(t, synthesized, dir, "ecr:BatchGetImage")
		}, []string{"pull image", "assumed-role/kiln-prod-sagemaker/", "ecr:BatchGetImage", "repository/kiln/abalone-train"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			var out bytes.Buffer
			err := demo.Run(context.Background(), demo.Options{Dir: dir, Out: &out, IAM: iam.ModeEnforce, Template: c.template(t.TempDir())})
			if c.wantErr == nil {
				require.NoError(t, err, out.String())
				assert.Contains(t, out.String(), "IAM: enforce")
				assert.Contains(t, out.String(), ", 0 denied;")
			} else {
				require.Error(t, err, out.String())
				for _, w := range c.wantErr {
					assert.Contains(t, err.Error(), w)
				}
			}
			var rep iam.Report
			b, rerr := os.ReadFile(filepath.Join(dir, demo.ReportFile))
			require.NoError(t, rerr)
			require.NoError(t, json.Unmarshal(b, &rep))
			assert.NotEmpty(t, rep.Triples, "the report lists the triples used")
			assert.Equal(t, c.wantErr != nil, rep.Denied > 0, "denied triples: %d", rep.Denied)
			if !strings.Contains(out.String(), "IAM (enforce)") {
				t.Errorf("the story does not end with the IAM summary:\n%s", out.String())
			}
		})
	}
}
