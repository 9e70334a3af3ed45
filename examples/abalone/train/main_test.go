package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/examples/abalone/model"
	"github.com/kiln-dev/kiln/internal/drift"
)

const header = "Sex,Length,Diameter,Height,WholeWeight,ShuckedWeight,VisceraWeight,ShellWeight,Rings\n"

// jobDir lays out a SageMaker job directory with the given channel files and hyperparameters.
func jobDir(t *testing.T, files map[string]string, hps string) string {
	t.Helper()
	root := t.TempDir()
	for name, body := range files {
		p := filepath.Join(root, "input", "data", "train", name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
	}
	if hps != "" {
		p := filepath.Join(root, "input", "config", "hyperparameters.json")
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(hps), 0o644))
	}
	return root
}

func abaloneCSV(t *testing.T) string {
	b, err := os.ReadFile(filepath.Join("..", "data", "abalone.csv"))
	require.NoError(t, err)
	return string(b)
}

func noEnv(string) string { return "" }

func TestTrainWritesModelEvaluationAndBaseline(t *testing.T) {
	data := abaloneCSV(t)
	lines := strings.SplitAfter(data, "\n")
	// Two files in the channel, one in a sub-folder, as an S3 prefix copied in File mode.
	root := jobDir(t, map[string]string{
		"part-0.csv":      strings.Join(lines[:2001], ""),
		"more/part-1.csv": header + strings.Join(lines[2001:], ""),
	}, `{"num_round": "60", "seed": "3", "tree_method": "exact", "sagemaker_program": "ignored"}`)
	var out, errOut bytes.Buffer
	code := run([]string{"--root", root}, noEnv, &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s", errOut.String())
	assert.Contains(t, out.String(), "[10]\ttrain-mse:")
	assert.Contains(t, out.String(), "[60]\ttrain-mse:")

	f, err := os.Open(filepath.Join(root, "model", "model.json"))
	require.NoError(t, err)
	defer f.Close()
	m, err := model.ReadJSON(f)
	require.NoError(t, err)
	assert.Len(t, m.Trees, 60)
	assert.Equal(t, "exact", m.Params.TreeMethod)

	var ev struct {
		RegressionMetrics map[string]struct {
			Value             float64 `json:"value"`
			StandardDeviation float64 `json:"standard_deviation"`
		} `json:"regression_metrics"`
		TestRows  int `json:"test_rows"`
		TrainRows int `json:"train_rows"`
	}
	readJSON(t, filepath.Join(root, "output", "data", "evaluation.json"), &ev)
	assert.Equal(t, 835, ev.TestRows)
	assert.Equal(t, 3342, ev.TrainRows)
	assert.Less(t, ev.RegressionMetrics["mse"].Value, 6.0)
	assert.Greater(t, ev.RegressionMetrics["mse"].StandardDeviation, 0.0)
	for _, k := range []string{"mse", "rmse", "mae", "r2"} {
		assert.Contains(t, ev.RegressionMetrics, k)
	}

	var st drift.Statistics
	var cons drift.Constraints
	readJSON(t, filepath.Join(root, "output", "data", "baseline", "statistics.json"), &st)
	readJSON(t, filepath.Join(root, "output", "data", "baseline", "constraints.json"), &cons)
	assert.Equal(t, 3342, st.Dataset.ItemCount, "the baseline covers the training rows only")
	var names []string
	for _, f := range st.Features {
		names = append(names, f.Name)
	}
	assert.Equal(t, model.RequestColumns, names)
	assert.Equal(t, drift.Enabled, cons.MonitoringConfig.DistributionConstraints.PerformComparison)
	_, err = os.Stat(filepath.Join(root, "output", "failure"))
	assert.ErrorIs(t, err, os.ErrNotExist)

	// The baseline as written serves the drift job: the data itself passes, grown shells drift.
	var rows, grown [][]string
	for _, line := range lines[1:] {
		if line = strings.TrimSpace(line); line == "" {
			continue
		}
		cells := strings.Split(line, ",")[:8]
		rows = append(rows, cells)
		g := slices.Clone(cells)
		for _, j := range []int{1, 2} {
			f, err := strconv.ParseFloat(g[j], 64)
			require.NoError(t, err)
			g[j] = strconv.FormatFloat(f+0.15, 'f', -1, 64)
		}
		grown = append(grown, g)
	}
	same, err := drift.Compare(&st, &cons, rows)
	require.NoError(t, err)
	assert.Empty(t, same.Violations)
	shifted, err := drift.Compare(&st, &cons, grown)
	require.NoError(t, err)
	var drifted []string
	for _, v := range shifted.Violations {
		drifted = append(drifted, v.FeatureName)
	}
	assert.Equal(t, []string{"Diameter", "Length"}, drifted)
}

func TestTrainEnvironmentOverridesPaths(t *testing.T) {
	root := jobDir(t, map[string]string{"a.csv": abaloneCSV(t)}, `{"num_round":"5"}`)
	modelDir := filepath.Join(t.TempDir(), "elsewhere")
	env := map[string]string{"SM_MODEL_DIR": modelDir}
	var out, errOut bytes.Buffer
	code := run([]string{"--root", root}, func(k string) string { return env[k] }, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	assert.FileExists(t, filepath.Join(modelDir, "model.json"))
	assert.NoFileExists(t, filepath.Join(root, "model", "model.json"))
}

func TestTrainFailuresWriteTheReason(t *testing.T) {
	good := header + "M,0.455,0.365,0.095,0.514,0.2245,0.101,0.15,15\n"
	tests := []struct {
		name    string
		files   map[string]string
		hps     string
		wantErr string
	}{
		{"a bad hyperparameter value is named", map[string]string{"a.csv": good}, `{"eta": "fast"}`, `hyperparameter eta: value "fast" is not a number`},
		{"an out-of-range hyperparameter is named", map[string]string{"a.csv": good}, `{"max_depth": "0"}`, "max_depth 0: want 1 to 20"},
		{"an unknown hyperparameter is named", map[string]string{"a.csv": good}, `{"depth": "3"}`, "hyperparameter depth: unknown hyperparameter"},
		{"a missing channel is reported", nil, `{}`, "read channel train:"},
		{"a channel without csv files is reported", map[string]string{"notes.txt": "hello"}, `{}`, "no .csv file"},
		{"a malformed row is reported with its file and line", map[string]string{"a.csv": good + good[len(header):] + "M,0.4,oops,0.1,0.5,0.2,0.1,0.1,9\n"}, `{}`, `file a.csv line 4: row 4, column Diameter: value "oops" is not a number`},
		{"a test fraction of one is refused", map[string]string{"a.csv": good}, `{"test_fraction": "1"}`, "test_fraction 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := jobDir(t, tt.files, tt.hps)
			var out, errOut bytes.Buffer
			code := run([]string{"--root", root}, noEnv, &out, &errOut)
			assert.Equal(t, 1, code)
			reason, err := os.ReadFile(filepath.Join(root, "output", "failure"))
			require.NoError(t, err)
			assert.Contains(t, string(reason), tt.wantErr)
			assert.Contains(t, errOut.String(), tt.wantErr)
			assert.NoFileExists(t, filepath.Join(root, "model", "model.json"))
		})
	}
}

func readJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}
