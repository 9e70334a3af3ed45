package events_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/eventpattern"
	"github.com/kiln-dev/kiln/internal/topology"
	"github.com/kiln-dev/kiln/statemachines"
)

// nonEnvelopes are the samples that are not EventBridge events, with what they are.
var nonEnvelopes = map[string]string{
	"github-push.json":        "function URL request",
	"github-ping.json":        "function URL request",
	"github-push-forged.json": "function URL request",
	"scheduled-retrain.json":  "scheduler input",
	"approval-request.json":   "lambda payload",
	"sam-env.json":            "sam environment",
}

// samples returns the names of every sample file in this directory, sorted.
func samples(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob("*.json")
	require.NoError(t, err)
	require.NotEmpty(t, names)
	sort.Strings(names)
	return names
}

func read(t *testing.T, name string) []byte {
	t.Helper()
	b, err := events.Sample(name)
	require.NoError(t, err, "every sample is embedded")
	return b
}

func TestEverySampleIsValidJSONOfAKnownShape(t *testing.T) {
	for _, name := range samples(t) {
		t.Run(name, func(t *testing.T) {
			b := read(t, name)
			require.True(t, json.Valid(b), "%s is not valid JSON", name)
			var top map[string]json.RawMessage
			require.NoError(t, json.Unmarshal(b, &top))
			kind, ok := nonEnvelopes[name]
			_, envelope := top["detail-type"]
			if envelope {
				require.False(t, ok, "%s is listed as a %s but looks like an event", name, kind)
				assertEnvelope(t, b)
				return
			}
			require.True(t, ok, "%s is neither an EventBridge envelope (no detail-type) nor listed in nonEnvelopes with its shape", name)
			switch kind {
			case "function URL request":
				// Not strict: a real request also carries routeKey and stage, which
				// aws-lambda-go's type omits.
				var req lambdaevents.LambdaFunctionURLRequest
				require.NoError(t, json.Unmarshal(b, &req))
				assert.Equal(t, "2.0", req.Version)
				assert.Equal(t, "POST", req.RequestContext.HTTP.Method)
				assert.NotEmpty(t, req.Body)
				for k := range req.Headers {
					assert.Equal(t, strings.ToLower(k), k, "a function URL lower-cases header names")
				}
				for _, h := range []string{"x-github-event", "x-github-delivery", "x-hub-signature-256"} {
					assert.NotEmpty(t, req.Headers[h], h)
				}
			case "scheduler input":
				var in map[string]string
				require.NoError(t, json.Unmarshal(b, &in))
				assert.Equal(t, topology.Schedules[0].Input("abalone", "prod"), map[string]any{"kind": in["kind"], "model": in["model"], "schedule": in["schedule"]},
					"the sample is what the topology's retrain schedule sends")
			case "lambda payload":
				var req statemachines.ApprovalRequest
				require.NoError(t, strictDecode(b, &req), "the payload has exactly the fields the RequestApproval state sends")
			case "sam environment":
				assert.Contains(t, top, "Parameters")
			}
		})
	}
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// assertEnvelope checks the EventBridge envelope: every field present, time RFC 3339,
// resources an array, detail an object.
func assertEnvelope(t *testing.T, b []byte) {
	t.Helper()
	var env map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &env))
	for _, f := range []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"} {
		assert.Contains(t, env, f, "the envelope has %s", f)
	}
	var ev lambdaevents.CloudWatchEvent
	require.NoError(t, strictDecode(b, &ev), "the envelope decodes as aws-lambda-go's event")
	assert.Equal(t, "0", ev.Version)
	assert.NotEmpty(t, ev.ID)
	assert.Regexp(t, `^\d{12}$`, ev.AccountID)
	assert.Equal(t, "us-east-1", ev.Region)
	assert.False(t, ev.Time.IsZero())
	var raw struct {
		Time string `json:"time"`
	}
	require.NoError(t, json.Unmarshal(b, &raw))
	_, err := time.Parse(time.RFC3339, raw.Time)
	assert.NoError(t, err, "time is RFC 3339")
	assert.NotNil(t, ev.Resources, "resources is an array")
	assert.True(t, bytes.HasPrefix(bytes.TrimSpace(ev.Detail), []byte("{")), "detail is an object")
}

func TestAlarmSamplesCarryReasonDataAsAStringAndCloudWatchTimestamps(t *testing.T) {
	for _, name := range []string{"drift-alarm-alarm.json", "drift-alarm-ok.json", "latency-alarm-alarm.json"} {
		t.Run(name, func(t *testing.T) {
			var ev struct {
				Detail struct {
					AlarmName string `json:"alarmName"`
					State     struct {
						Value      string `json:"value"`
						ReasonData string `json:"reasonData"`
						Timestamp  string `json:"timestamp"`
					} `json:"state"`
				} `json:"detail"`
			}
			require.NoError(t, json.Unmarshal(read(t, name), &ev))
			assert.Contains(t, []string{topology.DriftAlarmName("prod", "abalone", "Length"), topology.RollbackAlarmNames("prod", "abalone")[1]}, ev.Detail.AlarmName)
			assert.True(t, json.Valid([]byte(ev.Detail.State.ReasonData)), "reasonData is a JSON document inside a string")
			_, err := time.Parse("2006-01-02T15:04:05.000-0700", ev.Detail.State.Timestamp)
			assert.NoError(t, err, "CloudWatch writes timestamps like 2019-10-02T17:04:40.989+0000")
		})
	}
}

