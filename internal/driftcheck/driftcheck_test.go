package driftcheck

import (
	"bytes"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/opsevents"
)

func TestPrintShowsEachFeatureAgainstItsThreshold(t *testing.T) {
	end := time.Date(2026, 12, 6, 1, 0, 0, 0, time.UTC)
	cases := []struct {
		name  string
		drift opsevents.Drift
		want  []string
	}{
		{"a drifted feature is marked", opsevents.Drift{EndpointName: "abalone-prod", WindowStart: end.Add(-time.Hour), WindowEnd: end, Status: "Completed", Rows: 400,
			Features: []opsevents.Feature{{Name: "length", Distance: 0.41, Threshold: 0.2, Drifted: true}, {Name: "sex", Distance: 0.05, Threshold: 0.2}}},
			[]string{"drift of abalone-prod, window 2026-12-06T00:00:00Z to 2026-12-06T01:00:00Z: Completed, 400 rows",
				"FEATURE  DISTANCE  THRESHOLD  DRIFTED", "length   0.4100    0.2000     YES", "sex      0.0500    0.2000     no"}},
		{"a check without rows gives its message and no table", opsevents.Drift{EndpointName: "abalone-prod", WindowStart: end.Add(-time.Hour), WindowEnd: end,
			Status: "InsufficientData", Message: "3 rows, fewer than 50"}, []string{"InsufficientData, 0 rows", "  3 rows, fewer than 50"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, Print(&b, tc.drift))
			for _, w := range tc.want {
				assert.Contains(t, b.String(), w)
			}
			if len(tc.drift.Features) == 0 {
				assert.NotContains(t, b.String(), "FEATURE")
			}
		})
	}
}
