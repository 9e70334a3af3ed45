package cloudwatch_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/awsclitest"
	"github.com/kiln-dev/kiln/internal/local/cloudwatch"
	"github.com/kiln-dev/kiln/internal/local/server"
)

func TestTheAWSCLIsSpeakToTheLocalCloudWatch(t *testing.T) {
	for _, cli := range awsclitest.Find(t) {
		t.Run(cli.Version, func(t *testing.T) {
			cw := cloudwatch.New(cloudwatch.Options{})
			sns := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "reached SNS", http.StatusTeapot) })
			srv := httptest.NewServer(server.Handler(server.Routes{CloudWatch: cw, SNS: sns}, nil))
			defer srv.Close()
			run := func(args ...string) string {
				t.Helper()
				out, err := cli.Run(t, srv.URL, append([]string{"cloudwatch"}, args...)...)
				require.NoError(t, err, "aws cloudwatch %s: %s", strings.Join(args, " "), out)
				return out
			}
			decode := func(s string) map[string]any {
				t.Helper()
				var m map[string]any
				require.NoError(t, json.Unmarshal([]byte(s), &m), s)
				return m
			}
			now := time.Now().UTC()
			run("put-metric-data", "--namespace", "kiln/test", "--metric-name", "Latency", "--dimensions", "Endpoint=e",
				"--value", "5", "--unit", "Milliseconds")
			run("put-metric-data", "--namespace", "kiln/test", "--metric-data",
				`[{"MetricName":"Latency","Dimensions":[{"Name":"Endpoint","Value":"e"}],"Values":[1,2,9],"Counts":[1,1,2]}]`)
			run("put-metric-alarm", "--alarm-name", "slow", "--namespace", "kiln/test", "--metric-name", "Latency",
				"--dimensions", "Name=Endpoint,Value=e", "--statistic", "Maximum", "--period", "60",
				// Two periods, one breaching datapoint: the alarm sees the data even when a minute
				// boundary passes between putting it and creating the alarm.
				"--evaluation-periods", "2", "--datapoints-to-alarm", "1",
				"--threshold", "3", "--comparison-operator", "GreaterThanThreshold")

			alarms := decode(run("describe-alarms", "--alarm-names", "slow"))
			list, _ := alarms["MetricAlarms"].([]any)
			require.Len(t, list, 1)
			a := list[0].(map[string]any)
			assert.Equal(t, "ALARM", a["StateValue"], a["StateReason"])
			assert.Equal(t, "Maximum", a["Statistic"])
			assert.EqualValues(t, 3, a["Threshold"])

			metrics := decode(run("list-metrics", "--namespace", "kiln/test", "--dimensions", "Name=Endpoint"))
			assert.Equal(t, []any{map[string]any{"Namespace": "kiln/test", "MetricName": "Latency",
				"Dimensions": []any{map[string]any{"Name": "Endpoint", "Value": "e"}}}}, metrics["Metrics"])

			from, to := now.Add(-5*time.Minute).Format(time.RFC3339), now.Add(5*time.Minute).Format(time.RFC3339)
			st := decode(run("get-metric-statistics", "--namespace", "kiln/test", "--metric-name", "Latency",
				"--dimensions", "Name=Endpoint,Value=e", "--start-time", from, "--end-time", to, "--period", "600",
				"--statistics", "Maximum", "SampleCount", "Sum", "--extended-statistics", "p50"))
			dps, _ := st["Datapoints"].([]any)
			require.NotEmpty(t, dps, "%v", st)
			var count, sum, maxv float64
			for _, e := range dps {
				dp := e.(map[string]any)
				count += dp["SampleCount"].(float64)
				sum += dp["Sum"].(float64)
				maxv = max(maxv, dp["Maximum"].(float64))
				assert.Contains(t, dp["ExtendedStatistics"], "p50")
			}
			assert.Equal(t, []float64{5, 26, 9}, []float64{count, sum, maxv}, "SampleCount, Sum, Maximum")

			data := decode(run("get-metric-data", "--start-time", from, "--end-time", to, "--metric-data-queries",
				`[{"Id":"m1","MetricStat":{"Metric":{"Namespace":"kiln/test","MetricName":"Latency","Dimensions":[{"Name":"Endpoint","Value":"e"}]},"Period":600,"Stat":"SampleCount"},"ReturnData":true}]`))
			res := data["MetricDataResults"].([]any)
			require.Len(t, res, 1)
			var total float64
			for _, v := range res[0].(map[string]any)["Values"].([]any) {
				total += v.(float64)
			}
			assert.Equal(t, 5.0, total)

			run("set-alarm-state", "--alarm-name", "slow", "--state-value", "OK", "--state-reason", "testing the action")
			state, _ := cw.AlarmState("slow")
			assert.Equal(t, "OK", state.Value)

			hist := decode(run("describe-alarm-history", "--alarm-name", "slow", "--history-item-type", "StateUpdate"))
			items, _ := hist["AlarmHistoryItems"].([]any)
			require.Len(t, items, 2, "%v", hist)
			assert.Equal(t, "Alarm updated from ALARM to OK", items[0].(map[string]any)["HistorySummary"])

			out, err := cli.Run(t, srv.URL, "cloudwatch", "list-dashboards")
			require.Error(t, err)
			assert.Contains(t, out, "ListDashboards is not implemented by the kiln local CloudWatch")

			out, err = cli.Run(t, srv.URL, "cloudwatch", "set-alarm-state", "--alarm-name", "nope", "--state-value", "OK", "--state-reason", "x")
			require.Error(t, err)
			assert.Contains(t, out, "ResourceNotFound")
		})
	}
}
