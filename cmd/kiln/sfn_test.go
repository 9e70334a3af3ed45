package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"runtime/debug"
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
		{"an empty string is the empty string value", `""`, ""},
		{"a blank string is that string value", `"  "`, "  "},
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

// writeSfnFile writes content to name under dir and returns its path.
func writeSfnFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o600))
	return p
}

const trainMachine = `{"StartAt":"Train","States":{"Train":{"Type":"Task","Resource":"${TrainArn}",
 "Parameters":{"TrainingJobName.$":"States.Format('{}-{}', $$.Execution.Name, $$.State.RetryCount)"},
 "Retry":[{"ErrorEquals":["SageMaker.AmazonSageMakerException"],"IntervalSeconds":60,"MaxAttempts":3}],"End":true}}}`

const trainMocks = `{
  "StateMachines": {"pipeline": {"TestCases": {
    "HappyPath": {"Train": "TrainOK"},
    "RetryPath": {"Train": "TrainFlaky"},
    "BrokenPath": {"Train": "TrainBroken"}}}},
  "MockedResponses": {
    "TrainOK": {"0": {"Return": {"TrainingJobStatus": "Completed"}}},
    "TrainFlaky": {
      "0-1": {"Throw": {"Error": "SageMaker.AmazonSageMakerException", "Cause": "throttled"}},
      "2": {"Return": {"TrainingJobStatus": "Completed", "attempt": 2}}},
    "TrainBroken": {"0-9": {"Throw": {"Error": "SageMaker.AmazonSageMakerException", "Cause": "no capacity"}}}}}`

func TestSfnRun(t *testing.T) {
	dir := t.TempDir()
	echo := writeSfnFile(t, dir, "echo.asl.json", `{"StartAt":"P","States":{"P":{"Type":"Pass","Parameters":{"got.$":"$.x","env":"${Env}"},"End":true}}}`)
	fail := writeSfnFile(t, dir, "fail.asl.json", `{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"Deploy.RolledBack","Cause":"canary alarm"}}}`)
	bad := writeSfnFile(t, dir, "bad.asl.json", `{"StartAt":"Nope","States":{"P":{"Type":"Pass"}}}`)
	input := writeSfnFile(t, dir, "input.json", `{"x":"from file"}`)
	train := writeSfnFile(t, dir, "pipeline.asl.json", trainMachine)
	mocks := writeSfnFile(t, dir, "mocks.json", trainMocks)
	sub := "--sub=TrainArn=arn:aws:states:::sagemaker:createTrainingJob.sync"

	cases := []struct {
		name     string
		args     []string
		stdout   string
		stderr   []string
		exitCode int
	}{
		{"a succeeding machine prints its output", []string{echo, "--input", `{"x":1}`, "--sub", "Env=prod"},
			`{"env":"prod","got":1}` + "\n", nil, 0},
		{"the input is read from an @file", []string{echo, "--input", "@" + input},
			`{"env":"${Env}","got":"from file"}` + "\n", nil, 0},
		{"a failing machine exits 1 with its error and cause", []string{fail},
			"", []string{"FAILED", "error: Deploy.RolledBack", "cause: canary alarm"}, 1},
		{"an invalid definition exits 1 naming the problem", []string{bad},
			"", []string{"invalid definition", "StartAt"}, 1},
		{"a mocked task answers from its test case", []string{train, sub, "--mocks", mocks, "--test-case", "HappyPath"},
			`{"TrainingJobStatus":"Completed"}` + "\n", nil, 0},
		{"a throttled task is retried until the mock answers", []string{train, sub, "--mocks", mocks, "--test-case", "RetryPath"},
			`{"TrainingJobStatus":"Completed","attempt":2}` + "\n", nil, 0},
		{"retries exhausted fail with the task's error", []string{train, sub, "--mocks", mocks, "--test-case", "BrokenPath"},
			"", []string{"error: SageMaker.AmazonSageMakerException", "cause: no capacity"}, 1},
		{"an unknown test case is an error", []string{train, sub, "--mocks", mocks, "--test-case", "Nope"},
			"", nil, -1},
		{"a malformed --sub is an error", []string{echo, "--sub", "NoEquals"},
			"", nil, -1},
		{"input that is not JSON is an error", []string{echo, "--input", "{"},
			"", nil, -1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, stderr, err := runSfn(t, newSfnRunCmd, "", tc.args...)
			assert.Equal(t, tc.stdout, stdout)
			assert.Equal(t, tc.exitCode, exitCode(err), "err %v, stderr %s", err, stderr)
			for _, s := range tc.stderr {
				assert.Contains(t, stderr, s)
			}
		})
	}
}

func TestSfnRunRetryNamesEachAttemptsJob(t *testing.T) {
	dir := t.TempDir()
	def := writeSfnFile(t, dir, "pipeline.asl.json", strings.Replace(trainMachine, `"End":true}}}`,
		`"ResultSelector":{"job.$":"States.Format('{}-{}', $$.Execution.Name, $$.State.RetryCount)"},"End":true}}}`, 1))
	mocks := writeSfnFile(t, dir, "mocks.json", trainMocks)
	stdout, stderr, err := runSfn(t, newSfnRunCmd, "", def, "--sub=TrainArn=arn:aws:states:::sagemaker:createTrainingJob.sync", "--mocks", mocks, "--test-case", "RetryPath")
	require.NoError(t, err, stderr)
	assert.Equal(t, `{"job":"run-2"}`+"\n", stdout, "the third attempt's job is named for retry 2, not the first attempt's")
}

