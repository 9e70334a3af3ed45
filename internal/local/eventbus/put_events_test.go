package eventbus

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPutEventsFillsTheEnvelopeAsAWSDoes(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.PutRule(Rule{Name: "all", EventPattern: `{"source":["kiln.test"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("f")}}}))
	f.clock.Set(t0.Add(1500 * time.Millisecond))
	id := f.put(t, Entry{Source: "kiln.test", DetailType: "Thing Happened", Detail: `{"a": 1}`})
	assert.Equal(t, "00000000-0000-4000-8000-000000000001", id)
	f.wait(t) // deliveries run concurrently: wait so the calls come in order
	f.put(t, Entry{Source: "kiln.test", DetailType: "Thing Happened", Detail: `{}`,
		Resources: []string{"arn:aws:s3:::bucket"}, Time: time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("x", 3600))})
	f.wait(t)
	calls := f.lambda.invocations()
	require.Len(t, calls, 2)
	assert.JSONEq(t, `{"version":"0","id":"00000000-0000-4000-8000-000000000001","detail-type":"Thing Happened",
		"source":"kiln.test","account":"000000000000","time":"2026-11-22T19:00:01Z","region":"us-east-1",
		"resources":[],"detail":{"a":1}}`, calls[0].Payload)
	assert.JSONEq(t, `{"version":"0","id":"00000000-0000-4000-8000-000000000002","detail-type":"Thing Happened",
		"source":"kiln.test","account":"000000000000","time":"2026-01-02T02:04:05Z","region":"us-east-1",
		"resources":["arn:aws:s3:::bucket"],"detail":{}}`, calls[1].Payload)
	keys := []string{}
	dec := json.NewDecoder(strings.NewReader(calls[0].Payload))
	_, _ = dec.Token()
	for dec.More() {
		k, _ := dec.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		_ = dec.Decode(&skip)
	}
	assert.Equal(t, []string{"version", "id", "detail-type", "source", "account", "time", "region", "resources", "detail"}, keys,
		"the envelope's fields come in AWS's order")
}

func TestPutEventsReportsEachBadEntryOnItsOwn(t *testing.T) {
	good := Entry{Source: "kiln.test", DetailType: "T", Detail: `{"ok":true}`}
	cases := []struct {
		name      string
		entry     Entry
		code, msg string
	}{
		{"an entry without a source", Entry{DetailType: "T", Detail: `{}`}, "InvalidArgument", "Source is a required argument"},
		{"an entry without a detail type", Entry{Source: "kiln.test", Detail: `{}`}, "InvalidArgument", "DetailType is a required argument"},
		{"an entry without a detail", Entry{Source: "kiln.test", DetailType: "T"}, "InvalidArgument", "Detail is a required argument"},
		{"a detail that is not JSON", Entry{Source: "kiln.test", DetailType: "T", Detail: `{"a":`}, "MalformedDetail", "Detail is malformed."},
		{"a detail that is a JSON array", Entry{Source: "kiln.test", DetailType: "T", Detail: `[1]`}, "MalformedDetail", "Detail is malformed."},
		{"a detail that is a JSON string", Entry{Source: "kiln.test", DetailType: "T", Detail: `"x"`}, "MalformedDetail", "Detail is malformed."},
		{"an entry over 256 KB", Entry{Source: "kiln.test", DetailType: "T", Detail: `{"a":"` + strings.Repeat("x", MaxEntrySize) + `"}`}, "InvalidArgument", "maximum of 262144"},
		{"an AWS source", Entry{Source: "aws.sagemaker", DetailType: "T", Detail: `{}`}, "NotAuthorizedForSourceException", "Not authorized for the source."},
		{"a bus that does not exist", Entry{Source: "kiln.test", DetailType: "T", Detail: `{}`, EventBusName: "nope"}, "ResourceNotFoundException", "Event bus nope does not exist."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			res, err := f.svc.PutEvents(context.Background(), []Entry{good, c.entry, good})
			require.NoError(t, err)
			assert.Equal(t, 1, res.FailedEntryCount)
			require.Len(t, res.Entries, 3)
			assert.NotEmpty(t, res.Entries[0].EventID)
			assert.NotEmpty(t, res.Entries[2].EventID)
			assert.Empty(t, res.Entries[1].EventID)
			assert.Equal(t, c.code, res.Entries[1].ErrorCode)
			assert.Contains(t, res.Entries[1].ErrorMessage, c.msg)
			archived, err := f.svc.Archived(time.Time{}, time.Time{})
			require.NoError(t, err)
			assert.Len(t, archived, 2, "only the good entries are archived")
		})
	}
}

func TestPutEventsRefusesCallsWithoutOneToTenEntries(t *testing.T) {
	f := newFixture(t)
	e := Entry{Source: "kiln.test", DetailType: "T", Detail: `{}`}
	for _, n := range []int{0, 11} {
		entries := make([]Entry, n)
		for i := range entries {
			entries[i] = e
		}
		_, err := f.svc.PutEvents(context.Background(), entries)
		var ae *APIError
		require.True(t, errors.As(err, &ae), "%d entries: %v", n, err)
		assert.Equal(t, "ValidationException", ae.Code)
	}
	archived, err := f.svc.Archived(time.Time{}, time.Time{})
	require.NoError(t, err)
	assert.Empty(t, archived)
}

func TestPutEventsTakesABusByNameOrARN(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.CreateEventBus("kiln-local-kiln"))
	require.NoError(t, f.svc.PutRule(Rule{Name: "r", EventBus: "kiln-local-kiln", EventPattern: `{"source":["kiln.git"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("trigger")}}}))
	f.put(t, Entry{Source: "kiln.git", DetailType: "Git Push", Detail: `{}`, EventBusName: "kiln-local-kiln"})
	f.put(t, Entry{Source: "kiln.git", DetailType: "Git Push", Detail: `{}`, EventBusName: f.svc.BusARN("kiln-local-kiln")})
	f.put(t, Entry{Source: "kiln.git", DetailType: "Git Push", Detail: `{}`}) // the default bus has no rule
	f.wait(t)
	assert.Equal(t, 2, f.lambda.count("trigger"))
}

func TestPutAWSEventIsTheWayInForAWSSources(t *testing.T) {
	f := newFixture(t)
	require.NoError(t, f.svc.PutRule(Rule{Name: "sm", EventPattern: `{"source":["aws.sagemaker"]}`,
		Targets: []Target{{ID: "t", ARN: lambdaARN("approval")}}}))
	id, err := f.svc.PutAWSEvent(context.Background(), Entry{Source: "aws.sagemaker", DetailType: "SageMaker Model Package State Change", Detail: `{"ModelApprovalStatus":"Approved"}`})
	require.NoError(t, err)
	assert.NotEmpty(t, id)
	_, err = f.svc.PutAWSEvent(context.Background(), Entry{Source: "kiln.git", DetailType: "Git Push", Detail: `{}`})
	assert.ErrorContains(t, err, "does not begin with aws.")
	_, err = f.svc.PutAWSEvent(context.Background(), Entry{Source: "aws.s3", DetailType: "Object Created", Detail: `[]`})
	var ae *APIError
	require.True(t, errors.As(err, &ae))
	assert.Equal(t, "MalformedDetail", ae.Code)
	f.wait(t)
	assert.Equal(t, 1, f.lambda.count("approval"))
}
