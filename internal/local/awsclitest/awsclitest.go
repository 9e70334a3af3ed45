// Package awsclitest runs the aws command-line tools against kiln local in tests: it finds each
// distinct aws CLI on the machine (the first on PATH, often a current v1, and Debian's
// /usr/bin/aws, 2.9), and runs commands with --endpoint-url, JSON output, test credentials
// and an empty home, so a developer's own configuration never leaks in. Without any CLI a
// test is skipped, except under CI=true, where it fails: CI must install one.
//
// The functions are safe for concurrent use.
package awsclitest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Candidates are the commands looked for, in order.
var Candidates = []string{"aws", "/usr/bin/aws"}

// CLI is one aws command-line tool.
type CLI struct {
	// Path is the binary.
	Path string
	// Version is the first word of `aws --version`, such as aws-cli/2.9.19.
	Version string
}

// V2 reports whether the CLI is version 2 (which alone has commands such as `logs tail`).
func (c CLI) V2() bool { return strings.HasPrefix(c.Version, "aws-cli/2.") }

// Find returns each distinct aws CLI on the machine. With none it skips t, or fails it when
// CI is "true".
func Find(t testing.TB) []CLI {
	t.Helper()
	var out []CLI
	seen := map[string]bool{}
	for _, c := range Candidates {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		v, err := exec.Command(p, "--version").CombinedOutput()
		if err != nil || seen[string(v)] || len(strings.Fields(string(v))) == 0 {
			continue
		}
		seen[string(v)] = true
		out = append(out, CLI{Path: p, Version: strings.Fields(string(v))[0]})
	}
	if len(out) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("no aws CLI on PATH: CI must install one (Debian's awscli)")
		}
		t.Skip("no aws CLI on PATH; install Debian's awscli to run this test")
	}
	return out
}

// Command returns the command running `aws --endpoint-url endpoint --output json args...`
// with test credentials in us-east-1 and a fresh home under t's temporary directory; ctx
// ends it.
func (c CLI) Command(ctx context.Context, t testing.TB, endpoint string, args ...string) *exec.Cmd {
	t.Helper()
	home := t.TempDir()
	cmd := exec.CommandContext(ctx, c.Path, append([]string{"--endpoint-url", endpoint, "--output", "json"}, args...)...)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials")}
	if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+pyenv)
	}
	return cmd
}

// Run runs one aws command against endpoint and returns its combined output and exit error.
func (c CLI) Run(t testing.TB, endpoint string, args ...string) (string, error) {
	t.Helper()
	out, err := c.Command(context.Background(), t, endpoint, args...).CombinedOutput()
	return string(out), err
}
