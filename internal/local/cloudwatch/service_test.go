package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cw "github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/clock"
	"github.com/kiln-dev/kiln/internal/local/awsevent"
	"github.com/kiln-dev/kiln/internal/policy"
	"github.com/kiln-dev/kiln/internal/topology"
)

type recorder struct {
	mu     sync.Mutex
	events []Event
}

func (r *recorder) emit(_ context.Context, ev Event) error {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	return nil
}

func (r *recorder) all() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Event(nil), r.events...)
}

func setup(t *testing.T) (*Service, *cw.Client, *clock.Virtual, *recorder) {
	t.Helper()
	clk := clock.NewVirtual(time.Date(2026, 11, 22, 12, 0, 5, 0, time.UTC))
	rec := &recorder{}
	s := New(Options{Clock: clk, Events: awsevent.SinkFunc(rec.emit)})
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := cw.New(cw.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
			return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, nil
		})})
	return s, c, clk, rec
}

func TestAlarmsFromTopologyReactToTheSDKsMetrics(t *testing.T) {
	s, c, clk, rec := setup(t)
	ctx := context.Background()
	for _, a := range topology.Alarms(policy.Default(), "prod") {
		require.NoError(t, s.PutAlarm(ctx, FromTopology(a)))
	}
	model := policy.Default().Models[0]
	endpoint := topology.EndpointName("prod", model.Name)
	fiveXX := topology.RollbackAlarmNames("prod", model.Name)[0]

	out, err := c.DescribeAlarms(ctx, &cw.DescribeAlarmsInput{AlarmNames: []string{fiveXX}})
	require.NoError(t, err)
	require.Len(t, out.MetricAlarms, 1)
	a := out.MetricAlarms[0]
	assert.Equal(t, types.StateValueOk, a.StateValue, "kiln's alarms treat missing data as not breaching, so no traffic reads OK")
	assert.Equal(t, "notBreaching", aws.ToString(a.TreatMissingData))
	assert.Equal(t, "Invocation5XXErrors", aws.ToString(a.MetricName))
	assert.Equal(t, int32(60), aws.ToInt32(a.Period))
	assert.Equal(t, clk.Now().Unix(), a.StateUpdatedTimestamp.Unix())

	dims := []types.Dimension{{Name: aws.String("EndpointName"), Value: aws.String(endpoint)}, {Name: aws.String("VariantName"), Value: aws.String(topology.VariantName)}}
	_, err = c.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("AWS/SageMaker"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Invocation5XXErrors"), Dimensions: dims, Value: aws.Float64(0), Timestamp: aws.Time(clk.Now())},
	}})
	require.NoError(t, err)
	st, _ := s.AlarmState(fiveXX)
	assert.Equal(t, StateOK, st.Value, "a zero error count is below the threshold")

	_, err = c.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("AWS/SageMaker"), MetricData: []types.MetricDatum{
		{MetricName: aws.String("Invocation5XXErrors"), Dimensions: dims, Value: aws.Float64(1)},
	}})
	require.NoError(t, err)
	st, _ = s.AlarmState(fiveXX)
	assert.Equal(t, StateAlarm, st.Value)

	var evs []Event
	for _, e := range rec.all() {
		if len(e.Resources) == 1 && e.Resources[0] == s.ARN(fiveXX) {
			evs = append(evs, e)
		}
	}
	require.Len(t, evs, 2, "the 5xx alarm went INSUFFICIENT_DATA → OK at creation, then OK → ALARM")
	assert.Equal(t, "aws.cloudwatch", evs[1].Source)
	assert.Equal(t, "CloudWatch Alarm State Change", evs[1].DetailType)
	assert.Equal(t, []string{s.ARN(fiveXX)}, evs[1].Resources)
	var detail struct {
		AlarmName string `json:"alarmName"`
		State     struct {
			Value, Reason, ReasonData, Timestamp string
		} `json:"state"`
		PreviousState struct{ Value string } `json:"previousState"`
		Configuration struct {
			Metrics []struct {
				MetricStat struct {
					Metric struct {
						Namespace, Name string
						Dimensions      map[string]string
					}
					Period int
					Stat   string
				} `json:"metricStat"`
			}
		}
	}
	require.NoError(t, json.Unmarshal(evs[1].Detail, &detail))
	assert.Equal(t, fiveXX, detail.AlarmName)
	assert.Equal(t, "ALARM", detail.State.Value)
	assert.Equal(t, "OK", detail.PreviousState.Value)
	assert.Equal(t, "2026-11-22T12:00:05.000+0000", detail.State.Timestamp)
	assert.True(t, json.Valid([]byte(detail.State.ReasonData)), "reasonData is a JSON document inside a string")
	require.Len(t, detail.Configuration.Metrics, 1)
	assert.Equal(t, endpoint, detail.Configuration.Metrics[0].MetricStat.Metric.Dimensions["EndpointName"])
	assert.Equal(t, "Sum", detail.Configuration.Metrics[0].MetricStat.Stat)

	// Two periods later nothing is reported: missing data is not breaching, so it reads OK.
	clk.Advance(2 * time.Minute)
	s.Evaluate(ctx)
	st, _ = s.AlarmState(fiveXX)
	assert.Equal(t, StateOK, st.Value)
}

