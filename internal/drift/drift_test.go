package drift

import (
	"encoding/csv"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// abalone returns the sample's serving columns (without Rings) and rows.
func abalone(t testing.TB) ([]string, [][]string) {
	t.Helper()
	f, err := os.Open(filepath.Join("..", "..", "examples", "abalone", "data", "abalone.csv"))
	require.NoError(t, err)
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	require.NoError(t, err)
	header := recs[0][:8]
	rows := make([][]string, 0, len(recs)-1)
	for _, r := range recs[1:] {
		rows = append(rows, r[:8])
	}
	return header, rows
}

func TestBaselineWritesModelMonitorShapes(t *testing.T) {
	header := []string{"Sex", "Length", "Rings"}
	rows := [][]string{{"M", "0.5", "10"}, {"F", "0.25", "7"}, {"M", "1", "12"}, {"I", "", "3"}}
	st, cons, err := Baseline(header, rows, Options{Buckets: 3})
	require.NoError(t, err)

	b, err := json.Marshal(st)
	require.NoError(t, err)
	var generic map[string]any
	require.NoError(t, json.Unmarshal(b, &generic))
	assert.Equal(t, 4.0, generic["dataset"].(map[string]any)["item_count"])

	sex := st.Feature("Sex")
	require.NotNil(t, sex)
	assert.Equal(t, TypeString, sex.InferredType)
	assert.Equal(t, 3.0, sex.StringStatistics.DistinctCount)
	assert.Equal(t, []CategoryBucket{{"F", 1}, {"I", 1}, {"M", 2}}, sex.StringStatistics.Distribution.Categorical.Buckets)

	length := st.Feature("Length")
	require.NotNil(t, length)
	assert.Equal(t, TypeFractional, length.InferredType)
	ns := length.NumericalStatistics
	assert.Equal(t, Common{NumPresent: 3, NumMissing: 1}, ns.Common)
	assert.InDelta(t, 1.75, ns.Sum, 1e-12)
	assert.InDelta(t, 1.75/3, ns.Mean, 1e-12)
	assert.Equal(t, 0.25, ns.Min)
	assert.Equal(t, 1.0, ns.Max)
	assert.Equal(t, []Bucket{{0.25, 0.5, 1}, {0.5, 0.75, 1}, {0.75, 1, 1}}, ns.Distribution.KLL.Buckets)
	assert.Equal(t, [][]float64{{0.25, 0.5, 1}}, ns.Distribution.KLL.Sketch.Data)

	assert.Equal(t, TypeIntegral, st.Feature("Rings").InferredType)

	assert.Equal(t, "Robust", cons.MonitoringConfig.DistributionConstraints.ComparisonMethod)
	assert.Equal(t, 0.1, cons.Threshold())
	assert.Equal(t, []string{"F", "I", "M"}, cons.Feature("Sex").StringConstraints.Domains)
	assert.Equal(t, 0.75, cons.Feature("Length").Completeness)
	assert.True(t, cons.Feature("Length").NumConstraints.IsNonNegative)
}

func TestBaselineRejectsBadInput(t *testing.T) {
	tests := []struct {
		name    string
		header  []string
		rows    [][]string
		opts    Options
		wantErr string
	}{
		{"no rows is an error", []string{"a"}, nil, Options{}, "no rows"},
		{"a repeated column name is an error", []string{"a", "a"}, [][]string{{"1", "2"}}, Options{}, `header column 2 "a" is empty or repeated`},
		{"a threshold above one is an error", []string{"a"}, [][]string{{"1"}}, Options{Threshold: 2}, "threshold 2"},
		{"negative buckets are an error", []string{"a"}, [][]string{{"1"}}, Options{Buckets: -1}, "-1 buckets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Baseline(tt.header, tt.rows, tt.opts)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
		})
	}
}

// shift returns a copy of rows with delta added to the named columns.
func shift(t testing.TB, header []string, rows [][]string, delta float64, names ...string) [][]string {
	cols := map[int]bool{}
	for j, h := range header {
		for _, n := range names {
			if h == n {
				cols[j] = true
			}
		}
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		row := append([]string(nil), r...)
		for j := range cols {
			f, err := strconv.ParseFloat(row[j], 64)
			require.NoError(t, err)
			row[j] = strconv.FormatFloat(f+delta, 'g', -1, 64)
		}
		out[i] = row
	}
	return out
}

