// Package dockertest gives tests a reachable Docker daemon or a reason: without one a test
// is skipped, saying why, except under CI=true, where it fails (CI starts dockerd, so a
// container test there never passes by skipping).
package dockertest

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
)

// Require returns the Docker runtime (its Root a temporary directory), or skips t (fails it
// under CI=true) when no daemon is reachable.
func Require(t testing.TB) *container.Docker {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	d, err := container.NewDocker(ctx, "", t.TempDir(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the container tests need a Docker daemon and CI starts one: %v", err)
		}
		t.Skipf("skipped: the container tests need a reachable Docker daemon (start dockerd; CI does): %v", err)
	}
	return d
}

// Build builds dir's Dockerfile as tag, without BuildKit (which Debian's docker.io lacks)
// and without pulling, failing t on error.
func Build(t testing.TB, tag, dir string) {
	t.Helper()
	cmd := exec.Command("docker", "build", "-q", "-t", tag, dir)
	cmd.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("docker build %s: %v: %s", tag, err, out.String())
	}
}

// GoImage builds the Go package pkg (a directory, relative to the current one) as a static
// binary and an image tag FROM scratch whose entrypoint it is, failing t on error.
func GoImage(t testing.TB, tag, pkg string) {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-trimpath", "-o", filepath.Join(dir, "program"), pkg)
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v: %s", pkg, err, out)
	}
	dockerfile := "FROM scratch\nCOPY program /program\nENTRYPOINT [\"/program\"]\n"
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o600); err != nil {
		t.Fatal(err)
	}
	Build(t, tag, dir)
}
