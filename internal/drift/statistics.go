package drift

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Inferred types, as Model Monitor names them.
const (
	TypeIntegral   = "Integral"
	TypeFractional = "Fractional"
	TypeString     = "String"
	TypeUnknown    = "Unknown"
)

// BucketCount is the number of histogram buckets [Baseline] uses unless told otherwise.
const BucketCount = 20

// SketchK is the sketch's k parameter: the most values the sketch level keeps.
const SketchK = 2048

// Statistics is Model Monitor's statistics.json.
type Statistics struct {
	Version  float64             `json:"version"`
	Dataset  Dataset             `json:"dataset"`
	Features []FeatureStatistics `json:"features"`
}

// Dataset describes the rows the statistics were computed over.
type Dataset struct {
	ItemCount int `json:"item_count"`
}

// FeatureStatistics are one column's statistics: NumericalStatistics for Integral and
// Fractional features, StringStatistics for String ones, neither for Unknown.
type FeatureStatistics struct {
	Name                string               `json:"name"`
	InferredType        string               `json:"inferred_type"`
	NumericalStatistics *NumericalStatistics `json:"numerical_statistics,omitempty"`
	StringStatistics    *StringStatistics    `json:"string_statistics,omitempty"`
}

// Common counts present and missing values.
type Common struct {
	NumPresent int `json:"num_present"`
	NumMissing int `json:"num_missing"`
}

// NumericalStatistics summarise a number column; StdDev is the population standard deviation.
type NumericalStatistics struct {
	Common       Common                `json:"common"`
	Mean         float64               `json:"mean"`
	Sum          float64               `json:"sum"`
	StdDev       float64               `json:"std_dev"`
	Min          float64               `json:"min"`
	Max          float64               `json:"max"`
	Distribution NumericalDistribution `json:"distribution"`
}

// NumericalDistribution wraps the "kll" distribution (see the package documentation).
type NumericalDistribution struct {
	KLL KLL `json:"kll"`
}

// KLL holds the histogram buckets and the quantile sketch of a number column.
type KLL struct {
	Buckets []Bucket `json:"buckets"`
	Sketch  Sketch   `json:"sketch"`
}

// Bucket is one histogram bin: Count values in [LowerBound, UpperBound) (the last bin also
// holds UpperBound).
type Bucket struct {
	LowerBound float64 `json:"lower_bound"`
	UpperBound float64 `json:"upper_bound"`
	Count      float64 `json:"count"`
}

// Sketch has Model Monitor's KLL sketch shape; kiln fills one level (see the package documentation).
type Sketch struct {
	Parameters SketchParameters `json:"parameters"`
	Data       [][]float64      `json:"data"`
}

// SketchParameters are the sketch's c and k.
type SketchParameters struct {
	C float64 `json:"c"`
	K float64 `json:"k"`
}

// StringStatistics summarise a categorical column.
type StringStatistics struct {
	Common        Common                  `json:"common"`
	DistinctCount float64                 `json:"distinct_count"`
	Distribution  CategoricalDistribution `json:"distribution"`
}

// CategoricalDistribution wraps the category counts.
type CategoricalDistribution struct {
	Categorical Categorical `json:"categorical"`
}

// Categorical lists every category with its count, sorted by value.
type Categorical struct {
	Buckets []CategoryBucket `json:"buckets"`
}

// CategoryBucket is one category and how many rows hold it.
type CategoryBucket struct {
	Value string  `json:"value"`
	Count float64 `json:"count"`
}

// Feature returns the statistics of the named feature, or nil.
func (s *Statistics) Feature(name string) *FeatureStatistics {
	for i := range s.Features {
		if s.Features[i].Name == name {
			return &s.Features[i]
		}
	}
	return nil
}

// isMissing reports whether a cell counts as a missing value: empty, or a spelling of null/NaN.
func isMissing(v string) bool {
	if len(v) > 4 {
		return false
	}
	return v == "" || strings.EqualFold(v, "nan") || strings.EqualFold(v, "null") || strings.EqualFold(v, "none") || strings.EqualFold(v, "na")
}

// parseNumber parses a finite number; integral reports whether it is written as an integer.
func parseNumber(v string) (f float64, integral bool, ok bool) {
	if looksIntegral(v) {
		if i, err := strconv.ParseInt(v, 10, 64); err == nil {
			return float64(i), true, true
		}
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false, false
	}
	return f, false, true
}