// sample draws n rows of rows with replacement, seeded.
func sample(rows [][]string, n int, seed uint64) [][]string {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([][]string, n)
	for i := range out {
		out[i] = rows[rng.IntN(len(rows))]
	}
	return out
}

func TestCompareFindsShiftedFeaturesOnly(t *testing.T) {
	header, rows := abalone(t)
	train, rest := rows[:3300], rows[3300:]
	st, cons, err := Baseline(header, train, Options{})
	require.NoError(t, err)

	tests := []struct {
		name    string
		window  [][]string
		drifted []string
	}{
		{"rows from the same data raise no violation", sample(rows, 1000, 7), nil},
		{"the held-out rows raise no violation", rest, nil},
		{"length and diameter grown by 0.15 drift and nothing else", shift(t, header, sample(rows, 500, 9), 0.15, "Length", "Diameter"), []string{"Diameter", "Length"}},
		{"only infants drift the sex distribution", onlyInfants(sample(rows, 300, 3)), []string{"Sex"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Compare(st, cons, tt.window)
			require.NoError(t, err)
			var got []string
			for _, v := range rep.Violations {
				assert.Equal(t, CheckBaselineDrift, v.ConstraintCheckType, "got %+v", v)
				assert.Regexp(t, `^Baseline drift distance: [0-9.e-]+ exceeds threshold: 0\.1$`, v.Description)
				got = append(got, v.FeatureName)
			}
			assert.Equal(t, tt.drifted, got)
			require.Len(t, rep.Features, 8)
			for _, f := range rep.Features {
				assert.True(t, f.Compared, f.Name)
				assert.Equal(t, f.Distance > 0.1, f.Drifted, f.Name)
				assert.LessOrEqual(t, f.Distance, rep.MaxDistance)
				if tt.drifted == nil {
					assert.Less(t, f.Distance, 0.07, "%s distance %v on data from the baseline's own population", f.Name, f.Distance)
				}
			}
		})
	}
}

func onlyInfants(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		out[i] = append([]string{"I"}, r[1:]...)
	}
	return out
}

