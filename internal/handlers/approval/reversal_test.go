package approval_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/kiln-dev/kiln/internal/handlers/approval"
	"github.com/kiln-dev/kiln/internal/release"
	"github.com/kiln-dev/kiln/statemachines"
)

// fakeWithdrawer records each withdrawal and answers with w or err.
type fakeWithdrawer struct {
	w     release.Withdrawal
	err   error
	calls []release.Rejection
}

func (f *fakeWithdrawer) Withdraw(_ context.Context, rej release.Rejection) (release.Withdrawal, error) {
	f.calls = append(f.calls, rej)
	return f.w, f.err
}

func decided(status string) []byte {
	b, _ := json.Marshal(approval.Record{TaskToken: token, ModelPackageARN: packageARN, ExecutionARN: execARN, Decided: true,
		Decision: &approval.RecordedDecision{Decision: statemachines.Decision{Status: status, ModelPackageARN: packageARN, DecidedBy: "grace"}, Outcome: "sent"}})
	return b
}

func TestAReversalIsNeverIgnored(t *testing.T) {
	tests := []struct {
		name          string
		event         string
		record        []byte
		withdrawErr   error
		wantOutcome   string
		wantErr       string
		wantWithdrawn bool
		wantReversals int // -1: the record is not rewritten
	}{
		{name: "a rejection after the approval withdraws the package and records the reversal",
			event: "model-package-rejected.json", record: decided("Approved"),
			wantOutcome: approval.OutcomeWithdrawn, wantWithdrawn: true, wantReversals: 1},
		{name: "a rejection of a package no pipeline waits on still withdraws it",
			event: "model-package-rejected.json", wantOutcome: approval.OutcomeWithdrawn, wantWithdrawn: true, wantReversals: -1},
		{name: "a repeated rejection asks again, which changes nothing, and adds no reversal",
			event: "model-package-rejected.json", record: decided("Rejected"),
			wantOutcome: approval.OutcomeWithdrawn, wantWithdrawn: true, wantReversals: -1},
		{name: "a withdrawal that must wait for the endpoint is returned for a retry and records nothing",
			event: "model-package-rejected.json", record: decided("Approved"), withdrawErr: fmt.Errorf("withdraw: %w", release.ErrStillUpdating),
			wantErr: "the endpoint is still updating", wantWithdrawn: true, wantReversals: -1},
		{name: "an approval after the rejection is recorded as a reversal and deploys nothing by itself",
			event: "model-package-approved.json", record: decided("Rejected"), wantOutcome: approval.OutcomeReversed, wantReversals: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeS3{objects: map[string][]byte{}}
			if tc.record != nil {
				s.objects[recordKey] = tc.record
			}
			f := &fakeSFN{}
			wd := &fakeWithdrawer{w: release.Withdrawal{Action: release.ActionRolledBack, Why: "rolled back"}, err: tc.withdrawErr}
			var logs bytes.Buffer
			h := &approval.Handler{S3: s, Bucket: bucket, SFN: f, Releases: wd, Clock: func() time.Time { return now },
				Log: slog.New(slog.NewJSONHandler(&logs, nil))}
			res, err := h.Handle(context.Background(), event(t, tc.event))
			if tc.wantErr != "" {
				require.ErrorContains(t, err, tc.wantErr)
				assert.True(t, errors.Is(err, release.ErrStillUpdating))
			} else {
				require.NoError(t, err)
				assert.Equal(t, tc.wantOutcome, res.Outcome)
			}
			assert.Empty(t, f.successes, "no task is answered after the pipeline's decision")
			assert.Empty(t, f.failures)
			if tc.wantWithdrawn {
				require.Len(t, wd.calls, 1)
				assert.Equal(t, packageARN, wd.calls[0].ModelPackageARN)
				assert.NotEmpty(t, wd.calls[0].Group)
				assert.NotEmpty(t, wd.calls[0].Reason)
				if tc.record != nil {
					assert.Equal(t, execARN, wd.calls[0].ExecutionARN, "the run that produced the package is the one to stop")
				}
			} else {
				assert.Empty(t, wd.calls)
			}
			if tc.wantReversals < 0 {
				assert.Empty(t, s.puts)
				return
			}
			var rec approval.Record
			require.NoError(t, json.Unmarshal(s.objects[recordKey], &rec))
			assert.Len(t, rec.Reversals, tc.wantReversals)
			assert.NotNil(t, rec.Decision, "the first decision is kept")
		})
	}
}
