package demo

import (
	"context"
	"errors"
	"fmt"

	"github.com/kiln-dev/kiln/internal/local/sagemaker/container"
	"github.com/kiln-dev/kiln/internal/local/stack"
	"github.com/kiln-dev/kiln/internal/topology"
)

// runtime returns how the demo runs the sample's images, as Options.Runtime says: as local
// programs (command: the policy's local.images, else built from the kiln checkout), or as the
// images themselves in Docker (docker: kiln/abalone-train and -serve, built from the checkout
// as `make images` builds them, or already in the daemon), or (auto) in Docker when the
// programs cannot be had and a daemon is reachable. It says what it did.
func (d *demo) runtime(ctx context.Context) (map[string]stack.Command, *container.Docker, string, error) {
	switch d.o.Runtime {
	case "", stack.RuntimeCommand:
		images, err := d.commands(ctx)
		return images, nil, "built the sample model's training and serving programs", err
	case stack.RuntimeDocker:
		docker, err := d.docker(ctx)
		return nil, docker, "built the sample's images kiln/abalone-train and kiln/abalone-serve (FROM scratch) for Docker", err
	case stack.RuntimeAuto:
		images, err := d.commands(ctx)
		if err == nil {
			return images, nil, "built the sample model's training and serving programs", nil
		}
		docker, derr := d.docker(ctx)
		if derr != nil {
			return nil, nil, "", errors.Join(err, derr)
		}
		return nil, docker, "the sample's images run in Docker", nil
	}
	return nil, nil, "", fmt.Errorf("--runtime %q: want command, docker or auto", d.o.Runtime)
}

// commands maps the sample's images to its programs: the policy's own mapping, else built.
func (d *demo) commands(ctx context.Context) (map[string]stack.Command, error) {
	images, err := stack.MappedImages(d.pol)
	if err != nil {
		return nil, err
	}
	train, err := topology.ResolveImage(d.model().TrainingImage, topology.Local(Stage))
	if err != nil {
		return nil, err
	}
	if _, mapped := images[train]; mapped {
		return images, nil
	}
	if d.o.Root == "" {
		return nil, errors.New("the policy does not map the sample's images (local.images) and there is no kiln checkout to build them from")
	}
	return stack.BuildImages(ctx, d.o.Root, d.o.Dir, d.pol)
}

// docker returns the Docker runtime, with the sample's images built from the checkout when
// there is one.
func (d *demo) docker(ctx context.Context) (*container.Docker, error) {
	docker, err := container.NewDocker(ctx, "", "", d.o.Log)
	if err != nil {
		return nil, fmt.Errorf("--runtime docker: %w", err)
	}
	if d.o.Root != "" {
		if err := stack.BuildSampleImages(ctx, d.o.Root, d.o.Dir); err != nil {
			return nil, err
		}
	}
	return docker, nil
}
