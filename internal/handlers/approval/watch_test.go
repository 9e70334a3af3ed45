package approval_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	kilnevents "github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/release"
)

// fakeWatcher answers Watch with watching and records the alarms it saw.
type fakeWatcher struct {
	watching release.Watching
	err      error
	alarms   []release.Alarm
}

func (f *fakeWatcher) Watch(_ context.Context, a release.Alarm) (release.Watching, error) {
	f.alarms = append(f.alarms, a)
	return f.watching, f.err
}

func alarmEvent(t *testing.T, name string) events.CloudWatchEvent {
	t.Helper()
	b, err := kilnevents.Sample(name)
	require.NoError(t, err)
	var ev events.CloudWatchEvent
	require.NoError(t, json.Unmarshal(b, &ev))
	return ev
}

func TestAnAlarmGoesToTheWatch(t *testing.T) {
	rolled := release.Watching{Breached: true, Breach: opsevents.Breach{Action: opsevents.ActionRolledBack, RollbackExecutionARN: "arn:x:rb", Model: "abalone", Stage: "prod"}}
	nothing := release.Watching{Breached: true, Breach: opsevents.Breach{Action: opsevents.ActionNoEarlierRelease}}
	tests := []struct {
		name        string
		sample      string
		watching    release.Watching
		err         error
		wantOutcome string
		wantErr     bool
	}{
		{name: "a breach that rolled back answers at once (the rollback's end is announced by its own event)",
			sample: "latency-alarm-alarm.json", watching: rolled, wantOutcome: approval.OutcomeWatched},
		{name: "a breach with nothing to roll back to", sample: "latency-alarm-alarm.json", watching: nothing,
			wantOutcome: approval.OutcomeWatched},
		{name: "an alarm outside the watch changes nothing", sample: "drift-alarm-alarm.json", watching: release.Watching{Why: "outside"},
			wantOutcome: approval.OutcomeWatched},
		{name: "an alarm going back to OK is not shown to the watch", sample: "drift-alarm-ok.json", wantOutcome: approval.OutcomeIgnored},
		{name: "a watch that cannot read the history is retried", sample: "latency-alarm-alarm.json", err: errors.New("s3 down"), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := &fakeWatcher{watching: tc.watching, err: tc.err}
			h := &approval.Handler{Watch: w, Log: slog.New(slog.DiscardHandler)}
			got, err := h.Handle(context.Background(), alarmEvent(t, tc.sample))
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantOutcome, got.Outcome)
			assert.Nil(t, got.Rollback, "the watch does not wait for the rollback")
			if tc.wantOutcome == approval.OutcomeIgnored {
				assert.Empty(t, w.alarms)
				return
			}
			require.Len(t, w.alarms, 1)
			assert.False(t, w.alarms[0].At.IsZero(), "the alarm's time is CloudWatch's state timestamp")
			assert.NotEmpty(t, w.alarms[0].Reason)
		})
	}
}
