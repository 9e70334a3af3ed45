package stack

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/policy"
)

func TestAnECRImageMatchesItsMappingWithOrWithoutPlaceholders(t *testing.T) {
	const (
		written  = "${Account}.dkr.ecr.${Region}.amazonaws.com/team/model:1"
		resolved = "000000000000.dkr.ecr.us-east-1.amazonaws.com/team/model:1"
	)
	tests := []struct{ name, image, mapping string }{
		{"both with placeholders", written, written},
		{"the model with placeholders, the mapping written out", written, resolved},
		{"the model written out, the mapping with placeholders", resolved, written},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := policy.Default()
			p.Models[0].TrainingImage, p.Models[0].ServingImage = tt.image, tt.image
			p.Local.Images = map[string]policy.LocalImage{tt.mapping: {Command: []string{"sh", "model.sh"}}}
			p.Dir = t.TempDir()
			require.NoError(t, p.Validate())
			images, err := LocalImages(context.Background(), p, t.TempDir())
			require.NoError(t, err)
			assert.Contains(t, images, resolved, "kiln local runs the image under the local account's name")
		})
	}
}

func TestIsSampleImage(t *testing.T) {
	tests := []struct {
		name, image string
		want        bool
	}{
		{"the shipped ECR reference", "${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-train:latest", true},
		{"resolved for kiln local", "000000000000.dkr.ecr.us-east-1.amazonaws.com/kiln/abalone-serve:latest", true},
		{"the plain name", "kiln/abalone-train:latest", true},
		{"a team's image", "000000000000.dkr.ecr.us-east-1.amazonaws.com/team/model:1", false},
		{"a registry that happens to be named kiln", "kiln.example.com/abalone-train:1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, IsSampleImage(tt.image)) })
	}
}