func TestSfnValidate(t *testing.T) {
	dir := t.TempDir()
	good := writeSfnFile(t, dir, "good.asl.json", `{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}`)
	bad := writeSfnFile(t, dir, "bad.asl.json", `{"StartAt":"Nope","States":{"P":{"Type":"Pass","Next":"Missing"},"W":{"Type":"Wait","End":true}}}`)
	notJSON := writeSfnFile(t, dir, "broken.asl.json", `{"StartAt":`)
	placeholder := writeSfnFile(t, dir, "wait.asl.json", `{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":${Secs},"End":true}}}`)
	cases := []struct {
		name     string
		args     []string
		want     []string
		exitCode int
	}{
		{"a valid definition is reported valid", []string{good}, []string{good + ": valid"}, 0},
		{"every problem is printed with its path", []string{bad}, []string{bad + ": StartAt", bad + ": States.P.Next", bad + ": States.W"}, 1},
		{"a definition that is not JSON is reported", []string{notJSON}, []string{notJSON + ": ", "not valid JSON"}, 1},
		{"a missing file is reported and the others still checked", []string{filepath.Join(dir, "nope.json"), good}, []string{"nope.json: ", good + ": valid"}, 1},
		{"placeholders are substituted before validating", []string{"--sub", "Secs=5", placeholder}, []string{placeholder + ": valid"}, 0},
		{"an unsubstituted placeholder leaves the definition invalid", []string{placeholder}, []string{placeholder + ": ", "not valid JSON"}, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			stdout, _, err := runSfn(t, newSfnValidateCmd, "", tc.args...)
			assert.Equal(t, tc.exitCode, exitCode(err), "err %v, stdout %s", err, stdout)
			for _, s := range tc.want {
				assert.Contains(t, stdout, s)
			}
		})
	}
}

func TestSfnConformanceBatch(t *testing.T) {
	lines := []string{
		`{"id":"first","definition":` + echoDefinition + `,"input":{"n":1}}`,
		`this line is not JSON`,
		`{"id":"bad-definition","definition":{"StartAt":"Nope","States":{}},"input":{}}`,
		`{"id":"fails","definition":{"StartAt":"F","States":{"F":{"Type":"Fail","Error":"E","Cause":"C"}}},"input":{}}`,
		`{"id":"no-error","definition":{"StartAt":"F","States":{"F":{"Type":"Fail"}}},"input":{}}`,
		``,
		`{"id":3,"definition":{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":86400,"End":true}}},"input":[1]}`,
	}
	got := conformanceLines(t, lines...)
	require.Len(t, got, 6, "one result per non-empty line, in order")
	assert.Equal(t, map[string]any{"id": "first", "status": "SUCCEEDED", "output": map[string]any{"n": 1.0}, "error": nil, "cause": nil}, got[0])
	assert.Equal(t, "FAILED", got[1]["status"])
	assert.Equal(t, "States.InvalidCase", got[1]["error"])
	assert.Equal(t, "bad-definition", got[2]["id"])
	assert.Equal(t, "States.InvalidDefinition", got[2]["error"])
	assert.Equal(t, map[string]any{"id": "fails", "status": "FAILED", "output": nil, "error": "E", "cause": "C"}, got[3])
	assert.Equal(t, map[string]any{"id": "no-error", "status": "FAILED", "output": nil, "error": nil, "cause": nil}, got[4], "an empty error and cause print as null")
	assert.Equal(t, 3.0, got[5]["id"], "ids are echoed as given")
	assert.Equal(t, "SUCCEEDED", got[5]["status"], "a day-long Wait takes no real time")
	assert.Equal(t, []any{1.0}, got[5]["output"])
}

// TestConformanceTunesGC checks that the conformance command raises the collector setting for
// its batch and sets its memory limit, and leaves each alone when GOGC or GOMEMLIMIT was set
// by the person running kiln.
func TestConformanceTunesGC(t *testing.T) {
	const noLimit = math.MaxInt64
	prev := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(noLimit)
	t.Cleanup(func() {
		debug.SetGCPercent(prev)
		debug.SetMemoryLimit(prevLimit)
	})

	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "")
	conformanceLines(t, caseLine(echoDefinition, `{"a":1}`))
	assert.Equal(t, batchGCPercent, debug.SetGCPercent(100), "GOGC unset: the batch setting")
	assert.Equal(t, int64(batchMemoryLimit), debug.SetMemoryLimit(noLimit), "GOMEMLIMIT unset: the batch limit")

	t.Setenv("GOGC", "150")
	t.Setenv("GOMEMLIMIT", "1GiB")
	conformanceLines(t, caseLine(echoDefinition, `{"a":1}`))
	assert.Equal(t, 100, debug.SetGCPercent(100), "GOGC set: left as it was")
	assert.Equal(t, int64(noLimit), debug.SetMemoryLimit(noLimit), "GOMEMLIMIT set: left as it was")
}