func TestCompareChecksConstraints(t *testing.T) {
	header := []string{"Sex", "Length", "Rings"}
	base := [][]string{{"M", "0.5", "10"}, {"F", "0.25", "7"}, {"M", "1", "12"}, {"I", "0.75", "3"}}
	st, cons, err := Baseline(header, base, Options{Buckets: 4})
	require.NoError(t, err)
	tests := []struct {
		name   string
		window [][]string
		want   []Violation
	}{
		{"a window equal to the baseline passes", base, nil},
		{"a missing value breaks completeness", [][]string{{"M", "", "10"}, {"F", "0.25", "7"}, {"M", "1", "12"}, {"I", "0.75", "3"}},
			[]Violation{{"Length", CheckCompleteness, "Data completeness requirement is not met. Expected completeness: 100.0%, Observed completeness: 75.0%"}}},
		{"a fraction in an integral column breaks the data type", [][]string{{"M", "0.5", "10"}, {"F", "0.25", "7.5"}, {"M", "1", "12"}, {"I", "0.75", "3"}},
			[]Violation{{"Rings", CheckDataType, "Data type match requirement is not met. Expected data type: Integral, Expected match: 100.0%. Observed: Only 75.0% of data is Integral."}}},
		{"an unseen category breaks the domain", [][]string{{"M", "0.5", "10"}, {"F", "0.25", "7"}, {"M", "1", "12"}, {"X", "0.75", "3"}},
			[]Violation{{"Sex", CheckCategoricalValues, `Baseline domain does not hold 25.0% of the current values (for example "X"); expected match: 100.0%`}}},
		{"a short row reports the missing column", [][]string{{"M", "0.5"}, {"F", "0.25", "7"}, {"M", "1", "12"}, {"I", "0.75", "3"}},
			[]Violation{
				{"Rings", CheckCompleteness, "Data completeness requirement is not met. Expected completeness: 100.0%, Observed completeness: 75.0%"},
				{"Rings", CheckMissingColumn, "There are missing columns in current dataset. Number of columns in current dataset: 2, Number of columns in baseline constraints: 3 (column 3 is absent from 1 of 4 rows)"},
			}},
		{"a wide row reports the extra column", [][]string{{"M", "0.5", "10", "x"}, {"F", "0.25", "7"}, {"M", "1", "12"}, {"I", "0.75", "3"}},
			[]Violation{{"_c3", CheckExtraColumn, "There are extra columns in current dataset. Number of columns in current dataset: 4, Number of columns in baseline constraints: 3 (1 of 4 rows are too wide)"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep, err := Compare(st, cons, tt.window)
			require.NoError(t, err)
			var got []Violation
			for _, v := range rep.Violations {
				if v.ConstraintCheckType != CheckBaselineDrift {
					got = append(got, v)
				}
			}
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestCompareRejectsMismatchedBaselines(t *testing.T) {
	st, cons, err := Baseline([]string{"a", "b"}, [][]string{{"1", "2"}}, Options{})
	require.NoError(t, err)
	cons.Features = cons.Features[:1]
	_, err = Compare(st, cons, [][]string{{"1", "2"}})
	assert.ErrorContains(t, err, `feature "b" has statistics but no constraints`)
	_, err = Compare(&Statistics{}, cons, nil)
	assert.ErrorContains(t, err, "empty baseline")
}

func TestConstraintViolationsIsNeverNull(t *testing.T) {
	rep := &Report{}
	b, err := json.Marshal(rep.ConstraintViolations())
	require.NoError(t, err)
	assert.JSONEq(t, `{"violations":[]}`, string(b))
}

func TestNumericDistanceIsTheCDFGapAtTheBounds(t *testing.T) {
	buckets := []Bucket{{0, 1, 5}, {1, 2, 5}}
	tests := []struct {
		name string
		xs   []float64
		want float64
	}{
		{"the same split gives zero", []float64{0.5, 1.5}, 0},
		{"everything in the upper half is half away", []float64{1.2, 1.8}, 0.5},
		{"everything below the baseline is all the way", []float64{-3, -2}, 1},
		{"everything above the baseline is all the way", []float64{5, 6}, 1},
		{"the maximum itself sits inside the last bucket", []float64{0.5, 2}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.InDelta(t, tt.want, numericDistance(buckets, tt.xs), 1e-12)
		})
	}
}

func BenchmarkCompare10000Rows(b *testing.B) {
	header, rows := abalone(b)
	st, cons, err := Baseline(header, rows, Options{})
	require.NoError(b, err)
	window := shift(b, header, sample(rows, 10000, 5), 0.15, "Length")
	b.ResetTimer()
	for b.Loop() {
		if _, err := Compare(st, cons, window); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBaselineAbalone(b *testing.B) {
	header, rows := abalone(b)
	for b.Loop() {
		if _, _, err := Baseline(header, rows, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestCategoricalThresholdAppliesToStringFeaturesOnly(t *testing.T) {
	header, rows := abalone(t)
	st, cons, err := Baseline(header, rows, Options{})
	require.NoError(t, err)
	assert.Equal(t, "LInfinity", cons.MonitoringConfig.DistributionConstraints.CategoricalDriftMethod)
	cons.MonitoringConfig.DistributionConstraints.CategoricalComparisonThreshold = 0.9
	window := shift(t, header, onlyInfants(sample(rows, 300, 3)), 0.15, "Length")
	rep, err := Compare(st, cons, window)
	require.NoError(t, err)
	var drifted []string
	for _, f := range rep.Features {
		if f.Drifted {
			drifted = append(drifted, f.Name)
		}
		if f.Name == "Sex" {
			assert.Equal(t, 0.9, f.Threshold)
			assert.Greater(t, f.Distance, 0.5, "all infants is far from a third")
		}
	}
	assert.Equal(t, []string{"Length"}, drifted)
}

func TestBaselineOmitsTheDomainOfAHighCardinalityColumn(t *testing.T) {
	rows := make([][]string, MaxDomain+1)
	for i := range rows {
		rows[i] = []string{"id-" + strconv.Itoa(i), "small"}
	}
	_, cons, err := Baseline([]string{"ID", "Size"}, rows, Options{})
	require.NoError(t, err)
	assert.Nil(t, cons.Feature("ID").StringConstraints)
	assert.Equal(t, []string{"small"}, cons.Feature("Size").StringConstraints.Domains)
}
