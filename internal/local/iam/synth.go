package iam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kiln-dev/kiln/internal/topology"
)

// synthSources are the folders and files of a kiln checkout whose content decides a
// synthesized template: the CDK app and everything it reads.
var synthSources = []string{"infra", "internal/topology", "internal/policy", "statemachines", "events/rules", "go.mod", "go.sum"}

// SourceHash returns the hash that keys a stage's template in the cache: every synthesis
// source under root (test files excepted), the stage and the policy JSON.
func SourceHash(root, stage string, policyJSON []byte) (string, error) {
	var files []string
	for _, src := range synthSources {
		err := filepath.WalkDir(filepath.Join(root, src), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && !strings.HasSuffix(p, "_test.go") {
				files = append(files, p)
			}
			return nil
		})
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("hash synthesis sources: %w", err)
		}
	}
	sort.Strings(files)
	h := sha256.New()
	fmt.Fprintf(h, "stage %s\npolicy %s\n", stage, policyJSON)
	for _, f := range files {
		rel, _ := filepath.Rel(root, f)
		fmt.Fprintf(h, "file %s\n", rel)
		if err := hashFile(h, f); err != nil {
			return "", err
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:32], nil
}

func hashFile(h io.Writer, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("hash %s: %w", path, err)
	}
	defer f.Close()
	_, err = io.Copy(h, f)
	return err
}

// StageTemplate returns the path of stage's template synthesized from the kiln checkout at
// root with policyJSON, synthesizing it (`go run ./infra`, which needs go and node) only when
// no cached template has the same SourceHash. The cache is cacheDir, default
// os.UserCacheDir()/kiln/templates.
func StageTemplate(ctx context.Context, root, cacheDir, stage string, policyJSON []byte) (string, error) {
	if cacheDir == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			return "", fmt.Errorf("template cache: %w", err)
		}
		cacheDir = filepath.Join(base, "kiln", "templates")
	}
	sum, err := SourceHash(root, stage, policyJSON)
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cacheDir, sum)
	path := filepath.Join(dir, "kiln-"+stage+".template.json")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(cacheDir, 0o700); err != nil {
		return "", fmt.Errorf("template cache: %w", err)
	}
	tmp, err := os.MkdirTemp(cacheDir, "synth-")
	if err != nil {
		return "", fmt.Errorf("template cache: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := synthesize(ctx, root, tmp, stage, policyJSON); err != nil {
		return "", err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("template cache: %w", err)
	}
	if err := os.Rename(filepath.Join(tmp, "cdk.out", "kiln-"+stage+".template.json"), path); err != nil {
		return "", fmt.Errorf("template cache: %w", err)
	}
	return path, nil
}

// synthesize runs the CDK app into tmp/cdk.out. The functions' code is not needed for IAM:
// each function's asset folder is an empty stand-in under tmp/build.
func synthesize(ctx context.Context, root, tmp, stage string, policyJSON []byte) error {
	build := filepath.Join(tmp, "build")
	for _, f := range topology.Functions {
		if err := os.MkdirAll(filepath.Join(build, string(f.Name)), 0o700); err != nil {
			return fmt.Errorf("synthesize: %w", err)
		}
		if err := os.WriteFile(filepath.Join(build, string(f.Name), "bootstrap"), nil, 0o600); err != nil {
			return fmt.Errorf("synthesize: %w", err)
		}
	}
	pol := filepath.Join(tmp, "policy.json")
	if err := os.WriteFile(pol, policyJSON, 0o600); err != nil {
		return fmt.Errorf("synthesize: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "run", "./infra")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CDK_OUTDIR="+filepath.Join(tmp, "cdk.out"), "KILN_STAGE="+stage,
		"KILN_POLICY=@"+pol, "KILN_BUILD_DIR="+build, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("synthesize stage %s (go run ./infra in %s): %w: %s", stage, root, err, lastLines(string(out), 5))
	}
	return nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}
