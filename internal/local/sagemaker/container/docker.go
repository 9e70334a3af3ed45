package container

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Docker is the container runtime: it runs an image itself, through the docker CLI, as
// SageMaker runs it. Training runs as `docker run --network none IMAGE train` with the job
// directory's input, model and output bind-mounted at /opt/ml; serving as
// `docker run --network host IMAGE serve` with the model at /opt/ml/model, listening on the
// loopback port in SAGEMAKER_BIND_TO_PORT (and KILN_BIND_HOST=127.0.0.1 for servers that
// honour it). A container has an environment of its own, so a request's Environment goes to
// it whole. The program's output is the job's (or variant's) log, and the container is
// removed when it exits; every container is labelled with Root so that a restarted kiln
// removes those a killed one left ([Docker.Reap]). Images are never pulled: they must be in
// the daemon already (built with `docker build`, or `make images` for the sample).
//
// kiln drives the docker CLI rather than the Engine API through a Go client: the CLI
// negotiates the API version with whatever daemon it meets (Debian's docker.io 20.10 speaks
// API 1.41, older than the current Go clients accept), honours the user's DOCKER_HOST and
// contexts, and adds no dependency tree to kiln.
type Docker struct {
	// CLI is the docker program (default "docker", through PATH).
	CLI string
	// Root is kiln's SageMaker state directory; containers carry the label kiln.root=<Root>.
	Root string
	// Log receives warnings.
	Log *slog.Logger
}

var _ Runtime = (*Docker)(nil)

// rootLabel is the label every container kiln starts carries.
const rootLabel = "kiln.root"

// NewDocker returns the Docker runtime when a daemon answers `docker version` within a few
// seconds, else an error saying why (no docker CLI, no daemon).
func NewDocker(ctx context.Context, cli, root string, log *slog.Logger) (*Docker, error) {
	d := &Docker{CLI: cli, Root: root, Log: log}
	if d.CLI == "" {
		d.CLI = "docker"
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	v, err := d.output(ctx, "version", "--format", "{{.Server.Version}}")
	if err != nil {
		return nil, fmt.Errorf("docker daemon not reachable: %w", err)
	}
	d.Log.Debug("docker daemon reachable", "serverVersion", v)
	return d, nil
}

// output runs the CLI and returns its trimmed stdout, or an error with its stderr.
func (d *Docker) output(ctx context.Context, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, d.CLI, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			return "", fmt.Errorf("%s %s: %w", d.CLI, args[0], err)
		}
		return "", fmt.Errorf("%s %s: %w: %s", d.CLI, args[0], err, msg)
	}
	return strings.TrimSpace(stdout.String()), nil
}

// Train runs job.Image's `train` in a container without a network, its /opt/ml the job
// directory's input, model and output.
func (d *Docker) Train(ctx context.Context, job Job) (Process, error) {
	if err := d.hasImage(ctx, job.Image); err != nil {
		return nil, err
	}
	mounts := []string{
		"-v", filepath.Join(job.Dir, "input") + ":" + OptML + "/input",
		"-v", filepath.Join(job.Dir, "model") + ":" + OptML + "/model",
		"-v", filepath.Join(job.Dir, "output") + ":" + OptML + "/output",
	}
	env := isolatedEnv(job.Environment, TrainingContract(job, OptML))
	return d.run(job.Dir, "train-"+job.Name, append([]string{"--network", "none"}, mounts...), env, job.Image, RoleTrain,
		output{path: LogPath(job.Dir), line: job.Line})
}

// Serve runs srv.Image's `serve` in a container on the host's network, its model at
// /opt/ml/model, told to listen on srv.Port on loopback.
func (d *Docker) Serve(ctx context.Context, srv Serving) (Process, error) {
	if err := d.hasImage(ctx, srv.Image); err != nil {
		return nil, err
	}
	mounts := []string{"-v", filepath.Join(srv.Dir, "model") + ":" + OptML + "/model"}
	contract := append(ServingContract(srv, OptML+"/model"), "KILN_BIND_HOST=127.0.0.1")
	env := isolatedEnv(srv.Environment, contract)
	return d.run(srv.Dir, "serve-"+srv.Endpoint+"-"+srv.Variant, append([]string{"--network", "host"}, mounts...), env,
		srv.Image, RoleServe, output{path: ServingLogPath(srv.Dir)})
}

