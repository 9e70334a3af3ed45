package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runSfn runs a `kiln sfn` subcommand built by mk in process with stdin, and returns its
// stdout, stderr and error.
func runSfn(t *testing.T, mk func() *cobra.Command, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := mk()
	var stdout, stderr bytes.Buffer
	cmd.SetIn(strings.NewReader(stdin))
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	cmd.SetArgs(args)
	cmd.SilenceUsage = true
	cmd.SilenceErrors = true
	err := cmd.Execute()
	return stdout.String(), stderr.String(), err
}

// exitCode returns the exit status err stands for (0 for nil, -1 for an error that is not an
// exitError).
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return -1
}

// conformanceLines runs `kiln sfn conformance` on lines and decodes its output lines.
func conformanceLines(t *testing.T, lines ...string) []map[string]any {
	t.Helper()
	stdout, stderr, err := runSfn(t, newSfnConformanceCmd, strings.Join(lines, "\n")+"\n")
	require.NoError(t, err)
	assert.Empty(t, stderr)
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m), "line %q", l)
		out = append(out, m)
	}
	return out
}

const echoDefinition = `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`

// caseLine builds a conformance line; an empty input leaves the field out.
func caseLine(definition, input string) string {
	if input == "" {
		return `{"id":"x","definition":` + definition + `}`
	}
	return `{"id":"x","definition":` + definition + `,"input":` + input + `}`
}

func TestSfnConformanceInputShapes(t *testing.T) {
	cases := []struct {
		name  string
		input string
		want  any
	}{
		{"an object value is the input itself", `{"a":1}`, map[string]any{"a": 1.0}},
		{"an array value is the input itself", `[1,2]`, []any{1.0, 2.0}},
		{"a number value is the input itself", `42`, 42.0},
		{"a boolean value is the input itself", `true`, true},
		{"a null value is the input itself", `null`, nil},
		{"a string holding a JSON object is parsed", `"{\"a\":1}"`, map[string]any{"a": 1.0}},
		{"a string holding a JSON array is parsed", `"[5,6]"`, []any{5.0, 6.0}},
		{"a string holding a JSON string is parsed", `"\"hello\""`, "hello"},
		{"a string holding a number is parsed", `"7"`, 7.0},
		{"a string that is not JSON is the string value itself", `"hello"`, "hello"},
		{"a string with spaces that is not JSON is the string value itself", `"Data to encode"`, "Data to encode"},
		{"an empty string is no input, which StartExecution makes {}", `""`, map[string]any{}},
		{"a missing input is {}", ``, map[string]any{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := conformanceLines(t, caseLine(echoDefinition, tc.input))
			require.Len(t, got, 1)
			assert.Equal(t, "SUCCEEDED", got[0]["status"], "error %v cause %v", got[0]["error"], got[0]["cause"])
			assert.Equal(t, tc.want, got[0]["output"])
		})
	}
}

func TestSfnConformanceDefinitionShapes(t *testing.T) {
	quoted, err := json.Marshal(echoDefinition)
	require.NoError(t, err)
	cases := []struct {
		name       string
		definition string
		status     string
		errName    any
	}{
		{"a definition given as an object runs", echoDefinition, "SUCCEEDED", nil},
		{"a definition given as a string holding the ASL runs", string(quoted), "SUCCEEDED", nil},
		{"a definition string that is not JSON is an invalid definition", `"StartAt: P"`, "FAILED", "States.InvalidDefinition"},
		{"a definition that is a number is an invalid definition", `3`, "FAILED", "States.InvalidDefinition"},
		{"a missing definition is an invalid definition", `null`, "FAILED", "States.InvalidDefinition"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := conformanceLines(t, `{"id":"x","definition":`+tc.definition+`,"input":{"k":"v"}}`)
			require.Len(t, got, 1)
			assert.Equal(t, tc.status, got[0]["status"], "cause %v", got[0]["cause"])
			assert.Equal(t, tc.errName, got[0]["error"])
			if tc.status == "SUCCEEDED" {
				assert.Equal(t, map[string]any{"k": "v"}, got[0]["output"])
			}
		})
	}
}
