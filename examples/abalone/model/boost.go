package model

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// FormatVersion identifies the model file format written by [Model.WriteJSON].
const FormatVersion = "kiln-gbt/1"

// Model is a trained gradient-boosted tree ensemble for squared error: a prediction is
// BaseScore plus the sum of every tree's leaf value. A Model is safe for concurrent
// prediction once built; do not change it while predicting.
type Model struct {
	// Format is [FormatVersion].
	Format string `json:"format"`
	// Features names the input vector, in order.
	Features []string `json:"features"`
	// Target names what the model predicts.
	Target string `json:"target"`
	// BaseScore is the starting prediction: the mean target of the training rows.
	BaseScore float64 `json:"base_score"`
	// Params are the hyperparameters the model was trained with.
	Params Params `json:"params"`
	// Trees are the boosted trees, in training order.
	Trees []Tree `json:"trees"`
}

// Predict returns the model's prediction for one feature vector. It fails when x does not have
// one value per feature.
func (m *Model) Predict(x []float64) (float64, error) {
	if len(x) != len(m.Features) {
		return 0, fmt.Errorf("predict: got %d features, want %d", len(x), len(m.Features))
	}
	return m.predict(x), nil
}

func (m *Model) predict(x []float64) float64 {
	s := m.BaseScore
	for t := range m.Trees {
		s += m.Trees[t].Predict(x)
	}
	return s
}

// PredictAll returns one prediction per row, or an error naming the first row of the wrong width.
func (m *Model) PredictAll(rows [][]float64) ([]float64, error) {
	out := make([]float64, len(rows))
	for i, x := range rows {
		p, err := m.Predict(x)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i+1, err)
		}
		out[i] = p
	}
	return out, nil
}

// RoundStats reports the loss after one boosting round. ValidMSE is NaN-free and zero when
// training had no validation set.
type RoundStats struct {
	Round    int
	TrainMSE float64
	ValidMSE float64
}

// Train fits a [Model] of [FeatureNames] to train, reporting each round to onRound (may be
// nil) with the mean squared error on train and on valid (valid may be nil). It fails on
// invalid params or an empty training set, and is deterministic for given rows and params.
func Train(train, valid *Dataset, p Params, onRound func(RoundStats)) (*Model, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("validate params: %w", err)
	}
	if train == nil || train.Len() == 0 {
		return nil, errors.New("train: no training rows")
	}
	nfeat := len(FeatureNames)
	for i, x := range train.X {
		if len(x) != nfeat {
			return nil, fmt.Errorf("train: row %d has %d features, want %d", i+1, len(x), nfeat)
		}
	}
	n := train.Len()
	var base float64
	for _, y := range train.Y {
		base += y
	}
	base /= float64(n)
	m := &Model{Format: FormatVersion, Features: append([]string(nil), FeatureNames...), Target: Target, BaseScore: base, Params: p}

	b := &builder{p: p, m: newMatrix(train.X, nfeat, p.MaxBin, p.TreeMethod == "hist"), grad: make([]float64, n)}
	if p.TreeMethod == "hist" {
		b.hg, b.hh = make([]float64, p.MaxBin+1), make([]float64, p.MaxBin+1)
	} else {
		b.sorted, b.goLeft = b.m.presort(), make([]bool, n)
	}
	inRound := make([]bool, n)
	pred := make([]float64, n)
	for i := range pred {
		pred[i] = base
	}
	var vpred []float64
	if valid != nil {
		vpred = make([]float64, valid.Len())
		for i := range vpred {
			vpred[i] = base
		}
	}
	rng := rand.New(rand.NewPCG(p.Seed, 0x6b696c6e))
	idx := make([]int, 0, n)
	for round := 1; round <= p.NumRound; round++ {
		for i := range pred {
			b.grad[i] = pred[i] - train.Y[i]
		}
		idx = idx[:0]
		for i := range n {
			inRound[i] = p.Subsample >= 1 || rng.Float64() < p.Subsample
			if inRound[i] {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 {
			i := rng.IntN(n)
			inRound[i] = true
			idx = append(idx, i)
		}
		b.nodes = nil
		if p.TreeMethod == "hist" {
			b.grow(idx, 0)
		} else {
			lists := make([][]int, nfeat)
			for f, order := range b.sorted {
				lists[f] = make([]int, 0, len(idx))
				for _, i := range order {
					if inRound[i] {
						lists[f] = append(lists[f], i)
					}
				}
			}
			b.growExact(lists, 0)
		}
		t := Tree{Nodes: b.nodes}
		m.Trees = append(m.Trees, t)
		for i, x := range train.X {
			pred[i] += t.Predict(x)
		}
		st := RoundStats{Round: round, TrainMSE: mse(train.Y, pred)}
		if valid != nil {
			for i, x := range valid.X {
				vpred[i] += t.Predict(x)
			}
			st.ValidMSE = mse(valid.Y, vpred)
		}
		if onRound != nil {
			onRound(st)
		}
	}
	return m, nil
}

func mse(y, p []float64) float64 {
	if len(y) == 0 {
		return 0
	}
	var s float64
	for i := range y {
		d := p[i] - y[i]
		s += d * d
	}
	return s / float64(len(y))
}

// Split returns the row indices of a seeded random split of n rows: test holds
// round(fraction*n) of them (at least 1 and at most n-1 when n >= 2), train the rest, both in
// ascending order. fraction must be in (0, 1).
func Split(n int, fraction float64, seed uint64) (train, test []int, err error) {
	if !(fraction > 0 && fraction < 1) {
		return nil, nil, fmt.Errorf("split: test fraction %v: want a number in (0, 1)", fraction)
	}
	if n < 2 {
		return nil, nil, fmt.Errorf("split: %d rows: want at least 2", n)
	}
	k := int(fraction*float64(n) + 0.5)
	k = max(1, min(k, n-1))
	perm := rand.New(rand.NewPCG(seed, 0x73706c74)).Perm(n)
	inTest := make([]bool, n)
	for _, i := range perm[:k] {
		inTest[i] = true
	}
	for i := range n {
		if inTest[i] {
			test = append(test, i)
		} else {
			train = append(train, i)
		}
	}
	return train, test, nil
}
