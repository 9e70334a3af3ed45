package governor_test

import (
	"fmt"
	"time"

	"github.com/kiln-dev/kiln/internal/governor"
	"github.com/kiln-dev/kiln/internal/policy"
)

// A drift alarm that fires twice in one cooldown window starts one run: the second time the
// execution named after the window exists.
func ExampleGovernor_Decide() {
	g := governor.Governor{Policy: policy.Default(), Stage: "prod", Bucket: "kiln-prod-artifacts-000000000000-us-east-1"}
	alarm := []byte(`{"version":"0","id":"e1","detail-type":"CloudWatch Alarm State Change","source":"aws.cloudwatch",
		"account":"000000000000","time":"2026-11-20T14:05:40Z","region":"us-east-1","resources":[],
		"detail":{"alarmName":"kiln-drift-prod-abalone-Length","state":{"value":"ALARM"}}}`)
	now := time.Date(2026, 11, 20, 14, 6, 0, 0, time.UTC)

	plan, skipped := g.Plan(alarm, now)
	if skipped != nil {
		fmt.Println(skipped.Rule)
		return
	}
	first := g.Decide(plan, governor.Facts{}, now)
	fmt.Println(first.Action, first.ExecutionName)

	existing := &governor.Execution{Name: first.ExecutionName, Status: governor.StatusRunning, StartedAt: now}
	second := g.Decide(plan, governor.Facts{Existing: existing}, now.Add(time.Minute))
	fmt.Println(second.Action, second.Rule)
	// Output:
	// started abalone-prod-drift-20261120T1200
	// skipped duplicate
}