// looksIntegral reports whether v is an optional sign and digits only, sparing ParseInt (and
// its error allocation) for the common fractional cell.
func looksIntegral(v string) bool {
	if v != "" && (v[0] == '-' || v[0] == '+') {
		v = v[1:]
	}
	if v == "" {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

// inferType returns the narrowest type that every present value of a column fits.
func inferType(values []string) string {
	typ := TypeUnknown
	for _, v := range values {
		if isMissing(v) {
			continue
		}
		_, integral, ok := parseNumber(v)
		switch {
		case !ok:
			return TypeString
		case !integral:
			typ = TypeFractional
		case typ == TypeUnknown:
			typ = TypeIntegral
		}
	}
	return typ
}

// column returns column j of rows, treating a short row's missing cells as empty.
func column(rows [][]string, j int) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		if j < len(r) {
			out[i] = strings.TrimSpace(r[j])
		}
	}
	return out
}

// ComputeStatistics returns the statistics of rows under header, with buckets equal-width
// histogram bins per number column (at least 1). Rows shorter than the header count the
// absent cells as missing; extra cells are ignored. It fails on an empty or duplicated header name.
func ComputeStatistics(header []string, rows [][]string, buckets int) (*Statistics, error) {
	if len(header) == 0 {
		return nil, errors.New("compute statistics: empty header")
	}
	if buckets < 1 {
		return nil, fmt.Errorf("compute statistics: %d buckets: want at least 1", buckets)
	}
	seen := map[string]bool{}
	for j, h := range header {
		if h == "" || seen[h] {
			return nil, fmt.Errorf("compute statistics: header column %d %q is empty or repeated", j+1, h)
		}
		seen[h] = true
	}
	st := &Statistics{Dataset: Dataset{ItemCount: len(rows)}}
	for j, name := range header {
		values := column(rows, j)
		fs := FeatureStatistics{Name: name, InferredType: inferType(values)}
		switch fs.InferredType {
		case TypeIntegral, TypeFractional:
			fs.NumericalStatistics = numerical(values, buckets)
		case TypeString:
			fs.StringStatistics = categorical(values)
		}
		st.Features = append(st.Features, fs)
	}
	return st, nil
}

func numerical(values []string, buckets int) *NumericalStatistics {
	var xs []float64
	missing := 0
	for _, v := range values {
		if isMissing(v) {
			missing++
			continue
		}
		f, _, _ := parseNumber(v)
		xs = append(xs, f)
	}
	slices.Sort(xs)
	ns := &NumericalStatistics{Common: Common{NumPresent: len(xs), NumMissing: missing}}
	for _, x := range xs {
		ns.Sum += x
	}
	ns.Mean = ns.Sum / float64(len(xs))
	var ss float64
	for _, x := range xs {
		ss += (x - ns.Mean) * (x - ns.Mean)
	}
	ns.StdDev = math.Sqrt(ss / float64(len(xs)))
	ns.Min, ns.Max = xs[0], xs[len(xs)-1]
	ns.Distribution.KLL = KLL{Buckets: histogram(xs, buckets), Sketch: sketch(xs)}
	return ns
}

// histogram returns equal-width buckets over [xs[0], xs[len-1]] of sorted xs with exact counts.
// A value goes to the first bucket whose upper bound exceeds it (the last takes the rest), the
// same rule [Compare] uses to evaluate the CDF at the bounds.
func histogram(xs []float64, n int) []Bucket {
	lo, hi := xs[0], xs[len(xs)-1]
	if lo == hi {
		return []Bucket{{LowerBound: lo, UpperBound: hi, Count: float64(len(xs))}}
	}
	bs := make([]Bucket, n)
	width := (hi - lo) / float64(n)
	for i := range bs {
		bs[i].LowerBound = lo + float64(i)*width
		bs[i].UpperBound = lo + float64(i+1)*width
		if i > 0 {
			bs[i].LowerBound = bs[i-1].UpperBound
		}
	}
	bs[n-1].UpperBound = hi
	k := 0
	for _, x := range xs {
		for k < n-1 && x >= bs[k].UpperBound {
			k++
		}
		bs[k].Count++
	}
	return bs
}

// sketch returns one level holding at most SketchK order statistics of sorted xs.
func sketch(xs []float64) Sketch {
	var level []float64
	if len(xs) > SketchK {
		level = make([]float64, SketchK)
		for i := range level {
			level[i] = xs[i*(len(xs)-1)/(SketchK-1)]
		}
	} else {
		level = slices.Clone(xs)
	}
	return Sketch{Parameters: SketchParameters{C: 0.64, K: SketchK}, Data: [][]float64{level}}
}

func categorical(values []string) *StringStatistics {
	counts := map[string]int{}
	missing := 0
	for _, v := range values {
		if isMissing(v) {
			missing++
			continue
		}
		counts[v]++
	}
	ss := &StringStatistics{Common: Common{NumPresent: len(values) - missing, NumMissing: missing}, DistinctCount: float64(len(counts))}
	for _, v := range slices.Sorted(maps.Keys(counts)) {
		ss.Distribution.Categorical.Buckets = append(ss.Distribution.Categorical.Buckets, CategoryBucket{Value: v, Count: float64(counts[v])})
	}
	return ss
}
