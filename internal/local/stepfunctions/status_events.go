package stepfunctions

import (
	"context"
	"encoding/json"

	"github.com/kiln-dev/kiln/internal/asl"
	"github.com/kiln-dev/kiln/internal/local/awsevent"
)

// The EventBridge event Step Functions sends to the account's default bus for every status
// change of a Standard execution (AWS: "EventBridge (CloudWatch Events) for Step Functions
// execution status changes"); Express executions send none.
const (
	// StatusChangeSource is the event's source.
	StatusChangeSource = "aws.states"
	// StatusChangeDetailType is the event's detail-type.
	StatusChangeDetailType = "Step Functions Execution Status Change"
	// maxEventPayload is the most escaped input plus output an event carries; above it the
	// input is left out, and then the output too when it alone is above it (AWS: 248 KB).
	maxEventPayload = 248 * 1024
)

// StatusChange is one "Step Functions Execution Status Change" event, ready for the bus.
type StatusChange = awsevent.Event

// statusChangeDetail is the event's detail: DescribeExecution's fields at the time of the
// change, with dates in epoch milliseconds and null where the execution has no value yet.
type statusChangeDetail struct {
	ExecutionARN        string          `json:"executionArn"`
	StateMachineARN     string          `json:"stateMachineArn"`
	Name                string          `json:"name"`
	Status              string          `json:"status"`
	StartDate           int64           `json:"startDate"`
	StopDate            *int64          `json:"stopDate"`
	Input               *string         `json:"input"`
	InputDetails        payloadDetails  `json:"inputDetails"`
	Output              *string         `json:"output"`
	OutputDetails       *payloadDetails `json:"outputDetails"`
	Error               *string         `json:"error,omitempty"`
	Cause               *string         `json:"cause,omitempty"`
	RedriveCount        int             `json:"redriveCount"`
	RedriveDate         *int64          `json:"redriveDate,omitempty"`
	RedriveStatus       string          `json:"redriveStatus"`
	RedriveStatusReason *string         `json:"redriveStatusReason,omitempty"`
	VersionARN          string          `json:"stateMachineVersionArn,omitempty"`
	AliasARN            string          `json:"stateMachineAliasArn,omitempty"`
}

// payloadDetails says whether the input or output is in the event (CloudWatchEventsExecutionDataDetails).
type payloadDetails struct {
	Included bool `json:"included"`
}

// statusChange builds the event for rec as it is now; redriveStatus and reason are
// DescribeExecution's at that moment (reason empty when there is none).
func statusChange(rec *Execution, redriveStatus, reason string) (StatusChange, error) {
	d := statusChangeDetail{
		ExecutionARN: rec.ARN, StateMachineARN: rec.StateMachineARN, Name: rec.Name, Status: string(rec.Status),
		StartDate: rec.StartDate.UnixMilli(), RedriveCount: rec.RedriveCount, RedriveStatus: redriveStatus,
		VersionARN: rec.VersionARN, AliasARN: rec.AliasARN,
	}
	at := rec.StartDate
	if !rec.RedriveDate.IsZero() {
		d.RedriveDate = ptr(rec.RedriveDate.UnixMilli())
		at = rec.RedriveDate
	}
	if !rec.StopDate.IsZero() {
		d.StopDate = ptr(rec.StopDate.UnixMilli())
		at = rec.StopDate
	}
	input, output := string(rec.Input), string(rec.Output)
	inSize, outSize := escapedSize(input), 0
	if rec.Status == asl.StatusSucceeded {
		outSize = escapedSize(output)
		d.OutputDetails = &payloadDetails{Included: outSize <= maxEventPayload}
		if d.OutputDetails.Included {
			d.Output = &output
		}
	}
	if d.InputDetails.Included = inSize+outSize <= maxEventPayload; d.InputDetails.Included {
		d.Input = &input
	}
	if rec.Error != "" {
		d.Error = ptr(rec.Error)
	}
	if rec.Cause != "" {
		d.Cause = ptr(rec.Cause)
	}
	if reason != "" {
		d.RedriveStatusReason = &reason
	}
	b, err := json.Marshal(d)
	if err != nil {
		return StatusChange{}, err
	}
	return StatusChange{Source: StatusChangeSource, DetailType: StatusChangeDetailType,
		Resources: []string{rec.ARN}, Detail: b, Time: at}, nil
}

func ptr[T any](v T) *T { return &v }

// escapedSize is the length of s as a JSON string, quotes included.
func escapedSize(s string) int {
	b, _ := json.Marshal(s)
	return len(b)
}

// emitStatusLocked queues the status change of rec (s.mu held), when a bus is attached and the
// execution is a Standard one.
func (s *Service) emitStatusLocked(rec *Execution) {
	if s.events == nil || isExpress(rec.ARN) {
		return
	}
	status, reason := s.redriveStatusLocked(rec, s.engine.Clock().Now())
	ev, err := statusChange(rec, status, reason)
	if err != nil {
		s.opts.Log.Error("build execution status change", "executionArn", rec.ARN, "err", err)
		return
	}
	s.events.Put(ev)
}

// FlushEvents waits until every execution status change so far has been handed to
// Options.Events (so a caller can then wait for the bus), or ctx ends.
func (s *Service) FlushEvents(ctx context.Context) error {
	if s.events == nil {
		return nil
	}
	return s.events.Flush(ctx)
}
