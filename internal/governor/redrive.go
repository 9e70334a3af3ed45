package governor

import "fmt"

// redriveHint tells the person reading a decision about a failed run how to continue that
// run from the state that failed instead of starting over: kiln redrive, or Step Functions'
// RedriveExecution on the execution (within 14 days of its end).
func redriveHint(name, stage string) string {
	return fmt.Sprintf("; to continue %s from the state that failed instead, run kiln redrive %s --stage %s (Step Functions RedriveExecution)", name, name, stage)
}
