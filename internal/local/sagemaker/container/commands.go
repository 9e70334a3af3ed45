package container

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
)

// Commands is the command runtime: it runs the local program an image is mapped to as a
// child process of kiln, in its own process group, recorded under Root so that a restarted
// kiln stops what a killed one left ([Reap]). Such a program shares the host's environment,
// so a request may not set what [RefusedVariable] names ([ComposeEnv] drops it).
type Commands struct {
	// Images maps an image to its command.
	Images map[string]Command
	// Root is kiln's SageMaker state directory (child records live under Root/pids).
	Root string
	// Log receives warnings.
	Log *slog.Logger
}

var _ Runtime = (*Commands)(nil)

// Train starts the training program of job.Image in job.Dir (laid out by [Layout]), with
// "train" appended when its command asks, SageMaker's training variables pointing into
// job.Dir, and its output in [LogPath].
func (c *Commands) Train(_ context.Context, job Job) (Process, error) {
	spec, ok := c.Images[job.Image]
	if !ok {
		return nil, fmt.Errorf("image %s has no local command", job.Image)
	}
	dir := job.Dir
	modelDir := filepath.Join(dir, "model")
	cmd := c.command(spec, RoleTrain, dir, modelDir, "")
	env, dropped := ComposeEnv(os.Environ(), job.Environment, expandAll(spec.Env, dir, modelDir, ""), TrainingContract(job, dir))
	if len(dropped) > 0 {
		c.Log.Warn("training job environment variables not passed to the process", "trainingJob", job.Name, "variables", dropped)
	}
	cmd.Env = env
	return c.start(cmd, spec.Path, output{path: LogPath(dir), line: job.Line})
}

// Serve starts the serving program of srv.Image in srv.Dir with its model in <Dir>/model,
// listening on srv.Port on loopback (SAGEMAKER_BIND_TO_PORT), its output in [ServingLogPath].
func (c *Commands) Serve(_ context.Context, srv Serving) (Process, error) {
	spec, ok := c.Images[srv.Image]
	if !ok {
		return nil, fmt.Errorf("image %s has no local command", srv.Image)
	}
	dir, modelDir, port := srv.Dir, filepath.Join(srv.Dir, "model"), strconv.Itoa(srv.Port)
	cmd := c.command(spec, RoleServe, dir, modelDir, port)
	env, dropped := ComposeEnv(os.Environ(), srv.Environment, expandAll(spec.Env, dir, modelDir, port), ServingContract(srv, modelDir))
	if len(dropped) > 0 {
		c.Log.Warn("model environment variables not passed to the serving process", "endpoint", srv.Endpoint, "variant", srv.Variant, "variables", dropped)
	}
	cmd.Env = env
	return c.start(cmd, spec.Path, output{path: ServingLogPath(dir)})
}

// command builds the exec.Cmd of spec for role with its tokens expanded.
func (c *Commands) command(spec Command, role, dir, modelDir, port string) *exec.Cmd {
	args := withRole(spec, expandAll(spec.Args, dir, modelDir, port), role)
	cmd := exec.Command(expand(spec.Path, dir, modelDir, port), args...)
	cmd.Dir = dir
	if spec.Dir != "" {
		cmd.Dir = expand(spec.Dir, dir, modelDir, port)
	}
	cmd.SysProcAttr = childAttr()
	return cmd
}

// start starts cmd as a recorded child whose whole process group Stop and Kill signal.
func (c *Commands) start(cmd *exec.Cmd, path string, out output) (Process, error) {
	p, err := startLogged(cmd, out,
		func(cmd *exec.Cmd) { trackChild(c.Root, c.Log, cmd.Process.Pid, path) },
		func(cmd *exec.Cmd) { untrackChild(c.Root, cmd.Process.Pid) })
	if err != nil {
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	pid := cmd.Process.Pid
	p.term = func() { _ = syscall.Kill(-pid, syscall.SIGTERM) }
	p.kill = func() { _ = syscall.Kill(-pid, syscall.SIGKILL) }
	return p, nil
}
