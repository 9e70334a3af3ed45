package drift

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
)

// Check types of constraint_violations.json, as Model Monitor names them.
const (
	CheckDataType          = "data_type_check"
	CheckCompleteness      = "completeness_check"
	CheckBaselineDrift     = "baseline_drift_check"
	CheckMissingColumn     = "missing_column_check"
	CheckExtraColumn       = "extra_column_check"
	CheckCategoricalValues = "categorical_values_check"
)

// Violation is one entry of constraint_violations.json.
type Violation struct {
	FeatureName         string `json:"feature_name"`
	ConstraintCheckType string `json:"constraint_check_type"`
	Description         string `json:"description"`
}

// Violations is Model Monitor's constraint_violations.json.
type Violations struct {
	Violations []Violation `json:"violations"`
}

// FeatureResult is how one baseline feature fared in a window. Distance is the drift distance
// (see the package documentation), computed when Compared; it is 0 when the window has no
// present value of the feature or comparison is disabled.
type FeatureResult struct {
	Name         string  `json:"name"`
	InferredType string  `json:"inferredType"`
	Present      int     `json:"present"`
	Completeness float64 `json:"completeness"`
	Compared     bool    `json:"compared"`
	Distance     float64 `json:"distance"`
	Threshold    float64 `json:"threshold"`
	Drifted      bool    `json:"drifted"`
}

// Report is the outcome of [Compare]: one result per baseline feature, in baseline order, and
// every violation found, sorted by feature then check type.
type Report struct {
	ItemCount   int             `json:"itemCount"`
	Features    []FeatureResult `json:"features"`
	Violations  []Violation     `json:"violations"`
	MaxDistance float64         `json:"maxDistance"`
}

// ConstraintViolations returns the report's constraint_violations.json; violations is never
// null, so an empty window writes {"violations": []}.
func (r *Report) ConstraintViolations() Violations {
	return Violations{Violations: append([]Violation{}, r.Violations...)}
}

// Compare checks captured rows against a baseline. Rows are positional: cell j belongs to the
// baseline's feature j, as in a headerless serving request. It runs Model Monitor's checks —
// missing and extra columns, completeness, data type, categorical values (when
// evaluate_constraints is on) and baseline drift (when distribution_constraints.perform_comparison
// is on) — and fails only when the baseline files disagree with each other or are empty.
func Compare(stats *Statistics, cons *Constraints, rows [][]string) (*Report, error) {
	if stats == nil || cons == nil || len(stats.Features) == 0 {
		return nil, errors.New("compare: empty baseline")
	}
	for _, f := range stats.Features {
		if cons.Feature(f.Name) == nil {
			return nil, fmt.Errorf("compare: feature %q has statistics but no constraints", f.Name)
		}
	}
	mc := cons.MonitoringConfig
	evaluate := enabled(mc.EvaluateConstraints)
	compare := enabled(mc.DistributionConstraints.PerformComparison)
	threshold := cons.Threshold()
	rep := &Report{ItemCount: len(rows)}
	width := len(stats.Features)

	short, long, widest := 0, 0, width
	for _, r := range rows {
		if len(r) < width {
			short++
		}
		if len(r) > width {
			long++
			widest = max(widest, len(r))
		}
	}

	for j, fs := range stats.Features {
		fc := cons.Feature(fs.Name)
		values := column(rows, j)
		res := FeatureResult{Name: fs.Name, InferredType: fs.InferredType, Threshold: threshold}
		if fs.StringStatistics != nil {
			res.Threshold = cons.CategoricalThreshold()
		}
		for _, v := range values {
			if !isMissing(v) {
				res.Present++
			}
		}
		res.Completeness = fraction(res.Present, len(rows))
		if len(rows) == 0 {
			rep.Features = append(rep.Features, res)
			continue
		}
		if evaluate && short > 0 {
			missing := 0
			for _, r := range rows {
				if len(r) <= j {
					missing++
				}
			}
			if missing > 0 {
				rep.add(fs.Name, CheckMissingColumn, fmt.Sprintf("There are missing columns in current dataset. Number of columns in current dataset: %d, Number of columns in baseline constraints: %d (column %d is absent from %d of %d rows)", width-1, width, j+1, missing, len(rows)))
			}
		}
		if evaluate && res.Completeness < fc.Completeness {
			rep.add(fs.Name, CheckCompleteness, fmt.Sprintf("Data completeness requirement is not met. Expected completeness: %s%%, Observed completeness: %s%%", pct(fc.Completeness), pct(res.Completeness)))
		}
		switch {
		case fs.NumericalStatistics != nil:
			xs, bad := numbersOf(values, fs.InferredType)
			if evaluate && bad > 0 && res.Present > 0 {
				match := fraction(res.Present-bad, res.Present)
				if want := orOne(mc.DatatypeCheckThreshold); match < want {
					rep.add(fs.Name, CheckDataType, fmt.Sprintf("Data type match requirement is not met. Expected data type: %s, Expected match: %s%%. Observed: Only %s%% of data is %s.", fs.InferredType, pct(want), pct(match), fs.InferredType))
				}
			}
			if compare && len(xs) > 0 {
				res.Compared, res.Distance = true, numericDistance(fs.NumericalStatistics.Distribution.KLL.Buckets, xs)
			}
		case fs.StringStatistics != nil:
			if evaluate && fc.StringConstraints != nil && res.Present > 0 {
				out, example := outsideDomain(values, fc.StringConstraints.Domains)
				if out > 0 {
					match := fraction(res.Present-out, res.Present)
					if want := orOne(mc.DomainContentThreshold); match < want {
						rep.add(fs.Name, CheckCategoricalValues, fmt.Sprintf("Baseline domain does not hold %s%% of the current values (for example %q); expected match: %s%%", pct(1-match), example, pct(want)))
					}
				}
			}
			if compare && res.Present > 0 {
				res.Compared, res.Distance = true, categoricalDistance(fs.StringStatistics.Distribution.Categorical.Buckets, values)
			}
		}
		if res.Compared && res.Distance > res.Threshold {
			res.Drifted = true
			rep.add(fs.Name, CheckBaselineDrift, fmt.Sprintf("Baseline drift distance: %s exceeds threshold: %s", num(res.Distance), num(res.Threshold)))
		}
		rep.MaxDistance = max(rep.MaxDistance, res.Distance)
		rep.Features = append(rep.Features, res)
	}
	if evaluate && long > 0 {
		for j := width; j < widest; j++ {
			rep.add("_c"+strconv.Itoa(j), CheckExtraColumn, fmt.Sprintf("There are extra columns in current dataset. Number of columns in current dataset: %d, Number of columns in baseline constraints: %d (%d of %d rows are too wide)", widest, width, long, len(rows)))
		}
	}
	slices.SortStableFunc(rep.Violations, func(a, b Violation) int {
		if a.FeatureName != b.FeatureName {
			return compareStrings(a.FeatureName, b.FeatureName)
		}
		return compareStrings(a.ConstraintCheckType, b.ConstraintCheckType)
	})
	return rep, nil
}

