package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTheWatchIsCheckedAndChangesNothingWhenWrong(t *testing.T) {
	tests := []struct {
		name    string
		seconds int
		alarms  []string
		wantErr string // "" when valid
	}{
		{name: "an hour's watch of errors and latency is valid", seconds: 3600, alarms: []string{WatchErrors, WatchLatency}},
		{name: "a watch of every alarm kind may leave the list out", seconds: 600},
		{name: "no watch at all is valid", seconds: 0},
		{name: "a watch longer than a day is refused", seconds: 86401, wantErr: "stages.prod.deployment.watchSeconds: 86401 is outside 0..86400"},
		{name: "a negative watch is refused", seconds: -1, wantErr: "watchSeconds: -1 is outside"},
		{name: "an unknown alarm kind is refused by position", seconds: 60, alarms: []string{WatchDrift, "quality"},
			wantErr: `stages.prod.deployment.watchAlarms[1]: "quality" is not errors, latency or drift`},
		{name: "alarms without a watch window are refused", alarms: []string{WatchDrift}, wantErr: "watchSeconds is 0: nothing would watch them"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Default()
			prod := p.Stages["prod"]
			prod.Deployment.WatchSeconds, prod.Deployment.WatchAlarms = tc.seconds, tc.alarms
			p.Stages["prod"] = prod
			err := p.Validate()
			if tc.wantErr == "" {
				assert.NoError(t, err)
				return
			}
			assert.ErrorContains(t, err, tc.wantErr)
		})
	}
}

func TestWatchesSaysWhichAlarmKindsAStageWatches(t *testing.T) {
	assert.False(t, Deployment{}.Watches(WatchErrors), "no window, no watch")
	assert.True(t, Deployment{WatchSeconds: 60}.Watches(WatchDrift), "an empty list watches every kind")
	assert.False(t, Deployment{WatchSeconds: 60, WatchAlarms: []string{WatchErrors}}.Watches(WatchLatency))
	assert.Equal(t, 3600, Default().Stages["prod"].Deployment.WatchSeconds, "production is watched for an hour by default")
}
