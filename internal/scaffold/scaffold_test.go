package scaffold_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/scaffold"
)

func TestModelName(t *testing.T) {
	tests := []struct{ name, dir, want string }{
		{"a plain folder name is the model name", "/src/churn", "churn"},
		{"capitals, underscores and dots become lower case and hyphens", "My_Model.v2", "my-model-v2"},
		{"a long name is cut to sixteen characters", "a-very-long-model-repository", "a-very-long-mode"},
		{"a name with nothing usable is model", "/tmp/___", "model"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, scaffold.ModelName(tt.dir)) })
	}
}

func TestWriteMakesAValidPolicyAndRefusesToOverwrite(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "churn")
	written, err := scaffold.Write(dir, "")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"kiln.json", "model.py", "Dockerfile", "README.md", filepath.Join("data", "train.csv")}, written)
	p, err := policy.LoadFile(filepath.Join(dir, "kiln.json"))
	require.NoError(t, err)
	assert.Equal(t, []string{"dev", "prod", "staging"}, p.StageNames())
	m, ok := p.Model("churn")
	require.True(t, ok)
	assert.Equal(t, []string{"python3", "model.py"}, p.Local.Images[m.TrainingImage].Command)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "kiln.json"), []byte("mine"), 0o644))
	_, err = scaffold.Write(dir, "")
	assert.True(t, errors.Is(err, scaffold.ErrExists), "got %v", err)
	b, _ := os.ReadFile(filepath.Join(dir, "kiln.json"))
	assert.Equal(t, "mine", string(b), "the user's policy is untouched")

	_, err = scaffold.Write(t.TempDir(), "Bad Name")
	assert.ErrorContains(t, err, "models[0].name")
}
