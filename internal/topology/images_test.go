package topology_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

func TestResolveImage(t *testing.T) {
	aws := topology.Env{Stage: "prod", Account: "123456789012", Region: "eu-west-1", Partition: "aws"}
	tests := []struct {
		name, ref string
		env       topology.Env
		want      string
		wantErr   string
	}{
		{"the shipped reference names the deploying account's ECR", "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-train:latest", aws,
			"123456789012.dkr.ecr.eu-west-1.amazonaws.com/kiln/abalone-train:latest", ""},
		{"locally it names the local account's", "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-train:latest", topology.Local("prod"),
			"000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln/abalone-train:latest", ""},
		{"a reference without placeholders is kept", "210987654321.dkr.ecr.us-east-2.amazonaws.com/shared/x:1", aws,
			"210987654321.dkr.ecr.us-east-2.amazonaws.com/shared/x:1", ""},
		{"a stage resource's key is refused in an image", "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/${Stage}:latest", aws,
			"", "uses ${Stage}: an image may use only ${Account}, ${Region}, ${Partition}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := topology.ResolveImage(tt.ref, tt.env)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestTheImagesAreInTheOnePlaceholderTable(t *testing.T) {
	values := topology.Placeholders(topology.Local("prod"))
	for _, key := range topology.ImagePlaceholders {
		assert.Contains(t, values, key)
	}
}

func TestResolveImagesKeepsLocalMappingsMatching(t *testing.T) {
	p := policy.Default()
	p.Local.Images = map[string]policy.LocalImage{p.Models[0].TrainingImage: {Command: []string{"./train"}}}
	got, err := topology.ResolveImages(p, topology.Local("prod"))
	require.NoError(t, err)
	train, _ := got.Models[0].ImagesFor("prod")
	assert.Contains(t, got.Local.Images, train, "the mapping's key resolves as the model's image does")
	again, err := topology.ResolveImages(got, topology.Local("prod"))
	require.NoError(t, err)
	assert.Equal(t, got.Models, again.Models, "resolving twice changes nothing")
}

func TestPartitionOf(t *testing.T) {
	tests := []struct{ name, region, want string }{
		{"a commercial region is in aws", "eu-west-1", "aws"},
		{"a China region is in aws-cn", "cn-north-1", "aws-cn"},
		{"a GovCloud region is in aws-us-gov", "us-gov-west-1", "aws-us-gov"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, topology.PartitionOf(tt.region)) })
	}
}
