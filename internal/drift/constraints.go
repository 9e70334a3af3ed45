package drift

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Enabled is Model Monitor's switch value for a check that runs.
const Enabled = "Enabled"

// DefaultThreshold is Model Monitor's default comparison_threshold for baseline drift.
const DefaultThreshold = 0.1

// Constraints is Model Monitor's constraints.json.
type Constraints struct {
	Version          float64             `json:"version"`
	Features         []FeatureConstraint `json:"features"`
	MonitoringConfig MonitoringConfig    `json:"monitoring_config"`
}

// FeatureConstraint constrains one column: Completeness is the least fraction of present
// values; NumConstraints apply to Integral and Fractional features, StringConstraints to String ones.
type FeatureConstraint struct {
	Name              string             `json:"name"`
	InferredType      string             `json:"inferred_type"`
	Completeness      float64            `json:"completeness"`
	NumConstraints    *NumConstraints    `json:"num_constraints,omitempty"`
	StringConstraints *StringConstraints `json:"string_constraints,omitempty"`
	// MonitoringConfigOverrides is kept as read and written back; kiln does not apply it.
	MonitoringConfigOverrides json.RawMessage `json:"monitoringConfigOverrides,omitempty"`
}

// NumConstraints hold is_non_negative, true when every baseline value was at least 0.
type NumConstraints struct {
	IsNonNegative bool `json:"is_non_negative"`
}

// StringConstraints hold the domain: every category the baseline saw, sorted.
type StringConstraints struct {
	Domains []string `json:"domains"`
}

// MonitoringConfig says which checks run and how strict they are.
type MonitoringConfig struct {
	EvaluateConstraints     string                  `json:"evaluate_constraints"`
	EmitMetrics             string                  `json:"emit_metrics"`
	DatatypeCheckThreshold  float64                 `json:"datatype_check_threshold"`
	DomainContentThreshold  float64                 `json:"domain_content_threshold"`
	DistributionConstraints DistributionConstraints `json:"distribution_constraints"`
}

// DistributionConstraints configure the baseline drift check: a feature drifts when its
// distance exceeds ComparisonThreshold (for String features CategoricalComparisonThreshold,
// when set). kiln accepts "Robust" and "Simple" as the comparison method and "LInfinity" and
// "ChiSquared" as the categorical drift method, and computes the distances described in the
// package documentation for all of them.
type DistributionConstraints struct {
	PerformComparison              string  `json:"perform_comparison"`
	ComparisonThreshold            float64 `json:"comparison_threshold"`
	ComparisonMethod               string  `json:"comparison_method"`
	CategoricalComparisonThreshold float64 `json:"categorical_comparison_threshold,omitempty"`
	CategoricalDriftMethod         string  `json:"categorical_drift_method,omitempty"`
}

// Feature returns the constraint of the named feature, or nil.
func (c *Constraints) Feature(name string) *FeatureConstraint {
	for i := range c.Features {
		if c.Features[i].Name == name {
			return &c.Features[i]
		}
	}
	return nil
}

// Threshold returns the drift threshold: comparison_threshold, or [DefaultThreshold] when unset.
func (c *Constraints) Threshold() float64 {
	if t := c.MonitoringConfig.DistributionConstraints.ComparisonThreshold; t > 0 {
		return t
	}
	return DefaultThreshold
}

// CategoricalThreshold returns the drift threshold of String features:
// categorical_comparison_threshold, else [Constraints.Threshold].
func (c *Constraints) CategoricalThreshold() float64 {
	if t := c.MonitoringConfig.DistributionConstraints.CategoricalComparisonThreshold; t > 0 {
		return t
	}
	return c.Threshold()
}

// MaxDomain is the most distinct values a String feature may have for [Baseline] to write its
// domain: a column with more (identifiers, free text) gets no string_constraints, so no
// categorical_values_check, as Model Monitor lists domains only for small cardinality.
const MaxDomain = 1000

// Options tune [Baseline]. The zero value means the defaults.
type Options struct {
	// Buckets is the number of histogram buckets per number column; default [BucketCount].
	Buckets int
	// Threshold is the drift comparison_threshold written to the constraints; default
	// [DefaultThreshold], at most 1 (distances lie in [0, 1]).
	Threshold float64
}

// Baseline returns the statistics and suggested constraints of a baseline table: header names
// the columns, rows hold the values as text (as they arrive in a serving request). It fails,
// changing nothing, on an empty table, a bad header or a bad option.
func Baseline(header []string, rows [][]string, opts Options) (*Statistics, *Constraints, error) {
	if opts.Buckets == 0 {
		opts.Buckets = BucketCount
	}
	if opts.Threshold == 0 {
		opts.Threshold = DefaultThreshold
	}
	if opts.Threshold < 0 || opts.Threshold > 1 {
		return nil, nil, fmt.Errorf("compute baseline: threshold %v: want a number in (0, 1]", opts.Threshold)
	}
	if len(rows) == 0 {
		return nil, nil, errors.New("compute baseline: no rows")
	}
	st, err := ComputeStatistics(header, rows, opts.Buckets)
	if err != nil {
		return nil, nil, fmt.Errorf("compute baseline: %w", err)
	}
	cons := &Constraints{MonitoringConfig: MonitoringConfig{
		EvaluateConstraints:    Enabled,
		EmitMetrics:            Enabled,
		DatatypeCheckThreshold: 1.0,
		DomainContentThreshold: 1.0,
		DistributionConstraints: DistributionConstraints{
			PerformComparison:   Enabled,
			ComparisonThreshold: opts.Threshold,
			ComparisonMethod:    "Robust",
			// Written out so that Model Monitor itself reads the same rule kiln applies.
			CategoricalComparisonThreshold: opts.Threshold,
			CategoricalDriftMethod:         "LInfinity",
		},
	}}
	for _, f := range st.Features {
		fc := FeatureConstraint{Name: f.Name, InferredType: f.InferredType}
		switch {
		case f.NumericalStatistics != nil:
			ns := f.NumericalStatistics
			fc.Completeness = fraction(ns.Common.NumPresent, len(rows))
			fc.NumConstraints = &NumConstraints{IsNonNegative: ns.Min >= 0}
		case f.StringStatistics != nil:
			ss := f.StringStatistics
			fc.Completeness = fraction(ss.Common.NumPresent, len(rows))
			dom := make([]string, 0, len(ss.Distribution.Categorical.Buckets))
			for _, b := range ss.Distribution.Categorical.Buckets {
				dom = append(dom, b.Value)
			}
			if len(dom) <= MaxDomain {
				fc.StringConstraints = &StringConstraints{Domains: dom}
			}
		}
		cons.Features = append(cons.Features, fc)
	}
	return st, cons, nil
}

func fraction(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// enabled reports whether a Model Monitor switch is on; an unset switch counts as on.
func enabled(s string) bool {
	return s == "" || strings.EqualFold(s, Enabled)
}
