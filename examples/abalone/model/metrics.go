package model

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Metric is one figure of an evaluation report, in the SageMaker examples' shape.
type Metric struct {
	Value             float64 `json:"value"`
	StandardDeviation float64 `json:"standard_deviation"`
}

// RegressionMetrics are the figures of the SageMaker examples' evaluation.json.
type RegressionMetrics struct {
	MSE  Metric `json:"mse"`
	RMSE Metric `json:"rmse"`
	MAE  Metric `json:"mae"`
	R2   Metric `json:"r2"`
}

// bootstrapRounds is how many resamples estimate each metric's standard deviation.
const bootstrapRounds = 200

// Evaluate returns the metrics of pred against truth. Each StandardDeviation is the bootstrap
// estimate of the metric's standard error: the standard deviation of the metric over 200
// resamples of the rows drawn with a generator seeded by seed. It fails on lengths that differ
// or are zero.
func Evaluate(truth, pred []float64, seed uint64) (RegressionMetrics, error) {
	if len(truth) != len(pred) || len(truth) == 0 {
		return RegressionMetrics{}, fmt.Errorf("evaluate: %d truths and %d predictions: want the same, non-zero count", len(truth), len(pred))
	}
	point := metricsOf(truth, pred, nil)
	rng := rand.New(rand.NewPCG(seed, 0x65766c))
	idx := make([]int, len(truth))
	var samples [4][]float64
	for range bootstrapRounds {
		for i := range idx {
			idx[i] = rng.IntN(len(truth))
		}
		v := metricsOf(truth, pred, idx)
		for k := range v {
			samples[k] = append(samples[k], v[k])
		}
	}
	return RegressionMetrics{
		MSE:  Metric{point[0], stddev(samples[0])},
		RMSE: Metric{point[1], stddev(samples[1])},
		MAE:  Metric{point[2], stddev(samples[2])},
		R2:   Metric{point[3], stddev(samples[3])},
	}, nil
}

// metricsOf returns mse, rmse, mae, r2 over the rows idx (all rows when idx is nil).
func metricsOf(truth, pred []float64, idx []int) [4]float64 {
	n := len(truth)
	at := func(k int) int { return k }
	if idx != nil {
		n = len(idx)
		at = func(k int) int { return idx[k] }
	}
	var mean float64
	for k := range n {
		mean += truth[at(k)]
	}
	mean /= float64(n)
	var se, ae, ss float64
	for k := range n {
		i := at(k)
		d := pred[i] - truth[i]
		se += d * d
		ae += math.Abs(d)
		ss += (truth[i] - mean) * (truth[i] - mean)
	}
	m := se / float64(n)
	r2 := 0.0
	if ss > 0 {
		r2 = 1 - se/ss
	}
	return [4]float64{m, math.Sqrt(m), ae / float64(n), r2}
}

func stddev(xs []float64) float64 {
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(len(xs))
	var s float64
	for _, x := range xs {
		s += (x - mean) * (x - mean)
	}
	return math.Sqrt(s / float64(len(xs)))
}
