package drift_test

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/kiln-dev/kiln/internal/drift"
)

// A baseline from four rows, then a window where every Length has grown: Length drifts, Sex
// does not.
func ExampleCompare() {
	header := []string{"Sex", "Length"}
	baseline := [][]string{{"M", "0.40"}, {"F", "0.45"}, {"I", "0.30"}, {"M", "0.50"}}
	stats, cons, err := drift.Baseline(header, baseline, drift.Options{Buckets: 4})
	if err != nil {
		panic(err)
	}
	window := [][]string{{"M", "0.62"}, {"F", "0.66"}, {"I", "0.55"}, {"M", "0.70"}}
	rep, err := drift.Compare(stats, cons, window)
	if err != nil {
		panic(err)
	}
	for _, f := range rep.Features {
		fmt.Printf("%s distance %.2f drifted %v\n", f.Name, f.Distance, f.Drifted)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(rep.ConstraintViolations())
	// Output:
	// Sex distance 0.00 drifted false
	// Length distance 1.00 drifted true
	// {
	//   "violations": [
	//     {
	//       "feature_name": "Length",
	//       "constraint_check_type": "baseline_drift_check",
	//       "description": "Baseline drift distance: 1 exceeds threshold: 0.1"
	//     }
	//   ]
	// }
}
