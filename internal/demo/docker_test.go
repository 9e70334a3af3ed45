package demo_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/demo"
	"github.com/kiln-dev/kiln/internal/local/sagemaker/container/dockertest"
)

// TestTheDemoClosesTheLoopWithContainers is the demo with --runtime docker: the sample's
// images built FROM scratch and every training job and serving variant a real container.
// Without a Docker daemon it is skipped, saying why (under CI=true it fails instead).
func TestTheDemoClosesTheLoopWithContainers(t *testing.T) {
	if testing.Short() {
		t.Skip("the end-to-end demo builds, trains and serves the sample model")
	}
	dockertest.Require(t)
	dir := t.TempDir()
	var out bytes.Buffer
	err := demo.Run(context.Background(), demo.Options{Dir: dir, Out: &out, Runtime: "docker"})
	t.Log("\n" + out.String())
	require.NoError(t, err)
	story := out.String()
	for _, milestone := range []string{
		"built the sample's images kiln/abalone-train and kiln/abalone-serve (FROM scratch) for Docker",
		"the endpoint serves predictions for held-out animals",
		"deploy   → UpdateEndpoint",
		"the loop closed in",
	} {
		assert.Contains(t, story, milestone)
	}
	logs, err := filepath.Glob(filepath.Join(dir, "sagemaker", "jobs", "*", "logs", "training.log"))
	require.NoError(t, err)
	require.NotEmpty(t, logs)
	b, err := os.ReadFile(logs[0])
	require.NoError(t, err)
	assert.Contains(t, string(b), "/opt/ml/input/data/train/", "the trainer read its channel where a container sees it")
}
