package model

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tiny is a dataset a depth-3 tree can fit exactly: the target depends on Length and Sex only.
func tiny() *Dataset {
	d := &Dataset{}
	rows := []struct {
		sex    int
		length float64
		y      float64
	}{{0, 0.2, 4}, {0, 0.4, 7}, {1, 0.2, 5}, {1, 0.4, 11}, {2, 0.1, 1}, {2, 0.3, 3}, {0, 0.6, 13}, {1, 0.6, 15}}
	for _, r := range rows {
		x := make([]float64, len(FeatureNames))
		x[r.sex] = 1
		x[3] = r.length
		d.X = append(d.X, x)
		d.Y = append(d.Y, r.y)
		d.Raw = append(d.Raw, nil)
	}
	return d
}

func TestOneTreeFitsATinyDatasetExactly(t *testing.T) {
	for _, method := range []string{"exact", "hist"} {
		t.Run("the "+method+" split search fits every row", func(t *testing.T) {
			d := tiny()
			p := DefaultParams()
			p.NumRound, p.MaxDepth, p.Eta, p.Lambda, p.MinChildWeight, p.TreeMethod = 1, 4, 1, 0, 0, method
			m, err := Train(d, nil, p, nil)
			require.NoError(t, err)
			got, err := m.PredictAll(d.X)
			require.NoError(t, err)
			assert.InDeltaSlice(t, d.Y, got, 1e-9)
		})
	}
}

func TestBoostingLowersTrainingLossEveryRound(t *testing.T) {
	d := loadAbalone(t)
	for _, method := range []string{"exact", "hist"} {
		t.Run("with "+method+" splits the training loss never rises", func(t *testing.T) {
			p := DefaultParams()
			p.NumRound, p.TreeMethod = 30, method
			var losses []float64
			_, err := Train(d, nil, p, func(s RoundStats) { losses = append(losses, s.TrainMSE) })
			require.NoError(t, err)
			require.Len(t, losses, 30)
			for i := 1; i < len(losses); i++ {
				assert.Less(t, losses[i], losses[i-1], "round %d loss %v did not fall below %v", i+1, losses[i], losses[i-1])
			}
		})
	}
}

func TestTrainingIsDeterministicForASeed(t *testing.T) {
	d := loadAbalone(t)
	p := DefaultParams()
	p.NumRound, p.Subsample, p.Seed = 20, 0.7, 42
	encode := func() []byte {
		m, err := Train(d, nil, p, nil)
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, m.WriteJSON(&b))
		return b.Bytes()
	}
	first, second := encode(), encode()
	assert.Equal(t, first, second)
	p.Seed = 43
	assert.NotEqual(t, first, encode(), "a different seed should subsample differently")
}

func TestModelFileRoundTrips(t *testing.T) {
	d := loadAbalone(t)
	p := DefaultParams()
	p.NumRound = 15
	m, err := Train(d, nil, p, nil)
	require.NoError(t, err)
	var b bytes.Buffer
	require.NoError(t, m.WriteJSON(&b))
	back, err := ReadJSON(&b)
	require.NoError(t, err)
	assert.Equal(t, m, back)
	for _, x := range d.X[:50] {
		want, _ := m.Predict(x)
		got, err := back.Predict(x)
		require.NoError(t, err)
		assert.Equal(t, want, got)
	}
}

