package eventbus

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/smithy-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// sdkClient returns a real EventBridge client pointed at an httptest server running f's handler.
func sdkClient(t *testing.T, f *fixture) (*eventbridge.Client, string) {
	t.Helper()
	srv := httptest.NewServer(f.svc.Handler())
	t.Cleanup(srv.Close)
	return eventbridge.New(eventbridge.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(srv.URL),
	}), srv.URL
}

func apiCode(t *testing.T, err error) string {
	t.Helper()
	var ae smithy.APIError
	require.True(t, errors.As(err, &ae), "not an API error: %v", err)
	return ae.ErrorCode()
}

func TestTheSDKPutsEventsThroughTheHandler(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":["kiln.test"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("trigger")}}}))
	c, _ := sdkClient(t, f)
	when := time.Date(2026, 11, 20, 9, 15, 2, 0, time.UTC)
	out, err := c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{
		{Source: aws.String("kiln.test"), DetailType: aws.String("T"), Detail: aws.String(`{"a":1}`), Time: &when,
			Resources: []string{"arn:aws:s3:::b"}},
		{Source: aws.String("kiln.test"), DetailType: aws.String("T"), Detail: aws.String(`not json`)},
		{Source: aws.String("aws.s3"), DetailType: aws.String("T"), Detail: aws.String(`{}`)},
	}})
	require.NoError(t, err)
	assert.Equal(t, int32(2), out.FailedEntryCount)
	require.Len(t, out.Entries, 3)
	assert.Equal(t, "00000000-0000-4000-8000-000000000001", aws.ToString(out.Entries[0].EventId))
	assert.Equal(t, "MalformedDetail", aws.ToString(out.Entries[1].ErrorCode))
	assert.Equal(t, "NotAuthorizedForSourceException", aws.ToString(out.Entries[2].ErrorCode))
	f.wait(t)
	calls := f.lambda.invocations()
	require.Len(t, calls, 1)
	assert.Equal(t, "2026-11-20T09:15:02Z", fieldOf(t, calls[0].Payload, "time"), "the entry's Time arrives as the event's time")
	assert.Equal(t, []any{"arn:aws:s3:::b"}, fieldOf(t, calls[0].Payload, "resources"))

	_, err = c.PutEvents(context.Background(), &eventbridge.PutEventsInput{Entries: make([]types.PutEventsRequestEntry, 11)})
	assert.Equal(t, "ValidationException", apiCode(t, err))
}

func TestTheSDKListsAndDescribesRules(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.LoadTopology(env))
	c, _ := sdkClient(t, f)
	list, err := c.ListRules(context.Background(), &eventbridge.ListRulesInput{EventBusName: aws.String("kiln-local-kiln")})
	require.NoError(t, err)
	require.Len(t, list.Rules, 1)
	assert.Equal(t, "kiln-local-git-push", aws.ToString(list.Rules[0].Name))
	assert.Equal(t, "arn:aws:events:us-east-1:000000000000:rule/kiln-local-kiln/kiln-local-git-push", aws.ToString(list.Rules[0].Arn))
	assert.Equal(t, types.RuleStateEnabled, list.Rules[0].State)

	def, err := c.ListRules(context.Background(), &eventbridge.ListRulesInput{NamePrefix: aws.String("kiln-local-model")})
	require.NoError(t, err)
	require.Len(t, def.Rules, 1)

	d, err := c.DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String("kiln-local-drift-alarm")})
	require.NoError(t, err)
	assert.Contains(t, aws.ToString(d.EventPattern), `"kiln-drift-local-"`)
	assert.Equal(t, "default", aws.ToString(d.EventBusName))

	targets, err := c.ListTargetsByRule(context.Background(), &eventbridge.ListTargetsByRuleInput{Rule: aws.String("kiln-local-drift-alarm")})
	require.NoError(t, err)
	require.Len(t, targets.Targets, 1)
	assert.Equal(t, "arn:aws:lambda:us-east-1:000000000000:function:kiln-local-trigger", aws.ToString(targets.Targets[0].Arn))
	assert.Equal(t, int32(185), aws.ToInt32(targets.Targets[0].RetryPolicy.MaximumRetryAttempts))

	_, err = c.DescribeRule(context.Background(), &eventbridge.DescribeRuleInput{Name: aws.String("nope")})
	assert.Equal(t, "ResourceNotFoundException", apiCode(t, err))
	var nf *types.ResourceNotFoundException
	assert.ErrorAs(t, err, &nf, "the SDK decodes the modelled exception")

	buses, err := c.ListEventBuses(context.Background(), &eventbridge.ListEventBusesInput{})
	require.NoError(t, err)
	assert.Len(t, buses.EventBuses, 2)
}

