package evaluate

import (
	"fmt"
	"math"

	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/statemachines"
)

// tolerance absorbs floating-point error at the regression limit: a candidate exactly at the
// limit (4.2 against 4.0 with 5%) passes although 0.2/4 computes as 0.05000000000000004.
const tolerance = 1e-9

// verdict is the gate's judgement of one candidate.
type verdict struct {
	passed bool
	// compared is true when the candidate was compared with a champion's value.
	compared bool
	// delta is value minus the champion's; relative divides it by |champion| (0 when the
	// champion's value is 0 or there is no comparison).
	delta, relative float64
	why             string
}

// judge applies the gate: the value must be within the threshold, and (when MaxRegression is
// not negative and the champion's value is known) not worse than the champion by more than
// MaxRegression, relative to the champion. A champion whose value is 0 is compared by the
// absolute delta instead.
func judge(g policy.Gate, value float64, champion *statemachines.Champion, known bool) verdict {
	direction := "lower is better"
	within := value <= g.Threshold
	if g.HigherIsBetter {
		direction = "higher is better"
		within = value >= g.Threshold
	}
	name := g.Metric
	if math.IsNaN(value) || math.IsInf(value, 0) {
		return verdict{why: fmt.Sprintf("%s is %v, not a finite number", name, value)}
	}
	if !within {
		return verdict{why: fmt.Sprintf("%s %s is outside the threshold %s (%s)", name, num(value), num(g.Threshold), direction)}
	}
	v := verdict{passed: true}
	switch {
	case champion == nil:
		v.why = fmt.Sprintf("%s %s is within the threshold %s (%s); there is no model in production to compare with",
			name, num(value), num(g.Threshold), direction)
		return v
	case !known:
		v.why = fmt.Sprintf("%s %s is within the threshold %s (%s); the model in production (%s) has no report to compare with",
			name, num(value), num(g.Threshold), direction, champion.ModelPackageARN)
		return v
	}
	v.compared = true
	v.delta = value - champion.Value
	worse := v.delta // how much worse the candidate is, in the metric's units
	if g.HigherIsBetter {
		worse = -v.delta
	}
	regression := worse
	if champion.Value != 0 {
		v.relative = v.delta / math.Abs(champion.Value)
		regression = worse / math.Abs(champion.Value)
	}
	compare := fmt.Sprintf("the model in production (%s) has %s, delta %s (%+.2f%%)",
		champion.ModelPackageARN, num(champion.Value), signed(v.delta), 100*v.relative)
	if g.MaxRegression >= 0 && regression > g.MaxRegression+tolerance {
		v.passed = false
		v.why = fmt.Sprintf("%s %s is within the threshold %s (%s) but %.2f%% worse than production, more than the allowed %.2f%%: %s",
			name, num(value), num(g.Threshold), direction, 100*regression, 100*g.MaxRegression, compare)
		return v
	}
	v.why = fmt.Sprintf("%s %s is within the threshold %s (%s) and within %.2f%% of production: %s",
		name, num(value), num(g.Threshold), direction, 100*math.Max(g.MaxRegression, 0), compare)
	if g.MaxRegression < 0 {
		v.why = fmt.Sprintf("%s %s is within the threshold %s (%s); the comparison with production is disabled: %s",
			name, num(value), num(g.Threshold), direction, compare)
	}
	return v
}
