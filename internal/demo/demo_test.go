package demo_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/demo"
)

// TestTheDemoClosesTheLoop is kiln's end-to-end test: the whole story of `make run`, on a
// fresh state directory, through the real entry points. Run returns an error naming the step
// whose outcome was not as described; the printed story is checked for the milestones too.
func TestTheDemoClosesTheLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("the end-to-end demo builds, trains and serves the sample model")
	}
	dir := t.TempDir()
	var out bytes.Buffer
	err := demo.Run(context.Background(), demo.Options{Dir: dir, Out: &out})
	t.Log("\n" + out.String())
	require.NoError(t, err)

	story := out.String()
	for _, milestone := range []string{
		"webhook answered 200: push of 4e1243bd22c6 to main accepted",
		"governor: started abalone-prod-commit-4e1243bd22c6",
		"pipeline → RequestApproval",
		"deploy   → CreateEndpoint",
		"the endpoint serves predictions for held-out animals",
		"webhook answered 200: duplicate delivery, ignored",
		"governor: skipped (rule duplicate)",
		"OK → ALARM",
		"governor: started abalone-prod-drift-",
		"deploy   → UpdateEndpoint",
		"ShiftingTraffic  abalone-prod-commit-4e1243bd22c6-config  80% | abalone-prod-drift-",
		"kiln-prod-abalone-latency: OK → ALARM",
		"watch breached",
		"kiln-prod-abalone-latency → rolled-back",
		"the kiln bus carried kiln Watch Breached, kiln Rollback Completed",
		"version 2 serves again",
		"the kiln bus carried kiln Rollback Completed, kiln Drift Checked",
		"deployed (rollback)  v2",
		"an ML engineer: the latency alarm was the load balancer",
		"kiln drift run abalone --stage prod:",
		"FEATURE  ",
		"kiln status, drift: abalone prod",
		"the governor's answer to a re-push: to continue abalone-prod-commit-9fceb02d0ae5",
		"kiln redrive abalone-prod-commit-9fceb02d0ae5",
		"(redrive 1), now RUNNING",
		"the redriven run went on from RequestApproval",
		"Step Functions Execution Status Change: RUNNING → ABORTED → RUNNING (redriveCount 1) → SUCCEEDED (redriveCount 1)",
		"the loop closed in",
	} {
		assert.Contains(t, story, milestone)
	}
	assert.Less(t, strings.Index(story, "governor: started abalone-prod-commit"), strings.Index(story, "governor: skipped (rule duplicate)"),
		"the duplicate is refused after the first release")

	// The state stays behind for kiln status and kiln local.
	for _, p := range []string{"kiln.db", "webhook-secret", "s3"} {
		_, err := os.Stat(filepath.Join(dir, p))
		assert.NoError(t, err, p)
	}
}

func TestPolicyIsProductionWithShortWaits(t *testing.T) {
	p, err := demo.Policy()
	require.NoError(t, err)
	prod := p.Stages[demo.Stage]
	assert.Equal(t, "CANARY", prod.Deployment.Strategy, "the story shows a canary")
	assert.Equal(t, "manual", prod.Approval.Mode, "a person approves in the story")
	assert.LessOrEqual(t, prod.Deployment.WaitSeconds+prod.Deployment.BakeSeconds, 10)
}
