package eventbus

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// ec2Event is the EC2 example of the EventBridge input transformation page.
const ec2Event = `{"version":"0","id":"7bf73129-1428-4cd3-a780-95db273d1602",
"detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","account":"123456789012",
"time":"2015-11-11T21:29:54Z","region":"us-east-1",
"resources":["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
"detail":{"instance-id":"i-0123456789","state":"RUNNING","tags":{"team":"ml"},"n":3,"quote":"say \"hi\""}}`

func TestInputTransformerFillsTheTemplateAsEventBridgeDoes(t *testing.T) {
	paths := map[string]string{"instance": "$.detail.instance-id", "state": "$.detail.state", "tags": "$.detail.tags",
		"n": "$.detail.n", "res": "$.resources[0]", "missing": "$.detail.nope", "quote": "$.detail.quote"}
	cases := []struct {
		name     string
		template string
		want     string
		isJSON   bool
	}{
		{"a string template gets values without quotes", `"instance <instance> is in state <state>"`,
			`"instance i-0123456789 is in state RUNNING"`, true},
		{"a JSON template gets JSON values where a value stands", `{"instance": <instance>, "state": [9, <state>, true], "Transformed": "Yes"}`,
			`{"instance": "i-0123456789", "state": [9, "RUNNING", true], "Transformed": "Yes"}`, true},
		{"a variable in quotes gives the bare text", `{"instance": "<instance>"}`, `{"instance": "i-0123456789"}`, true},
		{"an object in a string loses its inner quotes", `"tags: <tags>"`, `"tags: {team:ml}"`, true},
		{"an object as a value stays JSON", `{"tags": <tags>, "n": <n>}`, `{"tags": {"team":"ml"}, "n": 3}`, true},
		{"an array index selects an element", `{"r": <res>}`, `{"r": "arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"}`, true},
		{"a path that selects nothing gives null as a value", `{"m": <missing>}`, `{"m": null}`, true},
		{"a path that selects nothing gives nothing in a string", `"[<missing>]"`, `"[]"`, true},
		{"escapes in a string value survive", `{"q": "<quote>"}`, `{"q": "say \"hi\""}`, true},
		{"the rule name and ARN are predefined", `{"rule": "<aws.events.rule-name>", "arn": <aws.events.rule-arn>}`,
			`{"rule": "ec2-rule", "arn": "arn:aws:events:us-east-1:000000000000:rule/ec2-rule"}`, true},
		{"the ingestion time is predefined", `"<aws.events.event.ingestion-time>"`, `"2026-11-22T19:00:00.000Z"`, true},
		{"text in angle brackets that names no variable stays", `"a <b> c"`, `"a <b> c"`, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := &event{raw: []byte(ec2Event), ingestion: t0}
			got, err := transform(&InputTransformer{InputPathsMap: paths, InputTemplate: c.template}, ev, "ec2-rule",
				"arn:aws:events:us-east-1:000000000000:rule/ec2-rule")
			require.NoError(t, err)
			assert.Equal(t, c.want, string(got))
			if c.isJSON {
				assert.True(t, json.Valid(got), "not JSON: %s", got)
			}
		})
	}
}

func TestTheWholeEventVariables(t *testing.T) {
	ev := &event{raw: []byte(ec2Event), ingestion: t0}
	got, err := transform(&InputTransformer{InputTemplate: `{"without": <aws.events.event>, "with": <aws.events.event.json>}`}, ev, "r", "arn")
	require.NoError(t, err)
	var out struct {
		Without map[string]any `json:"without"`
		With    map[string]any `json:"with"`
	}
	require.NoError(t, json.Unmarshal(got, &out), string(got))
	assert.NotContains(t, out.Without, "detail", "aws.events.event has no detail")
	assert.Equal(t, "aws.ec2", out.Without["source"])
	assert.Contains(t, out.With, "detail", "aws.events.event.json has the detail")

	_, err = transform(&InputTransformer{InputTemplate: `"<aws.events.event.json>"`}, ev, "r", "arn")
	assert.ErrorContains(t, err, "may only be used as a JSON value")
}

