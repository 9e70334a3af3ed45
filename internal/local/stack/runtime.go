package stack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// Runtime modes of kiln local and kiln demo (--runtime).
const (
	// RuntimeCommand runs every image as its mapped command (local.images, or the sample's
	// programs built from a kiln checkout); an unmapped image is an error.
	RuntimeCommand = "command"
	// RuntimeDocker runs every image in a container through Docker, mappings aside; without a
	// reachable daemon the stack does not start.
	RuntimeDocker = "docker"
	// RuntimeAuto runs mapped images as commands and the others in Docker when a daemon is
	// reachable.
	RuntimeAuto = "auto"
)

// Runtime is how a stack runs a policy's images: the commands mapped to some, Docker for the
// others (nil: none), and why there is no Docker when there is none.
type Runtime struct {
	Images   map[string]Command
	Docker   *container.Docker
	NoDocker string
}

// ResolveRuntime returns the runtime of mode (command, docker or auto) for the policy's
// images, with state under stateDir (where the sample's programs are built).
func ResolveRuntime(ctx context.Context, mode string, p *policy.Policy, stateDir string, log *slog.Logger) (Runtime, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	switch mode {
	case RuntimeCommand, "":
		images, err := LocalImages(ctx, p, stateDir)
		return Runtime{Images: images}, err
	case RuntimeDocker:
		d, err := container.NewDocker(ctx, "", "", log)
		if err != nil {
			return Runtime{}, fmt.Errorf("--runtime docker: %w (start dockerd, or use --runtime command with the images mapped in local.images)", err)
		}
		return Runtime{Docker: d}, nil
	case RuntimeAuto:
		d, derr := container.NewDocker(ctx, "", "", log)
		images, err := LocalImages(ctx, p, stateDir)
		var unmapped *UnmappedError
		if errors.As(err, &unmapped) && d != nil {
			return Runtime{Images: images, Docker: d}, nil
		}
		if unmapped != nil {
			unmapped.NoDocker = derr.Error()
		}
		return Runtime{Images: images, Docker: d}, err
	}
	return Runtime{}, fmt.Errorf("--runtime %q: want command, docker or auto", mode)
}

// BuildSampleImages builds the sample's images kiln/abalone-train:latest and
// kiln/abalone-serve:latest from the kiln module at root, as `make images` does: static
// programs (CGO_ENABLED=0) into <dir>/images, then examples/abalone/Dockerfile's train and
// serve targets, FROM scratch, without BuildKit and without pulling.
func BuildSampleImages(ctx context.Context, root, dir string) error {
	ctxDir, err := filepath.Abs(filepath.Join(dir, "images"))
	if err != nil {
		return fmt.Errorf("build sample images: %w", err)
	}
	if err := os.MkdirAll(ctxDir, 0o755); err != nil {
		return fmt.Errorf("build sample images: %w", err)
	}
	for _, prog := range samplePrograms {
		build := exec.CommandContext(ctx, "go", "build", "-trimpath", "-ldflags=-s -w", "-o", filepath.Join(ctxDir, prog.name), prog.pkg)
		build.Dir, build.Env = root, append(os.Environ(), "CGO_ENABLED=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build sample images: go build %s: %w: %s", prog.pkg, err, strings.TrimSpace(string(out)))
		}
	}
	df, err := os.ReadFile(filepath.Join(root, "examples", "abalone", "Dockerfile"))
	if err != nil {
		return fmt.Errorf("build sample images: %w", err)
	}
	if err := os.WriteFile(filepath.Join(ctxDir, "Dockerfile"), df, 0o644); err != nil {
		return fmt.Errorf("build sample images: %w", err)
	}
	for _, role := range []string{container.RoleTrain, container.RoleServe} {
		// Tagged with the short name and with the policy's ECR reference resolved locally, so
		// both spellings of the sample's images run.
		ecr, err := topology.ResolveImage("${Account}.dkr.ecr.${Region}.amazonaws.com/kiln/abalone-"+role+":latest", topology.Local("dev"))
		if err != nil {
			return fmt.Errorf("build sample images: %w", err)
		}
		build := exec.CommandContext(ctx, "docker", "build", "-q", "--target", role, "-t", "kiln/abalone-"+role+":latest", "-t", ecr, ctxDir)
		build.Env = append(os.Environ(), "DOCKER_BUILDKIT=0")
		if out, err := build.CombinedOutput(); err != nil {
			return fmt.Errorf("build sample images: docker build --target %s: %w: %s", role, err, strings.TrimSpace(string(out)))
		}
	}
	return nil
}
