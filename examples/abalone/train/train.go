package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/kiln-dev/kiln/examples/abalone/model"
	"github.com/kiln-dev/kiln/internal/drift"
)

// evaluation is evaluation.json: the SageMaker examples' regression_metrics plus row counts.
type evaluation struct {
	RegressionMetrics model.RegressionMetrics `json:"regression_metrics"`
	TestRows          int                     `json:"test_rows"`
	TrainRows         int                     `json:"train_rows"`
}

// train runs the whole job: read, split, train, evaluate, write.
func train(p paths, stdout io.Writer) error {
	s, err := readHyperparameters(p.config)
	if err != nil {
		return err
	}
	data, err := readChannel(p.channel, stdout)
	if err != nil {
		return err
	}
	trainIdx, testIdx, err := model.Split(data.Len(), s.testFraction, s.params.Seed)
	if err != nil {
		return fmt.Errorf("split %d rows: %w", data.Len(), err)
	}
	trainSet, testSet := data.Subset(trainIdx), data.Subset(testIdx)
	fmt.Fprintf(stdout, "training on %d rows, holding out %d (test_fraction %v, seed %d)\n", trainSet.Len(), testSet.Len(), s.testFraction, s.params.Seed)
	fmt.Fprintf(stdout, "params: num_round=%d max_depth=%d eta=%v min_child_weight=%v subsample=%v lambda=%v gamma=%v tree_method=%s\n",
		s.params.NumRound, s.params.MaxDepth, s.params.Eta, s.params.MinChildWeight, s.params.Subsample, s.params.Lambda, s.params.Gamma, s.params.TreeMethod)

	m, err := model.Train(trainSet, testSet, s.params, func(r model.RoundStats) {
		if r.Round%10 == 0 || r.Round == 1 || r.Round == s.params.NumRound {
			fmt.Fprintf(stdout, "[%d]\ttrain-mse:%.5f\tvalidation-mse:%.5f\n", r.Round, r.TrainMSE, r.ValidMSE)
		}
	})
	if err != nil {
		return fmt.Errorf("train model: %w", err)
	}
	pred, err := m.PredictAll(testSet.X)
	if err != nil {
		return fmt.Errorf("predict test rows: %w", err)
	}
	metrics, err := model.Evaluate(testSet.Y, pred, s.params.Seed)
	if err != nil {
		return fmt.Errorf("evaluate model: %w", err)
	}
	fmt.Fprintf(stdout, "test mse:%.4f rmse:%.4f mae:%.4f r2:%.4f\n", metrics.MSE.Value, metrics.RMSE.Value, metrics.MAE.Value, metrics.R2.Value)

	stats, cons, err := drift.Baseline(model.RequestColumns, trainSet.Raw, drift.Options{Buckets: s.buckets, Threshold: s.driftThreshold})
	if err != nil {
		return fmt.Errorf("compute baseline: %w", err)
	}
	if err := writeFile(filepath.Join(p.model, "model.json"), m.WriteJSON); err != nil {
		return err
	}
	ev := evaluation{RegressionMetrics: metrics, TestRows: testSet.Len(), TrainRows: trainSet.Len()}
	// statistics.json holds the sketches, a few thousand numbers: written compact.
	for _, f := range []struct {
		name   string
		v      any
		indent bool
	}{
		{"evaluation.json", ev, true},
		{"baseline/statistics.json", stats, false},
		{"baseline/constraints.json", cons, true},
	} {
		if err := writeFile(filepath.Join(p.outputData, f.name), jsonWriter(f.v, f.indent)); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "wrote %s, %s and %s\n", filepath.Join(p.model, "model.json"), filepath.Join(p.outputData, "evaluation.json"), filepath.Join(p.outputData, "baseline"))
	return nil
}

// readChannel reads every .csv file under dir, in lexical path order.
func readChannel(dir string, stdout io.Writer) (*model.Dataset, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("read channel train: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("read channel train: %s is not a directory", dir)
	}
	var files []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.EqualFold(filepath.Ext(path), ".csv") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read channel train: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("read channel train: no .csv file in %s", dir)
	}
	sort.Strings(files)
	d := &model.Dataset{}
	for _, name := range files {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("read channel train: %w", err)
		}
		before := d.Len()
		err = d.ParseTrainingCSV(f)
		f.Close()
		if err != nil {
			rel, _ := filepath.Rel(dir, name)
			var re *model.RowError
			if errors.As(err, &re) {
				return nil, fmt.Errorf("read channel train: file %s line %d: %w", rel, re.Row, err)
			}
			return nil, fmt.Errorf("read channel train: file %s: %w", rel, err)
		}
		fmt.Fprintf(stdout, "read %d rows from %s\n", d.Len()-before, name)
	}
	if d.Len() < 10 {
		return nil, fmt.Errorf("read channel train: %d rows: want at least 10", d.Len())
	}
	return d, nil
}

func jsonWriter(v any, indent bool) func(io.Writer) error {
	return func(w io.Writer) error {
		enc := json.NewEncoder(w)
		if indent {
			enc.SetIndent("", "  ")
		}
		return enc.Encode(v)
	}
}

// writeFile writes name through write, creating its directory.
func writeFile(name string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
