package scaffold_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/scaffold"
)

func TestWriteLangGoMakesAStaticGoModelWithNoLocalCommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme-go")
	written, err := scaffold.WriteLang(dir, "", scaffold.Go)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"kiln.json", "main.go", "go.mod", "Dockerfile", "Makefile", "README.md", filepath.Join("data", "train.csv")}, written)
	p, err := policy.LoadFile(filepath.Join(dir, "kiln.json"))
	require.NoError(t, err)
	m, ok := p.Model("acme-go")
	require.True(t, ok)
	assert.Empty(t, p.Local.Images, "the image runs in Docker, not as a mapped command")
	assert.Equal(t, "acme-go:latest", m.TrainingImage)
	df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	require.NoError(t, err)
	assert.Contains(t, string(df), "FROM scratch", "the image builds offline")
	mod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.Contains(t, string(mod), "module acme-go")
}

func TestWriteLangRefusesAnUnknownLanguageAndWritesNothing(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "acme")
	_, err := scaffold.WriteLang(dir, "", "rust")
	assert.ErrorContains(t, err, `language "rust": want python or go`)
	assert.NoDirExists(t, dir)
}
