package container

import (
	"context"
	"fmt"
)

// Runtime runs training and serving programs. Implementations are safe for concurrent use.
type Runtime interface {
	// Train starts the training program of job.Image on job.Dir, laid out by [Layout].
	Train(ctx context.Context, job Job) (Process, error)
	// Serve starts the serving program of srv.Image on srv.Dir, listening on srv.Port.
	Serve(ctx context.Context, srv Serving) (Process, error)
}

// Images picks each image's runtime: the command mapped to it, else Docker when one is
// configured, else none ([UnrunnableError]). It is itself a [Runtime].
type Images struct {
	// Commands runs mapped images.
	Commands *Commands
	// Docker runs the others; nil when no daemon is to be used.
	Docker *Docker
	// NoDocker says why Docker is nil ("" when kiln was told not to use it), for the error.
	NoDocker string
}

var _ Runtime = (*Images)(nil)

// UnrunnableError is an image that has no local command and no container runtime to run it.
type UnrunnableError struct {
	// Image is the image.
	Image string
	// Docker says why Docker cannot run it ("" when kiln was told not to use Docker).
	Docker string
}

// Error names both ways to run the image.
func (e *UnrunnableError) Error() string {
	why := "kiln local runs it without Docker (--runtime command)"
	if e.Docker != "" {
		why = "no Docker daemon is reachable (" + e.Docker + ")"
	}
	return fmt.Sprintf("image %s has no local command and %s: map it to a command in the policy's local.images, "+
		"or run kiln local with a reachable Docker daemon (--runtime docker or auto) to run the image in a container", e.Image, why)
}

// ErrorName returns "UnrunnableError".
func (e *UnrunnableError) ErrorName() string { return "UnrunnableError" }

// For returns the runtime that runs image.
func (im *Images) For(image string) (Runtime, error) {
	if im.Commands != nil {
		if _, ok := im.Commands.Images[image]; ok {
			return im.Commands, nil
		}
	}
	if im.Docker != nil {
		return im.Docker, nil
	}
	return nil, &UnrunnableError{Image: image, Docker: im.NoDocker}
}

// Runs reports whether some runtime can run image.
func (im *Images) Runs(image string) error {
	_, err := im.For(image)
	return err
}

// Isolated reports whether image's program gets an environment of its own (it runs in a
// container), so that a request may set any variable for it.
func (im *Images) Isolated(image string) bool {
	r, err := im.For(image)
	return err == nil && im.Docker != nil && r == Runtime(im.Docker)
}

// Train starts job on its image's runtime.
func (im *Images) Train(ctx context.Context, job Job) (Process, error) {
	r, err := im.For(job.Image)
	if err != nil {
		return nil, err
	}
	return r.Train(ctx, job)
}

// Serve starts srv on its image's runtime.
func (im *Images) Serve(ctx context.Context, srv Serving) (Process, error) {
	r, err := im.For(srv.Image)
	if err != nil {
		return nil, err
	}
	return r.Serve(ctx, srv)
}
