package main

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runTestPattern runs `kiln events test-pattern` in process with args and returns its stdout,
// stderr and error.
func runTestPattern(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := newEventsTestPatternCmd()
	var stdout, stderr bytes.Buffer
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	return stdout.String(), stderr.String(), err
}

func TestEventsTestPattern(t *testing.T) {
	dir := t.TempDir()
	patternFile := filepath.Join(dir, "drift.pattern.json")
	require.NoError(t, os.WriteFile(patternFile, []byte(`{"source":["aws.cloudwatch"],"detail":{"state":{"value":["ALARM"]}}}`), 0o600))
	eventFile := filepath.Join(dir, "alarm.json")
	require.NoError(t, os.WriteFile(eventFile, []byte(`{"source":"aws.cloudwatch","detail":{"state":{"value":"ALARM"}}}`), 0o600))

	cases := []struct {
		name     string
		args     []string
		stdout   string
		stderr   string
		exitCode int
	}{
		{"a matching event prints Result true", []string{"--event-pattern", `{"source":["a"]}`, "--event", `{"source":"a"}`}, "{\"Result\": true}\n", "", 0},
		{"an event that does not match prints Result false", []string{"--event-pattern", `{"source":["a"]}`, "--event", `{"source":"b"}`}, "{\"Result\": false}\n", "", 0},
		{"pattern and event are read from @files", []string{"--event-pattern", "@" + patternFile, "--event", "@" + eventFile}, "{\"Result\": true}\n", "", 0},
		{"file:// works like @ as in the aws CLI", []string{"--event-pattern", "file://" + patternFile, "--event", "file://" + eventFile}, "{\"Result\": true}\n", "", 0},
		{"an invalid pattern prints the error and exits 1", []string{"--event-pattern", `{"source":"a"}`, "--event", `{"source":"a"}`}, "", "at source: a field's value must be an array", 1},
		{"an unknown operator prints the error and exits 1", []string{"--event-pattern", `{"source":[{"contains":"a"}]}`, "--event", `{"source":"a"}`}, "", `unrecognized match type "contains"`, 1},
		{"an invalid event prints the error and exits 1", []string{"--event-pattern", `{"source":["a"]}`, "--event", `{"source":`}, "", "match event: event is not valid JSON at byte 10: unexpected end of input, expected a value", 1},
		{"a missing pattern file prints the error and exits 1", []string{"--event-pattern", "@" + filepath.Join(dir, "nope.json"), "--event", `{}`}, "", "read event pattern", 1},
		{"an empty event prints the error and exits 1", []string{"--event-pattern", `{"source":["a"]}`, "--event", ""}, "", "read event: empty value", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, err := runTestPattern(t, tc.args...)
			assert.Equal(t, tc.stdout, stdout)
			if tc.exitCode == 0 {
				require.NoError(t, err)
				assert.Empty(t, stderr)
				return
			}
			var ee exitError
			require.True(t, errors.As(err, &ee), "got %v", err)
			assert.Equal(t, tc.exitCode, ee.code)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}

func TestEventsTestPatternNeedsBothFlags(t *testing.T) {
	_, _, err := runTestPattern(t, "--event", `{"source":"a"}`)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "event-pattern")
}

func TestEventsGroupIsRegistered(t *testing.T) {
	cmd, _, err := newRootCmd().Find([]string{"events", "test-pattern"})
	require.NoError(t, err)
	assert.Equal(t, "test-pattern", cmd.Name())
}
