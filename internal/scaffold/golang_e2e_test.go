package scaffold_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container/dockertest"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/scaffold"
)

// goBuild builds the scaffold's program in dir as a static binary named model.
func goBuild(t *testing.T, dir string) {
	t.Helper()
	build := exec.Command("go", "build", "-trimpath", "-o", "model", ".")
	build.Dir, build.Env = dir, append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=mod", "GOWORK=off")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "go build the scaffold: %s", out)
}

// TestGoScaffoldRunsInContainers is the bring-your-own-model loop in container mode: kiln init
// --lang go writes a model nobody on the team wrote; its image is built as `make image` builds
// it (a static program, FROM scratch, offline); the policy maps no command, so the stack
// (runtime auto) trains it with `docker run --network none`, gates, registers and deploys it,
// and the endpoint's container answers a prediction. Without Docker it is skipped, saying why
// (under CI=true it fails).
func TestGoScaffoldRunsInContainers(t *testing.T) {
	dockertest.Require(t)
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "acme-go")
	_, err := scaffold.WriteLang(dir, "", scaffold.Go)
	require.NoError(t, err)
	goBuild(t, dir)
	dockertest.Build(t, "acme-go:latest", dir)
	state := filepath.Join(t.TempDir(), "state")
	rt, err := stack.ResolveRuntime(ctx, stack.RuntimeAuto, mustPolicy(t, dir), state, nil)
	require.NoError(t, err)
	require.NotNil(t, rt.Docker, "the unmapped image runs in Docker")
	releaseAndPredict(ctx, t, dir, "acme-go", state, stack.Options{Images: rt.Images, Docker: rt.Docker})
	t.Logf("kiln init to a served prediction (container mode): %s", time.Since(t0).Round(10*time.Millisecond))
}

// TestGoScaffoldRunsAsACommand is the same Go model as a local command (mapped in the policy,
// as its README says), so the Go variant's loop runs without Docker too.
func TestGoScaffoldRunsAsACommand(t *testing.T) {
	t0 := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	dir := filepath.Join(t.TempDir(), "acme-go")
	_, err := scaffold.WriteLang(dir, "", scaffold.Go)
	require.NoError(t, err)
	goBuild(t, dir)
	p := mustPolicy(t, dir)
	images, err := stack.MappedImages(p)
	require.NoError(t, err)
	images["acme-go:latest"] = stack.Command{Path: filepath.Join(dir, "model"), Dir: dir, AppendRole: true, Env: []string{stack.BindHostEnv}}
	releaseAndPredict(ctx, t, dir, "acme-go", filepath.Join(t.TempDir(), "state"), stack.Options{Images: images})
	t.Logf("kiln init to a served prediction (Go, command mode): %s", time.Since(t0).Round(10*time.Millisecond))
}

func mustPolicy(t *testing.T, dir string) *policy.Policy {
	t.Helper()
	p, err := policy.LoadFile(filepath.Join(dir, "kiln.json"))
	require.NoError(t, err)
	return p
}
