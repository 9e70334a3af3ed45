package stack

import (
	"context"
	"encoding/json"
	"regexp"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/topology"
)

// TestAFunctionsLogReadsAsLambdaWritesIt invokes the trigger twice and reads its log group as
// a person would on AWS: one stream named like an execution environment's, and per invocation
// platform.start, the function's own lines carrying the request id, then platform.report (the
// JSON log format infra gives the functions).
func TestAFunctionsLogReadsAsLambdaWritesIt(t *testing.T) {
	s := open(t, t.TempDir(), Options{})
	t.Cleanup(func() { s.Close() })
	ctx := context.Background()
	c := s.Clients()
	for range 2 {
		_, err := awslambda.NewFromConfig(c.Config).Invoke(ctx, &awslambda.InvokeInput{FunctionName: aws.String("kiln-prod-trigger"),
			Payload: []byte(`{"kind":"nothing kiln knows"}`)})
		require.NoError(t, err)
	}
	group := aws.String(s.LogGroup("trigger"))
	streams, err := c.Logs.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: group})
	require.NoError(t, err)
	require.Len(t, streams.LogStreams, 1, "one execution environment")
	stream := streams.LogStreams[0].LogStreamName
	assert.Regexp(t, regexp.MustCompile(`^\d{4}/\d{2}/\d{2}/\[\$LATEST\][0-9a-f]{32}$`), aws.ToString(stream))

	out, err := c.Logs.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: stream, StartFromHead: aws.Bool(true)})
	require.NoError(t, err)
	type line struct {
		Type      string `json:"type"`
		Function  string `json:"function"`
		RequestID string `json:"requestId"`
		Record    struct {
			RequestID string `json:"requestId"`
			Version   string `json:"version"`
			Status    string `json:"status"`
			Metrics   struct {
				DurationMs       *float64 `json:"durationMs"`
				BilledDurationMs float64  `json:"billedDurationMs"`
				MemorySizeMB     int      `json:"memorySizeMB"`
			} `json:"metrics"`
		} `json:"record"`
	}
	var ls []line
	for _, e := range out.Events {
		var l line
		require.NoError(t, json.Unmarshal([]byte(aws.ToString(e.Message)), &l), aws.ToString(e.Message))
		ls = append(ls, l)
	}
	require.GreaterOrEqual(t, len(ls), 6, "start, a line of the trigger, report, twice")
	var ids []string
	for i := 0; i < len(ls); {
		start := ls[i]
		require.Equal(t, "platform.start", start.Type, "line %d", i)
		assert.Equal(t, "$LATEST", start.Record.Version)
		id := start.Record.RequestID
		ids = append(ids, id)
		i++
		own := 0
		for ; i < len(ls) && ls[i].Type == ""; i++ {
			assert.Equal(t, "trigger", ls[i].Function)
			assert.Equal(t, id, ls[i].RequestID, "the function's line names its invocation")
			own++
		}
		assert.Positive(t, own, "the trigger logged its decision")
		require.Less(t, i, len(ls))
		report := ls[i]
		require.Equal(t, "platform.report", report.Type)
		assert.Equal(t, id, report.Record.RequestID)
		assert.Equal(t, "success", report.Record.Status)
		require.NotNil(t, report.Record.Metrics.DurationMs)
		assert.GreaterOrEqual(t, report.Record.Metrics.BilledDurationMs, *report.Record.Metrics.DurationMs)
		assert.Equal(t, topology.FunctionMemoryMB, report.Record.Metrics.MemorySizeMB)
		i++
	}
	require.Len(t, ids, 2)
	assert.NotEqual(t, ids[0], ids[1])
}
