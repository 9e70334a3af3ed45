// Package drift is kiln's own, model-agnostic data-quality monitor: it writes and reads SageMaker
// Model Monitor's file formats so that a user with Model Monitor and a user without get the same
// files, metrics and alarms.
//
//   - [Baseline] computes a baseline's statistics.json ([Statistics]) and constraints.json
//     ([Constraints]) from a table of feature rows.
//   - [Capture.ReadCapture] parses Model Monitor data capture files (JSON Lines) into feature rows,
//     counting malformed lines instead of failing.
//   - [Compare] checks captured rows against a baseline and returns a [Report] whose
//     [Report.ConstraintViolations] is constraint_violations.json.
//
// # How kiln's files differ from Model Monitor's
//
// The shapes are Model Monitor's; two numbers are computed differently, on purpose.
//
// Numerical distributions: Model Monitor keeps an Apache DataSketches KLL sketch and reports
// ten "kll" buckets drawn from it. kiln's buckets are an exact histogram instead: [BucketCount]
// (20 by default) equal-width bins from the baseline's minimum to its maximum, each holding
// values in [lower_bound, upper_bound) except the last, which also holds the maximum; counts
// are exact. The "sketch" object keeps Model Monitor's shape (parameters c and k, data as a
// list of levels) but holds a single level: the baseline's sorted values when there are at most
// k of them, otherwise k order statistics at evenly spaced ranks. kiln's [Compare] reads only
// the buckets.
//
// Distances: for a numerical feature, the distance is the largest gap between the baseline's
// and the window's empirical cumulative distribution functions (the Kolmogorov-Smirnov
// statistic), both evaluated at every bucket boundary and just below the baseline's minimum.
// Between boundaries the baseline's CDF is unknown, so the figure is a lower bound of the true
// statistic, exact when every value sits on a boundary and within one bucket's mass otherwise.
// For a categorical (String) feature, the distance is the L-infinity distance between the
// category frequencies of the two data sets, over the union of their categories.
//
// # Checks
//
// [Compare] treats captured rows as positional (cell j is baseline feature j, as in a headerless
// CSV request) and reports, per feature: missing_column_check when some rows are too short,
// extra_column_check (feature "_c<j>") when some are too wide, completeness_check when the
// share of present values falls below the constraint's completeness, data_type_check when the
// share of present values of the baseline's type falls below datatype_check_threshold (1.0:
// every value must match; an Integral feature takes integers only), categorical_values_check
// when the share of String values inside the baseline domain falls below
// domain_content_threshold, and baseline_drift_check when the distance exceeds
// comparison_threshold (categorical_comparison_threshold for String features). Empty cells and
// "nan", "null", "none", "na" (any case) count as missing. is_non_negative is written but not
// checked, as Model Monitor lists no violation type for it.
//
// All functions are safe for concurrent use; the types they return are plain values.
package drift
