package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// manyModels returns the default policy with n models shaped like the sample (eight
// features), each with its own name, repository, data prefix and ECR repositories.
func manyModels(t *testing.T, n int) *policy.Policy {
	t.Helper()
	p := policy.Default()
	base := p.Models[0]
	p.Models = nil
	for i := range n {
		m := base
		m.Name = fmt.Sprintf("model%02d", i)
		m.Repository = "team/" + m.Name
		m.DataPrefix = "data/" + m.Name + "/"
		m.TrainingImage = "${Account}.dkr.ecr.${Region}.amazonaws.com/team/" + m.Name + "-train:latest"
		m.ServingImage = "${Account}.dkr.ecr.${Region}.amazonaws.com/team/" + m.Name + "-serve:latest"
		p.Models = append(p.Models, m)
	}
	require.NoError(t, p.Validate())
	return p
}

// deployed returns a template value as it reads once CloudFormation has resolved it, with
// pseudo parameters and references of a realistic length: what IAM and Lambda measure.
func deployed(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deployed(e)
		}
		return out
	case map[string]any:
		if _, ok := x["Fn::GetAtt"]; ok {
			return "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
		}
		if s, ok := x["Fn::Sub"].(string); ok {
			return deployed(s)
		}
		if _, isJoin := x["Fn::Join"]; isJoin || x["Ref"] != nil {
			return deployed(render(x))
		}
		out := map[string]any{}
		for k, e := range x {
			out[k] = deployed(e)
		}
		return out
	case string:
		return strings.NewReplacer("${AWS::AccountId}", "123456789012", "${AWS::Region}", "eu-west-1",
			"${AWS::Partition}", "aws", "${", "kiln-prod-", "}", "").Replace(x)
	}
	return v
}

// stackLimits measures a synthesized template against the AWS limits a growing policy meets
// first: CloudFormation's 500 resources, IAM's 10,240 characters of inline policy per role,
// Lambda's 4 KB of environment per function.
type stackLimits struct{ resources, maxRolePolicy, maxEnvironment int }

// synthTemplate synthesizes prod's stack for p and returns its template.
func synthTemplate(t *testing.T, p *policy.Policy) map[string]map[string]map[string]any {
	t.Helper()
	app := newApp(t.TempDir())
	build := t.TempDir()
	for _, f := range topology.Functions {
		require.NoError(t, os.MkdirAll(filepath.Join(build, string(f.Name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(build, string(f.Name), "bootstrap"), []byte(string(f.Name)), 0o755))
	}
	stack := NewKilnStack(app, "kiln-prod", &KilnStackProps{Stage: prod, Policy: p, BuildDir: build})
	raw, err := json.Marshal(assertions.Template_FromStack(stack, nil).ToJSON())
	require.NoError(t, err)
	var tdoc map[string]map[string]map[string]any
	require.NoError(t, json.Unmarshal(raw, &tdoc))
	return tdoc
}

func measure(t *testing.T, p *policy.Policy) stackLimits {
	t.Helper()
	tdoc := synthTemplate(t, p)
	var l stackLimits
	perRole := map[string]int{}
	for _, r := range tdoc["Resources"] {
		l.resources++
		props, _ := r["Properties"].(map[string]any)
		switch r["Type"] {
		case "AWS::IAM::Policy":
			b, err := json.Marshal(deployed(props["PolicyDocument"]))
			require.NoError(t, err)
			role := fmt.Sprint(props["Roles"])
			perRole[role] += len(b)
			l.maxRolePolicy = max(l.maxRolePolicy, perRole[role])
		case "AWS::Lambda::Function":
			size := 0
			for k, v := range props["Environment"].(map[string]any)["Variables"].(map[string]any) {
				size += len(k) + len(fmt.Sprint(deployed(v)))
			}
			l.maxEnvironment = max(l.maxEnvironment, size)
		}
	}
	return l
}

// maxSampleShapedModels is how many models shaped like the sample (eight features: thirteen
// resources each, mostly alarms) one stage's stack holds: CDK refuses a 33rd at synth, over
// CloudFormation's 500 resources per stack. The policy itself no longer limits it.
const maxSampleShapedModels = 32

func TestThePolicySizeNoLongerLimitsTheStack(t *testing.T) {
	one := measure(t, manyModels(t, 1))
	p := manyModels(t, maxSampleShapedModels)
	doc, err := topology.PolicyDocument(p)
	require.NoError(t, err)
	full := measure(t, p)
	t.Logf("1 model: %+v; %d models: %+v, policy object %d B", one, maxSampleShapedModels, full, len(doc))
	assert.Greater(t, len(doc), 4096, "the policy would not fit a Lambda environment")
	assert.Equal(t, one.maxEnvironment, full.maxEnvironment, "no function's environment grows with the policy")
	assert.LessOrEqual(t, full.maxEnvironment, 4096, "Lambda's limit for all variables together")
	assert.LessOrEqual(t, full.resources, 500, "CloudFormation's limit per stack")
	assert.LessOrEqual(t, full.maxRolePolicy, 10240, "IAM's limit on a role's inline policies")
}