func (r *Report) add(feature, check, desc string) {
	r.Violations = append(r.Violations, Violation{FeatureName: feature, ConstraintCheckType: check, Description: desc})
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// orOne returns t, or 1 (every value must match) when t is unset.
func orOne(t float64) float64 {
	if t <= 0 {
		return 1
	}
	return t
}

func pct(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) }

func num(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }

// numbersOf returns the present values that fit typ, sorted, and how many present values did not.
// An Integral feature takes integers only; a Fractional one any finite number.
func numbersOf(values []string, typ string) ([]float64, int) {
	xs := make([]float64, 0, len(values))
	bad := 0
	for _, v := range values {
		if isMissing(v) {
			continue
		}
		f, integral, ok := parseNumber(v)
		if !ok || (typ == TypeIntegral && !integral) {
			bad++
			continue
		}
		xs = append(xs, f)
	}
	slices.Sort(xs)
	return xs, bad
}

// numericDistance returns the largest gap between the baseline CDF known at the bucket bounds
// and the empirical CDF of sorted xs, evaluated at the same points: just below the first lower
// bound, below each inner upper bound, and at or below the last upper bound.
func numericDistance(buckets []Bucket, xs []float64) float64 {
	var n float64
	for _, b := range buckets {
		n += b.Count
	}
	if n == 0 || len(buckets) == 0 {
		return 0
	}
	m := float64(len(xs))
	below := func(t float64) float64 { return float64(sort.SearchFloat64s(xs, t)) / m } // share of xs < t
	atMost := func(t float64) float64 {
		return float64(sort.Search(len(xs), func(i int) bool { return xs[i] > t })) / m
	}
	d := below(buckets[0].LowerBound)
	var cum float64
	for i, b := range buckets {
		cum += b.Count
		var fc float64
		if i == len(buckets)-1 {
			fc = atMost(b.UpperBound)
		} else {
			fc = below(b.UpperBound)
		}
		d = max(d, math.Abs(cum/n-fc))
	}
	return d
}

// categoricalDistance returns the L-infinity distance between the baseline's category
// frequencies and those of the present values.
func categoricalDistance(buckets []CategoryBucket, values []string) float64 {
	var n float64
	base := make(map[string]float64, len(buckets))
	for _, b := range buckets {
		base[b.Value] += b.Count
		n += b.Count
	}
	cur := map[string]float64{}
	var m float64
	for _, v := range values {
		if !isMissing(v) {
			cur[v]++
			m++
		}
	}
	if n == 0 || m == 0 {
		return 0
	}
	var d float64
	for k, c := range base {
		d = max(d, math.Abs(c/n-cur[k]/m))
	}
	for k, c := range cur {
		if _, ok := base[k]; !ok {
			d = max(d, c/m)
		}
	}
	return d
}

// outsideDomain counts present values not in domain and returns the first such value.
func outsideDomain(values []string, domain []string) (int, string) {
	in := make(map[string]bool, len(domain))
	for _, d := range domain {
		in[d] = true
	}
	out, first := 0, ""
	for _, v := range values {
		if isMissing(v) || in[v] {
			continue
		}
		if out == 0 {
			first = v
		}
		out++
	}
	return out, first
}