func TestTheSDKStartsAReplay(t *testing.T) {
	f, _ := replayFixture(t)
	c, _ := sdkClient(t, f)
	out, err := c.StartReplay(context.Background(), &eventbridge.StartReplayInput{
		ReplayName:     aws.String("again"),
		EventSourceArn: aws.String("arn:aws:events:us-east-1:000000000000:archive/kiln"),
		EventStartTime: aws.Time(t0),
		EventEndTime:   aws.Time(t0.Add(2 * time.Minute)),
		Destination: &types.ReplayDestination{Arn: aws.String(f.svc.BusARN("default")),
			FilterArns: []string{f.svc.RuleARN("default", "b")}},
	})
	require.NoError(t, err)
	assert.Equal(t, types.ReplayStateStarting, out.State)
	assert.Equal(t, "arn:aws:events:us-east-1:000000000000:replay/again", aws.ToString(out.ReplayArn))
	f.wait(t)
	assert.Equal(t, 2, f.lambda.count("fb"))
	assert.Equal(t, 0, f.lambda.count("fa"))

	d, err := c.DescribeReplay(context.Background(), &eventbridge.DescribeReplayInput{ReplayName: aws.String("again")})
	require.NoError(t, err)
	assert.Equal(t, types.ReplayStateCompleted, d.State)
	assert.Equal(t, t0, aws.ToTime(d.EventStartTime).UTC())

	_, err = c.StartReplay(context.Background(), &eventbridge.StartReplayInput{ReplayName: aws.String("again"),
		EventSourceArn: aws.String("arn"), EventStartTime: aws.Time(t0), EventEndTime: aws.Time(t0.Add(time.Minute)),
		Destination: &types.ReplayDestination{Arn: aws.String(f.svc.BusARN("default"))}})
	assert.Equal(t, "ResourceAlreadyExistsException", apiCode(t, err))
}

func TestTheSDKTestsEventPatterns(t *testing.T) {
	f := newFixture(t)
	c, _ := sdkClient(t, f)
	event := `{"id":"1","account":"000000000000","source":"kiln.git","time":"2026-11-20T09:15:02Z","region":"us-east-1",` +
		`"resources":[],"detail-type":"Git Push","detail":{"branch":"main"}}`
	cases := []struct {
		name    string
		pattern string
		event   string
		want    bool
		code    string
	}{
		{"a matching pattern", `{"source":["kiln.git"],"detail":{"branch":[{"prefix":"ma"}]}}`, event, true, ""},
		{"a pattern that does not match", `{"source":["aws.s3"]}`, event, false, ""},
		{"an invalid pattern", `{"source":"kiln.git"}`, event, false, "InvalidEventPatternException"},
		{"an event without an id", `{"source":["kiln.git"]}`, `{"source":"kiln.git"}`, false, "ValidationException"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := c.TestEventPattern(context.Background(), &eventbridge.TestEventPatternInput{
				EventPattern: aws.String(tc.pattern), Event: aws.String(tc.event)})
			if tc.code != "" {
				assert.Equal(t, tc.code, apiCode(t, err))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, out.Result)
		})
	}
}

