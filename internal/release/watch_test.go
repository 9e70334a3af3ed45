package release

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/statemachines"
)

const (
	pkg1 = "arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/1"
	pkg2 = "arn:aws:sagemaker:us-east-1:000000000000:model-package/kiln-prod-abalone/2"
	ep   = "kiln-prod-abalone"
)

var t0 = time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)

// watchFixture is a prod releaser over fakes whose history holds the given records.
type watchFixture struct {
	r   *Releaser
	s3  *memS3
	sfn *fakeSFN
	bus *fakeBus
}

func newWatchFixture(t *testing.T, watchSeconds int, kinds []string, recs ...Record) watchFixture {
	t.Helper()
	p := policy.Default()
	prod := p.Stages["prod"]
	prod.Deployment.WatchSeconds, prod.Deployment.WatchAlarms = watchSeconds, kinds
	p.Stages["prod"] = prod
	f := watchFixture{s3: &memS3{}, sfn: &fakeSFN{status: sfntypes.ExecutionStatusSucceeded}, bus: &fakeBus{}}
	for i, rec := range recs {
		f.s3.put(HistoryPrefix(ep)+rec.Time().Format(time.RFC3339Nano)+string(rune('a'+i))+".json", rec)
	}
	f.r = &Releaser{SFN: f.sfn, SageMaker: &fakeSageMaker{status: map[string]string{pkg1: "Approved", pkg2: "Approved"}}, S3: f.s3,
		Bucket: "b", DeployARN: "arn:aws:states:us-east-1:000000000000:stateMachine:kiln-prod-deploy", Policy: p, Stage: "prod",
		Clock: func() time.Time { return t0.Add(time.Hour) }, Log: slog.New(slog.DiscardHandler),
		Events: &opsevents.Publisher{Events: f.bus, Bus: "kiln-prod-kiln"}}
	return f
}

func deployed(arn, id string, at time.Time) Record {
	return Record{EndpointName: ep, EndpointConfigName: id + "-config", ModelPackageARN: arn, ReleaseID: id, Model: "abalone", Stage: "prod",
		Strategy: "CANARY", DeployedAt: at.Format(time.RFC3339Nano)}
}

func TestTheWatchRollsBackOnlyABreachInsideItsWindow(t *testing.T) {
	v1 := deployed(pkg1, "abalone-prod-commit-1", t0)
	v2 := deployed(pkg2, "abalone-prod-commit-2", t0.Add(10*time.Minute))
	latency := Alarm{Name: ep + "-latency", Reason: "Threshold Crossed: p99 812000", At: t0.Add(15 * time.Minute)}
	tests := []struct {
		name       string
		seconds    int
		kinds      []string
		recs       []Record
		alarm      Alarm
		wantAction string // "" when nothing is done
		wantWhy    string
	}{
		{name: "a latency alarm five minutes into an hour's watch rolls back to the previous release", seconds: 3600, recs: []Record{v1, v2},
			alarm: latency, wantAction: opsevents.ActionRolledBack},
		{name: "an alarm after the watch ended changes nothing", seconds: 60, recs: []Record{v1, v2}, alarm: latency, wantWhy: "outside the 60s watch"},
		{name: "an alarm of a kind the stage does not watch changes nothing", seconds: 3600, kinds: []string{"errors"}, recs: []Record{v1, v2},
			alarm: latency, wantWhy: "does not watch latency"},
		{name: "a stage without a watch changes nothing", seconds: 0, recs: []Record{v1, v2}, alarm: latency, wantWhy: "does not watch"},
		{name: "another stage's alarm changes nothing", seconds: 3600, recs: []Record{v1, v2},
			alarm: Alarm{Name: "kiln-staging-abalone-latency", At: latency.At}, wantWhy: "no watched alarm"},
		{name: "a breach of the first release has nothing to roll back to and says so", seconds: 3600, recs: []Record{v2},
			alarm: latency, wantAction: opsevents.ActionNoEarlierRelease},
		{name: "a release that a rollback put back is not watched again", seconds: 3600,
			recs: []Record{v1, v2, deployed(pkg1, "abalone-prod-rb-v1-0000abcd", t0.Add(12*time.Minute))}, alarm: latency, wantWhy: "does not chain"},
		{name: "a drift alarm counts when the stage watches drift", seconds: 3600, kinds: []string{"drift"}, recs: []Record{v1, v2},
			alarm: Alarm{Name: "kiln-drift-prod-abalone-Length", At: latency.At}, wantAction: opsevents.ActionRolledBack},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newWatchFixture(t, tc.seconds, tc.kinds, tc.recs...)
			before := len(f.s3.objs)
			got, err := f.r.Watch(context.Background(), tc.alarm)
			require.NoError(t, err)
			if tc.wantAction == "" {
				assert.False(t, got.Breached)
				assert.Contains(t, got.Why, tc.wantWhy)
				assert.Empty(t, f.sfn.started, "nothing started")
				assert.Len(t, f.s3.objs, before, "nothing recorded")
				assert.Empty(t, f.bus.got, "nothing announced")
				return
			}
			assert.True(t, got.Breached)
			assert.Equal(t, tc.wantAction, got.Breach.Action)
			assert.Equal(t, []string{opsevents.WatchBreached}, f.bus.detailTypes())
			assert.InDelta(t, 300, got.Breach.SecondsIntoWatch, 0.001)
			if tc.wantAction != opsevents.ActionRolledBack {
				assert.Empty(t, f.sfn.started)
				return
			}
			require.Len(t, f.sfn.started, 1)
			var in statemachines.DeployInput
			require.NoError(t, json.Unmarshal([]byte(aws.ToString(f.sfn.started[0].Input)), &in))
			assert.Equal(t, pkg1, in.ModelPackageARN, "back to the previous release")
			cfg, _ := json.Marshal(in.Deploy.DeploymentConfig)
			assert.NotContains(t, string(cfg), tc.alarm.Name, "the breached alarm does not guard its own rollback")
			assert.Equal(t, pkg1, got.Breach.ToPackageARN)
			hist, err := f.r.History(context.Background(), ep)
			require.NoError(t, err)
			last := hist[len(hist)-1]
			assert.Equal(t, KindRollback, last.Kind)
			assert.Equal(t, WatchedBy, last.RequestedBy)
			assert.Contains(t, last.Reason, tc.alarm.Name)
		})
	}
}

