package stepfunctions

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// awsCLIs returns the aws command-line tools to test with: the first on PATH and Debian's
// /usr/bin/aws, each once. With none the test is skipped, except on CI.
func awsCLIs(t *testing.T) []string {
	t.Helper()
	var out []string
	seen := map[string]bool{}
	for _, c := range []string{"aws", "/usr/bin/aws"} {
		p, err := exec.LookPath(c)
		if err != nil {
			continue
		}
		v, err := exec.Command(p, "--version").CombinedOutput()
		if err != nil || seen[string(v)] {
			continue
		}
		seen[string(v)] = true
		out = append(out, p)
	}
	if len(out) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("no aws CLI on PATH: CI must install one (Debian's awscli)")
		}
		t.Skip("no aws CLI on PATH; install Debian's awscli to run this test")
	}
	return out
}

// awsCLI runs `aws stepfunctions ARGS` against endpoint and returns its output and exit error.
func awsCLI(t *testing.T, bin, endpoint string, args ...string) (string, error) {
	t.Helper()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append([]string{"--endpoint-url", endpoint, "--output", "json", "stepfunctions"}, args...)...)
	cmd.Env = []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
		"AWS_DEFAULT_REGION=us-east-1", "AWS_PAGER=", "AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		// StartSyncExecution and TestState go to "sync-<host>" unless this is set (botocore
		// 1.35+); Debian's 2.9 has no such switch.
		"AWS_DISABLE_HOST_PREFIX_INJECTION=true"}
	if pyenv := os.Getenv("PYENV_ROOT"); pyenv != "" {
		cmd.Env = append(cmd.Env, "PYENV_ROOT="+pyenv)
	}
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// knows reports whether the CLI has the operation (Debian's 2.9 predates versions, aliases,
// TestState, ValidateStateMachineDefinition and RedriveExecution).
func knows(out string) bool { return !strings.Contains(out, "Invalid choice") }

func TestTheAWSCLIsManageStateMachines(t *testing.T) {
	for _, bin := range awsCLIs(t) {
		version, _ := exec.Command(bin, "--version").CombinedOutput()
		t.Run(strings.Fields(string(version))[0], func(t *testing.T) {
			db := openDB(t, filepath.Join(t.TempDir(), "kiln.db"))
			defer db.Close()
			f := &flaky{}
			f.broken.Store(true)
			s, _ := openFlaky(t, db, f)
			defer s.Close()
			srv := httptest.NewServer(s)
			defer srv.Close()
			run := func(args ...string) map[string]any {
				t.Helper()
				out, err := awsCLI(t, bin, srv.URL, args...)
				require.NoError(t, err, "aws stepfunctions %s: %s", strings.Join(args, " "), out)
				var m map[string]any
				if strings.TrimSpace(out) != "" {
					require.NoError(t, json.Unmarshal([]byte(out), &m), out)
				}
				return m
			}
			created := run("create-state-machine", "--name", "flaky", "--definition", flakyMachine, "--role-arn", userRole)
			arn := created["stateMachineArn"].(string)
			assert.Equal(t, "arn:aws:states:us-east-1:000000000000:stateMachine:flaky", arn)
			assert.Contains(t, fmtList(run("list-state-machines")["stateMachines"]), arn)
			assert.Equal(t, flakyMachine, run("describe-state-machine", "--state-machine-arn", arn)["definition"])

			out, err := awsCLI(t, bin, srv.URL, "create-state-machine", "--name", "bad", "--definition", badNextDef, "--role-arn", userRole)
			require.Error(t, err)
			assert.Contains(t, out, "InvalidDefinition")

			exec := run("start-execution", "--state-machine-arn", arn, "--name", "cli-run")["executionArn"].(string)
			rec, err := s.Wait(t.Context(), exec)
			require.NoError(t, err)
			require.Equal(t, "FAILED", string(rec.Status))
			f.broken.Store(false)
			if out, err := awsCLI(t, bin, srv.URL, "redrive-execution", "--execution-arn", exec); knows(out) {
				require.NoError(t, err, out)
				rec, err = s.Wait(t.Context(), exec)
				require.NoError(t, err)
				assert.Equal(t, "SUCCEEDED", string(rec.Status))
				assert.EqualValues(t, 1, run("describe-execution", "--execution-arn", exec)["redriveCount"])
			}
			if out, err := awsCLI(t, bin, srv.URL, "validate-state-machine-definition", "--definition", badNextDef); knows(out) {
				require.NoError(t, err, out)
				assert.Contains(t, out, `"result": "FAIL"`)
				assert.Contains(t, out, "/States/A/Next")
			}
			if out, err := awsCLI(t, bin, srv.URL, "publish-state-machine-version", "--state-machine-arn", arn); knows(out) {
				require.NoError(t, err, out)
				assert.Contains(t, out, arn+":1")
				run("create-state-machine-alias", "--name", "live", "--routing-configuration", `[{"stateMachineVersionArn":"`+arn+`:1","weight":100}]`)
				assert.Len(t, run("list-state-machine-aliases", "--state-machine-arn", arn)["stateMachineAliases"], 1)
			}
			if strings.Contains(string(version), "aws-cli/2.9") {
				return // it prefixes TestState's host with "sync-" and has no switch to stop it
			}
			if out, err := awsCLI(t, bin, srv.URL, "test-state", "--definition", `{"Type":"Pass","Result":1,"Next":"X"}`, "--role-arn", userRole); knows(out) {
				require.NoError(t, err, out)
				assert.Contains(t, out, `"nextState": "X"`)
			}
			run("delete-state-machine", "--state-machine-arn", arn)
			assert.NotContains(t, fmtList(run("list-state-machines")["stateMachines"]), arn)
		})
	}
}

// fmtList returns a decoded JSON list as text, for Contains checks.
func fmtList(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
