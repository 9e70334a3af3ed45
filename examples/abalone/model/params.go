package model

import (
	"errors"
	"fmt"
	"math"
)

// Params are the boosting hyperparameters. The zero value is not valid: start from
// [DefaultParams]. Names in JSON are the SageMaker hyperparameter names.
type Params struct {
	// NumRound is the number of trees; default 100, 1 to 10000.
	NumRound int `json:"num_round"`
	// MaxDepth is the deepest a tree may grow (a lone leaf has depth 0); default 5, 1 to 20.
	MaxDepth int `json:"max_depth"`
	// Eta is the learning rate that scales every leaf; default 0.1, in (0, 1].
	Eta float64 `json:"eta"`
	// MinChildWeight is the least hessian sum (for squared error: rows) each child of a
	// split must keep; default 1, at least 0.
	MinChildWeight float64 `json:"min_child_weight"`
	// Subsample is the chance each training row takes part in a round; default 1, in (0, 1].
	Subsample float64 `json:"subsample"`
	// Lambda is the L2 penalty on leaf weights; default 1, at least 0.
	Lambda float64 `json:"lambda"`
	// Gamma is the least loss reduction a split must bring; default 0, at least 0.
	Gamma float64 `json:"gamma"`
	// TreeMethod is the split search: "exact" sorts each node's rows per feature and tries
	// every distinct value; "hist" (default) buckets each feature once into at most MaxBin
	// quantile bins and scans bin histograms. With fewer distinct values than MaxBin the two agree.
	TreeMethod string `json:"tree_method"`
	// MaxBin bounds the bins per feature of the "hist" method; default 256, 2 to 65535.
	MaxBin int `json:"max_bin"`
	// Seed drives row subsampling; the same seed gives the same model.
	Seed uint64 `json:"seed"`
}

// DefaultParams returns the defaults documented on each [Params] field.
func DefaultParams() Params {
	return Params{NumRound: 100, MaxDepth: 5, Eta: 0.1, MinChildWeight: 1, Subsample: 1, Lambda: 1, TreeMethod: "hist", MaxBin: 256}
}

// Validate returns an error naming every field out of its range, or nil.
func (p Params) Validate() error {
	var errs []error
	bad := func(name string, v any, want string) {
		errs = append(errs, fmt.Errorf("%s %v: want %s", name, v, want))
	}
	finite := func(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
	if p.NumRound < 1 || p.NumRound > 10000 {
		bad("num_round", p.NumRound, "1 to 10000")
	}
	if p.MaxDepth < 1 || p.MaxDepth > 20 {
		bad("max_depth", p.MaxDepth, "1 to 20")
	}
	if !finite(p.Eta) || p.Eta <= 0 || p.Eta > 1 {
		bad("eta", p.Eta, "a number in (0, 1]")
	}
	if !finite(p.MinChildWeight) || p.MinChildWeight < 0 {
		bad("min_child_weight", p.MinChildWeight, "a number at least 0")
	}
	if !finite(p.Subsample) || p.Subsample <= 0 || p.Subsample > 1 {
		bad("subsample", p.Subsample, "a number in (0, 1]")
	}
	if !finite(p.Lambda) || p.Lambda < 0 {
		bad("lambda", p.Lambda, "a number at least 0")
	}
	if !finite(p.Gamma) || p.Gamma < 0 {
		bad("gamma", p.Gamma, "a number at least 0")
	}
	if p.TreeMethod != "exact" && p.TreeMethod != "hist" {
		bad("tree_method", fmt.Sprintf("%q", p.TreeMethod), `"exact" or "hist"`)
	}
	if p.MaxBin < 2 || p.MaxBin > 65535 {
		bad("max_bin", p.MaxBin, "2 to 65535")
	}
	return errors.Join(errs...)
}

// SampleParams returns the hyperparameters the abalone sample trains with unless told
// otherwise: [DefaultParams] with 150 rounds of depth 4, min_child_weight 6, subsample 0.8.
func SampleParams() Params {
	p := DefaultParams()
	p.NumRound, p.MaxDepth, p.MinChildWeight, p.Subsample, p.Eta = 150, 4, 6, 0.8, 0.05
	return p
}
