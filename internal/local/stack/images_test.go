package stack

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/policy"
)

// teamPolicy is the default policy with its model's images renamed to a team's own.
func teamPolicy(t *testing.T, dir string, local map[string]policy.LocalImage) *policy.Policy {
	t.Helper()
	p := policy.Default()
	p.Models[0].TrainingImage, p.Models[0].ServingImage = "team/model:1", "team/model:1"
	p.Local.Images = local
	p.Dir = dir
	require.NoError(t, p.Validate())
	return p
}

func TestMappedImagesRunAsSageMakerRunsTheContainer(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bin", "model"), []byte("#!/bin/sh\n"), 0o755))
	tests := []struct {
		name     string
		command  []string
		wantPath string
		wantArgs []string
		wantErr  string
	}{
		{"a relative program resolves against the policy's folder", []string{"bin/model", "--verbose"}, filepath.Join(dir, "bin", "model"), []string{"--verbose"}, ""},
		{"a bare name is found through PATH", []string{"sh", "model.sh"}, "", []string{"model.sh"}, ""},
		{"a missing relative program names the image", []string{"./nope"}, "", nil, "policy local.images.team/model:1.command: program " + filepath.Join(dir, "nope")},
		{"a bare name not in PATH names the image", []string{"no-such-program-kiln"}, "", nil, `program "no-such-program-kiln" is not in PATH`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := teamPolicy(t, dir, map[string]policy.LocalImage{"team/model:1": {Command: tt.command}})
			images, err := MappedImages(p)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			c := images["team/model:1"]
			if tt.wantPath != "" {
				assert.Equal(t, tt.wantPath, c.Path)
			} else {
				assert.True(t, filepath.IsAbs(c.Path), c.Path)
			}
			assert.Equal(t, tt.wantArgs, c.Args)
			assert.True(t, c.AppendRole, "train or serve is appended")
			assert.Equal(t, dir, c.Dir, "the process runs in the policy's folder")
			assert.Contains(t, c.Env, BindHostEnv)
		})
	}
}

func TestAnImageNothingCanRunIsAnErrorNamingIt(t *testing.T) {
	p := teamPolicy(t, t.TempDir(), nil)
	_, err := LocalImages(context.Background(), p, t.TempDir())
	var unmapped *UnmappedError
	require.True(t, errors.As(err, &unmapped), "got %v", err)
	assert.Equal(t, []string{"team/model:1"}, unmapped.Images)
	assert.Contains(t, err.Error(), "local.images")
	assert.Contains(t, err.Error(), "docs/models.md")
}
