package release

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTimelineTellsWhatWasLiveAndEveryRollbackWithWhoAndWhy(t *testing.T) {
	v1 := deployed(pkg1, "abalone-prod-commit-1", t0)
	v2 := deployed(pkg2, "abalone-prod-commit-2", t0.Add(10*time.Minute))
	req := Record{Kind: KindRollback, EndpointName: ep, ModelPackageARN: pkg1, ReleaseID: "abalone-prod-rb-v1-0000abcd", Model: "abalone", Stage: "prod",
		RequestedAt: t0.Add(20 * time.Minute).Format(time.RFC3339Nano), RequestedBy: "ada", Reason: "v2 under-predicts", FromPackageARN: pkg2}
	back := deployed(pkg1, "abalone-prod-rb-v1-0000abcd", t0.Add(21*time.Minute))
	f := newWatchFixture(t, 0, nil, v1, v2, req, back)
	es, err := f.r.Timeline(context.Background(), "abalone", "prod")
	require.NoError(t, err)
	require.Len(t, es, 4)
	assert.Equal(t, []string{EventDeployed, EventDeployed, EventRollback, EventDeployed}, []string{es[0].Event, es[1].Event, es[2].Event, es[3].Event})
	assert.Equal(t, 1, es[0].Version)
	assert.Equal(t, "commit", es[0].Trigger)
	assert.Equal(t, "c0ffee1", es[0].Commit)
	assert.Equal(t, "ada: looks good", es[0].Approver)
	assert.Equal(t, "CANARY", es[0].Strategy)
	require.NotNil(t, es[0].Until)
	assert.Equal(t, t0.Add(10*time.Minute), *es[0].Until, "v1 served until v2 settled")
	assert.True(t, es[3].Rollback, "the deployment a rollback made is marked")
	assert.Equal(t, "ada", es[3].RequestedBy)
	assert.Equal(t, "v2 under-predicts", es[3].Reason)
	assert.Equal(t, 2, es[3].FromVersion)
	assert.Nil(t, es[3].Until, "the rollback's release is live")

	tests := []struct {
		name string
		at   time.Time
		want int // version, 0 for nothing
	}{
		{name: "before the first deployment nothing served", at: t0.Add(-time.Second), want: 0},
		{name: "at the moment v1 settled it served", at: t0, want: 1},
		{name: "between v2 and the rollback v2 served", at: t0.Add(15 * time.Minute), want: 2},
		{name: "a rollback requested but not yet settled still serves v2", at: t0.Add(20*time.Minute + time.Second), want: 2},
		{name: "after the rollback settled v1 serves again", at: t0.Add(time.Hour), want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := ServedAt(es, tc.at)
			if tc.want == 0 {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			assert.Equal(t, tc.want, got.Version)
		})
	}
}

func TestTimelineRefusesAnUnknownModelOrStage(t *testing.T) {
	f := newWatchFixture(t, 0, nil)
	_, err := f.r.Timeline(context.Background(), "iris", "prod")
	assert.ErrorIs(t, err, ErrInvalid)
	_, err = f.r.Timeline(context.Background(), "abalone", "dev")
	assert.ErrorIs(t, err, ErrInvalid)
}
