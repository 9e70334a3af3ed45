package policy

import (
	"fmt"
	"slices"
)

// watchKinds are the alarm kinds a stage's watch may name, in the order docs list them.
var watchKinds = []string{WatchErrors, WatchLatency, WatchDrift}

// checkWatch reports the problems of a deployment's watch fields through bad, each under
// field (stages.<name>.deployment).
func checkWatch(d Deployment, field string, bad func(field, format string, args ...any)) {
	if d.WatchSeconds < 0 || d.WatchSeconds > 86400 {
		bad(field+".watchSeconds", "%d is outside 0..86400", d.WatchSeconds)
	}
	for i, k := range d.WatchAlarms {
		if !slices.Contains(watchKinds, k) {
			bad(fmt.Sprintf("%s.watchAlarms[%d]", field, i), "%q is not errors, latency or drift", k)
		}
	}
	if len(d.WatchAlarms) > 0 && d.WatchSeconds == 0 {
		bad(field+".watchAlarms", "names alarms but watchSeconds is 0: nothing would watch them")
	}
}