func TestAnUnknownOperationIsNamedInA400(t *testing.T) {
	f := newFixture(t)
	c, url := sdkClient(t, f)
	req, err := http.NewRequest(http.MethodPost, url+"/", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("X-Amz-Target", "AWSEvents.CreatePartnerEventSource")
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.JSONEq(t, `{"__type":"UnknownOperationException","message":"Unknown operation CreatePartnerEventSource"}`, string(body))

	_, err = c.PutPermission(context.Background(), &eventbridge.PutPermissionInput{})
	assert.Equal(t, "UnknownOperationException", apiCode(t, err))
}

func TestTheSDKManagesRulesAndTargets(t *testing.T) {
	f := newFixture(t)
	c, _ := sdkClient(t, f)
	ctx := context.Background()
	bus, err := c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("extra")})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:events:us-east-1:000000000000:event-bus/extra", aws.ToString(bus.EventBusArn))
	_, err = c.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String("extra")})
	assert.Equal(t, "ResourceAlreadyExistsException", apiCode(t, err))

	rule, err := c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("extra"),
		EventPattern: aws.String(`{"source":["kiln.test"]}`)})
	require.NoError(t, err)
	assert.Equal(t, "arn:aws:events:us-east-1:000000000000:rule/extra/r", aws.ToString(rule.RuleArn))
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("r"), EventBusName: aws.String("extra"),
		Targets: []types.Target{
			{Id: aws.String("a"), Arn: aws.String(lambdaARN("fa")), InputPath: aws.String("$.detail"),
				RetryPolicy: &types.RetryPolicy{MaximumRetryAttempts: aws.Int32(3), MaximumEventAgeInSeconds: aws.Int32(120)}},
			{Id: aws.String("b"), Arn: aws.String(lambdaARN("fb")), InputTransformer: &types.InputTransformer{
				InputPathsMap: map[string]string{"n": "$.detail.n"}, InputTemplate: aws.String(`{"n": <n>}`)}},
		}})
	require.NoError(t, err)
	// Putting the rule again changes its pattern and keeps its targets.
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("r"), EventBusName: aws.String("extra"),
		EventPattern: aws.String(`{"source":["kiln.other"]}`)})
	require.NoError(t, err)
	_, err = c.RemoveTargets(ctx, &eventbridge.RemoveTargetsInput{Rule: aws.String("r"), EventBusName: aws.String("extra"), Ids: []string{"a"}})
	require.NoError(t, err)
	f.put(t, Entry{Source: "kiln.other", DetailType: "T", Detail: `{"n":7}`, EventBusName: "extra"})
	f.wait(t)
	assert.Equal(t, []invocation{{"fb", `{"n": 7}`}}, f.lambda.invocations())

	r, err := f.svc.DescribeRule("extra", "r")
	require.NoError(t, err)
	require.Len(t, r.Targets, 1)

	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("bad"), EventPattern: aws.String(`{"source":"x"}`)})
	assert.Equal(t, "InvalidEventPatternException", apiCode(t, err))
	_, err = c.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String("tick"), ScheduleExpression: aws.String("rate(1 hour)")})
	assert.Equal(t, "ValidationException", apiCode(t, err))
	_, err = c.PutTargets(ctx, &eventbridge.PutTargetsInput{Rule: aws.String("nope"), Targets: []types.Target{{Id: aws.String("a"), Arn: aws.String(lambdaARN("f"))}}})
	assert.Equal(t, "ResourceNotFoundException", apiCode(t, err))

	_, err = c.DeleteRule(ctx, &eventbridge.DeleteRuleInput{Name: aws.String("r"), EventBusName: aws.String("extra")})
	require.NoError(t, err)
	_, err = f.svc.DescribeRule("extra", "r")
	assert.Error(t, err)
}

func TestTheLocalHeaderLetsAWSSourcesIn(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.LoadTopology(env))
	srv := httptest.NewServer(f.svc.Handler())
	defer srv.Close()
	body := `{"Entries":[{"Source":"aws.cloudwatch","DetailType":"CloudWatch Alarm State Change",` +
		`"Detail":"{\"alarmName\":\"kiln-drift-local-abalone-Length\",\"state\":{\"value\":\"ALARM\"}}"}]}`
	for _, allow := range []bool{false, true} {
		req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("X-Amz-Target", "AWSEvents.PutEvents")
		if allow {
			req.Header.Set(AllowAWSSourceHeader, "true")
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if allow {
			assert.Contains(t, string(out), `"FailedEntryCount":0`)
		} else {
			assert.Contains(t, string(out), "NotAuthorizedForSourceException")
		}
	}
	f.wait(t)
	assert.Equal(t, 1, f.lambda.count("kiln-local-trigger"), "the drift rule took the alarm")
}
