package logs_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/local/logs"
)

// served puts events in two groups (one with two streams) and returns a real SDK client.
func served(t *testing.T) (*cloudwatchlogs.Client, *logs.Service, time.Time) {
	t.Helper()
	s := open(t)
	at := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	require.NoError(t, s.CreateGroup("/aws/vendedlogs/states/kiln-prod-pipeline"))
	for i := range 5 {
		require.NoError(t, s.Put("/aws/lambda/kiln-prod-trigger", "a", at.Add(time.Duration(i)*time.Second), fmt.Sprintf("a%d", i)))
	}
	require.NoError(t, s.Put("/aws/lambda/kiln-prod-trigger", "b", at.Add(10*time.Second), "b0"))
	require.NoError(t, s.Put("/aws/lambda/kiln-prod-evaluate", "a", at, "e0"))
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	c := cloudwatchlogs.New(cloudwatchlogs.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: aws.AnonymousCredentials{}})
	return c, s, at
}

func TestDescribeLogGroupsListsEveryGroupByPrefix(t *testing.T) {
	c, _, _ := served(t)
	ctx := context.Background()
	var names []string
	p := cloudwatchlogs.NewDescribeLogGroupsPaginator(c, &cloudwatchlogs.DescribeLogGroupsInput{Limit: aws.Int32(1)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		for _, g := range page.LogGroups {
			names = append(names, aws.ToString(g.LogGroupName))
		}
	}
	assert.Equal(t, []string{"/aws/lambda/kiln-prod-evaluate", "/aws/lambda/kiln-prod-trigger", "/aws/vendedlogs/states/kiln-prod-pipeline"}, names,
		"sorted by name, a group created empty included")

	out, err := c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String("/aws/lambda/kiln-prod-t")})
	require.NoError(t, err)
	require.Len(t, out.LogGroups, 1)
	g := out.LogGroups[0]
	assert.Equal(t, "arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/kiln-prod-trigger:*", aws.ToString(g.Arn))
	assert.Positive(t, aws.ToInt64(g.StoredBytes))

	out, err = c.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePattern: aws.String("STATES")})
	require.NoError(t, err)
	assert.Len(t, out.LogGroups, 1, "a pattern matches anywhere, ignoring case")
}

func TestDescribeLogStreamsOrdersTheStreams(t *testing.T) {
	c, _, at := served(t)
	ctx := context.Background()
	out, err := c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/kiln-prod-trigger"),
		OrderBy: types.OrderByLastEventTime, Descending: aws.Bool(true)})
	require.NoError(t, err)
	require.Len(t, out.LogStreams, 2)
	assert.Equal(t, "b", aws.ToString(out.LogStreams[0].LogStreamName), "the stream written last comes first")
	a := out.LogStreams[1]
	assert.Equal(t, at.UnixMilli(), aws.ToInt64(a.FirstEventTimestamp))
	assert.Equal(t, at.Add(4*time.Second).UnixMilli(), aws.ToInt64(a.LastEventTimestamp))

	_, err = c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/nope")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf, "got %v", err)
	_, err = c.DescribeLogStreams(ctx, &cloudwatchlogs.DescribeLogStreamsInput{LogGroupName: aws.String("/aws/lambda/kiln-prod-trigger"),
		OrderBy: types.OrderByLastEventTime, LogStreamNamePrefix: aws.String("a")})
	var bad *types.InvalidParameterException
	require.ErrorAs(t, err, &bad, "AWS refuses a prefix with LastEventTime ordering; got %v", err)
}

func TestGetLogEventsPagesForwardAndBackward(t *testing.T) {
	c, _, at := served(t)
	ctx := context.Background()
	group := aws.String("/aws/lambda/kiln-prod-trigger")
	messages := func(evs []types.OutputLogEvent) []string {
		var out []string
		for _, e := range evs {
			out = append(out, aws.ToString(e.Message))
		}
		return out
	}
	var all []string
	p := cloudwatchlogs.NewGetLogEventsPaginator(c, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: aws.String("a"),
		StartFromHead: aws.Bool(true), Limit: aws.Int32(2)}, func(o *cloudwatchlogs.GetLogEventsPaginatorOptions) { o.StopOnDuplicateToken = true })
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		require.NoError(t, err)
		all = append(all, messages(page.Events)...)
	}
	assert.Equal(t, []string{"a0", "a1", "a2", "a3", "a4"}, all, "forward from the head, then the same token at the end")

	tail, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: aws.String("a"), Limit: aws.Int32(2)})
	require.NoError(t, err)
	assert.Equal(t, []string{"a3", "a4"}, messages(tail.Events), "without startFromHead the newest come back")
	back, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: aws.String("a"), Limit: aws.Int32(2),
		NextToken: tail.NextBackwardToken})
	require.NoError(t, err)
	assert.Equal(t, []string{"a1", "a2"}, messages(back.Events))

	ranged, err := c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupIdentifier: aws.String("arn:aws:logs:us-east-1:000000000000:log-group:/aws/lambda/kiln-prod-trigger:*"),
		LogStreamName: aws.String("a"), StartTime: aws.Int64(at.Add(time.Second).UnixMilli()), EndTime: aws.Int64(at.Add(3 * time.Second).UnixMilli())})
	require.NoError(t, err)
	assert.Equal(t, []string{"a1", "a2"}, messages(ranged.Events), "by ARN, the end time excluded")

	_, err = c.GetLogEvents(ctx, &cloudwatchlogs.GetLogEventsInput{LogGroupName: group, LogStreamName: aws.String("zzz")})
	var nf *types.ResourceNotFoundException
	require.ErrorAs(t, err, &nf, "got %v", err)
}

func TestFilterLogEventsSelectsStreamsAndKeepsEventIDsStable(t *testing.T) {
	c, s, at := served(t)
	ctx := context.Background()
	group := aws.String("/aws/lambda/kiln-prod-trigger")
	first, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, LogStreamNames: []string{"b"}})
	require.NoError(t, err)
	require.Len(t, first.Events, 1)
	assert.Equal(t, "b0", aws.ToString(first.Events[0].Message))

	// A follower asks again from the newest timestamp it saw: the same event has the same ID.
	require.NoError(t, s.Put("/aws/lambda/kiln-prod-trigger", "b", at.Add(11*time.Second), "b1"))
	again, err := c.FilterLogEvents(ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: group, LogStreamNamePrefix: aws.String("b"),
		StartTime: aws.Int64(at.Add(10 * time.Second).UnixMilli())})
	require.NoError(t, err)
	require.Len(t, again.Events, 2)
	assert.Equal(t, aws.ToString(first.Events[0].EventId), aws.ToString(again.Events[0].EventId))
	assert.NotEqual(t, aws.ToString(again.Events[0].EventId), aws.ToString(again.Events[1].EventId))
}

func TestAnOperationTheStandInDoesNotServeIsNamed(t *testing.T) {
	c, _, _ := served(t)
	_, err := c.PutLogEvents(context.Background(), &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("g"), LogStreamName: aws.String("s"),
		LogEvents: []types.InputLogEvent{{Message: aws.String("m"), Timestamp: aws.Int64(1)}}})
	var api smithy.APIError
	require.True(t, errors.As(err, &api), "got %v", err)
	assert.Equal(t, "UnknownOperationException", api.ErrorCode())
	assert.Contains(t, api.ErrorMessage(), "kiln local does not emulate the CloudWatch Logs operation PutLogEvents")
}
