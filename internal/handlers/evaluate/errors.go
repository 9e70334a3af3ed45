package evaluate

import (
	"fmt"

	"github.com/kiln-dev/kiln/statemachines"
)

// ErrEvaluationReport is the error name of an EvaluationReportError.
const ErrEvaluationReport = "EvaluationReportError"

// ModelRejectedError is a candidate that failed the gate: its metric is outside the
// threshold, or worse than the model in production by more than the allowed regression.
// The pipeline catches it by name (statemachines.ErrModelRejected).
type ModelRejectedError struct {
	Metric    string
	Value     float64
	Threshold float64
	// Champion is the model in production, nil when there is none.
	Champion *statemachines.Champion
	// Delta and RelativeDelta compare Value with the champion's (0 without a comparison).
	Delta         float64
	RelativeDelta float64
	// Why says in a sentence why the candidate failed.
	Why string
}

// Error returns the reason with the figures: value, threshold, champion and delta.
func (e *ModelRejectedError) Error() string {
	champion := "none"
	if e.Champion != nil {
		champion = fmt.Sprintf("%s (%s)", e.Champion.ModelPackageARN, num(e.Champion.Value))
	}
	return fmt.Sprintf("model rejected: %s (value %s, threshold %s, champion %s, delta %s)",
		e.Why, num(e.Value), num(e.Threshold), champion, signed(e.Delta))
}

// ErrorName returns ModelRejectedError.
func (e *ModelRejectedError) ErrorName() string { return statemachines.ErrModelRejected }

// EvaluationReportError is an evaluation report that is missing, unreadable, or lacks the
// gate's metric: the candidate's (inside the job's output.tar.gz) or the champion's.
type EvaluationReportError struct {
	// URI locates the report ("s3://bucket/key!member" for a member of an archive).
	URI string
	// Problem says what is wrong.
	Problem string
}

// Error names the report and the problem.
func (e *EvaluationReportError) Error() string {
	return fmt.Sprintf("evaluation report %s: %s", e.URI, e.Problem)
}

// ErrorName returns EvaluationReportError.
func (e *EvaluationReportError) ErrorName() string { return ErrEvaluationReport }
