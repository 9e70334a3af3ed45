package governor_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/policy"
)

func TestExecutionNames(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"a commit name keeps twelve characters of the SHA, lower case",
			governor.CommitExecutionName("abalone", "prod", "4E1243BD22C66E76C2BA9EDDC1F91394E57F9F83"), "abalone-prod-commit-4e1243bd22c6"},
		{"a drift name carries the start of its cooldown window",
			governor.DriftExecutionName("abalone", "prod", at("2026-11-20T17:59:59Z"), 6*time.Hour), "abalone-prod-drift-20261120T1200"},
		{"a drift name on a window boundary starts that window",
			governor.DriftExecutionName("abalone", "prod", at("2026-11-20T18:00:00Z"), 6*time.Hour), "abalone-prod-drift-20261120T1800"},
		{"a schedule name carries the event's minute in UTC",
			governor.ScheduleExecutionName("abalone", "staging", time.Date(2026, 11, 23, 4, 0, 59, 0, time.FixedZone("CET", 3600))), "abalone-staging-sched-20261123T0300"},
		{"a data name drops the quotes and dashes of a multipart etag",
			governor.DataExecutionName("abalone", "dev", `"D41D8CD98F00B204-3"`), "abalone-dev-data-d41d8cd98f00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.got) })
	}
}

func TestTheLongestNamesFitTheContract(t *testing.T) {
	model := "abcdefghijklmnop" // sixteen characters, the policy's maximum
	for _, n := range []string{
		governor.CommitExecutionName(model, "staging", "4e1243bd22c66e76c2ba9eddc1f91394e57f9f83"),
		governor.DriftExecutionName(model, "staging", at("2026-11-20T17:59:59Z"), time.Hour),
		governor.ScheduleExecutionName(model, "staging", at("2026-11-20T17:59:59Z")),
		governor.DataExecutionName(model, "staging", "b1946ac92492d2347c6235b4d2611184"),
	} {
		assert.LessOrEqual(t, len(n), 48, n)
	}
}

// TestReleaseNamesStayWithinThePolicysBudget pins policy.ReleaseNameOverhead to the names the
// governor makes: the policy refuses model and stage names whose endpoint config name
// (<release>-config) would pass SageMaker's 63 characters, so its arithmetic must match.
func TestReleaseNamesStayWithinThePolicysBudget(t *testing.T) {
	model, stage := "abalone", "prod"
	longest := 0
	for _, n := range []string{
		governor.CommitExecutionName(model, stage, "4e1243bd22c66e76c2ba9eddc1f91394e57f9f83"),
		governor.DriftExecutionName(model, stage, at("2026-11-20T17:59:59Z"), time.Hour),
		governor.ScheduleExecutionName(model, stage, at("2026-11-20T17:59:59Z")),
		governor.DataExecutionName(model, stage, "b1946ac92492d2347c6235b4d2611184"),
	} {
		longest = max(longest, len(n))
	}
	assert.Equal(t, policy.ReleaseNameOverhead, longest-len(model)-len(stage))
	assert.Equal(t, 35, policy.MaxModelAndStage)
}

func TestReasonOfExecution(t *testing.T) {
	tests := []struct {
		name, exec, model, stage, want string
		ok                             bool
	}{
		{"a commit run of the model", "abalone-prod-commit-4e1243bd22c6", "abalone", "prod", "commit", true},
		{"a training job derived from a drift run", "abalone-prod-drift-20261120T1200-0", "abalone", "prod", "drift", true},
		{"a schedule run", "abalone-prod-sched-20261120T0300", "abalone", "prod", "schedule", true},
		{"a new-data run", "abalone-prod-data-b1946ac92492", "abalone", "prod", "new-data", true},
		{"a run of another stage is not the model's", "abalone-staging-commit-4e1243bd22c6", "abalone", "prod", "", false},
		{"a run of a model whose name extends this one is not this model's", "a-prod-prod-commit-4e1243bd22c6", "a", "prod", "", false},
		{"a name with an unknown kind is not a pipeline run", "abalone-prod-manual-1", "abalone", "prod", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := governor.ReasonOfExecution(tc.exec, tc.model, tc.stage)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, got)
		})
	}
}