// TestRulesMatchExactlyTheirSamples compiles every rule pattern of the topology with its
// placeholders filled for the local prod stage, and checks it against every event sample:
// each rule matches the samples listed for it and no other.
func TestRulesMatchExactlyTheirSamples(t *testing.T) {
	want := map[string][]string{
		"git-push.pattern.json":          {"git-push.json"},
		"codecommit-push.pattern.json":   {"codecommit-reference-updated.json"},
		"new-training-data.pattern.json": {"s3-object-created.json"},
		"drift-alarm.pattern.json":       {"drift-alarm-alarm.json"},
		"model-approval.pattern.json":    {"model-package-approved.json", "model-package-rejected.json"},
		"watch-alarm.pattern.json":       {"drift-alarm-alarm.json", "latency-alarm-alarm.json"},
		"rollback-ended.pattern.json":    {"deploy-rollback-ended.json"},
	}
	var envelopes []string
	for _, name := range samples(t) {
		if _, ok := nonEnvelopes[name]; !ok {
			envelopes = append(envelopes, name)
		}
	}
	values := topology.Placeholders(topology.Local("prod"))
	seen := map[string]bool{}
	for _, rule := range topology.Rules {
		t.Run(rule.Name, func(t *testing.T) {
			raw, err := events.Pattern(rule.Pattern)
			require.NoError(t, err)
			require.True(t, json.Valid(raw), "the pattern file is valid JSON")
			filled, err := statemachines.Substitute(raw, values)
			require.NoError(t, err)
			p, err := eventpattern.Compile(filled)
			require.NoError(t, err)
			expected, ok := want[rule.Pattern]
			require.True(t, ok, "rule %s has a list of the samples it matches", rule.Pattern)
			seen[rule.Pattern] = true
			for _, name := range envelopes {
				got, err := p.Match(read(t, name))
				require.NoError(t, err)
				assert.Equal(t, contains(expected, name), got, "%s matching %s", rule.Pattern, name)
			}
		})
	}
	assert.Len(t, seen, len(want), "every listed pattern is a rule of the topology")
}

// TestRulesRejectNearMisses changes one field of a matching sample and checks the rule no
// longer matches.
func TestRulesRejectNearMisses(t *testing.T) {
	tests := []struct {
		name    string
		pattern string
		sample  string
		edit    func(detail map[string]any)
	}{
		{"a push that deletes its branch is not a git push to train", "git-push.pattern.json", "git-push.json",
			func(d map[string]any) { d["deleted"] = true }},
		{"a CodeCommit tag is not a branch push", "codecommit-push.pattern.json", "codecommit-reference-updated.json",
			func(d map[string]any) { d["referenceType"] = "tag" }},
		{"a deleted CodeCommit branch is not a push", "codecommit-push.pattern.json", "codecommit-reference-updated.json",
			func(d map[string]any) { d["event"] = "referenceDeleted" }},
		{"an object in another bucket is not training data", "new-training-data.pattern.json", "s3-object-created.json",
			func(d map[string]any) {
				d["bucket"].(map[string]any)["name"] = "kiln-staging-artifacts-000000000000-us-east-1"
			}},
		{"an object outside data/ is not training data", "new-training-data.pattern.json", "s3-object-created.json",
			func(d map[string]any) { d["object"].(map[string]any)["key"] = "training/abalone/x/output/model.tar.gz" }},
		{"a drift alarm of another stage is not this stage's", "drift-alarm.pattern.json", "drift-alarm-alarm.json",
			func(d map[string]any) { d["alarmName"] = "kiln-drift-staging-abalone-Length" }},
		{"a package of another stage's group is not this stage's", "model-approval.pattern.json", "model-package-approved.json",
			func(d map[string]any) { d["ModelPackageGroupName"] = "kiln-dev-abalone" }},
		{"a rollback still running has not ended", "rollback-ended.pattern.json", "deploy-rollback-ended.json",
			func(d map[string]any) { d["status"] = "RUNNING" }},
		{"another stage's deploy workflow is not this stage's", "rollback-ended.pattern.json", "deploy-rollback-ended.json",
			func(d map[string]any) {
				d["stateMachineArn"] = "arn:aws:states:us-east-1:000000000000:stateMachine:kiln-staging-deploy"
			}},
	}
	values := topology.Placeholders(topology.Local("prod"))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := events.Pattern(tc.pattern)
			require.NoError(t, err)
			filled, err := statemachines.Substitute(raw, values)
			require.NoError(t, err)
			p, err := eventpattern.Compile(filled)
			require.NoError(t, err)
			sample := read(t, tc.sample)
			ok, err := p.Match(sample)
			require.NoError(t, err)
			require.True(t, ok, "the unchanged sample matches")
			var ev map[string]any
			require.NoError(t, json.Unmarshal(sample, &ev))
			tc.edit(ev["detail"].(map[string]any))
			changed, err := json.Marshal(ev)
			require.NoError(t, err)
			ok, err = p.Match(changed)
			require.NoError(t, err)
			assert.False(t, ok)
		})
	}
}

func TestEveryFileInTheDirectoryIsEmbedded(t *testing.T) {
	entries, err := os.ReadDir(".")
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			_, err := events.Sample(e.Name())
			assert.NoError(t, err, e.Name())
		}
	}
	for _, r := range topology.Rules {
		_, err := events.Pattern(r.Pattern)
		assert.NoError(t, err, r.Pattern)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
