package chaos

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	smtypes "github.com/aws/aws-sdk-go-v2/service/sagemaker/types"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/sagemaker"
)

// The commits pushed: the first release (live before a canary) and the one killed.
const (
	liveCommit   = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
	killedCommit = "0f1e2d3c4b5a69788796a5b4c3d2e1f001234567"
)

// phase is where the loop is when kiln local is killed, and what the truth is afterwards.
type phase struct {
	name string
	// live releases liveCommit first: a canary needs an endpoint to shift from.
	live bool
	// reach drives the execution of killedCommit into the phase.
	reach func(ctx context.Context, l *loop, execARN string)
	// approveAfter approves after the restart (the kill came before the decision).
	approveAfter bool
	// wantCause is empty when the interrupted run resumes and succeeds; otherwise the run
	// ends FAILED with this in its cause, and a retry under the governor's -a2 succeeds.
	wantCause string
}

var phases = []phase{
	{
		name: "during training", wantCause: sagemaker.LostInstanceReason,
		reach: func(ctx context.Context, l *loop, _ string) {
			l.await(ctx, "training", func() (bool, error) { return l.inTraining(ctx, killedCommit) })
			// The API says Training a moment before the program starts: kill once kiln has
			// recorded the running trainer, so the kill always leaves an orphan to reap.
			l.await(ctx, "the training process", func() (bool, error) { return len(recordedChildren(l.dir)) > 0, nil })
		},
	},
	{
		name: "during the approval wait", approveAfter: true,
		reach: func(ctx context.Context, l *loop, arn string) {
			l.await(ctx, "the approval wait", func() (bool, error) { return l.waitsForApproval(ctx, arn) })
		},
	},
	{
		name: "during a canary shift", live: true, wantCause: sagemaker.InterruptedUpdateReason,
		reach: func(ctx context.Context, l *loop, arn string) {
			l.approve(ctx, arn)
			l.await(ctx, "the canary shift", func() (bool, error) { return l.inDeployment(ctx, smtypes.VariantStatusActivatingTraffic) })
		},
	},
	{
		name: "during the bake", live: true, wantCause: sagemaker.InterruptedUpdateReason,
		reach: func(ctx context.Context, l *loop, arn string) {
			l.approve(ctx, arn)
			l.await(ctx, "the bake", func() (bool, error) { return l.inDeployment(ctx, smtypes.VariantStatusBaking) })
		},
	},
}

// TestSIGKILLInEveryPhaseLosesNothing kills kiln local with SIGKILL in each phase of a
// release, KILN_CHAOS_RUNS times (default 1), and checks after the restart that the run
// resumed and succeeded, or failed with a true cause and then succeeded on retry; that the
// endpoint serves an Approved package; that no execution is stuck; and that no process
// kiln started outlives it.
func TestSIGKILLInEveryPhaseLosesNothing(t *testing.T) {
	if os.Getenv("KILN_CHAOS") == "" {
		t.Skip("the SIGKILL fault-injection test takes minutes: run it with make chaos (KILN_CHAOS=1)")
	}
	runs := 1
	if n, err := strconv.Atoi(os.Getenv("KILN_CHAOS_RUNS")); err == nil && n > 0 {
		runs = n
	}
	bin := buildKiln(t, t.TempDir())
	for _, p := range phases {
		t.Run(p.name, func(t *testing.T) {
			for i := range runs {
				start := time.Now()
				outcome := killAndRestart(t, bin, p)
				t.Logf("chaos: SIGKILL %s, run %d/%d: %s (%.1fs)", p.name, i+1, runs, outcome, time.Since(start).Seconds())
			}
		})
	}
}

// killAndRestart plays one run of a phase with the kiln binary bin and says how it ended.
func killAndRestart(t *testing.T, bin string, p phase) string {
	ctx := context.Background()
	l := newLoop(t, bin)
	if p.live {
		l.release(ctx, liveCommit)
	}
	l.push(ctx, killedCommit)
	arn := l.execution(ctx, killedCommit, "")
	p.reach(ctx, l, arn)
	children := recordedChildren(l.dir)
	l.kiln.kill(t)
	waitNoProcesses(t, l.dir, 10*time.Second) // its children die with it
	l.start()
	if p.approveAfter {
		l.approve(ctx, arn)
	}
	x := l.finish(ctx, arn)
	outcome := "resumed and SUCCEEDED"
	if p.wantCause == "" {
		require.Equal(t, sfntypes.ExecutionStatusSucceeded, x.Status, "%s: %s", aws.ToString(x.Error), aws.ToString(x.Cause))
	} else {
		require.Equal(t, sfntypes.ExecutionStatusFailed, x.Status)
		assert.Contains(t, aws.ToString(x.Cause), p.wantCause, "the recorded cause is the stop")
		l.noAlarmFired(ctx)
		if p.live {
			assert.Contains(t, l.servesApproved(ctx), "/1", "the endpoint stays on the live release")
		}
		l.push(ctx, killedCommit)
		retry := l.execution(ctx, killedCommit, "-a2")
		l.approve(ctx, retry)
		r := l.finish(ctx, retry)
		require.Equal(t, sfntypes.ExecutionStatusSucceeded, r.Status, "retry: %s: %s", aws.ToString(r.Error), aws.ToString(r.Cause))
		outcome = "FAILED with the true cause, retry -a2 SUCCEEDED"
	}
	pkg := l.servesApproved(ctx)
	l.noneRunning(ctx)
	l.kiln.stop(t)
	waitNoProcesses(t, l.dir, 10*time.Second)
	assert.Empty(t, recordedChildren(l.dir), "pid records after a clean stop")
	return outcome + ", " + strconv.Itoa(len(children)) + " child processes recorded at the kill, then serving " + pkg
}
