package stack

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/kiln-dev/kiln/internal/policy"
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

// BuildImages builds the sample model's training and serving programs with `go build` into
// <dir>/bin (the Go build cache makes a rebuild cheap) from the kiln module at root, and maps
// the images of every policy model whose images are the sample's (kiln/abalone-*) to them:
// training runs `abalone-train --root {root}`, serving `abalone-serve --model-dir {model_dir}
// --port {port}`.
func BuildImages(ctx context.Context, root, dir string, p *policy.Policy) (map[string]Command, error) {
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
		if !strings.HasPrefix(m.TrainingImage, "kiln/abalone-") || !strings.HasPrefix(m.ServingImage, "kiln/abalone-") {
			continue
		}
		images[m.TrainingImage] = Command{Path: paths["abalone-train"], Args: []string{"--root", "{root}"}}
		images[m.ServingImage] = Command{Path: paths["abalone-serve"], Args: []string{"--model-dir", "{model_dir}", "--port", "{port}"}}
	}
	if len(images) == 0 {
		return nil, errors.New("build images: no policy model uses the sample's images (kiln/abalone-*)")
	}
	return images, nil
}
