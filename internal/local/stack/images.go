package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

// The sample model's programs, as the images of the abalone model run locally.
var samplePrograms = []struct {
	name, pkg string
	serving   bool
}{
	{"abalone-train", "./examples/abalone/train", false},
	{"abalone-serve", "./examples/abalone/serve", true},
}

// ModuleRoot returns the directory of kiln's go.mod, searching from dir upwards.
func ModuleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("find module root: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		b, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil && bytes.Contains(b, []byte("module github.com/kiln-dev/kiln\n")) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("find module root: no kiln go.mod above %s", abs)
		}
	}
}

// BindHostEnv is what kiln adds to a local serving process's environment: the address to
// listen on. A server in a container listens on all interfaces (SageMaker pings port 8080
// from outside the container); run as a local process or with host networking it must stay
// on loopback, and kiln says so through this variable.
const BindHostEnv = "KILN_BIND_HOST=127.0.0.1"

// BuildImages builds the sample model's training and serving programs with `go build` into
// <dir>/bin (the Go build cache makes a rebuild cheap) from the kiln module at root, and maps
// the images of every policy model whose images are the sample's (kiln/abalone-*) and that the
// policy does not map itself to them, run as SageMaker runs them: `abalone-train train` and
// `abalone-serve serve`, paths from the SM_* variables.
func BuildImages(ctx context.Context, root, dir string, p *policy.Policy) (map[string]Command, error) {
	p, err := localImages(p)
	if err != nil {
		return nil, fmt.Errorf("build images: %w", err)
	}
	bin, err := filepath.Abs(filepath.Join(dir, "bin"))
	if err != nil {
		return nil, fmt.Errorf("build images: %w", err)
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return nil, fmt.Errorf("build images: %w", err)
	}
	paths := map[string]string{}
	for _, prog := range samplePrograms {
		out := filepath.Join(bin, prog.name)
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, prog.pkg)
		cmd.Dir = root
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Run(); err != nil {
			return nil, fmt.Errorf("build images: go build %s: %w: %s", prog.pkg, err, strings.TrimSpace(stderr.String()))
		}
		paths[prog.name] = out
	}
	images := map[string]Command{}
	for _, m := range p.Models {
		if !IsSampleImage(m.TrainingImage) || !IsSampleImage(m.ServingImage) {
			continue
		}
		images[m.TrainingImage] = Command{Path: paths["abalone-train"], AppendRole: true, Env: []string{BindHostEnv}}
		images[m.ServingImage] = Command{Path: paths["abalone-serve"], AppendRole: true, Env: []string{BindHostEnv}}
	}
	if len(images) == 0 {
		return nil, errors.New("build images: no policy model uses the sample's images (kiln/abalone-*)")
	}
	return images, nil
}

// IsSampleImage reports whether image is one of the sample model's: a repository kiln/abalone-*
// in any registry (the shipped policy names the account's ECR).
func IsSampleImage(image string) bool {
	repo := image
	if i := strings.IndexByte(repo, '/'); i >= 0 && (strings.ContainsAny(repo[:i], ".:") || repo[:i] == "localhost") {
		repo = repo[i+1:]
	}
	return strings.HasPrefix(repo, "kiln/abalone-")
}

// localImages returns p with its images resolved as kiln local runs them (the local
// account and region: topology.Local), so a mapping and a model's image compare equal.
func localImages(p *policy.Policy) (*policy.Policy, error) {
	return topology.ResolveImages(p, topology.Local(""))
}

// MappedImages returns the commands the policy's local.images section maps images to, run
// as SageMaker runs a container: "train" or "serve" appended, in the policy file's folder
// (the working directory for the embedded policy), with [BindHostEnv]. A relative program
// (holding a slash) resolves against that folder, a bare name through PATH; a program that
// is not there is an error naming the image.
func MappedImages(p *policy.Policy) (map[string]Command, error) {
	p, err := localImages(p)
	if err != nil {
		return nil, fmt.Errorf("map images: %w", err)
	}
	base := p.Dir
	if base == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("map images: %w", err)
		}
		base = wd
	}
	images := map[string]Command{}
	var errs []error
	for image, li := range p.Local.Images {
		prog := li.Command[0]
		switch {
		case filepath.IsAbs(prog):
		case strings.ContainsRune(prog, '/'):
			prog = filepath.Join(base, prog)
		default:
			found, err := exec.LookPath(prog)
			if err != nil {
				errs = append(errs, fmt.Errorf("policy local.images.%s.command: program %q is not in PATH", image, prog))
				continue
			}
			prog = found
		}
		if _, err := os.Stat(prog); err != nil {
			errs = append(errs, fmt.Errorf("policy local.images.%s.command: program %s: %w", image, prog, err))
			continue
		}
		images[image] = Command{Path: prog, Args: append([]string(nil), li.Command[1:]...), Dir: base, AppendRole: true,
			Env: []string{BindHostEnv}}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return images, nil
}

// UnmappedError names the images a policy's models use that nothing can run locally.
type UnmappedError struct {
	Images []string
	// NoDocker says why Docker cannot run them either ("" when it was not asked).
	NoDocker string
}

func (e *UnmappedError) Error() string {
	docker := "or run kiln with --runtime docker (or auto) and a reachable Docker daemon to run them in containers"
	if e.NoDocker != "" {
		docker = "or start a Docker daemon to run them in containers (" + e.NoDocker + ")"
	}
	return fmt.Sprintf("no local command for image(s) %s: map each in the policy's local.images to a command kiln runs "+
		"with train or serve appended, as SageMaker runs the container (docs/models.md), %s", strings.Join(e.Images, ", "), docker)
}

// LocalImages returns the local commands for every image the policy's models use: the
// policy's own mapping first; then, for the sample's images (kiln/abalone-*) it does not map,
// the sample's programs built from the kiln checkout holding the working directory, when
// there is one. Images left over are an [UnmappedError], returned with the images mapped.
func LocalImages(ctx context.Context, p *policy.Policy, stateDir string) (map[string]Command, error) {
	p, err := localImages(p)
	if err != nil {
		return nil, fmt.Errorf("map images: %w", err)
	}
	images, err := MappedImages(p)
	if err != nil {
		return nil, err
	}
	var missing []string
	needSample := false
	for _, m := range p.Models {
		for _, image := range []string{m.TrainingImage, m.ServingImage} {
			if _, ok := images[image]; ok || slices.Contains(missing, image) {
				continue
			}
			if IsSampleImage(image) {
				needSample = true
				continue
			}
			missing = append(missing, image)
		}
	}
	if needSample {
		root, rerr := ModuleRoot(".")
		if rerr == nil {
			sample, err := BuildImages(ctx, root, stateDir, p)
			if err != nil {
				return nil, err
			}
			for image, c := range sample {
				if _, ok := images[image]; !ok {
					images[image] = c
				}
			}
		}
		for _, m := range p.Models {
			for _, image := range []string{m.TrainingImage, m.ServingImage} {
				if _, ok := images[image]; !ok && !slices.Contains(missing, image) {
					missing = append(missing, image)
				}
			}
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return images, &UnmappedError{Images: missing}
	}
	return images, nil
}