func TestEvaluation(t *testing.T) {
	base := time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		alarm  AlarmDefinition
		values []float64 // one per second from base
		after  time.Duration
		want   string
	}{
		{"a p99 above the threshold over two periods alarms",
			AlarmDefinition{Statistic: "p99", PeriodSeconds: 60, EvaluationPeriods: 2, Threshold: 500, ComparisonOperator: "GreaterThanThreshold"},
			fill(120, func(i int) float64 { return float64(100 + i*10) }), 119 * time.Second, StateAlarm},
		{"a p99 above the threshold in only one of two periods stays OK",
			AlarmDefinition{Statistic: "p99", PeriodSeconds: 60, EvaluationPeriods: 2, Threshold: 500, ComparisonOperator: "GreaterThanThreshold"},
			fill(120, func(i int) float64 { return map[bool]float64{true: 100, false: 1000}[i < 60] }), 119 * time.Second, StateOK},
		{"one period of two with data is enough when DatapointsToAlarm is one",
			AlarmDefinition{Statistic: "Maximum", PeriodSeconds: 60, EvaluationPeriods: 2, DatapointsToAlarm: 1, Threshold: 0.2, ComparisonOperator: "GreaterThanThreshold"},
			[]float64{0.5}, 70 * time.Second, StateAlarm},
		{"an average below a LessThan threshold alarms",
			AlarmDefinition{Statistic: "Average", PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: "LessThanThreshold"},
			[]float64{1, 2, 3}, 10 * time.Second, StateAlarm},
		{"no data is insufficient data",
			AlarmDefinition{Statistic: "Sum", PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold"},
			nil, 0, StateInsufficientData},
		{"missing data treated as breaching alarms",
			AlarmDefinition{Statistic: "Sum", PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "breaching"},
			nil, 0, StateAlarm},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := clock.NewVirtual(base)
			s := New(Options{Clock: clk})
			tt.alarm.Name, tt.alarm.Namespace, tt.alarm.MetricName = "a", "ns", "m"
			require.NoError(t, s.PutAlarm(context.Background(), tt.alarm))
			for i, v := range tt.values {
				require.NoError(t, s.Put(context.Background(), "ns", "m", nil, v, "", base.Add(time.Duration(i)*time.Second)))
			}
			clk.Advance(tt.after)
			s.Evaluate(context.Background())
			st, ok := s.AlarmState("a")
			require.True(t, ok)
			assert.Equal(t, tt.want, st.Value, st.Reason)
		})
	}
}