func TestPutRuleChecksTargetsInput(t *testing.T) {
	many := map[string]string{}
	for i := 0; i < 101; i++ {
		many[strings.Repeat("v", i+1)] = "$.detail"
	}
	cases := []struct {
		name   string
		target Target
		want   string
	}{
		{"a reserved variable name", Target{ID: "t", ARN: lambdaARN("f"), InputTransformer: &InputTransformer{
			InputPathsMap: map[string]string{"aws.events.rule-name": "$.id"}, InputTemplate: `"x"`}}, "reserved"},
		{"a path that is not JSONPath", Target{ID: "t", ARN: lambdaARN("f"), InputTransformer: &InputTransformer{
			InputPathsMap: map[string]string{"v": "detail.x"}, InputTemplate: `"<v>"`}}, "not a JSONPath"},
		{"more than 100 variables", Target{ID: "t", ARN: lambdaARN("f"), InputTransformer: &InputTransformer{
			InputPathsMap: many, InputTemplate: `"x"`}}, "at most 100"},
		{"no template", Target{ID: "t", ARN: lambdaARN("f"), InputTransformer: &InputTransformer{}}, "an InputTemplate is required"},
		{"an input path that is not JSONPath", Target{ID: "t", ARN: lambdaARN("f"), InputPath: "detail"}, "not a JSONPath"},
		{"input and input path together", Target{ID: "t", ARN: lambdaARN("f"), Input: `{}`, InputPath: "$.detail"}, "only one of"},
		{"an ARN of an unsupported service", Target{ID: "t", ARN: "arn:aws:sqs:us-east-1:000000000000:queue"}, "not a Lambda function, state machine or event bus"},
		{"no ARN", Target{ID: "t"}, "is not an ARN"},
		{"a retry policy over 185 attempts", Target{ID: "t", ARN: lambdaARN("f"), RetryPolicy: RetryPolicy{MaximumRetryAttempts: Attempts(186)}}, "outside 0..185"},
		{"a maximum age under a minute", Target{ID: "t", ARN: lambdaARN("f"), RetryPolicy: RetryPolicy{MaximumEventAge: time.Second}}, "outside 60s..24h"},
		{"a target id with a space", Target{ID: "t 1", ARN: lambdaARN("f")}, "target id name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			err := f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":["x"]}`, Targets: []Target{c.target}})
			require.Error(t, err)
			assert.Contains(t, err.Error(), c.want)
			rules, err := f.svc.ListRules("", "")
			require.NoError(t, err)
			assert.Empty(t, rules, "a rejected rule is not stored")
		})
	}
}

func TestPutRuleRejectsAnInvalidPatternAndKeepsTheOldRule(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":["x"]}`}))
	err := f.svc.PutRule(Rule{Name: "r", EventPattern: `{"source":"x"}`})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, "InvalidEventPatternException", ae.Code)
	r, err := f.svc.DescribeRule("", "r")
	require.NoError(t, err)
	assert.Equal(t, `{"source":["x"]}`, r.EventPattern)
}

func TestTargetsReceiveTheirInputEndToEnd(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.PutRule(Rule{Name: "ec2", EventPattern: `{"source":["kiln.ec2"]}`, Targets: []Target{
		{ID: "path", ARN: lambdaARN("path"), InputPath: "$.detail.state"},
		{ID: "const", ARN: lambdaARN("const"), Input: `{"fixed":true}`},
		{ID: "tpl", ARN: lambdaARN("tpl"), InputTransformer: &InputTransformer{
			InputPathsMap: map[string]string{"state": "$.detail.state"}, InputTemplate: `{"s": <state>, "rule": "<aws.events.rule-name>"}`}},
		{ID: "bad", ARN: lambdaARN("bad"), InputTransformer: &InputTransformer{InputTemplate: `"<aws.events.event>"`}},
	}}))
	f.put(t, Entry{Source: "kiln.ec2", DetailType: "T", Detail: `{"state":"RUNNING"}`})
	f.wait(t)
	got := map[string]string{}
	for _, c := range f.lambda.invocations() {
		got[c.Function] = c.Payload
	}
	assert.Equal(t, map[string]string{"path": `"RUNNING"`, "const": `{"fixed":true}`, "tpl": `{"s": "RUNNING", "rule": "ec2"}`}, got)
	dls, err := f.svc.DeadLetters()
	require.NoError(t, err)
	require.Len(t, dls, 1, "a template that cannot be filled is not retried but kept")
	assert.Equal(t, "bad", dls[0].TargetID)
	assert.Contains(t, dls[0].LastError, "may only be used as a JSON value")
	_ = context.Background()
}

func TestInputPathFollowsEventBridgesJSONPathSubset(t *testing.T) {
	cases := []struct {
		name, path, want string
	}{
		{"the root is the whole event", "$", ""},
		{"a name with a dash", "$.detail-type", `"EC2 Instance State-change Notification"`},
		{"a nested name with a dash", "$.detail.instance-id", `"i-0123456789"`},
		{"an array index", "$.resources[0]", `"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"`},
		{"an index past the end selects nothing", "$.resources[5]", `null`},
		{"a bracketed name", "$.detail['instance-id']", `"i-0123456789"`},
		{"a wildcard over an array gives an array", "$.resources[*]", `["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"]`},
		{"a wildcard over an object gives its values in key order", "$.detail.tags.*", `["ml"]`},
		{"a missing name selects nothing", "$.detail.nope.deeper", `null`},
		{"a number keeps its text", "$.detail.n", `3`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			d := &delivery{ev: &event{raw: []byte(ec2Event), ingestion: t0}, target: Target{InputPath: c.path}}
			require.NoError(t, checkInputPath(c.path))
			got, err := f.svc.targetInput(d)
			require.NoError(t, err)
			if c.want == "" {
				assert.JSONEq(t, ec2Event, string(got))
				return
			}
			assert.JSONEq(t, c.want, string(got))
		})
	}
	for _, bad := range []string{"detail", "$..detail", "$.a[", "$['a", "$.a[-1]", "$ .a", "$.a b"} {
		assert.Error(t, checkInputPath(bad), "path %q", bad)
	}
}
