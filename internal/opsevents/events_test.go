package opsevents_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/events"
	"github.com/kiln-dev/kiln/internal/opsevents"
)

// envelope is the part of an EventBridge event the samples are checked on.
type envelope struct {
	Source     string          `json:"source"`
	DetailType string          `json:"detail-type"`
	Detail     json.RawMessage `json:"detail"`
}

func TestEachEventDecodesExactlyFromItsSample(t *testing.T) {
	tests := []struct {
		name, sample, source, detailType string
		detail                           any
	}{
		{"a completed rollback says who, why and how long", "rollback-completed.json", opsevents.SourceRelease, opsevents.RollbackCompleted, &opsevents.Rollback{}},
		{"a breached watch names the alarm, its cause and the action", "watch-breached.json", opsevents.SourceRelease, opsevents.WatchBreached, &opsevents.Breach{}},
		{"a drift check lists each feature against its threshold", "drift-checked.json", opsevents.SourceDrift, opsevents.DriftChecked, &opsevents.Drift{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := events.Sample(tc.sample)
			require.NoError(t, err)
			var env envelope
			require.NoError(t, json.Unmarshal(b, &env))
			assert.Equal(t, tc.source, env.Source)
			assert.Equal(t, tc.detailType, env.DetailType)
			dec := json.NewDecoder(bytes.NewReader(env.Detail))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(tc.detail), "the sample has exactly the struct's fields")
			again, err := json.Marshal(tc.detail)
			require.NoError(t, err)
			assert.JSONEq(t, string(env.Detail), string(again), "the struct round-trips the sample")
		})
	}
}

// fakeBus records PutEvents calls and answers with out and err.
type fakeBus struct {
	got []*eventbridge.PutEventsInput
	out *eventbridge.PutEventsOutput
	err error
}

func (f *fakeBus) PutEvents(_ context.Context, in *eventbridge.PutEventsInput, _ ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error) {
	f.got = append(f.got, in)
	if f.out == nil {
		return &eventbridge.PutEventsOutput{}, f.err
	}
	return f.out, f.err
}

func TestPublisherPutsOneEntryOnItsBus(t *testing.T) {
	refused := &eventbridge.PutEventsOutput{FailedEntryCount: 1, Entries: []types.PutEventsResultEntry{{ErrorCode: aws.String("InternalFailure"), ErrorMessage: aws.String("try again")}}}
	tests := []struct {
		name    string
		bus     *fakeBus
		wantErr error
	}{
		{name: "an accepted event returns nil", bus: &fakeBus{}},
		{name: "a refused entry is an error naming the bus's answer", bus: &fakeBus{out: refused}, wantErr: opsevents.ErrRefused},
		{name: "a failed call is an error", bus: &fakeBus{err: errors.New("connection refused")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := &opsevents.Publisher{Events: tc.bus, Bus: "kiln-prod-kiln"}
			err := p.Put(context.Background(), opsevents.SourceRelease, opsevents.RollbackCompleted, opsevents.Rollback{Model: "abalone"}, "arn:x")
			switch {
			case tc.wantErr != nil:
				assert.ErrorIs(t, err, tc.wantErr)
			case tc.bus.err != nil:
				assert.Error(t, err)
			default:
				assert.NoError(t, err)
			}
			require.Len(t, tc.bus.got, 1)
			e := tc.bus.got[0].Entries[0]
			assert.Equal(t, "kiln-prod-kiln", aws.ToString(e.EventBusName))
			assert.Equal(t, opsevents.RollbackCompleted, aws.ToString(e.DetailType))
			assert.Contains(t, aws.ToString(e.Detail), `"model":"abalone"`)
			assert.Equal(t, []string{"arn:x"}, e.Resources)
		})
	}
}

func TestANilPublisherPutsNothing(t *testing.T) {
	var p *opsevents.Publisher
	assert.NoError(t, p.Put(context.Background(), opsevents.SourceDrift, opsevents.DriftChecked, opsevents.Drift{}))
}