func fill(n int, f func(int) float64) []float64 {
	out := make([]float64, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func TestGetMetricStatisticsAndData(t *testing.T) {
	s, c, clk, _ := setup(t)
	ctx := context.Background()
	start := clk.Now().Truncate(time.Minute)
	for i := range 100 {
		require.NoError(t, s.Put(ctx, "AWS/SageMaker", "ModelLatency", map[string]string{"EndpointName": "e"}, float64(i+1), "Microseconds", start.Add(time.Duration(i%60)*time.Second)))
	}
	st, err := c.GetMetricStatistics(ctx, &cw.GetMetricStatisticsInput{
		Namespace: aws.String("AWS/SageMaker"), MetricName: aws.String("ModelLatency"),
		Dimensions: []types.Dimension{{Name: aws.String("EndpointName"), Value: aws.String("e")}},
		StartTime:  aws.Time(start.Add(-time.Hour)), EndTime: aws.Time(start.Add(time.Hour)), Period: aws.Int32(60),
		Statistics: []types.Statistic{types.StatisticSum, types.StatisticSampleCount, types.StatisticMaximum}, ExtendedStatistics: []string{"p99"},
	})
	require.NoError(t, err)
	require.Len(t, st.Datapoints, 1)
	dp := st.Datapoints[0]
	assert.Equal(t, 5050.0, aws.ToFloat64(dp.Sum))
	assert.Equal(t, 100.0, aws.ToFloat64(dp.SampleCount))
	assert.Equal(t, 100.0, aws.ToFloat64(dp.Maximum))
	assert.Equal(t, 99.0, dp.ExtendedStatistics["p99"])
	assert.Equal(t, start.Unix(), dp.Timestamp.Unix())

	md, err := c.GetMetricData(ctx, &cw.GetMetricDataInput{StartTime: aws.Time(start.Add(-time.Hour)), EndTime: aws.Time(start.Add(time.Hour)),
		MetricDataQueries: []types.MetricDataQuery{{Id: aws.String("lat"), MetricStat: &types.MetricStat{
			Metric: &types.Metric{Namespace: aws.String("AWS/SageMaker"), MetricName: aws.String("ModelLatency"),
				Dimensions: []types.Dimension{{Name: aws.String("EndpointName"), Value: aws.String("e")}}},
			Period: aws.Int32(60), Stat: aws.String("Average")}}}})
	require.NoError(t, err)
	require.Len(t, md.MetricDataResults, 1)
	assert.Equal(t, []float64{50.5}, md.MetricDataResults[0].Values)
	assert.Equal(t, types.StatusCodeComplete, md.MetricDataResults[0].StatusCode)
}

func TestBadRequestsAreNamedAndChangeNothing(t *testing.T) {
	s, c, _, _ := setup(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		call     func() error
		wantCode string
	}{
		{"an unknown operation is named", func() error {
			_, err := c.ListDashboards(ctx, &cw.ListDashboardsInput{})
			return err
		}, "UnknownOperationException"},
		{"an unsupported statistic is rejected", func() error {
			_, err := c.PutMetricAlarm(ctx, &cw.PutMetricAlarmInput{AlarmName: aws.String("x"), Namespace: aws.String("n"), MetricName: aws.String("m"),
				Statistic: types.Statistic("Median"), Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
				ComparisonOperator: types.ComparisonOperatorGreaterThanThreshold})
			return err
		}, "InvalidParameterValue"},
		{"a datum without a value is rejected", func() error {
			_, err := c.PutMetricData(ctx, &cw.PutMetricDataInput{Namespace: aws.String("n"), MetricData: []types.MetricDatum{{MetricName: aws.String("m")}}})
			return err
		}, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var ae smithy.APIError
			require.True(t, errors.As(err, &ae), "got %v", err)
			assert.Equal(t, tt.wantCode, ae.ErrorCode())
		})
	}
	assert.Empty(t, s.Alarms())
	ts, _ := s.Statistics("n", "m", nil, "Sum", time.Minute, time.Time{}, time.Now().Add(time.Hour))
	assert.Empty(t, ts)
}

func TestTheJSONProtocolOfOlderClients(t *testing.T) {
	s, _, clk, _ := setup(t)
	srv := httptest.NewServer(s)
	defer srv.Close()
	ctx := context.Background()
	require.NoError(t, s.PutAlarm(ctx, AlarmDefinition{Name: "a", Namespace: "ns", MetricName: "m", Statistic: "Sum",
		PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanOrEqualToThreshold"}))
	call := func(op, body string) (int, map[string]any) {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", JSONTargetPrefix+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.0")
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		defer resp.Body.Close()
		var out map[string]any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&out))
		return resp.StatusCode, out
	}
	status, _ := call("PutMetricData", fmt.Sprintf(`{"Namespace":"ns","MetricData":[{"MetricName":"m","Value":3,"Timestamp":%d}]}`, clk.Now().Unix()))
	require.Equal(t, http.StatusOK, status)
	status, out := call("DescribeAlarms", `{"AlarmNames":["a"]}`)
	require.Equal(t, http.StatusOK, status)
	alarms := out["MetricAlarms"].([]any)
	require.Len(t, alarms, 1)
	a := alarms[0].(map[string]any)
	assert.Equal(t, "ALARM", a["StateValue"])
	assert.InDelta(t, float64(clk.Now().Unix()), a["StateUpdatedTimestamp"], 1, "timestamps are epoch seconds")
	status, out = call("ListDashboards", `{}`)
	assert.Equal(t, http.StatusBadRequest, status)
	assert.Equal(t, "UnknownOperationException", out["__type"])
}

func TestListMetricsSetAlarmStateAndHistoryThroughTheSDK(t *testing.T) {
	s, c, clk, rec := setup(t)
	ctx := context.Background()
	require.NoError(t, s.Put(ctx, "ns", "m", map[string]string{"E": "e"}, 1, "", clk.Now()))
	require.NoError(t, s.Put(ctx, "ns", "other", nil, 1, "", clk.Now()))
	lm, err := c.ListMetrics(ctx, &cw.ListMetricsInput{Namespace: aws.String("ns"), Dimensions: []types.DimensionFilter{{Name: aws.String("E")}}})
	require.NoError(t, err)
	require.Len(t, lm.Metrics, 1)
	assert.Equal(t, "m", aws.ToString(lm.Metrics[0].MetricName))

	require.NoError(t, s.PutAlarm(ctx, AlarmDefinition{Name: "x", Namespace: "ns", MetricName: "m", Dimensions: map[string]string{"E": "e"},
		Statistic: "Sum", PeriodSeconds: 60, EvaluationPeriods: 1, Threshold: 5, ComparisonOperator: "GreaterThanThreshold"}))
	before := len(rec.all())
	_, err = c.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("x"), StateValue: types.StateValueAlarm, StateReason: aws.String("testing")})
	require.NoError(t, err)
	st, _ := s.AlarmState("x")
	assert.Equal(t, StateAlarm, st.Value)
	assert.Len(t, rec.all(), before+1, "the forced change is an event")

	_, err = c.SetAlarmState(ctx, &cw.SetAlarmStateInput{AlarmName: aws.String("missing"), StateValue: types.StateValueAlarm, StateReason: aws.String("x")})
	var ae smithy.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "ResourceNotFound", ae.ErrorCode())

	h, err := c.DescribeAlarmHistory(ctx, &cw.DescribeAlarmHistoryInput{AlarmName: aws.String("x")})
	require.NoError(t, err)
	var summaries []string
	for _, it := range h.AlarmHistoryItems {
		summaries = append(summaries, aws.ToString(it.HistorySummary))
	}
	assert.Equal(t, []string{"Alarm updated from OK to ALARM", "Alarm updated from INSUFFICIENT_DATA to OK", `Alarm "x" created`}, summaries)
}