func TestReadJSONRejectsBrokenFiles(t *testing.T) {
	tests := []struct {
		name, file, wantErr string
	}{
		{"another format is refused", `{"format":"xgboost","features":["a"],"trees":[{"nodes":[{"value":1}]}]}`, `format "xgboost"`},
		{"a child pointing back is refused", `{"format":"kiln-gbt/1","features":["a"],"trees":[{"nodes":[{"left":0,"right":1},{"feature":0,"threshold":1,"left":1,"right":1}]}]}`, "tree 0 node 0: children 0 and 1"},
		{"a feature out of range is refused", `{"format":"kiln-gbt/1","features":["a"],"trees":[{"nodes":[{"feature":3,"threshold":1,"left":1,"right":2},{"value":1},{"value":2}]}]}`, "feature 3 out of range"},
		{"a model without trees is refused", `{"format":"kiln-gbt/1","features":["a"],"trees":[]}`, "no trees"},
		{"an unknown field is refused", `{"format":"kiln-gbt/1","features":["a"],"trees":[{"nodes":[{"value":1}]}],"extra":1}`, "unknown field"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(bytes.NewBufferString(tt.file))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

func TestParamsValidateNamesEveryBadField(t *testing.T) {
	p := DefaultParams()
	p.Eta, p.MaxDepth, p.TreeMethod = 0, 0, "approx"
	err := p.Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "eta 0: want a number in (0, 1]")
	assert.Contains(t, err.Error(), "max_depth 0: want 1 to 20")
	assert.Contains(t, err.Error(), `tree_method "approx"`)
	assert.NoError(t, DefaultParams().Validate())
}

func TestSplitIsSeededAndDisjoint(t *testing.T) {
	train, test, err := Split(100, 0.2, 7)
	require.NoError(t, err)
	assert.Len(t, test, 20)
	assert.Len(t, train, 80)
	seen := map[int]bool{}
	for _, i := range append(append([]int{}, train...), test...) {
		assert.False(t, seen[i], "row %d in both halves", i)
		seen[i] = true
	}
	_, again, _ := Split(100, 0.2, 7)
	assert.Equal(t, test, again)
	_, other, _ := Split(100, 0.2, 8)
	assert.NotEqual(t, test, other)
	_, _, err = Split(100, 1, 7)
	assert.ErrorContains(t, err, "want a number in (0, 1)")
}

// TestRealDataBeatsTheGate trains with the sample's defaults on the abalone data and checks the
// held-out error against the pipeline's gate (MSE ≤ 6.0) and against predicting the mean.
func TestRealDataBeatsTheGate(t *testing.T) {
	d := loadAbalone(t)
	trainIdx, testIdx, err := Split(d.Len(), 0.2, 1)
	require.NoError(t, err)
	train, test := d.Subset(trainIdx), d.Subset(testIdx)
	m, err := Train(train, nil, SampleParams(), nil)
	require.NoError(t, err)
	pred, err := m.PredictAll(test.X)
	require.NoError(t, err)
	got, err := Evaluate(test.Y, pred, 1)
	require.NoError(t, err)

	mean := make([]float64, test.Len())
	for i := range mean {
		mean[i] = m.BaseScore
	}
	baseline, err := Evaluate(test.Y, mean, 1)
	require.NoError(t, err)
	t.Logf("test mse %.3f (mean predictor %.3f), rmse %.3f, mae %.3f, r2 %.3f", got.MSE.Value, baseline.MSE.Value, got.RMSE.Value, got.MAE.Value, got.R2.Value)
	assert.LessOrEqual(t, got.MSE.Value, 6.0)
	assert.Less(t, got.MSE.Value, 0.7*baseline.MSE.Value, "the model should clearly beat predicting the mean")
	assert.Greater(t, got.R2.Value, 0.3)
}

func loadAbalone(t testing.TB) *Dataset {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "data", "abalone.csv"))
	require.NoError(t, err)
	defer f.Close()
	d := &Dataset{}
	require.NoError(t, d.ParseTrainingCSV(f))
	require.Equal(t, 4177, d.Len())
	return d
}

func BenchmarkTrain(b *testing.B) {
	d := loadAbalone(b)
	for _, method := range []string{"hist", "exact"} {
		b.Run(method, func(b *testing.B) {
			p := SampleParams()
			p.TreeMethod = method
			for b.Loop() {
				if _, err := Train(d, nil, p, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkPredictOneRow(b *testing.B) {
	d := loadAbalone(b)
	m, err := Train(d, nil, SampleParams(), nil)
	require.NoError(b, err)
	x := d.X[17]
	for b.Loop() {
		if _, err := m.Predict(x); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHistWithEnoughBinsMatchesExact checks that with a bin per distinct value the two split
// searches choose the same splits. Thresholds may differ: exact takes the midpoint between the
// node's own neighbouring values, hist between the whole column's, so both split the node's
// rows alike and agree on every training row.
func TestHistWithEnoughBinsMatchesExact(t *testing.T) {
	d := loadAbalone(t)
	p := DefaultParams()
	p.NumRound, p.MaxBin = 10, 65535
	p.TreeMethod = "exact"
	exact, err := Train(d, nil, p, nil)
	require.NoError(t, err)
	p.TreeMethod = "hist"
	hist, err := Train(d, nil, p, nil)
	require.NoError(t, err)
	for i, tree := range exact.Trees {
		require.Len(t, hist.Trees[i].Nodes, len(tree.Nodes), "tree %d", i)
		for k, n := range tree.Nodes {
			h := hist.Trees[i].Nodes[k]
			assert.Equal(t, n.Feature, h.Feature, "tree %d node %d", i, k)
			assert.InDelta(t, n.Value, h.Value, 1e-9, "tree %d node %d", i, k)
		}
	}
	pe, err := exact.PredictAll(d.X)
	require.NoError(t, err)
	ph, err := hist.PredictAll(d.X)
	require.NoError(t, err)
	assert.InDeltaSlice(t, pe, ph, 1e-9)
}
