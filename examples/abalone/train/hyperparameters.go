package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/kiln-dev/kiln/examples/abalone/model"
)

// settings are the parsed hyperparameters.
type settings struct {
	params         model.Params
	testFraction   float64
	buckets        int
	driftThreshold float64
}

// readHyperparameters reads dir/hyperparameters.json; a missing file means every default.
func readHyperparameters(dir string) (settings, error) {
	s := settings{params: model.SampleParams(), testFraction: 0.2, buckets: 20, driftThreshold: 0.1}
	s.params.Seed = 1
	name := filepath.Join(dir, "hyperparameters.json")
	b, err := os.ReadFile(name)
	if errors.Is(err, os.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, fmt.Errorf("read hyperparameters: %w", err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return s, fmt.Errorf("read hyperparameters %s: %w", name, err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var errs []error
	for _, k := range keys {
		if strings.HasPrefix(k, "sagemaker_") {
			continue
		}
		v, err := stringValue(raw[k])
		if err == nil {
			err = s.set(k, v)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("hyperparameter %s: %w", k, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return s, err
	}
	if err := s.params.Validate(); err != nil {
		return s, fmt.Errorf("hyperparameters: %w", err)
	}
	if !(s.testFraction > 0 && s.testFraction < 1) {
		return s, fmt.Errorf("hyperparameter test_fraction %v: want a number in (0, 1)", s.testFraction)
	}
	if s.buckets < 1 || s.buckets > 1000 {
		return s, fmt.Errorf("hyperparameter baseline_buckets %d: want 1 to 1000", s.buckets)
	}
	if !(s.driftThreshold > 0 && s.driftThreshold <= 1) {
		return s, fmt.Errorf("hyperparameter drift_threshold %v: want a number in (0, 1]", s.driftThreshold)
	}
	return s, nil
}

// stringValue accepts a JSON string (SageMaker's form) or a bare number or boolean.
func stringValue(raw json.RawMessage) (string, error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err == nil {
		return n.String(), nil
	}
	return "", fmt.Errorf("value %s: want a string", raw)
}

func (s *settings) set(key, v string) error {
	p := &s.params
	switch key {
	case "num_round":
		return parseInt(v, &p.NumRound)
	case "max_depth":
		return parseInt(v, &p.MaxDepth)
	case "max_bin":
		return parseInt(v, &p.MaxBin)
	case "baseline_buckets":
		return parseInt(v, &s.buckets)
	case "eta":
		return parseFloat(v, &p.Eta)
	case "min_child_weight":
		return parseFloat(v, &p.MinChildWeight)
	case "subsample":
		return parseFloat(v, &p.Subsample)
	case "lambda":
		return parseFloat(v, &p.Lambda)
	case "gamma":
		return parseFloat(v, &p.Gamma)
	case "test_fraction":
		return parseFloat(v, &s.testFraction)
	case "drift_threshold":
		return parseFloat(v, &s.driftThreshold)
	case "tree_method":
		p.TreeMethod = v
		return nil
	case "seed":
		n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return fmt.Errorf("value %q is not a non-negative integer", v)
		}
		p.Seed = n
		return nil
	}
	return errors.New("unknown hyperparameter")
}

func parseInt(v string, dst *int) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("value %q is not an integer", v)
	}
	*dst = n
	return nil
}

func parseFloat(v string, dst *float64) error {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return fmt.Errorf("value %q is not a number", v)
	}
	*dst = f
	return nil
}
