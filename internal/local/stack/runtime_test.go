package stack

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container/dockertest"
)

func TestResolveRuntime(t *testing.T) {
	ctx := context.Background()
	p := teamPolicy(t, t.TempDir(), nil)
	t.Run("command mode refuses an unmapped image naming both ways", func(t *testing.T) {
		_, err := ResolveRuntime(ctx, RuntimeCommand, p, t.TempDir(), nil)
		var unmapped *UnmappedError
		require.True(t, errors.As(err, &unmapped), "got %v", err)
		assert.Contains(t, err.Error(), "local.images")
		assert.Contains(t, err.Error(), "--runtime docker")
	})
	t.Run("an unknown mode is refused", func(t *testing.T) {
		_, err := ResolveRuntime(ctx, "podman", p, t.TempDir(), nil)
		assert.ErrorContains(t, err, `--runtime "podman": want command, docker or auto`)
	})
	t.Run("auto mode runs an unmapped image in Docker", func(t *testing.T) {
		dockertest.Require(t)
		rt, err := ResolveRuntime(ctx, RuntimeAuto, p, t.TempDir(), nil)
		require.NoError(t, err)
		assert.NotNil(t, rt.Docker)
		assert.Empty(t, rt.Images)
	})
	t.Run("docker mode runs every image in Docker", func(t *testing.T) {
		dockertest.Require(t)
		rt, err := ResolveRuntime(ctx, RuntimeDocker, p, t.TempDir(), nil)
		require.NoError(t, err)
		assert.NotNil(t, rt.Docker)
		assert.Nil(t, rt.Images)
	})
}
