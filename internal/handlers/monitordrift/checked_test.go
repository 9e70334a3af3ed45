package monitordrift

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/opsevents"
)

// busRecorder records the entries put on the bus.
type busRecorder struct{ details []opsevents.Drift }

func (b *busRecorder) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	for _, e := range in.Entries {
		var d opsevents.Drift
		if aws.ToString(e.DetailType) == opsevents.DriftChecked && json.Unmarshal([]byte(aws.ToString(e.Detail)), &d) == nil {
			b.details = append(b.details, d)
		}
	}
	return &eventbridge.PutEventsOutput{}, nil
}

func TestEveryCheckThatRanIsRecordedAsLatestAndAnnounced(t *testing.T) {
	at := time.Date(2026, 11, 22, 18, 10, 0, 0, time.UTC)
	tests := []struct {
		name       string
		rows       func([][]string) [][]string
		wantStatus string
		wantEvent  bool
		drifted    []string
	}{
		{name: "a drifted window lists each feature's distance against its threshold", rows: func(r [][]string) [][]string { return shifted(r[3300:3700], 0.15, 1, 2) },
			wantStatus: StatusCompleted, wantEvent: true, drifted: []string{"Length", "Diameter"}},
		{name: "a window with too few rows is announced as such", rows: func(r [][]string) [][]string { return r[3300:3310] },
			wantStatus: StatusInsufficientData, wantEvent: true, drifted: []string{}},
		{name: "an endpoint never deployed is neither recorded nor announced", wantStatus: StatusNoDeployment},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, rows := world(t)
			if tc.rows != nil {
				b[capturePath+"AllTraffic/2026/11/22/18/a.jsonl"] = captureFile(t, tc.rows(rows), at)
			} else {
				delete(b, "kiln-artifacts/deployments/abalone-prod/current.json")
			}
			bus := &busRecorder{}
			h := &Handler{S3: b.s3(), Bucket: "kiln-artifacts", Clock: func() time.Time { return now },
				CloudWatch: &fakeCloudWatch{PutMetricDataFunc: func(context.Context, *cloudwatch.PutMetricDataInput) (*cloudwatch.PutMetricDataOutput, error) {
					return &cloudwatch.PutMetricDataOutput{}, nil
				}},
				Events: &opsevents.Publisher{Events: bus, Bus: "kiln-prod-kiln"}}
			sum, err := h.Run(context.Background(), Input{EndpointName: "abalone-prod", WindowMinutes: 60})
			require.NoError(t, err)
			assert.Equal(t, tc.wantStatus, sum.Status)
			latest, recorded := b["kiln-artifacts/"+LatestKey("abalone-prod")]
			if !tc.wantEvent {
				assert.False(t, recorded)
				assert.Empty(t, bus.details)
				return
			}
			require.True(t, recorded)
			var got Summary
			require.NoError(t, json.Unmarshal(latest, &got))
			assert.Equal(t, tc.wantStatus, got.Status)
			require.Len(t, bus.details, 1)
			ev := bus.details[0]
			assert.Equal(t, tc.drifted, ev.DriftedFeatures)
			if tc.wantStatus == StatusCompleted {
				require.Len(t, ev.Features, 8)
				for _, f := range ev.Features {
					assert.Equal(t, f.Distance > f.Threshold, f.Drifted, "%s: %v against %v", f.Name, f.Distance, f.Threshold)
				}
			}
		})
	}
}