// hasImage returns an error naming the ways to get image when the daemon does not have it.
func (d *Docker) hasImage(ctx context.Context, image string) error {
	if _, err := d.output(ctx, "image", "inspect", "--format", "{{.Id}}", image); err != nil {
		return fmt.Errorf("image %s is not in the local Docker daemon (kiln never pulls): build it with docker build "+
			"(make images for the sample) or map it to a command in the policy's local.images: %w", image, err)
	}
	return nil
}

// isolatedEnv is a container's environment: the request's variables, then the contract's,
// which win.
func isolatedEnv(request map[string]string, contract []string) map[string]string {
	env := make(map[string]string, len(request)+len(contract))
	for k, v := range request {
		env[k] = v
	}
	for _, kv := range contract {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	return env
}

// run starts `docker run --rm` of image with role, attached, its environment through an
// env-file under dir (removed once the container exits).
func (d *Docker) run(dir, name string, opts []string, env map[string]string, image, role string, out output) (Process, error) {
	cname := containerName(name)
	envFile := filepath.Join(dir, "container.env")
	inline, err := writeEnvFile(envFile, env)
	if err != nil {
		return nil, err
	}
	args := []string{"run", "--rm", "--pull", "never", "--name", cname, "--label", rootLabel + "=" + d.Root,
		"--user", strconv.Itoa(os.Getuid()) + ":" + strconv.Itoa(os.Getgid()), "--env-file", envFile}
	args = append(append(append(args, opts...), inline...), image, role)
	cmd := exec.Command(d.CLI, args...)
	cmd.SysProcAttr = childAttr()
	p, err := startLogged(cmd, out, func(*exec.Cmd) {}, func(*exec.Cmd) { _ = os.Remove(envFile) })
	if err != nil {
		_ = os.Remove(envFile)
		return nil, fmt.Errorf("start container of %s: %w", image, err)
	}
	p.term = func() { d.signal(cname, "TERM") }
	p.kill = func() { d.signal(cname, "KILL") }
	return p, nil
}

// signal sends sig to the container (a container already gone is not an error).
func (d *Docker) signal(name, sig string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := d.output(ctx, "kill", "--signal", sig, name); err != nil && !strings.Contains(err.Error(), "No such container") &&
		!strings.Contains(err.Error(), "is not running") {
		d.Log.Warn("signal container", "container", name, "signal", sig, "error", err)
	}
}

// writeEnvFile writes env's one-line values as an env-file (0600) and returns the others
// as -e arguments (an env-file cannot hold a newline).
func writeEnvFile(path string, env map[string]string) ([]string, error) {
	names := make([]string, 0, len(env))
	for k := range env {
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	var inline []string
	for _, k := range names {
		if strings.ContainsAny(env[k], "\r\n") {
			inline = append(inline, "-e", k+"="+env[k])
			continue
		}
		b.WriteString(k + "=" + env[k] + "\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return nil, fmt.Errorf("write container environment: %w", err)
	}
	return inline, nil
}

// containerName returns kiln-<name>-<random>, within Docker's name rules.
func containerName(name string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	clean := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return '-'
	}, name)
	return "kiln-" + clean + "-" + hex.EncodeToString(b[:])
}

// Reap removes every container an earlier kiln on the same Root left, and returns their IDs.
func (d *Docker) Reap(ctx context.Context) ([]string, error) {
	ids, err := d.output(ctx, "ps", "-aq", "--filter", "label="+rootLabel+"="+d.Root)
	if err != nil {
		return nil, fmt.Errorf("list leftover containers: %w", err)
	}
	if ids == "" {
		return nil, nil
	}
	list := strings.Fields(ids)
	if _, err := d.output(ctx, append([]string{"rm", "-f"}, list...)...); err != nil {
		return nil, fmt.Errorf("remove leftover containers: %w", err)
	}
	for _, id := range list {
		d.Log.Warn("removed a container left by an earlier run", "container", id)
	}
	return list, nil
}
