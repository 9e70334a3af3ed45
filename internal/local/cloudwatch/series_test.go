package cloudwatch

import (
	"context"
	"math/rand/v2"
	"sort"
	"testing"
	"time"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRunningPercentileEqualsNearestRankOfTheSortedValues(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, p := range []float64{0, 1, 50, 90, 99, 99.9, 100} {
		r := &runningPercentile{p: p}
		var all []float64
		for n := 1; n <= 2000; n++ {
			v := float64(rng.IntN(500)) // repeats on purpose
			r.add(v)
			all = append(all, v)
			sorted := append([]float64(nil), all...)
			sort.Float64s(sorted)
			want := sorted[nearestRank(p, n)-1]
			got, ok := r.value()
			require.True(t, ok)
			if got != want {
				t.Fatalf("p%g after %d values: got %g, want %g", p, n, got, want)
			}
		}
	}
}

// bruteStatistics is the definition the bucketed storage must agree with: every datapoint
// of each period [start, start+period) from the first period holding from to the last
// starting before to.
func bruteStatistics(pts []point, statistic string, period time.Duration, from, to time.Time) ([]time.Time, []float64) {
	var ts []time.Time
	var vs []float64
	for start := periodStart(from, period); start.Before(to); start = start.Add(period) {
		var st stats
		for _, p := range pts {
			if !p.at.Before(start) && p.at.Before(start.Add(period)) {
				b := &bucket{}
				b.add(p)
				st.merge(b)
			}
		}
		if st.points == 0 {
			continue
		}
		if v, ok := st.value(statistic); ok {
			ts = append(ts, start)
			vs = append(vs, v)
		}
	}
	return ts, vs
}

func TestStatisticsOfTheBucketsEqualThoseOfEveryDatapoint(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	base := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	clk := clock.NewVirtual(base.Add(2 * time.Hour))
	s := New(Options{Clock: clk})
	var pts []point
	for range 1000 {
		// out of order, sub-second timestamps, across two hours
		at := base.Add(time.Duration(rng.Int64N(int64(2 * time.Hour))))
		v := rng.NormFloat64() * 100
		pts = append(pts, point{at: at, sum: v, min: v, max: v, count: 1, values: []float64{v}})
		require.NoError(t, s.Put(context.Background(), "ns", "m", map[string]string{"d": "1"}, v, "", at))
	}
	for _, period := range []time.Duration{time.Second, 10 * time.Second, time.Minute, 5 * time.Minute, time.Hour} {
		for _, stat := range []string{"SampleCount", "Average", "Sum", "Minimum", "Maximum", "p50", "p99", "p99.9"} {
			from, to := base.Add(7*time.Minute+300*time.Millisecond), base.Add(97*time.Minute)
			wantT, wantV := bruteStatistics(pts, stat, period, from, to)
			gotT, gotV := s.Statistics("ns", "m", map[string]string{"d": "1"}, stat, period, from, to)
			require.Equal(t, wantT, gotT, "%s over %s", stat, period)
			require.InDeltaSlice(t, wantV, gotV, 1e-9, "%s over %s", stat, period)
		}
	}
}

func TestAlarmWindows(t *testing.T) {
	base := time.Date(2026, 11, 22, 12, 0, 30, 0, time.UTC)
	type put struct {
		metric string
		ago    time.Duration
		value  float64
	}
	tests := []struct {
		name  string
		alarm AlarmDefinition
		puts  []put
		want  string
	}{
		{"a late datapoint for the previous period counts in a period already judged empty",
			AlarmDefinition{Statistic: "Maximum", PeriodSeconds: 60, EvaluationPeriods: 2, Threshold: 5, ComparisonOperator: "GreaterThanThreshold"},
			[]put{{"m", 0, 9}, {"m", time.Minute, 9}}, StateAlarm},
		{"a datapoint older than the evaluated periods does not count",
			AlarmDefinition{Statistic: "Maximum", PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: "GreaterThanThreshold"},
			[]put{{"m", 0, 1}, {"m", 3 * time.Minute, 9}}, StateOK},
		{"a datapoint put a whole window ago does not linger in the slot its period shares",
			AlarmDefinition{Statistic: "Sum", PeriodSeconds: 60, EvaluationPeriods: 2, Threshold: 5, ComparisonOperator: "GreaterThanOrEqualToThreshold"},
			[]put{{"m", 2 * time.Minute, 9}, {"m", 0, 1}}, StateOK},
		{"datapoints of another metric change nothing",
			AlarmDefinition{Statistic: "Sum", PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold"},
			[]put{{"other", 0, 9}}, StateInsufficientData},
		{"a p90 over many datapoints of one period is the nearest rank",
			AlarmDefinition{Statistic: "p90", PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 90, ComparisonOperator: "GreaterThanOrEqualToThreshold"},
			func() []put {
				var ps []put
				for i := 1; i <= 100; i++ {
					ps = append(ps, put{"m", 0, float64(i)})
				}
				return ps
			}(), StateAlarm},
		{"a p90 one value below the rank stays OK",
			AlarmDefinition{Statistic: "p90", PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 91, ComparisonOperator: "GreaterThanOrEqualToThreshold"},
			func() []put {
				var ps []put
				for i := 1; i <= 100; i++ {
					ps = append(ps, put{"m", 0, float64(i)})
				}
				return ps
			}(), StateOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewVirtual(base)
			s := New(Options{Clock: clk})
			tt.alarm.Name, tt.alarm.Namespace, tt.alarm.MetricName = "a", "ns", "m"
			require.NoError(t, s.PutAlarm(context.Background(), tt.alarm))
			for _, p := range tt.puts {
				require.NoError(t, s.Put(context.Background(), "ns", p.metric, nil, p.value, "", base.Add(-p.ago)))
			}
			st, _ := s.AlarmState("a")
			assert.Equal(t, tt.want, st.Value, st.Reason)
			s.Evaluate(context.Background()) // a full evaluation agrees with the puts' own
			st, _ = s.AlarmState("a")
			assert.Equal(t, tt.want, st.Value, st.Reason)
		})
	}
}

func TestAReplacedAlarmWatchesOnlyItsNewMetric(t *testing.T) {
	base := time.Date(2026, 11, 22, 12, 0, 30, 0, time.UTC)
	s := New(Options{Clock: clock.NewVirtual(base)})
	ctx := context.Background()
	def := AlarmDefinition{Name: "a", Namespace: "ns", MetricName: "old", Statistic: "Sum", PeriodSeconds: 60,
		EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching"}
	require.NoError(t, s.PutAlarm(ctx, def))
	def.MetricName = "new"
	require.NoError(t, s.PutAlarm(ctx, def))
	require.NoError(t, s.Put(ctx, "ns", "old", nil, 5, "", base))
	st, _ := s.AlarmState("a")
	assert.Equal(t, StateOK, st.Value, "a put on the old metric judged the alarm")
	require.NoError(t, s.Put(ctx, "ns", "new", nil, 5, "", base))
	st, _ = s.AlarmState("a")
	assert.Equal(t, StateAlarm, st.Value)
	s.DeleteAlarm("a")
	require.NoError(t, s.Put(ctx, "ns", "new", nil, 5, "", base))
	_, ok := s.AlarmState("a")
	assert.False(t, ok)
}
