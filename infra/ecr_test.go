package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/policy"
)

// ecrPulls returns the rendered resources of the statements that grant ECR's pull actions
// to the SageMaker role, sorted, and fails unless each grants exactly the three.
func ecrPulls(t *testing.T, tdoc map[string]map[string]map[string]any) []string {
	t.Helper()
	var out []string
	for _, r := range tdoc["Resources"] {
		if r["Type"] != "AWS::IAM::Policy" {
			continue
		}
		props := r["Properties"].(map[string]any)
		if !strings.HasPrefix(render(props["PolicyName"]), "SageMakerRole") {
			continue // another role's policy
		}
		for _, s := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			actions := list(st["Action"])
			if !slices.Contains(actions, "ecr:BatchGetImage") {
				continue
			}
			assert.ElementsMatch(t, []string{"ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"}, actions)
			rs, ok := st["Resource"].([]any)
			if !ok {
				rs = []any{st["Resource"]}
			}
			for _, res := range rs {
				out = append(out, render(res))
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestTheSageMakerRolePullsExactlyTheStageImages(t *testing.T) {
	tdoc := map[string]map[string]map[string]any{"Resources": {}}
	for id, r := range doc["Resources"].(map[string]any) {
		tdoc["Resources"][id] = r.(map[string]any)
	}
	assert.Equal(t, []string{
		"arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/kiln/abalone-serve",
		"arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/kiln/abalone-train",
	}, ecrPulls(t, tdoc), "the shipped policy's two repositories in the deploying account, nothing else")
	sm := roleStatements(t, "kiln-prod-sagemaker")
	tokens := granting(sm, "ecr:GetAuthorizationToken", "*")
	require.Len(t, tokens, 1)
	assert.Equal(t, "*", tokens[0]["Resource"], "GetAuthorizationToken supports no resource-level permission")
}

func TestAnotherAccountsRepositoryIsGrantedInTheStageThatRunsIt(t *testing.T) {
	p := policy.Default()
	p.Models[0].Stages = map[string]policy.ModelStage{
		"prod":    {ServingImage: "210987654321.dkr.ecr.eu-west-1.amazonaws.com/shared/abalone-serve:v3"},
		"staging": {TrainingImage: "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-train:rc"},
	}
	require.NoError(t, p.Validate())
	assert.Equal(t, []string{
		"arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/kiln/abalone-train",
		"arn:${AWS::Partition}:ecr:eu-west-1:210987654321:repository/shared/abalone-serve",
	}, ecrPulls(t, synthTemplate(t, p)), "prod pulls its override from the other account, and no longer kiln/abalone-serve")
}

func TestStageImagesRefusesWhatSageMakerCannotPull(t *testing.T) {
	tests := []struct {
		name, image, want string
	}{
		{"a Docker Hub name is not an ECR reference", "kiln/abalone-train:latest",
			`policy models[0] (abalone) runs image "kiln/abalone-train:latest" in stage prod, which is not an ECR reference`},
		{"a stage resource's placeholder is refused", "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/${Stage}:latest",
			"uses ${Stage}: an image may use only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy.Default()
			p.Models[0].TrainingImage = tt.image
			_, err := stageImages(p, "prod")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	images, err := stageImages(policy.Default(), "prod")
	require.NoError(t, err)
	assert.Len(t, images, 2)
}