func TestARepeatedAlarmStartsTheRollbackOnce(t *testing.T) {
	v1 := deployed(pkg1, "abalone-prod-commit-1", t0)
	v2 := deployed(pkg2, "abalone-prod-commit-2", t0.Add(10*time.Minute))
	f := newWatchFixture(t, 3600, nil, v1, v2)
	a := Alarm{Name: ep + "-5xx", Reason: "errors", At: t0.Add(11 * time.Minute)}
	first, err := f.r.Watch(context.Background(), a)
	require.NoError(t, err)
	again, err := f.r.Watch(context.Background(), a)
	require.NoError(t, err)
	assert.Equal(t, opsevents.ActionRolledBack, first.Breach.Action)
	assert.Equal(t, opsevents.ActionAlreadyRollingBack, again.Breach.Action)
	assert.Len(t, f.sfn.started, 1)
}

func TestAwaitSaysHowTheRollbackEndedAndPutsNothing(t *testing.T) {
	for _, status := range []sfntypes.ExecutionStatus{sfntypes.ExecutionStatusSucceeded, sfntypes.ExecutionStatusFailed} {
		t.Run("a rollback that ended "+strings.ToLower(string(status)), func(t *testing.T) {
			f := newWatchFixture(t, 0, nil, deployed(pkg1, "abalone-prod-commit-1", t0), deployed(pkg2, "abalone-prod-commit-2", t0.Add(time.Minute)))
			f.sfn.status = status
			rolled, err := f.r.Rollback(context.Background(), "abalone", "prod", 0, "ada", "v2 under-predicts")
			require.NoError(t, err)
			ev, err := f.r.Await(context.Background(), rolled)
			require.NoError(t, err)
			assert.Equal(t, string(status), ev.Status)
			assert.Equal(t, "ada", ev.RequestedBy)
			assert.Equal(t, 1, ev.ToVersion)
			assert.InDelta(t, 3, ev.Seconds, 0.001)
			assert.NotContains(t, f.bus.detailTypes(), opsevents.RollbackCompleted,
				"the end is announced from the execution's status change, not by whoever waits")
		})
	}
}

// TestAnnounceSpeaksForRollbacksOnly checks what the approval function does with the deploy
// workflow's status changes: a rollback's end is announced with who asked, why and from which
// package (all carried in the execution's input), and any other deploy is left alone.
func TestAnnounceSpeaksForRollbacksOnly(t *testing.T) {
	f := newWatchFixture(t, 0, nil, deployed(pkg1, "abalone-prod-commit-1", t0), deployed(pkg2, "abalone-prod-commit-2", t0.Add(time.Minute)))
	rolled, err := f.r.Rollback(context.Background(), "abalone", "prod", 0, "ada", "v2 under-predicts")
	require.NoError(t, err)
	require.Len(t, f.sfn.started, 1)
	start, stop := t0.Add(time.Hour), t0.Add(time.Hour+90*time.Second)
	ended := Ended{ExecutionARN: rolled.ExecutionARN, Name: rolled.ReleaseID, Status: "FAILED", Error: "EndpointUpdateFailed",
		Cause: "alarm", Input: aws.ToString(f.sfn.started[0].Input), StartDate: start, StopDate: stop}

	ev, ok, err := f.r.Announce(context.Background(), ended)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, opsevents.Rollback{Model: "abalone", Stage: "prod", EndpointName: ep, Status: "FAILED", Error: "EndpointUpdateFailed",
		Cause: "alarm", FromPackageARN: pkg2, ToPackageARN: pkg1, ToVersion: 1, RequestedBy: "ada", Reason: "v2 under-predicts",
		ExecutionARN: rolled.ExecutionARN, RequestedAt: start, CompletedAt: stop, Seconds: 90}, ev)
	assert.Equal(t, []string{opsevents.RollbackCompleted}, f.bus.detailTypes())

	// An event that left the input out (over 248 KB) is completed from Step Functions.
	ended.Input = ""
	again, ok, err := f.r.Announce(context.Background(), ended)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, ev, again)

	// A release is no rollback: nothing is put.
	release, err := json.Marshal(statemachines.DeployInput{ReleaseID: "abalone-prod-commit-3", Model: "abalone", Stage: "prod", ModelPackageARN: pkg2})
	require.NoError(t, err)
	_, ok, err = f.r.Announce(context.Background(), Ended{ExecutionARN: "arn:x:abalone-prod-commit-3", Status: "SUCCEEDED",
		Input: string(release), StartDate: start, StopDate: stop})
	require.NoError(t, err)
	assert.False(t, ok)
	assert.Len(t, f.bus.detailTypes(), 2, "only the two rollback announcements")
}
