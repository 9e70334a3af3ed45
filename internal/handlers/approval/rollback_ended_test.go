package approval_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/opsevents"
	"github.com/kiln-dev/kiln/internal/release"
)

// fakeAnnouncer records what it was asked to announce and answers as a Releaser would: a
// deploy whose input carries a rollback request is announced.
type fakeAnnouncer struct {
	err   error
	ended []release.Ended
}

func (f *fakeAnnouncer) Announce(_ context.Context, e release.Ended) (opsevents.Rollback, bool, error) {
	f.ended = append(f.ended, e)
	if f.err != nil {
		return opsevents.Rollback{}, true, f.err
	}
	var in struct {
		Rollback *struct{ RequestedBy string } `json:"rollback"`
	}
	if err := json.Unmarshal([]byte(e.Input), &in); err != nil {
		return opsevents.Rollback{}, false, err
	}
	if in.Rollback == nil {
		return opsevents.Rollback{}, false, nil
	}
	return opsevents.Rollback{Status: e.Status, ExecutionARN: e.ExecutionARN, RequestedBy: in.Rollback.RequestedBy}, true, nil
}

func TestARollbacksEndIsAnnouncedFromItsStatusChange(t *testing.T) {
	tests := []struct {
		name        string
		sample      string
		edit        func(d map[string]any)
		err         error
		wantOutcome string
		wantErr     bool
	}{
		{name: "a rollback that ended is announced", sample: "deploy-rollback-ended.json", wantOutcome: approval.OutcomeAnnounced},
		{name: "a failed rollback is announced with its error", sample: "deploy-rollback-ended.json",
			edit: func(d map[string]any) {
				d["status"], d["error"], d["cause"], d["output"] = "FAILED", "EndpointUpdateFailed", "the canary's alarm fired", nil
			}, wantOutcome: approval.OutcomeAnnounced},
		{name: "a release (no rollback) is ignored", sample: "deploy-release-ended.json", wantOutcome: approval.OutcomeIgnored},
		{name: "an execution still running is ignored", sample: "deploy-rollback-ended.json",
			edit: func(d map[string]any) { d["status"], d["stopDate"] = "RUNNING", nil }, wantOutcome: approval.OutcomeIgnored},
		{name: "an announcement that could not be put is retried", sample: "deploy-rollback-ended.json",
			err: errors.New("bus down"), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev := alarmEvent(t, tc.sample)
			if tc.edit != nil {
				var d map[string]any
				require.NoError(t, json.Unmarshal(ev.Detail, &d))
				tc.edit(d)
				b, err := json.Marshal(d)
				require.NoError(t, err)
				ev.Detail = b
			}
			a := &fakeAnnouncer{err: tc.err}
			h := &approval.Handler{Rollbacks: a, Log: slog.New(slog.DiscardHandler)}
			got, err := h.Handle(context.Background(), ev)
			if tc.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.wantOutcome, got.Outcome)
			if got.Outcome != approval.OutcomeAnnounced {
				assert.Nil(t, got.Rollback)
				return
			}
			require.Len(t, a.ended, 1)
			e := a.ended[0]
			assert.Equal(t, "arn:aws:states:us-east-1:000000000000:execution:kiln-prod-deploy:abalone-prod-rb-v4-3f9a01c2", e.ExecutionARN)
			assert.Equal(t, 690.714, e.StopDate.Sub(e.StartDate).Seconds(), "the dates are the event's epoch milliseconds")
			assert.Contains(t, e.Input, `"rollback":{`, "the execution's input travels in the event")
			if e.Status == "FAILED" {
				assert.Equal(t, "EndpointUpdateFailed", e.Error)
				assert.Equal(t, "the canary's alarm fired", e.Cause)
			}
			require.NotNil(t, got.Rollback)
			assert.Equal(t, "ada", got.Rollback.RequestedBy)
			assert.Equal(t, e.Status, got.Rollback.Status)
		})
	}
}
