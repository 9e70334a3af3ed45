package governor

import (
	"strconv"
	"strings"
	"time"

	"github.com/kiln-dev/kiln/statemachines"
)

// nameTime is the layout of the time in drift and schedule execution names (UTC, minutes).
const nameTime = "20060102T1504"

// Execution name kinds: the word after <model>-<stage>- in a pipeline execution's name.
const (
	kindCommit   = "commit"
	kindDrift    = "drift"
	kindSchedule = "sched"
	kindData     = "data"
)

var kindReasons = map[string]string{
	kindCommit:   statemachines.ReasonCommit,
	kindDrift:    statemachines.ReasonDrift,
	kindSchedule: statemachines.ReasonSchedule,
	kindData:     statemachines.ReasonNewData,
}

// CommitExecutionName returns <model>-<stage>-commit-<sha[:12]>, the idempotency key of a
// commit run: every event for one commit (webhook redelivery, CodeCommit and GitHub alike)
// collapses into one execution.
func CommitExecutionName(model, stage, sha string) string {
	return model + "-" + stage + "-" + kindCommit + "-" + cut(strings.ToLower(sha), 12)
}

// DriftExecutionName returns <model>-<stage>-drift-<window start>, where the window is the
// cooldown window (aligned to the Unix epoch, in UTC) holding t: racing drift alarms for one
// model within a window collapse into one execution.
func DriftExecutionName(model, stage string, t time.Time, cooldown time.Duration) string {
	return model + "-" + stage + "-" + kindDrift + "-" + WindowStart(t, cooldown).Format(nameTime)
}

// ScheduleExecutionName returns <model>-<stage>-sched-<event time to the minute, UTC>.
func ScheduleExecutionName(model, stage string, t time.Time) string {
	return model + "-" + stage + "-" + kindSchedule + "-" + t.UTC().Format(nameTime)
}

// DataExecutionName returns <model>-<stage>-data-<first 12 of version>, version being the
// object's ETag (or its sequencer when the event has no ETag), reduced to lower-case letters
// and digits: re-uploading the same bytes starts nothing new.
func DataExecutionName(model, stage, version string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(version) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		}
	}
	return model + "-" + stage + "-" + kindData + "-" + cut(b.String(), 12)
}

// WindowStart returns the start of the cooldown window holding t: windows are cooldown long
// and aligned to the Unix epoch, in UTC. A cooldown under a minute is treated as one minute.
func WindowStart(t time.Time, cooldown time.Duration) time.Time {
	if cooldown < time.Minute {
		cooldown = time.Minute
	}
	return t.UTC().Truncate(cooldown)
}

// ReasonOfExecution returns the trigger reason (commit, drift, schedule, new-data) encoded in
// a pipeline execution name of model and stage, or in a name derived from one (a training job
// "<execution>-<retry>"), and false when the name is not such a name. Names are compared
// exactly, so model "a" never claims the executions of model "a-prod".
func ReasonOfExecution(name, model, stage string) (string, bool) {
	rest, ok := strings.CutPrefix(name, model+"-"+stage+"-")
	if !ok {
		return "", false
	}
	kind, _, ok := strings.Cut(rest, "-")
	if !ok {
		return "", false
	}
	reason, ok := kindReasons[kind]
	return reason, ok
}

// MaxAttempts bounds the attempts of one idempotency key: the first run and its retries.
const MaxAttempts = 20

// AttemptName returns the execution name of attempt n of the idempotency key: the key itself
// for the first attempt, <key>-a<n> for a retry after a failed run (n ≥ 2).
func AttemptName(key string, n int) string {
	if n <= 1 {
		return key
	}
	return key + "-a" + strconv.Itoa(n)
}

// Failed reports an execution status that ended the run without success (FAILED,
// TIMED_OUT, ABORTED): its idempotency key may be tried again under the next attempt name.
func Failed(status string) bool {
	switch status {
	case "FAILED", "TIMED_OUT", "ABORTED":
		return true
	}
	return false
}

func cut(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
