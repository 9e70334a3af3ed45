package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestCheckImage(t *testing.T) {
	tests := []struct {
		name, ref string
		wantErr   string
	}{
		{"the shipped policy's placeholder ECR reference is valid", "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-train:latest", ""},
		{"a literal ECR reference with a digest is valid", "123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/model@sha256:" + strings.Repeat("a", 64), ""},
		{"China's ECR domain is valid", "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/team/model:v2", ""},
		{"a plain registry name for local use is valid", "kiln/abalone-train:latest", ""},
		{"another registry with a port is valid", "registry.example.com:5000/ml/model:1.0", ""},
		{"upper case in the repository is not a reference", "kiln/Abalone:latest", "not an image reference"},
		{"spaces are not a reference", "kiln/abalone train", "not an image reference"},
		{"an unclosed placeholder is malformed", "${Account.dkr.ecr.us-east-1.amazonaws.com/kiln/x", "malformed placeholder"},
		{"an ECR host with a short account is refused", "12345.dkr.ecr.us-east-1.amazonaws.com/kiln/x:latest", "12-digit account"},
		{"an ECR host with a made-up region is refused", "123456789012.dkr.ecr.mars.amazonaws.com/kiln/x:latest", "12-digit account"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckImage(tt.ref)
			if tt.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestParseECR(t *testing.T) {
	tests := []struct {
		name, ref string
		want      ECRImage
		ok        bool
	}{
		{"placeholders stay as written", "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-serve:latest",
			ECRImage{Account: "${Account}", Region: "${Region}", Repository: "kiln/abalone-serve"}, true},
		{"another account's repository keeps its account", "210987654321.dkr.ecr.eu-central-1.amazonaws.com/shared/base@sha256:" + strings.Repeat("0", 64),
			ECRImage{Account: "210987654321", Region: "eu-central-1", Repository: "shared/base"}, true},
		{"a Docker Hub name is not ECR", "kiln/abalone-train:latest", ECRImage{}, false},
		{"an invalid reference is not ECR", "123456789012.dkr.ecr.us-east-1.amazonaws.com/Bad", ECRImage{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ParseECR(tt.ref)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
	e, _ := ParseECR("${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-serve:latest")
	assert.Equal(t, "arn:aws:ecr:${Region}:${Account}:repository/kiln/abalone-serve", e.RepositoryARN("aws"))
}

func TestImagesForAStage(t *testing.T) {
	m := Model{TrainingImage: "t:1", ServingImage: "s:1", Stages: map[string]ModelStage{
		"prod": {ServingImage: "s:prod"},
	}}
	tests := []struct {
		name, stage           string
		wantTrain, wantServer string
	}{
		{"a stage without an override runs the model's images", "staging", "t:1", "s:1"},
		{"an override replaces only the image it names", "prod", "t:1", "s:prod"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			train, serve := m.ImagesFor(tt.stage)
			assert.Equal(t, tt.wantTrain, train)
			assert.Equal(t, tt.wantServer, serve)
		})
	}
}

func TestABadImageIsReportedWithItsPath(t *testing.T) {
	tests := []struct {
		name   string
		change func(doc map[string]any)
		want   string
	}{
		{"a model's image", func(doc map[string]any) {
			model(doc)["servingImage"] = "not a reference"
		}, "policy models[0].servingImage: \"not a reference\" is not an image reference"},
		{"a stage override's image", func(doc map[string]any) {
			model(doc)["stages"] = map[string]any{"prod": map[string]any{"trainingImage": "12.dkr.ecr.us-east-1.amazonaws.com/x"}}
		}, "policy models[0].stages.prod.trainingImage: \"12.dkr.ecr.us-east-1.amazonaws.com/x\" names an ECR registry"},
		{"an override for a stage the policy lacks", func(doc map[string]any) {
			model(doc)["stages"] = map[string]any{"qa": map[string]any{"servingImage": "kiln/x:1"}}
		}, "policy models[0].stages.qa: no stage named \"qa\""},
		{"an empty override", func(doc map[string]any) {
			model(doc)["stages"] = map[string]any{"prod": map[string]any{}}
		}, "policy models[0].stages.prod: minProperties"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := mutate(t, tt.change)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestWithImagesRewritesEveryImageAndLeavesThePolicyAlone(t *testing.T) {
	p := Default()
	p.Models[0].Stages = map[string]ModelStage{"prod": {ServingImage: "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-serve:prod"}}
	p.Local.Images = map[string]LocalImage{p.Models[0].TrainingImage: {Command: []string{"./train"}}}
	before := *p
	before.Models = append([]Model(nil), p.Models...)
	got, err := p.WithImages(func(ref string) (string, error) { return strings.ToUpper(ref), nil })
	require.NoError(t, err)
	m := got.Models[0]
	assert.Equal(t, strings.ToUpper(before.Models[0].TrainingImage), m.TrainingImage)
	assert.Equal(t, strings.ToUpper(before.Models[0].ServingImage), m.ServingImage)
	assert.Equal(t, "${ACCOUNT}.DKR.ECR.${REGION}.AMAZONAWS.COM/KILN/ABALONE-SERVE:PROD", m.Stages["prod"].ServingImage)
	assert.Contains(t, got.Local.Images, strings.ToUpper(before.Models[0].TrainingImage))
	assert.Equal(t, before.Models, p.Models, "the original is unchanged")
	assert.Contains(t, p.Local.Images, before.Models[0].TrainingImage)

	_, err = p.WithImages(func(ref string) (string, error) { return "", errors.New("no value for Account") })
	require.Error(t, err)
	assert.Contains(t, err.Error(), "policy models[0].trainingImage: no value for Account")
}

// model returns the first model of a generic policy document.
func model(doc map[string]any) map[string]any {
	return doc["models"].([]any)[0].(map[string]any)
}
